"""The survivor of each duplicate cluster, by ordered rules the user can change.

The record that survives a merge keeps its id, owner and history in the CRM, so it is chosen the
way DemandTools and Insycle choose a master: an ordered list of rules, each breaking the ties of
the one before, and the smallest contact_id last so the choice never depends on row order.

Default order: a protected lifecycle record first (a customer or opportunity must not be merged
away into a lead: the prune step never deletes one, and the CRM keeps the survivor's deals), then
the most complete record, then the most recent activity, then the oldest creation date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

# Fields counted for "most complete record".
COMPLETENESS_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "job_title", "owner", "lead_source",
    "country",
)  # fmt: skip
PROTECTED_STAGES = ("customer", "evangelist", "opportunity")


def _filled(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).str.strip_chars().fill_null("").str.len_chars() > 0


# rule name -> (sort expression, descending): the first record in sort order wins.
SURVIVOR_RULE_KEYS: dict[str, tuple[pl.Expr, bool]] = {
    "protected_lifecycle": (pl.lit(False), True),  # replaced per config (protected stages)
    "most_complete": (pl.sum_horizontal([_filled(name) for name in COMPLETENESS_FIELDS]), True),
    "most_recent_activity": (pl.col("last_activity_at"), True),
    "most_recently_updated": (pl.col("updated_at"), True),
    "oldest_created": (pl.col("created_at"), False),
    "newest_created": (pl.col("created_at"), True),
}
DEFAULT_SURVIVOR_RULES = (
    "protected_lifecycle",
    "most_complete",
    "most_recent_activity",
    "oldest_created",
)


@dataclass(frozen=True)
class SurvivorRules:
    """Ordered survivor rules (names from SURVIVOR_RULE_KEYS) and the protected stages."""

    order: tuple[str, ...] = DEFAULT_SURVIVOR_RULES
    protected_stages: tuple[str, ...] = PROTECTED_STAGES

    def __post_init__(self) -> None:
        unknown = [name for name in self.order if name not in SURVIVOR_RULE_KEYS]
        if unknown:
            raise ValueError(
                f"unknown survivor rule(s) {unknown}; known: {sorted(SURVIVOR_RULE_KEYS)}"
            )
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"a survivor rule is listed twice: {list(self.order)}")

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> SurvivorRules:
        """From the `survivor` section of dedupe.yaml: `rules` (list) and `protected_stages`."""
        unknown = sorted(set(settings) - {"rules", "protected_stages"})
        if unknown:
            raise ValueError(f"unknown survivor setting(s) {unknown}: use rules, protected_stages")
        defaults = cls()
        return cls(
            order=tuple(settings.get("rules", defaults.order)),
            protected_stages=tuple(
                str(stage).lower()
                for stage in settings.get("protected_stages", defaults.protected_stages)
            ),
        )

    def sort_keys(self) -> tuple[list[pl.Expr], list[bool]]:
        keys, descending = [], []
        for name in self.order:
            expr, desc = SURVIVOR_RULE_KEYS[name]
            if name == "protected_lifecycle":
                stage = pl.col("lifecycle_stage").str.to_lowercase()
                expr = stage.is_in(list(self.protected_stages)).fill_null(False)
            keys.append(expr.alias(f"_rule_{name}"))
            descending.append(desc)
        return keys, descending


def choose_survivors(members: pl.DataFrame, rules: SurvivorRules | None = None) -> pl.DataFrame:
    """Add `is_survivor`: exactly one per `cluster_id`, the first record in rule order."""
    rules = rules or SurvivorRules()
    keys, descending = rules.sort_keys()
    rule_columns = [key.meta.output_name() for key in keys]
    ranked = members.with_columns(keys).sort(
        ["cluster_id", *rule_columns, "contact_id"],
        descending=[False, *descending, False],
        nulls_last=True,
    )
    first_in_cluster = pl.int_range(pl.len()).over("cluster_id") == 0
    return ranked.with_columns(is_survivor=first_in_cluster).drop(rule_columns)
