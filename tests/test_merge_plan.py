"""Survivors by configurable rules, the golden record and the merge plan (invented people)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from hygiene_pipeline.dedupe.config import load_dedupe_config
from hygiene_pipeline.dedupe.find import DedupeConfig, SurvivorRules, find_duplicate_clusters
from hygiene_pipeline.dedupe.merge_plan import (
    MERGE_FIELDS,
    MERGE_PLAN,
    build_merge_plan,
    golden_records,
)
from hygiene_pipeline.store import HygieneStore, Purge
from tests.builders import blank_contact, blank_contacts_frame

SNAPSHOT = dt.date(2026, 11, 1)
EMAIL = "chloe@lambert-design.fr"


def contact(contact_id: str, **fields: object) -> dict[str, object]:
    return blank_contact(SNAPSHOT, contact_id, **fields)


def frame(*rows: dict[str, object]) -> pl.DataFrame:
    return blank_contacts_frame(*rows)


def _cluster() -> pl.DataFrame:
    """One person, three records: L1 most complete, L3 newest, L2 a customer."""
    return frame(
        contact(
            "L1",
            first_name="Chloé",
            last_name="Lambert",
            email=EMAIL,
            company="Lambert Design",
            owner="sales-7",
            country="FR",
            lifecycle_stage="lead",
            created_at=dt.datetime(2021, 3, 1),
            updated_at=dt.datetime(2025, 1, 1),
        ),
        contact(
            "L2",
            first_name="Chloe",
            last_name="Lambert",
            email=EMAIL,
            lifecycle_stage="customer",
            created_at=dt.datetime(2023, 3, 1),
            updated_at=dt.datetime(2025, 6, 1),
        ),
        contact(
            "L3",
            first_name="Chloé",
            last_name="Lambert",
            email=EMAIL,
            job_title="Directrice artistique",
            phone="+33612873402",
            phone_type="mobile",
            lifecycle_stage="lead",
            created_at=dt.datetime(2024, 3, 1),
            updated_at=dt.datetime(2026, 9, 1),
        ),
    )


def survivor(result: pl.DataFrame) -> str:
    return result.filter(pl.col("is_survivor")).item(0, "contact_id")


def test_a_protected_lifecycle_record_survives_by_default():
    assert survivor(find_duplicate_clusters(_cluster())) == "L2"


def test_survivor_rules_are_ordered_and_configurable():
    by_completeness = DedupeConfig(survivor=SurvivorRules(order=("most_complete",)))
    assert survivor(find_duplicate_clusters(_cluster(), by_completeness)) == "L1"
    newest = DedupeConfig(survivor=SurvivorRules(order=("most_recently_updated",)))
    assert survivor(find_duplicate_clusters(_cluster(), newest)) == "L3"
    oldest = DedupeConfig(survivor=SurvivorRules(order=("oldest_created", "most_complete")))
    assert survivor(find_duplicate_clusters(_cluster(), oldest)) == "L1"


def test_unknown_survivor_rule_is_refused():
    with pytest.raises(ValueError, match="unknown survivor rule"):
        SurvivorRules(order=("most_complete", "loudest"))


def test_golden_record_fills_the_survivors_blanks_from_the_newest_record():
    contacts = _cluster()
    clusters = find_duplicate_clusters(contacts)
    plan = build_merge_plan(contacts, clusters)
    assert plan.schema == pl.Schema(MERGE_PLAN)
    assert plan.height == len(MERGE_FIELDS)  # one row per field per cluster
    assert set(plan.get_column("survivor_id")) == {"L2"}
    rows = {row["field"]: row for row in plan.iter_rows(named=True)}
    # the survivor's own values
    assert (rows["first_name"]["value"], rows["first_name"]["rule"]) == ("Chloe", "survivor")
    assert rows["lifecycle_stage"]["contact_id"] == "L2"
    # blanks filled from the newest other record (L3) before the older one (L1)
    assert (rows["phone"]["value"], rows["phone"]["contact_id"]) == ("+33612873402", "L3")
    assert rows["job_title"]["rule"] == "filled_from_newest"
    assert (rows["company"]["value"], rows["company"]["contact_id"]) == ("Lambert Design", "L1")
    # a field nobody has stays blank, keyed by the survivor
    assert (rows["lead_status"]["value"], rows["lead_status"]["rule"]) == (None, "blank")
    assert rows["lead_status"]["contact_id"] == "L2"
    golden = golden_records(plan)
    assert golden.height == 1
    assert golden.item(0, "owner") == "sales-7"


def test_merge_plan_is_stored_with_the_clusters_and_an_erased_member_leaves_it(tmp_path):
    contacts = _cluster()
    clusters = find_duplicate_clusters(contacts)
    plan = build_merge_plan(contacts, clusters)
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(SNAPSHOT, {"duplicate_clusters": clusters, "merge_plan": plan})
    assert store.read_partition("merge_plan", SNAPSHOT).height == len(MERGE_FIELDS)

    erased = pl.DataFrame({"snapshot": [SNAPSHOT], "contact_id": ["L1"]})
    purged = store.replace_partition(SNAPSHOT, {}, purge=Purge(contacts=erased))
    assert purged["merge_plan"] == 3  # company, owner and country came from L1
    left = store.read_partition("merge_plan", SNAPSHOT)
    assert "L1" not in left.get_column("contact_id").to_list()
    assert "Lambert Design" not in left.get_column("value").to_list()
    assert not {"sales-7", "FR"} & set(left.get_column("value").to_list())
    assert left.height == len(MERGE_FIELDS) - 3


def test_no_clusters_give_a_typed_empty_plan():
    contacts = frame(contact("c1", first_name="Eva", email="eva@lind.se"))
    plan = build_merge_plan(contacts, find_duplicate_clusters(contacts))
    assert plan.height == 0
    assert plan.schema == pl.Schema(MERGE_PLAN)


def test_dedupe_yaml_sets_survivor_rules_and_refuses_unknown_keys(tmp_path):
    assert load_dedupe_config(tmp_path / "absent.yaml") == DedupeConfig()
    path = tmp_path / "dedupe.yaml"
    path.write_text(
        "survivor:\n  rules: [most_recently_updated, most_complete]\nmax_cluster_size: 5\n"
    )
    config = load_dedupe_config(path)
    assert config.survivor.order == ("most_recently_updated", "most_complete")
    assert config.max_cluster_size == 5
    path.write_text("max_cluster_sise: 5\n")
    with pytest.raises(ValueError, match="max_cluster_sise"):
        load_dedupe_config(path)
    path.write_text("survivor:\n  rules: [newest]\n")
    with pytest.raises(ValueError, match="survivor: unknown survivor rule"):
        load_dedupe_config(path)


def test_dedupe_yaml_lists_identifiers_and_unique_identifiers(tmp_path):
    path = tmp_path / "dedupe.yaml"
    path.write_text(
        "identifiers: [national_id, date_of_birth]\nunique_identifiers: [national_id]\n"
    )
    config = load_dedupe_config(path)
    assert config.identifiers == ("national_id", "date_of_birth")
    assert config.unique_identifiers == ("national_id",)
    path.write_text("unique_identifiers: national_id\n")
    with pytest.raises(ValueError, match="unique_identifiers must be a list"):
        load_dedupe_config(path)
