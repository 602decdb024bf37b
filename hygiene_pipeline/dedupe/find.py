"""Duplicate detection: normalized contacts in, `schema.DUPLICATE_CLUSTERS` rows out.

Plain polars + rapidfuzz, no orchestration imports. The steps, each in its own module:

1. `keys`: the matching keys normalization provides (ASCII and nickname-canonical names,
   phonetic last name, company key, email domains; one adapter), folded names, email parts;
   blocking keys (same email, same phone, name key + company / personal email local part,
   identifiers). Blocks over `block_cap` records are skipped and counted.
2. `name_similarity`: Jaro-Winkler (rapidfuzz `cpdist`) on names straight or swapped, nicknames,
   short forms, initials. `scoring`: exact field agreement, and the match rules (email, phone,
   identifiers, name + corroboration) with the colleague, household and switchboard guards.
3. `clustering`: greedy average-linkage clustering (no chaining through one weak link, never
   joining two people known apart) and a cluster size cap.
4. `survivors`: the survivor of each cluster by ordered, configurable rules.

The golden record and merge plan are built from the result by `merge_plan`.

`cluster_id` is "dup-" + the smallest contact_id of the cluster: the same records give the same
id in any row order and any run.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.dedupe.clustering import best_links, cluster_pairs
from hygiene_pipeline.dedupe.keys import (
    BLOCK_TYPES,
    MATCHING_KEY_COLUMNS,
    blocking_keys,
    candidate_pairs,
    contact_features,
    matching_keys_source,
)
from hygiene_pipeline.dedupe.merge_plan import MERGE_FIELDS
from hygiene_pipeline.dedupe.scoring import MATCH_RULES, DedupeConfig, score_pairs
from hygiene_pipeline.dedupe.survivors import COMPLETENESS_FIELDS, SurvivorRules, choose_survivors

__all__ = [
    "DedupeConfig",
    "SurvivorRules",
    "find_duplicate_clusters",
    "find_duplicate_clusters_with_stats",
]

CLUSTER_ID_PREFIX = "dup-"

_REQUIRED_COLUMNS = tuple(
    dict.fromkeys(
        (
            "snapshot", "contact_id", "first_name", "last_name", "email", "phone", "phone_type",
            "company", "created_at", "updated_at", "last_activity_at", "lifecycle_stage",
            *COMPLETENESS_FIELDS,
        )
    )
)  # fmt: skip


def input_columns(config: DedupeConfig | None = None) -> tuple[str, ...]:
    """The contact columns deduplication and its merge plan read: a caller may load only these
    (normalized_contacts has twice as many, and a million rows read in half the time)."""
    identifiers = (config or DedupeConfig()).identifiers
    return tuple(
        dict.fromkeys((*_REQUIRED_COLUMNS, *MATCHING_KEY_COLUMNS, *identifiers, *MERGE_FIELDS))
    )


def find_duplicate_clusters(
    contacts: pl.DataFrame, config: DedupeConfig | None = None
) -> pl.DataFrame:
    """One row per contact in a duplicate cluster of 2+, with `schema.DUPLICATE_CLUSTERS` columns.

    Sorted by cluster_id then contact_id; exactly one `is_survivor` per cluster.
    """
    clusters, _ = find_duplicate_clusters_with_stats(contacts, config)
    return clusters


def find_duplicate_clusters_with_stats(
    contacts: pl.DataFrame, config: DedupeConfig | None = None
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Like `find_duplicate_clusters`, plus counts that explain the run.

    Stats: contacts, contacts_without_id, snapshots; blocks (per block type: blocks = keys
    shared by 2+ records, skipped_blocks = those over `block_cap`, skipped_block_rows);
    skipped_blocks (total), candidate_pairs, matched_pairs, matches_by_rule (MATCH_RULES),
    refused_weak_links, refused_oversized, refused_apart (joins that would have put two people
    known apart in one cluster), clusters, clustered_contacts, matching_keys_from ("input", or
    "computed" when a key was missing: see keys.with_matching_keys).

    Each snapshot is deduplicated on its own: a contact is never matched with itself in another
    month's export.
    """
    config = config or DedupeConfig()
    missing = [name for name in _REQUIRED_COLUMNS if name not in contacts.columns]
    if missing:
        raise ValueError(f"contacts are missing columns {missing}; has {contacts.columns}")

    dtypes = schema.NORMALIZED_CONTACTS
    keys = [name for name in MATCHING_KEY_COLUMNS if name in contacts.columns]
    rows = contacts.select(
        *[pl.col(name).cast(dtypes[name]) for name in _REQUIRED_COLUMNS],
        *[pl.col(name).cast(pl.String) for name in keys],
        *[pl.col(name).cast(pl.String) for name in config.identifiers if name not in keys],
    )
    rows = rows.filter(pl.col("contact_id").is_not_null())
    stats: dict[str, Any] = {
        "contacts": contacts.height,
        "contacts_without_id": contacts.height - rows.height,
        "snapshots": 0,
        "blocks": {
            block_type: {"blocks": 0, "skipped_blocks": 0, "skipped_block_rows": 0}
            for block_type in BLOCK_TYPES
        },
        "skipped_blocks": 0,
        "candidate_pairs": 0,
        "matched_pairs": 0,
        "matches_by_rule": dict.fromkeys(MATCH_RULES, 0),
        "refused_weak_links": 0,
        "refused_oversized": 0,
        "refused_apart": 0,
        "clusters": 0,
        "clustered_contacts": 0,
        "matching_keys_from": matching_keys_source(contacts),
    }
    results = [schema.empty(schema.DUPLICATE_CLUSTERS)]
    for part in _per_snapshot(rows):
        result, part_stats = _dedupe_snapshot(part, config)
        results.append(result)
        _add_counts(stats, part_stats)
        stats["snapshots"] += 1
    result = pl.concat(results).sort("snapshot", "cluster_id", "contact_id")
    return result, stats


def _dedupe_snapshot(rows: pl.DataFrame, config: DedupeConfig) -> tuple[pl.DataFrame, dict]:
    # Row numbers follow contact_id, so every tie below breaks the same way in any input order.
    # The wide rows stay in input order: `row_of_idx` finds a record's row by its idx.
    row_of_idx = _row_of_idx(rows)
    rows = rows.with_columns(idx=row_of_idx.arg_sort())

    features = contact_features(rows, config.identifiers)
    pairs, block_stats = candidate_pairs(blocking_keys(features), config.block_cap)
    stats: dict[str, Any] = {
        "blocks": block_stats,
        "skipped_blocks": sum(entry["skipped_blocks"] for entry in block_stats.values()),
        "candidate_pairs": pairs.height,
    }

    matches, apart = score_pairs(pairs, features, config)
    stats["matched_pairs"] = matches.height
    by_rule = dict(matches.group_by("rule").len().iter_rows())
    stats["matches_by_rule"] = {rule: by_rule.get(rule, 0) for rule in MATCH_RULES}

    root_of, cluster_stats = cluster_pairs(matches, config.max_cluster_size, apart)
    stats.update(cluster_stats)

    links = best_links(matches, root_of).sort("idx")
    members = pl.concat(
        [rows[row_of_idx.gather(links.get_column("idx"))], links.drop("idx")], how="horizontal"
    )
    members = members.with_columns(
        cluster_id=pl.lit(CLUSTER_ID_PREFIX) + pl.col("contact_id").min().over("root")
    )
    result = schema.conform(choose_survivors(members, config.survivor), schema.DUPLICATE_CLUSTERS)
    stats["clusters"] = result.get_column("cluster_id").n_unique()
    stats["clustered_contacts"] = result.height
    return result, stats


def _per_snapshot(rows: pl.DataFrame) -> list[pl.DataFrame]:
    """`rows` split by snapshot; a single month (the asset's case) is not copied."""
    if rows.get_column("snapshot").n_unique() <= 1:
        return [rows] if rows.height else []
    return rows.partition_by("snapshot", maintain_order=False)


def _row_of_idx(rows: pl.DataFrame) -> pl.Series:
    """The rows in contact_id order (row numbers): the i-th is the record with idx i.

    A contact_id listed twice is ordered by its other fields, so ties break the same way in
    any input order. Sorting row numbers is much cheaper than sorting the wide frame.
    """
    ids = rows.get_column("contact_id")
    row_of_idx = ids.arg_sort(nulls_last=True)
    in_order = ids.gather(row_of_idx)
    if (in_order.head(-1) == in_order.tail(-1)).any():  # a contact_id listed twice
        order = list(_REQUIRED_COLUMNS)
        order.remove("contact_id")
        order.insert(0, "contact_id")
        row_of_idx = rows.select(pl.arg_sort_by(order, nulls_last=True)).to_series()
    return row_of_idx


def _add_counts(total: dict[str, Any], part: dict[str, Any]) -> None:
    """Add the (nested) counts of `part` into `total`."""
    for key, value in part.items():
        if isinstance(value, dict):
            _add_counts(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value
