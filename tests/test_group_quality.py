"""Quality by owner, lead source, source drill-down and CRM: where the bad data comes from.

Two months in a real DuckDB file. October is a team's database as the hygiene guides describe
it: one owner whose imports from the sales extension are half stale, contacts nobody owns, a
careful owner, and a new colleague with three bad records. September was stored before the
source drill-down existed (no such column), as an upgraded installation has it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hygiene_pipeline.report import monthly_report as report_module
from hygiene_pipeline.report.group_quality import GroupQuality, quality_by_group, top_problems
from hygiene_pipeline.report.health_score import health_score
from hygiene_pipeline.report.health_settings import PROBLEMS, HealthSettings
from hygiene_pipeline.store import HygieneStore
from tests.builders import clusters_frame, contacts_frame, prune_frame, validation_frame

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def _october() -> tuple[list[dict], dict[str, dict], list[tuple]]:
    """Contacts, validation overrides and prune rows of October."""
    contacts, overrides, prune = [], {}, []
    for i in range(40):  # careful: typed in by hand, all fine
        contacts.append({"contact_id": f"anna-{i}", "owner": "Anna de Vries",
                         "lead_source": "organic_search", "source_detail": "CRM_UI"})  # fmt: skip
    for i in range(30):  # the sales extension's contacts: half stale, a third to delete
        cid = f"tom-{i}"
        contacts.append({"contact_id": cid, "owner": "Tom Peeters", "lead_source": "offline",
                         "source_detail": "EXTENSION", "source_system": "salesforce"})  # fmt: skip
        if i < 15:
            overrides[cid] = {"issues": ["stale"]}
        elif i < 25:
            prune.append((cid, "delete", ["no_engagement_since: 2025-01-02"], None))
    for i in range(25):  # nobody owns them; five have no source either
        cid = f"none-{i}"
        contacts.append({"contact_id": cid, "owner": None, "source_system": "pipedrive",
                         "lead_source": None if i < 5 else "referral"})  # fmt: skip
        overrides[cid] = {"issues": ["missing_owner"] + (["missing_source"] if i < 5 else [])}
    for i in range(3):  # a new colleague: too few contacts to rank
        cid = f"kim-{i}"
        contacts.append({"contact_id": cid, "owner": "Kim Jansen", "lead_source": "referral"})
        overrides[cid] = {"email_status": "invalid"}
    return contacts, overrides, prune


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> HygieneStore:
    store = HygieneStore(Path(tmp_path_factory.mktemp("groups")) / "hygiene.duckdb")
    # September, stored before source_detail existed: the table has no such column.
    sep = contacts_frame(SEP, [{"contact_id": f"anna-{i}", "owner": "Anna de Vries"}
                               for i in range(30)])  # fmt: skip
    sep = sep.drop("source_detail") if "source_detail" in sep.columns else sep
    store.replace_partition(SEP, {
        "normalized_contacts": sep, "validation_results": validation_frame(sep),
        "duplicate_clusters": clusters_frame(SEP, []), "prune_list": prune_frame(SEP, []),
    })  # fmt: skip
    rows, overrides, prune = _october()
    oct_ = contacts_frame(OCT, rows)
    store.replace_partition(OCT, {
        "normalized_contacts": oct_, "validation_results": validation_frame(oct_, overrides),
        "duplicate_clusters": clusters_frame(OCT, []), "prune_list": prune_frame(OCT, prune),
    })  # fmt: skip
    return store


def _by(groups: tuple[GroupQuality, ...], dimension: str) -> GroupQuality:
    return next(group for group in groups if group.dimension == dimension)


def _rows(group: GroupQuality) -> dict[str, dict]:
    return {row["label"]: row for row in group.groups.iter_rows(named=True)}


def test_owners_worst_first_with_small_groups_pooled_last(store):
    owners = _by(quality_by_group(store, OCT, HealthSettings()), "owner")
    labels = owners.groups["label"].to_list()
    assert labels == ["(no owner)", "Tom Peeters", "Anna de Vries",
                      "other (1 group under 20 contacts)"]  # fmt: skip
    rows = _rows(owners)
    assert rows["(no owner)"]["score"] == 100 - 10 * 1.0 - 10 * 5 / 25
    assert rows["Tom Peeters"]["score"] == 100 - 15 * 15 / 30  # half of them stale
    assert rows["Anna de Vries"]["score"] == 100.0
    other = rows["other (1 group under 20 contacts)"]
    assert other["pooled"] and other["contacts"] == 3 and other["score"] == 80.0  # worst, yet last
    assert owners.pooled_groups == 1


def test_fine_as_it_is_and_the_prune_list_per_owner(store):
    rows = _rows(_by(quality_by_group(store, OCT, HealthSettings()), "owner"))
    tom = rows["Tom Peeters"]
    assert tom["fine_share"] == pytest.approx(5 / 30)  # 15 stale, 10 to delete, 5 fine
    assert tom["pruned_share"] == pytest.approx(10 / 30)
    assert rows["(no owner)"]["fine_share"] == 0.0  # a required field missing
    assert rows["Anna de Vries"]["fine_share"] == 1.0
    assert top_problems(tom, HealthSettings()) == [("not updated for 12+ months", 0.5)]


def test_a_group_scores_as_the_month_would_with_its_contacts(store):
    settings = HealthSettings()
    for group in quality_by_group(store, OCT, settings):
        for row in group.groups.iter_rows(named=True):
            shares = {problem: row[problem] for problem in PROBLEMS}
            assert row["score"] == health_score(shares, settings.weights), (group.dimension, row)


def test_lead_source_drill_down_and_crm(store):
    groups = quality_by_group(store, OCT, HealthSettings())
    sources = _rows(_by(groups, "lead_source"))
    assert set(sources) == {"organic_search", "offline", "referral",
                            "other (1 group under 20 contacts)"}  # fmt: skip
    assert sources["other (1 group under 20 contacts)"]["contacts"] == 5  # the five without
    details = _by(groups, "source_detail")
    assert details.groups["label"].to_list() == [
        "EXTENSION: sales extension (from email threads)",
        "CRM_UI: typed in by hand in the CRM",
    ]  # contacts without a drill-down are left out, not a group
    crms = _rows(_by(groups, "source_system"))
    assert {label: row["contacts"] for label, row in crms.items()} == {
        "pipedrive": 25, "salesforce": 30, "hubspot": 43}  # fmt: skip


def test_a_month_stored_before_the_drill_down_says_so(store, tmp_path):
    september = quality_by_group(store, SEP, HealthSettings())
    assert not _by(september, "source_detail").available
    report = report_module.build_report(store, SEP)
    section = report_module.sections_markdown(report)["quality_by_source_detail"]
    assert "Not in this export" in section and "Original Source Drill-Down 1" in section
    assert _rows(_by(september, "owner"))["Anna de Vries"]["contacts"] == 30


def test_the_settings_floor_and_weights_reach_the_groups(store):
    settings = HealthSettings(min_group_size=2, weights={"invalid_email": 50, "stale": 50})
    owners = _by(quality_by_group(store, OCT, settings), "owner")
    assert owners.pooled_groups == 0
    assert owners.groups["label"].to_list()[:2] == ["Kim Jansen", "Tom Peeters"]
    assert _rows(owners)["Kim Jansen"]["score"] == 50.0


def test_the_report_names_owners_worst_first(store, tmp_path):
    report = report_module.build_report(store, OCT)
    sections = report_module.sections_markdown(report)
    owners = sections["quality_by_owner"]
    assert owners.index("\\(no owner\\)") < owners.index("Tom Peeters") < owners.index("Anna")
    assert "| Tom Peeters | 30 | 92.5 | 16.7% | 33.3% |" in owners
    assert "EXTENSION: sales extension" in sections["quality_by_source_detail"]
    assert set(sections) >= {"quality_by_owner", "quality_by_lead_source",
                             "quality_by_source_detail", "quality_by_crm"}  # fmt: skip
    html = report_module.write_report(report, tmp_path).read_text(encoding="utf-8")
    for key in ("quality-by-owner", "quality-by-lead-source", "quality-by-source-detail",
                "quality-by-crm"):  # fmt: skip
        assert f'<section id="{key}">' in html
    assert "Tom Peeters" in html and "tom-1" not in html  # owners, never contact ids
