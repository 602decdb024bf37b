"""The health score, its trend and decay rate, and the self-contained HTML report (real DuckDB)."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.hygiene_report import hygiene_report
from assets.resources import HygieneResource
from hygiene_pipeline.report import monthly_report as report_module
from hygiene_pipeline.report.health_score import WEIGHTS, health_score, health_trend
from hygiene_pipeline.report.health_settings import HealthSettings
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


# ---- Consent, retention, job changes, lead status; every section in the file and metadata ----

_JOB_CHANGES = {"snapshot": pl.Date, "contact_id": pl.String, "kind": pl.String,
                "before_company": pl.String, "after_company": pl.String,
                "before_domain": pl.String, "after_domain": pl.String}  # fmt: skip
HOSTILE_OWNER = "<img src=x onerror=alert(1)>![x](https://evil.example/t.png)"


def _store_with_rules(tmp_path: Path, *, with_rules: bool = True) -> HygieneStore:
    """Two months of 30 contacts. October, with the rules' data: 6 without a legal basis (2 of
    them to delete), 3 past retention, 4 unqualified and inactive, 3 job changes; one owner's
    name is hostile markup. Without: the export has no legal basis or lead status column, and
    the database no job_changes table (a month stored before those rules)."""
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    for snapshot in (SEP, OCT):
        rows, overrides, prune = [], {}, []
        for i in range(30):
            rows.append({"contact_id": f"c{i}", "owner": HOSTILE_OWNER if i < 2 else "Jan",
                         "legal_basis": None if i < 6 or not with_rules else "Legitimate interest",
                         "lead_status": ("Unqualified" if i in (10, 11, 12, 13) else "New")
                         if with_rules else None})  # fmt: skip
            if with_rules and snapshot == OCT and i < 6:
                overrides[f"c{i}"] = {"issues": ["no_legal_basis"]}
        if with_rules and snapshot == OCT:
            prune = [("c0", "delete", ["hard_bounce: 550", "retention_expired: 2023-01-04"], None),
                     ("c1", "delete", ["unsubscribed"], None),
                     ("c7", "delete", ["retention_expired: 2022-11-30"], None),
                     ("c8", "quarantine", ["retention_expired: 2023-02-01"], None),
                     *((f"c{i}", "quarantine", ["unqualified_inactive: since 2025-09"], None)
                       for i in (10, 11, 12, 13))]  # fmt: skip
        contacts = contacts_frame(snapshot, rows)
        tables = {
            "normalized_contacts": contacts,
            "validation_results": validation_frame(contacts, overrides),
            "duplicate_clusters": clusters_frame(snapshot, []),
            "prune_list": prune_frame(snapshot, prune),
        }
        if with_rules:
            changes = [("c20", "company_changed", "Brouwer Logistiek B.V.", "Dekker Groep B.V.",
                        "brouwer.nl", "dekker.nl"),
                       ("c21", "company_changed", "Brouwer Logistiek B.V.", "Dekker Groep B.V.",
                        "brouwer.nl", "dekker.nl"),
                       ("c22", "work_to_personal", "Kempenaar Groep", None, "kempenaar.nl",
                        "gmail.com")] if snapshot == OCT else []  # fmt: skip
            tables["job_changes"] = pl.DataFrame(
                [(snapshot, *change) for change in changes], schema=_JOB_CHANGES, orient="row"
            )
        store.replace_partition(snapshot, tables)
    return store


def _section(report: report_module.HygieneReport, key: str) -> str:
    return report_module.sections_markdown(report)[key]


def test_consent_retention_job_changes_and_lead_status_are_counted(tmp_path):
    report = report_module.build_report(_store_with_rules(tmp_path), OCT)
    assert "| no legal basis | 6 | 20.0% |" in _section(report, "consent")
    assert "| of which on the prune list | 2 |" in _section(report, "consent")
    retention = _section(report, "retention")
    assert "| delete | 2 |" in retention and "| quarantine | 1 |" in retention
    assert "| total | 3 |" in retention
    jobs = _section(report, "job_changes")
    assert "| moved to another company | 2 |" in jobs
    assert "| work address replaced by a personal one | 1 |" in jobs
    assert "| Brouwer Logistiek B.V. | Dekker Groep B.V. | 2 |" in jobs
    assert "gmail.com" not in jobs  # a personal mailbox is not a company to move to
    lead = _section(report, "lead_status")
    assert "| quarantine | 4 |" in lead and "| Unqualified | 4 |" in lead
    september = report_module.build_report(_store_with_rules(tmp_path / "sep"), SEP)
    assert "No job change found this month" in _section(september, "job_changes")
    assert "has the reason retention\\_expired: none is past" in _section(september, "retention")


def test_sections_whose_data_the_export_lacks_say_so(tmp_path):
    report = report_module.build_report(_store_with_rules(tmp_path, with_rules=False), OCT)
    for key, expected in (("consent", "Not in this export: no file of this month has a legal"),
                          ("job_changes", "Not in this data: job changes are found"),
                          ("lead_status", "Not in this export: no file of this month has a lead"),
                          ("retention", "No contact on this month")):  # fmt: skip
        assert expected in _section(report, key), key
    assert "| no legal basis | 0 |" not in _section(report, "consent")  # not a fake 0


def test_every_new_section_renders_escaped_with_no_script(tmp_path):
    settings = HealthSettings(min_group_size=1)
    report = report_module.build_report(_store_with_rules(tmp_path), OCT, settings)
    html = report_module.write_report(report, tmp_path / "reports").read_text(encoding="utf-8")
    keys = ("fine-as-is", "quality-by-owner", "quality-by-lead-source", "quality-by-source-detail",
            "quality-by-crm", "junk-properties", "property-audit", "consent", "retention",
            "job-changes", "lead-status")  # fmt: skip
    for key in keys:
        assert f'id="{key}"' in html, key
    assert "<img" not in html and "<script" not in html and "&lt;img src=x" in html
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)  # nothing fetched
    owners = _section(report, "quality_by_owner")
    assert "![" not in owners and "<img" not in owners and "\\!\\[x\\]" in owners
    assert "Not in this data: no raw export" in _section(report, "junk_properties")


def _materialize(root: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [hygiene_report],
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(root), nameservers="off")},
        raise_on_error=False,
    )


def test_the_asset_reads_health_yaml_and_records_every_section(tmp_path):
    _store_with_rules(tmp_path)
    (tmp_path / "health.yaml").write_text(
        "required: [email, owner, lead_source, phone]\nmin_group_size: 2\n", encoding="utf-8"
    )
    result = _materialize(tmp_path)
    assert result.success
    metadata = result.asset_materializations_for_node("hygiene_report")[0].metadata
    new_keys = {"fine_as_is", "headline", "health_settings", "quality_by_owner",
                "quality_by_lead_source", "quality_by_source_detail", "quality_by_crm",
                "junk_properties", "property_audit", "consent", "retention", "job_changes",
                "lead_status"}  # fmt: skip
    assert new_keys <= set(metadata)
    assert metadata["health_settings"].value["required"] == ["email", "owner", "lead_source",
                                                              "phone"]  # fmt: skip
    assert metadata["fine_as_is"].value == pytest.approx(22 / 30, abs=1e-4)  # 8 on the list
    assert "fine as it is 73.3%" in metadata["headline"].value
    html = (tmp_path / "reports" / "2026-10.html").read_text(encoding="utf-8")
    assert "Required fields: email, owner, lead_source, phone" in html


def test_a_wrong_health_yaml_fails_the_run_naming_the_key(tmp_path):
    _store_with_rules(tmp_path)
    (tmp_path / "health.yaml").write_text("weights: {stale: 100, spam: 0}\n", encoding="utf-8")
    result = _materialize(tmp_path)
    assert not result.success
    message = str(result.failure_data_for_node("hygiene_report").error)
    assert "health.yaml" in message and "weights.spam" in message
