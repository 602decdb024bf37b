"""`$HYGIENE_DATA_DIR/dedupe.yaml`: the matcher's settings and survivor rules, as data.

Every key is optional; an absent file means the defaults. A key the matcher does not know fails
the run naming the file and the key, so a typo never silently falls back to a default::

    survivor:
      rules: [protected_lifecycle, most_complete, most_recent_activity, oldest_created]
      protected_stages: [customer, evangelist, opportunity]
    max_cluster_size: 10
    block_cap: 200
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from hygiene_pipeline.dedupe.scoring import DedupeConfig
from hygiene_pipeline.dedupe.survivors import SurvivorRules

_SETTINGS = {f.name: f for f in dataclasses.fields(DedupeConfig) if f.name != "survivor"}


def load_dedupe_config(path: Path | None) -> DedupeConfig:
    """The DedupeConfig in `path`, or the defaults when there is no such file."""
    if path is None or not Path(path).exists():
        return DedupeConfig()
    loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of settings, got {type(loaded).__name__}")
    unknown = sorted(set(loaded) - set(_SETTINGS) - {"survivor"})
    if unknown:
        raise ValueError(
            f"{path}: unknown setting(s) {unknown}; known: {sorted([*_SETTINGS, 'survivor'])}"
        )
    values: dict[str, object] = {}
    for name, value in loaded.items():
        if name == "survivor":
            try:
                values[name] = SurvivorRules.from_mapping(value or {})
            except (TypeError, ValueError) as error:
                raise ValueError(f"{path}: survivor: {error}") from None
        elif isinstance(getattr(DedupeConfig(), name), tuple):  # identifiers, unique_identifiers
            columns = value or []
            if not isinstance(columns, list) or not all(isinstance(v, str) for v in columns):
                raise ValueError(f"{path}: {name} must be a list of column names, got {value!r}")
            values[name] = tuple(columns)
        else:
            default = getattr(DedupeConfig(), name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"{path}: {name} must be a number, got {value!r}")
            values[name] = type(default)(value)
    return DedupeConfig(**values)
