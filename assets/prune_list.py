"""prune_list: the contacts not kept this month, each with its action and every reason.

Its blocking checks stop the run before any CRM file is written when an invariant breaks: a
protected contact deleted, a survivor merged away, a merge off target, too many deletions, or a
contact whose export has no lifecycle stage column (protection unknown) deleted or re-engaged.
"""

from datetime import date

import dagster as dg
import polars as pl

from assets.check_helpers import (
    AssetChecks,
    ids_within_contacts,
    schema_problems,
    unexpected_values,
    values_result,
)
from assets.duplicate_clusters import duplicate_clusters
from assets.metadata import StepTimer, counts_table, list_counts_table, preview
from assets.normalized_contacts import normalized_contacts
from assets.partitions import monthly_partitions, snapshot_of
from assets.resources import HygieneResource, in_one_session
from assets.validation_results import validation_results
from hygiene_pipeline import schema
from hygiene_pipeline.prune import safety as prune_safety
from hygiene_pipeline.prune.month import prune_month
from hygiene_pipeline.prune.policy import load_policy
from hygiene_pipeline.prune.suppression import suppression_key
from hygiene_pipeline.store import HygieneStore

# The month before: re-engagement memory reads earlier months' lists, so backfills run in order.
_PREVIOUS_MONTH = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
_CHECKS = ("no_protected_contact_deleted", "no_survivor_merged", "merges_point_to_survivors",
           "delete_share_below_ceiling", "no_unknown_protection_deleted")  # fmt: skip
_PREVIEW = ["contact_id", "email", "action", "reasons", "merge_into"]


# ---- Checks: evaluated in the asset's own step, after its write ----
_checks = AssetChecks("prune_list")


@_checks.add(
    additional_deps=[normalized_contacts],
    blocking=True,
    description=(
        "Blocking: every prune list row is one of the month's contacts, once (records erased on "
        "request this month count: their contact rows are purged by design)."
    ),
)
def prune_ids_within_contacts(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    return ids_within_contacts(hygiene.store(), "prune_list", snapshot)


@_checks.add(
    blocking=True,
    description=(
        "Blocking: the contract columns; `action` one of delete, merge, quarantine, re_engage; "
        "every row has a reason; a merge names its survivor."
    ),
)
def prune_values_allowed(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    return prune_values(hygiene.store(), snapshot)


def prune_values(store: HygieneStore, snapshot: date) -> dg.AssetCheckResult:
    problems = schema_problems(store, "prune_list", schema.PRUNE_LIST)
    if not problems:
        problems = unexpected_values(store, "prune_list", "action", schema.PRUNE_ACTIONS, snapshot)
        bad = store.query(
            "SELECT count(*) FILTER (WHERE reasons IS NULL OR len(reasons) = 0) AS no_reason, "
            "count(*) FILTER (WHERE action = 'merge' AND merge_into IS NULL) AS no_target "
            "FROM prune_list WHERE snapshot = $1",
            [snapshot],
        ).row(0, named=True)
        if bad["no_reason"]:
            problems.append(f"{bad['no_reason']} rows without a reason")
        if bad["no_target"]:
            problems.append(f"{bad['no_target']} merges without merge_into")
    return values_result(problems, "prune_list")


@dg.asset(
    partitions_def=monthly_partitions,
    deps=[
        duplicate_clusters,
        validation_results,
        dg.AssetDep("prune_list", partition_mapping=_PREVIOUS_MONTH),
    ],
    group_name="hygiene",
    kinds={"duckdb", "polars"},
    owners=["team:marketing-ops"],
    check_specs=[
        *(dg.AssetCheckSpec(name, asset="prune_list", blocking=True) for name in _CHECKS),
        *_checks.specs,
    ],
    description=(
        "Only contacts not kept: `action` (delete, merge, quarantine, re_engage), `reasons` with "
        "evidence, `merge_into` for merges, under the policy in `prune_policy.yaml` (balanced "
        "by default). Customers, evangelists and opportunities are never deleted (quarantine "
        "instead) unless an erasure request names them. Also keeps the suppression list (keyed "
        "hashes) and purges people named in `erasure_requests.csv` from every month."
    ),
)
@in_one_session
def prune_list(context: dg.AssetExecutionContext, hygiene: HygieneResource):
    snapshot = snapshot_of(context)
    store = hygiene.store()
    timer = StepTimer()
    policy = load_policy(hygiene.policy_file)
    with timer.step("decide_and_write"):  # reads history, decides, writes in one transaction
        outcome = prune_month(
            store,
            snapshot,
            policy=policy,
            suppression_key=suppression_key(),
            erasure_register=hygiene.erasure_register,
        )
    prune = outcome.prune_list
    with timer.step("read_for_checks"):
        contacts = store.read_partition(
            "normalized_contacts",
            snapshot,
            columns=["contact_id", "email", "lifecycle_stage", "unknown_fields"],
        )
        clusters = store.read_partition(
            "duplicate_clusters", snapshot, columns=["contact_id", "cluster_id", "is_survivor"]
        )
    share = prune_safety.delete_share(prune, contacts)
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": prune.height,
            "actions": counts_table(prune, "action"),
            "reasons": list_counts_table(prune, "reasons", heading="reason"),
            "delete_share": round(share, 4),
            "policy": dg.MetadataValue.json(policy.describe()),
            "suppression_entries_added": outcome.suppression_entries.height,
            "erased_records": outcome.erased_contacts.height,
            "purged_rows": dg.MetadataValue.json(outcome.purged_rows),
            "preview": preview(_with_email(prune, contacts), _PREVIEW),
            **timer.metadata(),
        }
    )
    for name, violation in (
        (_CHECKS[0], prune_safety.protected_deleted(prune, contacts, policy)),
        (_CHECKS[1], prune_safety.survivors_merged(prune, clusters)),
        (_CHECKS[2], prune_safety.merges_off_target(prune, clusters)),
        (_CHECKS[4], prune_safety.unknown_protection_acted(prune, contacts, policy)),
    ):
        yield dg.AssetCheckResult(
            check_name=name,
            passed=violation.ok,
            severity=dg.AssetCheckSeverity.ERROR,
            description=None if violation.ok else violation.message,
            metadata={"violations": violation.count},
        )
    yield dg.AssetCheckResult(
        check_name=_CHECKS[3],
        passed=share <= policy.max_delete_share,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            None
            if share <= policy.max_delete_share
            else f"{share:.1%} of this month's contacts would be deleted, above the ceiling of "
            f"{policy.max_delete_share:.0%}. A broken export is the usual cause; if the deletions "
            "are right, raise max_delete_share in prune_policy.yaml and run the month again."
        ),
        metadata={"delete_share": round(share, 4), "ceiling": policy.max_delete_share},
    )
    yield from _checks.results(hygiene, snapshot)


def _with_email(prune: pl.DataFrame, contacts: pl.DataFrame) -> pl.DataFrame:
    """The prune rows with each contact's email, for a masked preview an operator can place."""
    return prune.join(contacts.select("contact_id", "email"), on="contact_id", how="left")
