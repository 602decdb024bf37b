"""From matched pairs to clusters without chaining (the survivor is survivors.py's job).

Clustering is greedy average linkage over the matched pairs, strongest first:

- every record starts alone; pairs are taken by score (highest first, then by record order);
- two groups join only if at least half of all pairs between them matched. A record joins a pair
  it matches one member of, but a group of three needs two of its members matched, and two pairs
  linked by a single weak match (A~B, B~C, C~D) stay two clusters;
- a join that would make a cluster bigger than `max_cluster_size` is refused;
- a join that would put two records known to be two people in one cluster is refused (two
  mailboxes at one company: see `scoring.apart_pairs`), so a third record matching both
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

    A pair whose records match nothing else (most of them) is decided on its own, vectorized;
    only the other pairs go through the greedy loop, which is where their order matters.
    """
    if apart is None:
        apart = pl.DataFrame(schema={"a": matches.schema["a"], "b": matches.schema["b"]})
    ends = pl.concat([matches.get_column("a"), matches.get_column("b")])
    once = ends.filter(ends.is_unique()).implode()
    alone = pl.col("a").is_in(once) & pl.col("b").is_in(once)
    root_of, stats = _join_lone_pairs(matches.filter(alone), max_cluster_size, apart)
    rest = matches.filter(~alone)
    records = pl.concat([rest.get_column("a"), rest.get_column("b")]).unique().implode()
    rest_apart = apart.filter(pl.col("a").is_in(records) & pl.col("b").is_in(records))
    rest_root_of, rest_stats = _greedy_clusters(rest, max_cluster_size, rest_apart)
    root_of.update(rest_root_of)
    return root_of, {name: stats[name] + rest_stats[name] for name in stats}


def _join_lone_pairs(
    pairs: pl.DataFrame, max_cluster_size: int, apart: pl.DataFrame
) -> tuple[dict[int, int], dict[str, int]]:
    """`cluster_pairs` for pairs whose records match nothing else: each joins unless a cluster
    of two is too big or the two are known apart."""
    pairs = pairs.select(a=pl.min_horizontal("a", "b"), b=pl.max_horizontal("a", "b"))
    joined = pairs.join(apart.select("a", "b"), on=["a", "b"], how="anti")
    refused_apart = pairs.height - joined.height
    if max_cluster_size < 2:
        joined, refused_apart = joined.clear(), 0
    roots = joined.get_column("a").to_list()  # a < b: the smaller record is the root
    root_of = dict(zip(roots, roots, strict=True))
    root_of.update(zip(joined.get_column("b").to_list(), roots, strict=True))
    stats = {
        "refused_weak_links": 0,
        "refused_oversized": pairs.height if max_cluster_size < 2 else 0,
        "refused_apart": refused_apart,
    }
    return root_of, stats


def _greedy_clusters(
    matches: pl.DataFrame, max_cluster_size: int, apart: pl.DataFrame
) -> tuple[dict[int, int], dict[str, int]]:
    """The greedy average-linkage loop of `cluster_pairs` (see the module docstring)."""
    ordered = matches.sort(["score", "a", "b"], descending=[True, False, False])
    in_order = list(
        zip(ordered.get_column("a").to_list(), ordered.get_column("b").to_list(), strict=True)
    )
    linked = set(in_order)
    kept_apart = set(
        zip(apart.get_column("a").to_list(), apart.get_column("b").to_list(), strict=True)
    )
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
