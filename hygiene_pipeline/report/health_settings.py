"""What the health score counts: a validated settings file, `$HYGIENE_DATA_DIR/health.yaml`.

A team decides which fields every contact must have and how much each problem costs, so the
score measures their database by their own standard. Every key is optional; an absent file means
the defaults below, which give exactly the score of earlier reports (missing phone and missing
company are reported, but cost nothing until a team requires them)::

    required: [email, owner, lead_source]     # email, phone, company, owner, lead_source
    weights:                                  # points per problem; they sum to 100
      invalid_email: 20
      missing_email: 15
      stale: 15
      bounced_but_marketable: 10
      bad_phone: 10
      missing_owner: 10
      missing_source: 10
      duplicate: 10
    min_group_size: 20                        # smaller owners/sources are pooled in "other"

`weights` replaces the whole default set (a problem left out weighs 0). A missing field costs
points only when the field is required: a weight on `missing_company` without `company` in
`required` is refused, so the score and "fine as it is" never disagree about what a problem is.
Unknown keys, problems and fields fail the run with the file and the key named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SETTINGS_FILE = "health.yaml"


@dataclass(frozen=True)
class Problem:
    """One thing that can be wrong with a contact: how the data owner reads it, and its test.

    `sql` is a boolean over one validation_results row (`issues`, `email_status`,
    `phone_status`) and `is_duplicate` (the contact is a non-survivor of a duplicate cluster).
    """

    label: str
    sql: str


def _issue(name: str) -> str:
    # coalesce: a month validated before an issue existed simply does not have it.
    return f"coalesce(list_contains(issues, '{name}'), false)"


# Every problem the score can weigh, in the order the report lists them.
PROBLEMS: dict[str, Problem] = {
    "invalid_email": Problem("invalid email", "email_status = 'invalid'"),
    "missing_email": Problem("no email", "email_status = 'missing'"),
    "stale": Problem("not updated for 12+ months", _issue("stale")),
    "bounced_but_marketable": Problem("bounced but marketable", _issue("bounced_but_marketable")),
    "bad_phone": Problem("fake or invalid phone", "phone_status IN ('invalid', 'placeholder')"),
    "missing_owner": Problem("no owner", _issue("missing_owner")),
    "missing_source": Problem("no lead source", _issue("missing_source")),
    "duplicate": Problem("duplicate to merge", "is_duplicate"),
    "missing_phone": Problem("no phone", _issue("missing_phone")),
    "missing_company": Problem("no company", _issue("missing_company")),
    "test_record": Problem("test or junk record", _issue("test_record")),
    "no_legal_basis": Problem("no legal basis", _issue("no_legal_basis")),
    "created_by_sales_tool": Problem("created by a sales tool", _issue("created_by_sales_tool")),
    "purchased_list": Problem("from a purchased list", _issue("purchased_list")),
    "job_change": Problem("changed jobs", _issue("job_change")),
}

# Fields a team can require, and the problem a contact without one has.
REQUIRABLE: dict[str, str] = {
    "email": "missing_email",
    "phone": "missing_phone",
    "company": "missing_company",
    "owner": "missing_owner",
    "lead_source": "missing_source",
}

DEFAULT_REQUIRED: tuple[str, ...] = ("email", "owner", "lead_source")
# Today's weights, unchanged since the first report: a default run scores as it always did.
DEFAULT_WEIGHTS: dict[str, float] = {
    "invalid_email": 20,  # mail to it bounces
    "missing_email": 15,
    "stale": 15,  # not updated for 12+ months
    "bounced_but_marketable": 10,  # bounced or invalid, yet not unsubscribed
    "bad_phone": 10,  # invalid or placeholder
    "missing_owner": 10,
    "missing_source": 10,
    "duplicate": 10,  # records that are another record's duplicate (non-survivors)
}
DEFAULT_MIN_GROUP_SIZE = 20
_KNOWN_KEYS = ("required", "weights", "min_group_size")


class HealthSettingsError(ValueError):
    """A health.yaml that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class HealthSettings:
    """The required fields, the weight of every problem (summing to 100), the group floor."""

    required: tuple[str, ...] = DEFAULT_REQUIRED
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    source: str = "defaults"  # the file the settings came from, for the report

    def weight(self, problem: str) -> float:
        return float(self.weights.get(problem, 0))

    @property
    def counted(self) -> tuple[str, ...]:
        """Problems that keep a contact from being fine as it is: weighted, or a required
        field missing. In PROBLEMS order."""
        required = {REQUIRABLE[name] for name in self.required}
        return tuple(p for p in PROBLEMS if self.weight(p) > 0 or p in required)

    def is_required_problem(self, problem: str) -> bool:
        return problem in {REQUIRABLE[name] for name in self.required}

    def describe(self) -> dict[str, Any]:
        """For the asset's metadata: what the score counted this month."""
        return {
            "source": self.source,
            "required": list(self.required),
            "weights": {p: _number(w) for p, w in self.weights.items() if w},
            "min_group_size": self.min_group_size,
        }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def load_health_settings(data_dir: Path | None) -> HealthSettings:
    """The defaults, with what `data_dir/health.yaml` sets."""
    path = Path(data_dir) / SETTINGS_FILE if data_dir is not None else None
    if path is None or not path.exists():
        return HealthSettings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise HealthSettingsError(f"{path}: not valid YAML: {error}") from None
    return health_settings_from_mapping({} if data is None else data, str(path))


def health_settings_from_mapping(data: Any, source: str = "health settings") -> HealthSettings:
    """Validate a parsed health.yaml; every mistake names `source` and the key."""
    if not isinstance(data, dict):
        raise HealthSettingsError(f"{source}: expected a mapping of settings")
    unknown = sorted(str(key) for key in set(data) - set(_KNOWN_KEYS))
    if unknown:
        raise HealthSettingsError(
            f"{source}: unknown settings {unknown}; known: {list(_KNOWN_KEYS)}"
        )
    required = _required(data.get("required", list(DEFAULT_REQUIRED)), source)
    weights = _weights(data.get("weights", DEFAULT_WEIGHTS), source)
    for field_name, problem in REQUIRABLE.items():
        if weights.get(problem, 0) > 0 and field_name not in required:
            raise HealthSettingsError(
                f"{source}: weights.{problem} is {_number(weights[problem])} but `{field_name}` "
                f"is not in `required` ({list(required)}): a field that is not required costs "
                f"no points. Add {field_name} to required, or set weights.{problem} to 0"
            )
    size = data.get("min_group_size", DEFAULT_MIN_GROUP_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise HealthSettingsError(f"{source}: min_group_size must be a whole number of 1 or more")
    return HealthSettings(required=required, weights=weights, min_group_size=size, source=source)


def _required(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise HealthSettingsError(f"{source}: `required` must be a list of field names")
    wrong = sorted(set(value) - set(REQUIRABLE))
    if wrong:
        raise HealthSettingsError(
            f"{source}: required {wrong} cannot be required; fields: {list(REQUIRABLE)}"
        )
    return tuple(dict.fromkeys(value))


def _weights(value: Any, source: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise HealthSettingsError(f"{source}: `weights` must map problems to points")
    weights: dict[str, float] = {}
    for problem, points in value.items():
        if problem not in PROBLEMS:
            raise HealthSettingsError(
                f"{source}: weights.{problem} is not a problem the score knows; known: "
                f"{list(PROBLEMS)}"
            )
        if not isinstance(points, int | float) or isinstance(points, bool) or not points >= 0:
            raise HealthSettingsError(
                f"{source}: weights.{problem} must be a number of points, 0 or more"
            )
        weights[problem] = float(points)
    total = sum(weights.values())
    if not math.isclose(total, 100.0, abs_tol=1e-9):
        raise HealthSettingsError(
            f"{source}: the weights sum to {_number(total)}, not 100 (each problem's share of "
            f"contacts costs up to its weight, so a month where every contact has every problem "
            f"scores 0)"
        )
    return weights
