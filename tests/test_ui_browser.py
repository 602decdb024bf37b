"""The Dagster UI in a real browser: Debian's chromium driven by Playwright, against `dagster dev`.

One webserver and daemon per module, on a free 127.0.0.1 port, with a temporary DAGSTER_HOME and
a temporary copy of two sample months. The tests run in file order and build on each other: the
graph, the partitions, a two-month backfill launched by clicking through the UI, the report's
metadata and its file (the score beside "fine as it is", quality by owner, source and CRM, junk
properties, consent, retention, job changes, lead status), then a broken export that must turn a
check red. Screenshots go to test-artifacts/ (the report's new sections: report-new-sections.png).

Never `playwright install`: CI installs chromium with apt (scripts/test.sh). Without it these
tests fail with the command to run, they do not skip.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.builders import EXPECTED_UPSTREAM

PROJECT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]  # fmt: skip
MONTHS = ["2026-09", "2026-10"]
# The cleanup's story, left to right; duplicate_clusters and validation_results share a column.
# The report follows crm_import_files: it counts the corrections the update files write.
STAGES = [["raw_contacts"], ["normalized_contacts"], ["duplicate_clusters", "validation_results"],
          ["prune_list"], ["crm_import_files"], ["hygiene_report"]]  # fmt: skip
UPSTREAM = EXPECTED_UPSTREAM
TEST_KEY = "browser-test-key-0123456789abcdef"  # a test secret, never a default
BACKFILL_TIMEOUT_S = 420  # the daemon looks at backfills about every 30 s; six runs in sequence


@dataclass
class Ui:
    base: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(ui: Ui, query: str) -> dict:
    request = urllib.request.Request(
        f"{ui.base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert "errors" not in body, body
    return body["data"]


def _wait_until_loaded(ui: Ui, process: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster dev exited early:\n{ui.log.read_text()[-4000:]}")
        try:
            data = _graphql(ui, "{ workspaceOrError { ... on Workspace { locationEntries "
                            "{ name loadStatus } } } }")  # fmt: skip
        except OSError:
            time.sleep(1)
            continue
        entries = data["workspaceOrError"]["locationEntries"]
        if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
            return
        time.sleep(1)
    pytest.fail(f"the webserver did not load the code location:\n{ui.log.read_text()[-4000:]}")


def _require_browser() -> None:
    """Fail, never skip: a CI without the browser must not pass these tests silently."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium with "
            "`sudo apt-get install -y chromium fonts-liberation` (scripts/test.sh does it). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is missing: `.venv/bin/pip install -e '.[dev]'`", pytrace=False)


@pytest.fixture(scope="module")
def ui(tmp_path_factory) -> Iterator[Ui]:
    _require_browser()
    root = tmp_path_factory.mktemp("ui")
    home, data_dir = root / "dagster_home", root / "data"
    home.mkdir()
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    for month in MONTHS:
        shutil.copytree(PROJECT / "data" / "exports" / month, data_dir / "exports" / month)
    env = {**os.environ, "DAGSTER_HOME": str(home), "HYGIENE_DATA_DIR": str(data_dir),
           "HYGIENE_NAMESERVERS": "off", "HYGIENE_SUPPRESSION_KEY": TEST_KEY}  # fmt: skip
    dagster = [sys.executable, "-m", "dagster"]
    # The sensor would materialize the months by itself as soon as the daemon starts: this test
    # is about launching them from the UI, so it is stopped in the instance first.
    stopped = subprocess.run(
        [*dagster, "sensor", "stop", "new_exports_sensor", "-w", "workspace.yaml"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    port = _free_port()
    log = root / "dagster-dev.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [*dagster, "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
            cwd=PROJECT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,  # setsid: its own process group, stopped as a whole below
        )  # fmt: skip
    server = Ui(base=f"http://127.0.0.1:{port}", data_dir=data_dir, log=log)
    try:
        _wait_until_loaded(server, process)
        yield server
    finally:
        _stop_group(process)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, ARTIFACTS / "dagster-dev.log")


def _stop_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def page(ui: Ui):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_init_script("window.localStorage.setItem('communityNux', '1')")
        # Only the webserver: the page also tries outside hosts, which a test must not reach.
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(ui.base) else route.abort()
            ),
        )
        context.set_default_timeout(30_000)
        yield context.new_page()
        browser.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-{name}.png"), full_page=True)


def test_the_lineage_shows_every_asset_connected_in_order(ui: Ui, page):
    page.goto(f"{ui.base}/asset-groups")
    page.locator("foreignObject").first.wait_for()
    nodes = page.evaluate(
        "() => Array.from(document.querySelectorAll('foreignObject')).map("
        "o => [o.textContent.trim(), Number(o.getAttribute('x'))])"
    )
    _shot(page, "lineage")
    column = {}
    for name in UPSTREAM:  # graph labels are truncated: match on both ends of the name
        found = [x for text, x in nodes if text.startswith(name[:6]) and text.endswith(name[-6:])]
        assert len(found) == 1, (name, nodes)
        column[name] = found[0]
        assert page.get_by_text(name, exact=True).first.is_visible(), name  # sidebar: full name
    lefts = [{column[name] for name in stage} for stage in STAGES]
    for stage in lefts:
        assert len(stage) == 1, lefts  # assets of one stage sit in one column
    xs = [stage.pop() for stage in lefts]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), xs  # left to right in story order
    nodes_data = _graphql(ui, "{ assetNodes { assetKey { path } dependencyKeys { path } } }")
    upstream = {node["assetKey"]["path"][-1]: {d["path"][-1] for d in node["dependencyKeys"]}
                for node in nodes_data["assetNodes"]}  # fmt: skip
    assert upstream == UPSTREAM


def test_a_partitioned_asset_lists_the_sample_months(ui: Ui, page):
    page.goto(f"{ui.base}/assets/raw_contacts?view=partitions")
    for month in MONTHS:
        page.get_by_text(f"{month}-01", exact=True).first.wait_for()
    page.get_by_text("Missing (", exact=False).first.wait_for()
    _shot(page, "partitions-before")


def _backfills(ui: Ui) -> list[dict]:
    data = _graphql(ui, "{ partitionBackfillsOrError { ... on PartitionBackfills { results "
                    "{ id status partitionNames runs(limit: 50) { status } } } } }")  # fmt: skip
    return data["partitionBackfillsOrError"]["results"]


def _launch_from_the_lineage_page(ui: Ui, page, selection: str) -> None:
    """Materialize all -> show all partitions -> type the range -> Launch backfill."""
    page.goto(f"{ui.base}/asset-groups")
    page.get_by_role("button", name=re.compile("Materialize all")).click()
    dialog = page.get_by_role("dialog")
    # The dialog starts at the last 90 days of the wall clock; the sample months may be older.
    dialog.get_by_role("button", name="Show all partitions").click()
    partitions = dialog.locator("input[type=text]").first
    partitions.fill(selection)
    partitions.press("Enter")
    count = 2 if "..." in selection else 1  # the ranges used here are two months
    dialog.get_by_text(re.compile(rf"^{count} partitions?$")).first.wait_for()
    _shot(page, f"launch-{len(_backfills(ui)) + 1}")
    # Two months are a backfill; one month is a single run.
    dialog.get_by_role("button", name=re.compile(r"^Launch (backfill|1 run)$")).click()
    dialog.wait_for(state="hidden")


def _wait_for_backfill(ui: Ui, number: int) -> dict:
    deadline = time.monotonic() + BACKFILL_TIMEOUT_S
    while time.monotonic() < deadline:
        backfills = _backfills(ui)
        if len(backfills) >= number and backfills[0]["status"] != "REQUESTED":
            return backfills[0]
        time.sleep(3)
    pytest.fail(f"backfill {number} did not finish:\n{ui.log.read_text()[-4000:]}")
    raise AssertionError  # unreachable, for type checkers


def test_two_months_materialized_from_the_ui_complete(ui: Ui, page):
    _launch_from_the_lineage_page(ui, page, f"[{MONTHS[0]}-01...{MONTHS[-1]}-01]")
    backfill = _wait_for_backfill(ui, 1)
    assert sorted(backfill["partitionNames"]) == [f"{month}-01" for month in MONTHS]
    assert backfill["status"] == "COMPLETED_SUCCESS", backfill
    assert backfill["runs"] and {run["status"] for run in backfill["runs"]} == {"SUCCESS"}
    page.goto(f"{ui.base}/runs/b/{backfill['id']}")  # the backfill's page: one row per asset
    page.get_by_text("100% completed").first.wait_for()
    assert page.get_by_text("100% completed").count() == len(UPSTREAM)
    _shot(page, "backfill-completed")
    page.goto(f"{ui.base}/assets/raw_contacts?view=partitions")
    page.get_by_text(f"Materialized ({len(MONTHS)})").first.wait_for()
    _shot(page, "partitions-after")


# The report's sections past the audit (their HTML ids), and the metadata keys that repeat them.
REPORT_SECTIONS = ("quality-by-owner", "quality-by-lead-source", "quality-by-source-detail",
                   "quality-by-crm", "junk-properties", "property-audit", "consent", "retention",
                   "job-changes", "lead-status")  # fmt: skip
REPORT_KEYS = ("health_score", "fine_as_is", "headline", "health_settings", "audit", "trend",
               "prune_counts", "report_path", "slowest_step",
               *(key.replace("-", "_") for key in REPORT_SECTIONS))  # fmt: skip


def _markdown_dialog(page, key: str):
    """Open a metadata entry's Markdown: the UI shows 1000 characters or more in a dialog."""
    page.locator("tr", has=page.get_by_text(key, exact=True)).get_by_text("Show Markdown").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    page.wait_for_timeout(500)  # it fades in: a screenshot taken at once shows it half there
    return dialog


def _close(dialog) -> None:
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="hidden")  # closed, so the next dialog is the only one


def test_the_report_metadata_renders_and_the_file_stands_alone(ui: Ui, page):
    page.goto(f"{ui.base}/assets/hygiene_report")
    for key in REPORT_KEYS:
        page.get_by_text(key, exact=True).first.wait_for()
    # The headline is short: it shows inline, the score beside the share fine as it is.
    page.get_by_text(re.compile(r"Health score \d+\.\d / 100 · fine as it is")).first.wait_for()
    audit = _markdown_dialog(page, "audit")
    for text in ("Contacts without email", "Not updated for 12+ months", "No company name"):
        audit.get_by_text(text).first.wait_for()
    _close(audit)
    owners = _markdown_dialog(page, "quality_by_owner")
    owners.get_by_text("(no owner)").first.wait_for()
    _shot(page, "report-metadata-owners")
    _close(owners)
    trend = _markdown_dialog(page, "trend_chart")
    chart = trend.locator("img").first
    chart.wait_for()
    assert chart.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    _shot(page, "report-metadata")
    _close(trend)

    report = ui.data_dir / "reports" / f"{MONTHS[-1]}.html"
    assert report.stat().st_mode & 0o777 == 0o600
    standalone = page.context.browser.new_page()  # no routing: any outside fetch would show
    requests: list[str] = []
    standalone.on("request", lambda request: requests.append(request.url))
    standalone.goto(report.as_uri())
    assert standalone.locator("#trend-chart svg").is_visible()
    assert standalone.get_by_text("Contacts without email").is_visible()
    assert standalone.locator("#prune + table").is_visible()  # the counts per action
    _assert_the_new_sections_render(standalone)
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    standalone.screenshot(path=str(ARTIFACTS / "report-standalone.png"), full_page=True)
    _shot_the_new_sections(standalone)
    standalone.close()


def _assert_the_new_sections_render(report) -> None:
    """The score beside "fine as it is", and every section: its table, or the line saying why
    the export cannot tell."""
    score = report.locator("#health-score").inner_text()
    fine = report.locator("#fine-as-is").inner_text()
    assert re.fullmatch(r"\d{1,3}\.\d", score) and re.fullmatch(r"\d{1,3}\.\d%", fine)
    assert report.locator(".bar span").count() == 3  # fine, kept with problems, pruned
    for key in REPORT_SECTIONS:
        section = report.locator(f"#{key}")
        assert section.is_visible(), key
        assert section.locator("table").count() or section.locator(".note").count(), key
    # What the sample months always have: owners, free text to turn into dropdowns, columns.
    owners = report.locator("#quality-by-owner table")
    assert owners.is_visible() and owners.get_by_text("(no owner)").is_visible()
    junk = report.locator("#junk-properties")
    assert junk.get_by_text(re.compile("make it a dropdown: job function and seniority")).count()
    usage = report.locator("#property-audit table")
    assert usage.get_by_text("Contact owner", exact=True).is_visible()
    assert usage.get_by_text("not shown: personal data").first.is_visible()


def _shot_the_new_sections(report) -> None:
    """One picture from the headline to the last new section, for the issue and the docs."""
    top = report.locator("#health-score").bounding_box()
    bottom = report.locator(f"#{REPORT_SECTIONS[-1]}").bounding_box()
    assert top and bottom
    report.screenshot(
        path=str(ARTIFACTS / "report-new-sections.png"),
        full_page=True,
        clip={"x": 0, "y": max(0, top["y"] - 80), "width": report.viewport_size["width"],
              "height": bottom["y"] + bottom["height"] - top["y"] + 100},
    )  # fmt: skip


def _empty_the_email_column(month_dir: Path) -> None:
    for path in month_dir.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        column = rows[0].index("Email")
        for row in rows[1:]:
            row[column] = ""
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)


def _check(ui: Ui, asset: str, name: str) -> dict | None:
    data = _graphql(ui, f'{{ assetNodes(assetKeys: [{{path: ["{asset}"]}}]) {{ '
                    "assetChecksOrError { ... on AssetChecks { checks { name "
                    "executionForLatestMaterialization { status evaluation "
                    "{ severity description } } } } } } }")  # fmt: skip
    checks = data["assetNodes"][0]["assetChecksOrError"]["checks"]
    return next(check["executionForLatestMaterialization"] for check in checks
                if check["name"] == name)  # fmt: skip


def _wait_for_runs(ui: Ui) -> list[str]:
    """Every run's status, newest first, once none is queued or running."""
    deadline = time.monotonic() + BACKFILL_TIMEOUT_S
    while time.monotonic() < deadline:
        runs = _graphql(ui, "{ runsOrError { ... on Runs { results { status } } } }")
        statuses = [run["status"] for run in runs["runsOrError"]["results"]]
        if not set(statuses) & {"QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"}:
            return statuses
        time.sleep(3)
    pytest.fail(f"runs did not finish:\n{ui.log.read_text()[-4000:]}")
    raise AssertionError  # unreachable, for type checkers


def _prune_runs_of(ui: Ui, partition: str) -> int:
    query = '{ assetNodes(assetKeys: [{path: ["prune_list"]}]) { assetMaterializations('
    data = _graphql(ui, query + f'partitions: ["{partition}"]) {{ runId }} }} }}')
    return len(data["assetNodes"][0]["assetMaterializations"])


def test_a_broken_export_turns_a_check_red_in_the_ui(ui: Ui, page):
    broken = f"{MONTHS[-1]}-01"
    prune_runs = _prune_runs_of(ui, broken)
    _empty_the_email_column(ui.data_dir / "exports" / MONTHS[-1])
    _launch_from_the_lineage_page(ui, page, broken)
    deadline = time.monotonic() + BACKFILL_TIMEOUT_S
    execution = None
    while time.monotonic() < deadline:  # SUCCEEDED is last month's run until the new one checks
        execution = _check(ui, "validation_results", "missing_emails_steady")
        if execution and execution["status"] not in ("IN_PROGRESS", "SUCCEEDED"):
            break
        time.sleep(3)
    assert execution and execution["status"] == "FAILED", execution
    assert execution["evaluation"]["severity"] == "ERROR"
    page.goto(f"{ui.base}/assets/validation_results?view=checks")
    page.get_by_text("missing_emails_steady").first.click()
    message = page.get_by_text(re.compile(r"Emails are missing for 100\.0% of contacts")).first
    message.wait_for()
    assert "export is the likely cause" in message.inner_text()
    _shot(page, "broken-export-check")
    assert _wait_for_runs(ui)[0] == "FAILURE"  # the newest run: blocked by the check
    assert _prune_runs_of(ui, broken) == prune_runs  # blocked: no prune list from a broken export
