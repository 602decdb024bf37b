"""One month through the engine, without Dagster: exports in, prune list out.

For tests that change an export and look at what the pipeline would do about it: the same engine
functions the assets call, with DNS off (network checks answer `unknown`, never `invalid`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.dedupe.find import find_duplicate_clusters
from hygiene_pipeline.dedupe.merge_plan import build_merge_plan
from hygiene_pipeline.ingest.column_mapping import load_mappings
from hygiene_pipeline.ingest.limits import IngestLimits
from hygiene_pipeline.ingest.month_exports import MonthExports, read_month
from hygiene_pipeline.months import month_end
from hygiene_pipeline.normalize.contacts import normalize_with_changes
from hygiene_pipeline.prune.policy import PrunePolicy
from hygiene_pipeline.prune.rules import build_prune_list
from hygiene_pipeline.validate.contacts import validate_contacts
from hygiene_pipeline.validate.dns_check import DomainChecker

MONTH = date(2026, 10, 1)


@dataclass(frozen=True)
class MonthResult:
    exports: MonthExports
    contacts: pl.DataFrame
    validation: pl.DataFrame
    clusters: pl.DataFrame
    prune: pl.DataFrame
    changes: pl.DataFrame
    merge_plan: pl.DataFrame


def run_month(
    exports_dir: Path,
    *,
    mappings_dir: Path | None = None,
    policy: PrunePolicy | None = None,
    snapshot: date = MONTH,
) -> MonthResult:
    """Read, normalize, validate, dedupe and prune one month of `exports_dir/YYYY-MM/`."""
    mappings = load_mappings(mappings_dir) if mappings_dir else []
    # Parsed in this process: these tests are about reading columns, not about hostile files
    # (tests/test_hostile_files.py), and a child process per run would triple their time.
    exports = read_month(
        exports_dir, snapshot, mappings=mappings, limits=IngestLimits(isolate_parsing=False)
    )
    contacts, changes = normalize_with_changes(exports.raw, export_files=exports.files_frame())
    validation = validate_contacts(
        contacts, today=month_end(snapshot), domain_checker=DomainChecker.from_env("off")
    )
    clusters = find_duplicate_clusters(contacts)
    prune = build_prune_list(
        contacts, clusters, validation, today=month_end(snapshot), policy=policy
    )
    plan = build_merge_plan(contacts, clusters)
    return MonthResult(exports, contacts, validation, clusters, prune, changes, plan)


def acted_on_protected(result: MonthResult, protected_ids: set[str]) -> list[str]:
    """Protected contacts the prune list would delete or re-engage: must always be empty."""
    bad = result.prune.filter(
        pl.col("contact_id").is_in(sorted(protected_ids))
        & pl.col("action").is_in(["delete", "re_engage"])
        & ~pl.col("reasons").list.contains("erasure_request")
    )
    return [
        f"{row['contact_id']}: {row['action']} {row['reasons']}"
        for row in bad.iter_rows(named=True)
    ]
