"""Values as CRMs write them, in many languages, mapped to small standard vocabularies (YAML).

Lead sources, lifecycle stages, lead statuses, yes/no words, marketing statuses and bounce types.
The defaults ship in the package (vocabularies.yaml); `$HYGIENE_DATA_DIR/vocabularies.yaml`
replaces any section it names, so a team can add its own labels ("Beurs Utrecht 2026") without
copying the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import polars as pl
import yaml

SECTIONS = (
    "lead_sources",
    "lifecycle_stages",
    "lead_statuses",
    "booleans",
    "marketing_statuses",
    "bounce_types",
)
KEEP = "keep"  # `unknown: keep`: a label listed nowhere stays as written


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used: the message names the file and the key."""


@dataclass(frozen=True)
class Vocabulary:
    """Label (folded) -> standard value, and the value for a label listed nowhere."""

    labels: Mapping[str, str]
    unknown: str | None

    def map_expr(self, expr: pl.Expr) -> pl.Expr:
        """The standard value of each label; null stays null."""
        folded = fold_label_expr(expr)
        default: pl.Expr | str | None = expr if self.unknown == KEEP else self.unknown
        mapped = folded.replace_strict(dict(self.labels), default=default, return_dtype=pl.String)
        return pl.when(expr.is_null()).then(None).otherwise(mapped)

    def value_of(self, label: str) -> str | None:
        """The standard value of one label, None when it is listed nowhere."""
        return self.labels.get(_fold(label))

    def values_of(self, value: str) -> list[str]:
        """Every label (folded) that means `value`."""
        return [label for label, meant in self.labels.items() if meant == value]


def fold_label_expr(expr: pl.Expr) -> pl.Expr:
    """Lower-case, accents off, `_`/`-`/spaces alike: how labels are compared."""
    return (
        expr.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[\s_\-]+", " ")
        .str.strip_chars()
    )


def _fold(label: str) -> str:
    return pl.select(fold_label_expr(pl.lit(str(label)))).item()


def _section(data: Mapping, name: str, source: str) -> Vocabulary:
    section = data.get(name)
    if not isinstance(section, Mapping) or not isinstance(section.get("values"), Mapping):
        raise VocabularyError(f"{source}: `{name}` needs a `values` mapping of value: [labels]")
    labels: dict[str, str] = {}
    for value, words in section["values"].items():
        if not isinstance(words, list):
            raise VocabularyError(f"{source}: `{name}.values.{value}` must be a list of labels")
        for word in [value, *words]:
            labels.setdefault(_fold(word), str(value))
    unknown = section.get("unknown")
    return Vocabulary(labels, None if unknown is None else str(unknown))


def load_vocabularies(data_dir: Path | None = None) -> dict[str, Vocabulary]:
    """The shipped vocabularies; sections in `data_dir/vocabularies.yaml` replace them."""
    text = resources.files(__package__).joinpath("vocabularies.yaml").read_text("utf-8")
    data = dict(yaml.safe_load(text))
    source = "hygiene_pipeline/normalize/vocabularies.yaml"
    override = (data_dir / "vocabularies.yaml") if data_dir is not None else None
    if override is not None and override.exists():
        custom = yaml.safe_load(override.read_text(encoding="utf-8")) or {}
        if not isinstance(custom, Mapping):
            raise VocabularyError(f"{override}: expected a mapping with {list(SECTIONS)}")
        unknown_keys = sorted(set(custom) - set(SECTIONS))
        if unknown_keys:
            raise VocabularyError(f"{override}: unknown section(s) {unknown_keys}")
        data.update(custom)
        source = str(override)
    return {name: _section(data, name, source) for name in SECTIONS}
