"""The health score, its trend and decay rate, and the self-contained HTML report (real DuckDB)."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import pytest

from hygiene_pipeline.report import monthly_report as report_module
from hygiene_pipeline.report.health_score import WEIGHTS, health_score, health_trend
from hygiene_pipeline.store import HygieneStore
from tests.builders import clusters_frame, contacts_frame, prune_frame, validation_frame

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def test_the_score_is_100_minus_the_weighted_shares():
    assert sum(WEIGHTS.values()) == 100
    assert health_score({}) == 100.0
    assert health_score(dict.fromkeys(WEIGHTS, 1.0)) == 0.0
    assert health_score({"invalid_email": 0.10, "stale": 0.20}) == 100 - 20 * 0.1 - 15 * 0.2


def _store_two_months(tmp_path: Path) -> HygieneStore:
    """Ten contacts each month: September clean but for one stale; October decays."""
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    for snapshot, overrides in (
        (SEP, {"c0": {"issues": ["stale"]}}),
        (OCT, {"c0": {"issues": ["stale"]},  # already decayed: not counted again
               "c1": {"issues": ["stale"]},  # became stale
               "c2": {"email_status": "invalid", "issues": ["bounced_but_marketable"]},
               "c3": {"email_status": "missing", "phone_status": "placeholder",
                      "issues": ["missing_email", "missing_owner"]},
               "c4": {"email_status": "risky", "email_reasons": ["role_account"]}}),
    ):  # fmt: skip
        contacts = contacts_frame(snapshot, [{"contact_id": f"c{i}"} for i in range(10)])
        clusters = clusters_frame(snapshot, [("c5", "k", True), ("c6", "k", False)])
        prune = prune_frame(snapshot, [
            ("c6", "merge", ["duplicate_of: c5"], "c5"),
            ("c2", "delete", ["email_invalid: <script>alert(1)</script>"], None),
        ])  # fmt: skip
        store.replace_partition(snapshot, {
            "normalized_contacts": contacts,
            "validation_results": validation_frame(contacts, overrides),
            "duplicate_clusters": clusters,
            "prune_list": prune,
        })  # fmt: skip
    return store


def test_the_trend_scores_every_stored_month_and_the_decay_rate(tmp_path):
    trend = health_trend(_store_two_months(tmp_path), OCT)
    assert trend["snapshot"].to_list() == [SEP, OCT]
    sep, oct_ = trend.iter_rows(named=True)
    assert sep["score"] == round(100 - 15 * 0.1 - 10 * 0.1, 1)  # one stale, one duplicate
    expected = 100 - 20 * 0.1 - 15 * 0.1 - 15 * 0.2 - 10 * 0.1 - 10 * 0.1 - 10 * 0.1 - 10 * 0.1
    assert oct_["score"] == pytest.approx(expected)
    assert sep["decay_rate"] is None  # nothing to compare with
    assert oct_["decay_rate"] == pytest.approx(2 / 10)  # c1 became stale, c2 invalid
    assert health_trend(_store_two_months(tmp_path / "again"), SEP).height == 1  # up to the month


def test_the_report_holds_the_audit_chart_and_prune_counts_escaped(tmp_path):
    report = report_module.build_report(_store_two_months(tmp_path), OCT)
    audit = {line.label: line.count for line in report.audit}
    assert audit["Contacts without email"] == 1
    assert audit["Fake phone (placeholder such as 0000000000)"] == 1
    assert audit["No owner"] == 1
    assert audit["Not updated for 12+ months"] == 2
    assert audit["Role address (info@, sales@ ...)"] == 1
    assert audit["Duplicate clusters (records of one person)"] == 1
    assert report.actions == {"delete": 1, "merge": 1, "quarantine": 0, "re_engage": 0}

    path = report_module.write_report(report, tmp_path / "reports")
    assert path == tmp_path / "reports" / "2026-10.html"
    assert path.stat().st_mode & 0o777 == 0o600
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html  # the reason text is escaped, and the report runs no script
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)  # nothing fetched
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "2026-09" in html
    assert f'id="health-score">{report.score:.1f}<' in html
    assert "email_invalid" in html and "duplicate_of" in html

    image = report_module.chart_markdown(report)
    svg = base64.b64decode(image.split("base64,", 1)[1]).decode()
    assert image.startswith("![Health score by month](data:image/svg+xml;base64,")
    assert svg.count("<circle") == 2 and "decay 20.0%" in svg
    assert "| Contacts without email | 1 | 10.0% |" in report_module.audit_markdown(report)
    assert "| 2026-10 | 10 |" in report_module.trend_markdown(report)
    assert "| duplicate_of | 0 | 1 | 0 | 0 | 1 |" in report_module.prune_markdown(report)


def test_a_rerun_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    report = report_module.build_report(_store_two_months(tmp_path), OCT)
    for _ in range(2):
        report_module.write_report(report, tmp_path / "reports")
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["2026-10.html"]
