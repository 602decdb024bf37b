"""From matched pairs to clusters without chaining (the survivor is dedupe_survivors' job).

Clustering is greedy average linkage over the matched pairs, strongest first:

- every record starts alone; pairs are taken by score (highest first, then by record order);
- two groups join only if at least half of all pairs between them matched. A record joins a pair
  it matches one member of, but a group of three needs two of its members matched, and two pairs
  linked by a single weak match (A~B, B~C, C~D) stay two clusters;
- a join that would make a cluster bigger than `max_cluster_size` is refused;
- a join that would put two records known to be two people in one cluster is refused (two
  mailboxes at one company: see `dedupe_scoring.apart_pairs`), so a third record matching both
  cannot bridge them.

Every member therefore matches at least one other member directly, and each refusal is counted.
"""

from __future__ import annotations

import polars as pl


def cluster_pairs(
    matches: pl.DataFrame, max_cluster_size: int, apart: pl.DataFrame | None = None
) -> tuple[dict[int, int], dict[str, int]]:
    """Assign each matched record (by idx) a cluster root; returns (record -> root, stats).

    `matches` has columns a, b, score with a < b; `apart` (a, b with a < b) the pairs that must
    not share a cluster. Records that end up alone are left out.
    """
    ordered = matches.sort(["score", "a", "b"], descending=[True, False, False])
    in_order = list(
        zip(ordered.get_column("a").to_list(), ordered.get_column("b").to_list(), strict=True)
    )
    linked = set(in_order)
    kept_apart: set[tuple[int, int]] = set()
    if apart is not None:
        kept_apart = set(apart.select("a", "b").iter_rows())
    root_of: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    refused_weak = refused_size = refused_apart = 0
    for a, b in in_order:
        root_a, root_b = root_of.get(a, a), root_of.get(b, b)
        if root_a == root_b:
            continue
        group_a, group_b = members.get(root_a, [a]), members.get(root_b, [b])
        if len(group_a) + len(group_b) > max_cluster_size:
            refused_size += 1
            continue
        across = [(min(x, y), max(x, y)) for x in group_a for y in group_b]
        if any(pair in kept_apart for pair in across):
            refused_apart += 1
            continue
        cross = sum(1 for pair in across if pair in linked)
        if 2 * cross < len(group_a) * len(group_b):
            refused_weak += 1
            continue
        root = min(root_a, root_b)
        merged = sorted(group_a + group_b)
        members.pop(root_a, None)
        members.pop(root_b, None)
        members[root] = merged
        for record in merged:
            root_of[record] = root
    stats = {
        "refused_weak_links": refused_weak,
        "refused_oversized": refused_size,
        "refused_apart": refused_apart,
    }
    return root_of, stats


def best_links(matches: pl.DataFrame, root_of: dict[int, int]) -> pl.DataFrame:
    """Per clustered record: the best-scoring match inside its own cluster (score, evidence)."""
    idx_type = matches.schema["a"]
    roots = pl.DataFrame(
        {"idx": list(root_of), "root": list(root_of.values())},
        schema={"idx": idx_type, "root": idx_type},
    )
    inside = (
        matches.join(roots.rename({"idx": "a", "root": "root_a"}), on="a")
        .join(roots.rename({"idx": "b", "root": "root_b"}), on="b")
        .filter(pl.col("root_a") == pl.col("root_b"))
    )
    ends = pl.concat(
        [
            inside.select(idx="a", partner="b", score="score", evidence="evidence"),
            inside.select(idx="b", partner="a", score="score", evidence="evidence"),
        ]
    )
    best = (
        ends.sort(["idx", "score", "partner"], descending=[False, True, False])
        .group_by("idx", maintain_order=True)
        .first()
        .select("idx", "score", match_evidence="evidence")
    )
    return roots.join(best, on="idx", how="left")
