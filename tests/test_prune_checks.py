"""Safety checks on the prune list: each invariant broken on purpose is caught and blocks files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.definitions import defs
from assets.resources import HygieneResource
from hygiene_pipeline import schema
from hygiene_pipeline.prune import safety as prune_safety
from hygiene_pipeline.prune.policy import PrunePolicy
from hygiene_pipeline.sample_exports import write_sample_exports
from tests.builders import clusters_frame, contacts_frame, prune_frame

OCT = date(2026, 10, 1)
CLUSTERS = clusters_frame(OCT, [("s1", "dup-s1", True), ("m1", "dup-s1", False),
                                ("s2", "dup-s2", True), ("m2", "dup-s2", False)])  # fmt: skip


def _prune(rows: list[tuple[str, str, list[str], str | None]]) -> pl.DataFrame:
    return prune_frame(OCT, rows)


def test_a_protected_contact_deleted_without_erasure_is_caught():
    contacts = contacts_frame(
        OCT,
        [{"contact_id": "c1", "lifecycle_stage": "customer"},
         {"contact_id": "c2", "lifecycle_stage": "customer"},
         {"contact_id": "l1", "lifecycle_stage": "lead"}],
    )  # fmt: skip
    prune = _prune([("c1", "delete", ["unsubscribed"], None),
                    ("c2", "delete", ["erasure_request"], None),
                    ("l1", "delete", ["unsubscribed"], None)])  # fmt: skip
    violation = prune_safety.protected_deleted(prune, contacts, PrunePolicy())
    assert (violation.count, violation.examples) == (1, ("c1",))
    assert "protected contacts deleted" in violation.message


def test_a_survivor_merged_away_and_a_merge_off_target_are_caught():
    prune = _prune([("s1", "merge", ["duplicate_of: m1"], "m1"),
                    ("m1", "merge", ["duplicate_of: s1"], "s1"),
                    ("m2", "merge", ["duplicate_of: s1"], "s1")])  # fmt: skip
    assert prune_safety.survivors_merged(prune, CLUSTERS).examples == ("s1",)
    assert sorted(prune_safety.merges_off_target(prune, CLUSTERS).examples) == ["m2", "s1"]
    good = _prune([("m1", "merge", ["duplicate_of: s1"], "s1")])
    assert prune_safety.survivors_merged(good, CLUSTERS).ok
    assert prune_safety.merges_off_target(good, CLUSTERS).ok


@pytest.fixture
def month_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("HYGIENE_SUPPRESSION_KEY", "checks-test-key-0123456789")
    write_sample_exports(tmp_path / "exports", ["2026-10"], people=150, seed=5)
    return tmp_path


def _run(data_dir: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        list(defs.assets or []),
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(data_dir), nameservers="off")},
        raise_on_error=False,
    )


def test_too_many_deletions_block_the_crm_files_until_a_person_raises_the_ceiling(month_dir):
    (month_dir / "prune_policy.yaml").write_text("max_delete_share: 0.01\n")
    result = _run(month_dir)
    assert not result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    ceiling = evaluations["delete_share_below_ceiling"]
    assert not ceiling.passed
    assert "above the ceiling of 1%" in ceiling.description
    assert "raise max_delete_share" in ceiling.description
    assert all(evaluations[name].passed for name in evaluations if name != ceiling.check_name)
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "prune_list" in materialized and "crm_import_files" not in materialized
    assert not (month_dir / "out" / "2026-10").exists()

    (month_dir / "prune_policy.yaml").write_text("max_delete_share: 0.5\n")
    assert _run(month_dir).success
    files = sorted(p.name for p in (month_dir / "out" / "2026-10").iterdir())
    assert files == ["hubspot-deletions.csv", "hubspot-merges.csv", "hubspot-quarantine.csv",
                     "hubspot-re-engage.csv", "hubspot-status.csv", "hubspot-undo.csv",
                     "hubspot-updates.csv"]  # fmt: skip


def test_without_a_suppression_key_the_prune_list_refuses_to_run(month_dir, monkeypatch):
    monkeypatch.delenv("HYGIENE_SUPPRESSION_KEY")
    result = _run(month_dir)
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert failure.step_key == "prune_list"
    assert "HYGIENE_SUPPRESSION_KEY is not set" in failure.step_failure_data.error.to_string()


def test_a_broken_prune_list_fails_its_checks_in_a_real_run(month_dir, monkeypatch):
    """Break the engine on purpose: survivors merged away and a customer deleted."""
    import hygiene_pipeline.prune.month as prune_month_module

    honest = prune_month_module.build_prune_list

    def broken(contacts, clusters, validation, **kwargs):
        prune = honest(contacts, clusters, validation, **kwargs)
        survivor = clusters.filter(pl.col("is_survivor")).row(0, named=True)
        customer = contacts.filter(pl.col("lifecycle_stage") == "customer").row(0, named=True)
        extra = pl.DataFrame(
            {"snapshot": [OCT, OCT], "contact_id": [survivor["contact_id"], customer["contact_id"]],
             "action": ["merge", "delete"], "reasons": [["tampered"], ["tampered"]],
             "merge_into": ["nobody", None]}
        )  # fmt: skip
        kept = prune.filter(~pl.col("contact_id").is_in(extra["contact_id"].to_list()))
        return pl.concat([kept, schema.conform(extra, schema.PRUNE_LIST)])

    monkeypatch.setattr(prune_month_module, "build_prune_list", broken)
    result = _run(month_dir)
    assert not result.success
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert failed == {"no_protected_contact_deleted", "no_survivor_merged",
                      "merges_point_to_survivors"}  # fmt: skip
    assert not (month_dir / "out" / "2026-10").exists()
