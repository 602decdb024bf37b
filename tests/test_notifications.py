"""Notifications end to end: real months, a real SMTP server and a real webhook on 127.0.0.1.

The sensors are evaluated against runs recorded in a real (temporary) Dagster instance, both by
direct invocation with `build_run_status_sensor_context` and through a sensor tick as the daemon
does it. What arrives is checked for its counts and scanned for every email address, phone number
and name of the month's contacts (read from the DuckDB tables, as test_pii_in_logs reads the
export), and for a person planted in a file exported without its header row: its "headers" reach
Dagster's error texts and check descriptions, and must not reach a message.
"""

from __future__ import annotations

import csv
import email
import email.policy
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from assets import notifications
from assets.definitions import defs
from assets.notifications import monthly_summary_notification, run_failure_notification
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource
from hygiene_pipeline.report import notify
from hygiene_pipeline.report.health_score import health_trend
from hygiene_pipeline.report.health_settings import load_health_settings
from hygiene_pipeline.sample_exports import write_sample_exports
from hygiene_pipeline.schema import PRUNE_ACTIONS
from hygiene_pipeline.store import HygieneStore
from tests.dagster_server import free_port

KEY = "notify-test-suppression-key-5d1c0b"
SMTP_USER, SMTP_PASSWORD = "hygiene-bot", "s3cret-for-the-test"
# A person in a file exported without its header row: never loaded, quoted by error texts.
PLANTED = ("Hannelore", "Vermeulen", "hannelore.vermeulen@brouwer-logistiek.nl", "+31 6 12345678")
OTHER = "9002,Pieter,Smitsma,p.smitsma@voorbeeld-bouw.nl,0612345679"
HEADERLESS = f"9001,{','.join(PLANTED)}\n{OTHER}\n"


# ---- A real SMTP server and a real webhook endpoint ----


class Inbox:
    """What the SMTP server on 127.0.0.1 received, and who logged in."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == SMTP_USER
            and auth_data.password.decode() == SMTP_PASSWORD
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)


class Webhook(ThreadingHTTPServer):
    """An HTTP endpoint that records each POST and answers with `status`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.received: list[tuple[str, str, bytes]] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/T000/B000/secret-path"


class _WebhookHandler(BaseHTTPRequestHandler):
    server: Webhook

    def do_POST(self) -> None:  # http.server's hook name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # a test server without a certificate; production uses TLS
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    server = Webhook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def channels(smtp, webhook, monkeypatch) -> Iterator[tuple[Inbox, Webhook]]:
    """Both channels configured in the environment, empty at the start of the test."""
    inbox, port = smtp
    for name, value in {
        notify.SMTP_HOST: "127.0.0.1",
        notify.SMTP_PORT: str(port),
        notify.SMTP_TLS: "off",
        notify.SMTP_USER: SMTP_USER,
        notify.SMTP_PASSWORD: SMTP_PASSWORD,
        notify.NOTIFY_FROM: "crm-hygiene@example.org",
        notify.NOTIFY_TO: "data-owner@example.org, ops@example.org",
        notify.NOTIFY_WEBHOOK: webhook.url,
        notify.UI_URL: "http://dagster.example.org:3000/",
    }.items():
        monkeypatch.setenv(name, value)
    inbox.messages.clear()
    inbox.envelopes.clear()
    inbox.logins.clear()
    webhook.received.clear()
    webhook.status = 200
    yield inbox, webhook


@pytest.fixture
def no_settings(monkeypatch) -> None:
    for name in (notify.SMTP_HOST, notify.NOTIFY_TO, notify.NOTIFY_FROM, notify.NOTIFY_WEBHOOK):
        monkeypatch.delenv(name, raising=False)


# ---- Real months in a real instance ----


def _resources(root: Path) -> dict[str, object]:
    return {"hygiene": HygieneResource(data_dir=str(root), nameservers="off")}


def _materialize(root: Path, month: str, instance: dg.DagsterInstance, selection=None):
    return dg.materialize(
        selection or [*(defs.assets or []), *(defs.asset_checks or [])],
        partition_key=f"{month}-01",
        resources=_resources(root),
        instance=instance,
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
        with dg.instance_for_test() as test_instance:
            yield test_instance


@pytest.fixture(scope="module")
def two_months(tmp_path_factory, instance) -> tuple[Path, dg.ExecuteInProcessResult]:
    """2026-09 and 2026-10 materialized; 2026-10 also holds a file without its header row."""
    root = tmp_path_factory.mktemp("notify")
    write_sample_exports(root / "exports", ["2026-09", "2026-10"], people=120, seed=11)
    (root / "exports" / "2026-10" / "crm-contacts-noheader.csv").write_text(HEADERLESS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
        assert _materialize(root, "2026-09", instance).success
        result = _materialize(root, "2026-10", instance)
    assert result.success  # the refused file fails a non-blocking check only
    return root, result


def _personal_values(root: Path, month: str) -> set[str]:
    """Every email, phone (as typed, E.164, digits) and name of the month's contacts, from the
    DuckDB tables, and the planted person."""
    store = HygieneStore(root / "hygiene.duckdb")
    snapshot = date.fromisoformat(f"{month}-01")
    contacts = store.query(
        "SELECT first_name, last_name, email, email_others, phone, phone_input, phone_others, "
        "owner FROM normalized_contacts WHERE snapshot = $1",
        [snapshot],
    )
    raw = store.query("SELECT * FROM raw_contacts WHERE snapshot = $1", [snapshot])
    found: set[str] = set(PLANTED) | {"Hannelore Vermeulen", "p.smitsma@voorbeeld-bouw.nl"}
    for row in contacts.iter_rows(named=True):
        first, last = (row["first_name"] or "").strip(), (row["last_name"] or "").strip()
        if first and last:
            found.add(f"{first} {last}")
        found |= {name for name in (first, last, row["owner"] or "") if len(name) >= 4}
        found |= {v for v in [row["email"], *(row["email_others"] or [])] if v and "@" in v}
        for phone in [row["phone"], row["phone_input"], *(row["phone_others"] or [])]:
            if phone and len(re.sub(r"\D", "", phone)) >= 8:
                found |= {phone.strip(), re.sub(r"\D", "", phone)}
    personal = [c for c in raw.columns if re.search(r"(?i)e-?mail|phone|name", c)]
    for column in personal:
        if "company" in column.lower():
            continue
        for value in raw[column].drop_nulls().cast(str).to_list():
            value = value.strip()
            if "@" in value or len(value) >= 4:
                found.add(value)
    return {value for value in found if value}


def _leaks(text: str, personal: set[str]) -> list[str]:
    """The personal values found in `text`: case-insensitive, names as whole words."""
    lowered = text.lower()
    leaked = []
    for value in personal:
        needle = value.lower()
        if re.fullmatch(r"[^\W\d_]+", needle):  # a single name: whole words only
            if re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", lowered):
                leaked.append(value)
        elif needle in lowered:
            leaked.append(value)
    return sorted(leaked)


def _mail_text(message: email.message.EmailMessage) -> str:
    """Headers and the decoded body (a base64 or quoted-printable body must be scanned decoded)."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    headers = "\n".join(f"{name}: {value}" for name, value in message.items())
    return headers + "\n\n" + body.get_content()


def _counts(root: Path, month: str) -> tuple[int, dict[str, int], float, float]:
    store = HygieneStore(root / "hygiene.duckdb")
    snapshot = date.fromisoformat(f"{month}-01")
    contacts = store.query(
        "SELECT count(*) AS n FROM validation_results WHERE snapshot = $1", [snapshot]
    )["n"][0]
    actions = dict(
        store.query(
            "SELECT action, count(*) FROM prune_list WHERE snapshot = $1 GROUP BY 1", [snapshot]
        ).iter_rows()
    )
    trend = health_trend(store, snapshot)
    return contacts, actions, trend["score"][-1], trend["score"][-1] - trend["score"][-2]


def _summary_context(
    root: Path, result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance
) -> dg.RunStatusSensorContext:
    """What the daemon hands the summary sensor after October's successful run."""
    return dg.build_run_status_sensor_context(
        sensor_name="monthly_summary_notification",
        dagster_event=result.get_run_success_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources=_resources(root),
        partition_key="2026-10-01",
    )


# ---- The summary ----


def test_a_months_summary_arrives_by_mail_and_webhook_with_its_counts_and_no_personal_data(
    channels, two_months, instance
):
    inbox, hook = channels
    root, result = two_months
    context = _summary_context(root, result, instance)
    assert monthly_summary_notification(context) is None  # sent: nothing to skip

    assert len(inbox.messages) == 1 and len(hook.received) == 1
    assert inbox.logins == [SMTP_USER]
    sender, recipients = inbox.envelopes[0]
    assert sender == "crm-hygiene@example.org"
    assert recipients == ["data-owner@example.org", "ops@example.org"]
    mail = inbox.messages[0]
    text = _mail_text(mail)
    path, content_type, body = hook.received[0]
    assert path == "/hooks/T000/B000/secret-path" and content_type == "application/json"
    chat = json.loads(body)["text"]

    contacts, actions, score, change = _counts(root, "2026-10")
    assert sum(actions.values()) > 0
    subject = str(mail["Subject"]).strip()  # a folded header may keep its leading space
    assert subject.startswith(f"CRM hygiene 2026-10: health {score:.1f} ({change:+.1f}), ")
    assert f", {sum(actions.values())} of {contacts} on the prune list" in subject
    for received in (text, chat):
        assert f"Contacts: {contacts} ({contacts - sum(actions.values())} kept" in received
        for action in PRUNE_ACTIONS:
            assert f"{action} {actions.get(action, 0)}" in received
        assert f"Health score: {score:.1f} ({change:+.1f} since 2026-09)" in received
        assert "raw_contacts.every_export_file_loaded (ERROR)" in received  # the refused file
        assert "Refused export files: crm-contacts-noheader.csv" in received
        assert f"http://dagster.example.org:3000/runs/{result.run_id}" in received

    personal = _personal_values(root, "2026-10")
    assert len(personal) > 300
    # The planted person did reach Dagster (the check's description): the trap is real.
    descriptions = " ".join(e.description or "" for e in result.get_asset_check_evaluations())
    assert PLANTED[2] in descriptions
    assert _leaks(text, personal) == []
    assert _leaks(chat, personal) == []
    assert KEY not in text + chat


def test_the_summary_scores_the_month_with_the_teams_health_settings_as_the_report_does(
    channels, two_months, instance
):
    inbox, _ = channels
    root, result = two_months
    settings_file = root / "health.yaml"
    settings_file.write_text(
        "required: [email, phone, owner, lead_source]\n"
        "weights: {invalid_email: 20, missing_email: 15, missing_phone: 25, stale: 10,\n"
        "          bad_phone: 10, missing_owner: 10, missing_source: 5, duplicate: 5}\n",
        encoding="utf-8",
    )
    try:
        context = _summary_context(root, result, instance)
        assert monthly_summary_notification(context) is None
        store = HygieneStore(root / "hygiene.duckdb")
        team = health_trend(store, date(2026, 10, 1), load_health_settings(root))["score"][-1]
        default = health_trend(store, date(2026, 10, 1))["score"][-1]
    finally:
        settings_file.unlink()
    assert f"{team:.1f}" != f"{default:.1f}"  # the settings change the score
    subject = str(inbox.messages[-1]["Subject"]).strip()
    assert subject.startswith(f"CRM hygiene 2026-10: health {team:.1f} ")


def test_the_summary_sensor_reacts_to_a_run_on_its_own_tick_as_the_daemon_runs_it(
    channels, two_months, instance
):
    inbox, hook = channels
    root, _ = two_months
    sensor = defs.resolve_sensor_def("monthly_summary_notification")

    def tick(cursor: str | None):
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources=_resources(root)
        )
        return sensor.evaluate_tick(context)

    first = tick(None)  # the first tick only remembers where the event log is
    assert "Initiating" in (first.skip_message or "")
    partial = _materialize(root, "2026-09", instance, [raw_contacts])  # no prune list: no summary
    rerun = _materialize(root, "2026-09", instance)  # the whole month again
    assert partial.success and rerun.success
    second = tick(first.cursor)
    assert "wrote neither prune_list nor hygiene_report" in (second.skip_message or "")
    third = tick(second.cursor)
    assert third.skip_message is None
    assert [r.dagster_run.run_id for r in third.dagster_run_reactions] == [rerun.run_id]
    assert len(inbox.messages) == len(hook.received) == 1
    assert str(inbox.messages[0]["Subject"]).strip().startswith("CRM hygiene 2026-09: health")
    assert tick(third.cursor).dagster_run_reactions == []  # each run is notified once
    assert len(inbox.messages) == 1


def test_a_busy_database_still_sends_the_summary_without_counts(
    channels, two_months, instance, monkeypatch
):
    inbox, hook = channels
    root, result = two_months
    monkeypatch.setattr(notifications, "STORE_WAIT_SECONDS", 0.5)
    holder = subprocess.Popen(  # another run holds DuckDB's single-writer lock
        [sys.executable, "-c",
         "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True);"
         " time.sleep(60)", str(root / "hygiene.duckdb")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        context = _summary_context(root, result, instance)
        assert monthly_summary_notification(context) is None
    finally:
        holder.kill()
        holder.wait(timeout=30)
    text = _mail_text(inbox.messages[0])
    assert "Counts: not available now, the database was busy" in text
    assert "raw_contacts.every_export_file_loaded (ERROR)" in text
    assert f"/runs/{result.run_id}" in json.loads(hook.received[0][2])["text"]


# ---- Failures ----


@pytest.fixture(scope="module")
def failed_runs(tmp_path_factory, instance) -> tuple[Path, list[dg.ExecuteInProcessResult], str]:
    """2026-08 honest; 2026-09 with every email emptied (a blocking check fails); 2026-10 only a
    file without its header row (ingest fails, its error text quoting the planted person).
    Returns the root, the two failed runs and the failure sensor's cursor from before them."""
    root = tmp_path_factory.mktemp("notify-failures")
    write_sample_exports(root / "exports", ["2026-08", "2026-09"], people=120, seed=13)
    (export,) = (root / "exports" / "2026-09").glob("*.csv")
    text = export.read_text(encoding="utf-8-sig")
    delimiter = ";" if ";" in text.splitlines()[0] else ","  # odd months are written as Excel
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    column = rows[0].index("Email")
    for row in rows[1:]:
        row[column] = ""
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    (root / "exports" / "2026-10").mkdir()
    (root / "exports" / "2026-10" / "contacts.csv").write_text(HEADERLESS)
    sensor = defs.resolve_sensor_def("run_failure_notification")
    start = sensor.evaluate_tick(
        dg.build_sensor_context(instance=instance, resources=_resources(root))
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
        assert _materialize(root, "2026-08", instance).success
        runs = [_materialize(root, month, instance) for month in ("2026-09", "2026-10")]
    assert not any(run.success for run in runs)
    return root, runs, start.cursor or ""


def test_failed_runs_alert_at_once_by_name_without_error_texts_or_personal_data(
    channels, failed_runs, instance
):
    inbox, hook = channels
    root, (blocked, unreadable), cursor = failed_runs
    sensor = defs.resolve_sensor_def("run_failure_notification")
    tick = sensor.evaluate_tick(
        dg.build_sensor_context(instance=instance, cursor=cursor, resources=_resources(root))
    )
    reacted = [reaction.dagster_run.run_id for reaction in tick.dagster_run_reactions]
    assert reacted == [blocked.run_id, unreadable.run_id]
    assert all(reaction.error is None for reaction in tick.dagster_run_reactions)
    assert len(inbox.messages) == len(hook.received) == 2

    mails = {str(m["Subject"]).strip(): _mail_text(m) for m in inbox.messages}
    chats = [json.loads(body)["text"] for _, _, body in hook.received]
    blocked_mail = mails["CRM hygiene 2026-09 FAILED: 1 blocking check failed"]
    assert "validation_results.missing_emails_steady (ERROR, blocking)" in blocked_mail
    assert "Failed steps: validation_results" in blocked_mail  # its blocking check failed it
    assert "Refused export files: none" in blocked_mail
    assert f"/runs/{blocked.run_id}" in blocked_mail
    unreadable_mail = mails["CRM hygiene 2026-10 FAILED: the run failed"]
    assert "Failed steps: raw_contacts" in unreadable_mail
    assert f"/runs/{unreadable.run_id}" in unreadable_mail
    assert chats[0].startswith("CRM hygiene 2026-09 FAILED") and "missing_emails_steady" in chats[0]

    # The error text of the unreadable month quotes the planted person; the alert does not.
    failures = unreadable.get_step_failure_events()
    errors = " ".join(event.event_specific_data.error.to_string() for event in failures)
    assert PLANTED[2] in errors
    personal = _personal_values(root, "2026-08") | _personal_values(root, "2026-09")
    for text in [*mails.values(), *chats]:
        assert _leaks(text, personal) == []


def test_a_failing_channel_is_reported_after_the_others_were_tried(channels, failed_runs, instance):
    inbox, hook = channels
    root, (blocked, _), _ = failed_runs
    hook.status = 500
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_notification",
        dagster_event=blocked.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=blocked.dagster_run,
        resources=_resources(root),
        partition_key="2026-09-01",
    )
    with pytest.raises(notify.NotificationError) as raised:
        run_failure_notification(context)
    assert "webhook 127.0.0.1" in str(raised.value)
    assert "secret-path" not in str(raised.value)  # whoever has the URL can post
    assert "sent: email to 2 recipient(s)" in str(raised.value)
    assert len(inbox.messages) == 1


# ---- Settings ----


def test_without_settings_the_sensors_are_off_and_skip_with_the_variables_to_set(
    no_settings, two_months, instance, monkeypatch
):
    root, result = two_months
    assert notifications.default_status() == dg.DefaultSensorStatus.STOPPED
    context = dg.build_run_status_sensor_context(
        sensor_name="monthly_summary_notification",
        dagster_event=result.get_run_success_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources=_resources(root),
    )
    skipped = monthly_summary_notification(context)
    assert isinstance(skipped, dg.SkipReason)
    assert notify.SMTP_HOST in skipped.skip_message
    assert notify.NOTIFY_WEBHOOK in skipped.skip_message
    failed = run_failure_notification(context)
    assert isinstance(failed, dg.SkipReason) and notify.NOTIFY_TO in failed.skip_message
    monkeypatch.setenv(notify.NOTIFY_WEBHOOK, "https://hooks.example.org/x")
    assert notifications.default_status() == dg.DefaultSensorStatus.RUNNING


def test_settings_are_read_from_the_environment_and_incomplete_ones_named():
    settings = notify.NotifySettings.from_env(
        {
            notify.SMTP_HOST: "smtp.example.org",
            notify.SMTP_USER: "bot@example.org",
            notify.NOTIFY_TO: "a@example.org; b@example.org",
        }
    )
    assert (settings.smtp_port, settings.smtp_tls) == (587, "starttls")
    assert settings.mail_from == "bot@example.org" and settings.mail_to == (
        "a@example.org",
        "b@example.org",
    )
    assert settings.email_ready and settings.problems == ()
    assert settings.run_url("abc") == "http://127.0.0.1:3000/runs/abc"
    assert notify.NotifySettings.from_env({notify.SMTP_TLS: "ssl"}).smtp_port == 465
    half = notify.NotifySettings.from_env(
        {
            notify.SMTP_HOST: "smtp.example.org",
            notify.SMTP_TLS: "maybe",
            notify.NOTIFY_WEBHOOK: "file:///etc/passwd",
        }
    )
    assert not half.email_ready and half.webhook is None
    assert any(notify.NOTIFY_TO in problem for problem in half.problems)
    assert any(notify.SMTP_TLS in problem for problem in half.problems)
    assert any(notify.NOTIFY_WEBHOOK in problem for problem in half.problems)
    with pytest.raises(notify.NotificationError, match=notify.NOTIFY_TO):
        notify.deliver(half, notify.Message("s", ("line",)))


def test_the_sensors_are_in_the_code_location_watching_every_run_of_it():
    for name in ("monthly_summary_notification", "run_failure_notification"):
        sensor = defs.resolve_sensor_def(name)
        assert isinstance(sensor, dg.RunStatusSensorDefinition)
        assert sensor.required_resource_keys == {"hygiene"}
