"""The prune policy: which action each rule takes, and the thresholds users tune.

A policy is data: a preset (careful, balanced, aggressive) gives every rule its action, and a YAML
file may override any threshold or action. Rules are evaluated in RULES order; the first that
matches sets the action. Protected contacts are never deleted (quarantine instead) and never
re-engaged; only an erasure request deletes them.

When an export file has no column a decision needs (`normalized_contacts.unknown_fields`), its
contacts are treated safely: no lifecycle stage means protection is unknown, so none of them is
deleted or re-engaged (quarantine, reason `protection_unknown`); no opt-out column means nobody
knows whether they unsubscribed, so none is re-engaged by email (quarantine, reason
`unsubscribe_unknown`). `accept_unknown` lists the facts a team accepts not to know.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

ACTIONS = ("delete", "merge", "quarantine", "re_engage")
# Facts an export may lack whose absence the policy can accept (see accept_unknown).
UNKNOWN_FACTS = ("lifecycle_stage", "unsubscribed")

# Every rule, in evaluation order, with what it means (shown in docs/rules.md and the UI).
RULES: dict[str, str] = {
    "erasure_request": "the email is listed in erasure_requests.csv (GDPR art. 17)",
    "suppressed": "the email's keyed hash is on the suppression list from an earlier month",
    "duplicate": "a duplicate that is not its cluster's survivor",
    "test_record": "a test or junk record (test@test.com, 'asdf', example.com)",
    "unsubscribed": "unsubscribed from all email",
    "hard_bounce": "hard bounce recorded by the CRM",
    "email_invalid": "email invalid (syntax, domain does not exist, null MX, no mail host)",
    "unreachable": "no email and no valid phone",
    "soft_bounce": "soft bounce recorded by the CRM",
    "email_risky": "email risky (disposable, role account, typo domain)",
    "sales_tool_or_purchased": "created by a sales tool (HubSpot's sales extension, BCC) or "
    "from a purchased list",
    "unqualified_inactive": "lead status Unqualified and no engagement for unqualified_months",
    "retention_expired": "no engagement and no protected stage for retention_months: kept "
    "longer than the team's retention period (GDPR storage limitation)",
    "re_engage_expired": "already re_engage in a month at least re_engage_grace_days earlier, "
    "with no engagement since",
    "inactive": "no engagement for more than inactive_months (never engaged: created before then)",
}

# Rules whose action is fixed by their nature, whatever the preset.
_FIXED = {"erasure_request": "delete", "duplicate": "merge", "inactive": "re_engage"}

_BALANCED = {
    "suppressed": "delete",
    "test_record": "delete",
    "unsubscribed": "delete",
    "hard_bounce": "delete",
    "email_invalid": "delete",
    "unreachable": "delete",
    "soft_bounce": "quarantine",
    "email_risky": "quarantine",
    # Off until a team decides: listed in reasons, no action of their own.
    "sales_tool_or_purchased": "keep",
    "unqualified_inactive": "quarantine",
    "retention_expired": "keep",
    "re_engage_expired": "delete",
}
PRESETS: dict[str, dict[str, str]] = {
    "balanced": _BALANCED,
    # Quarantine instead of delete, except for erasure, suppression, unsubscribe and hard bounce.
    "careful": {
        **_BALANCED,
        "test_record": "quarantine",
        "email_invalid": "quarantine",
        "unreachable": "quarantine",
        "re_engage_expired": "quarantine",
    },
    # Soft bounces and risky addresses are deleted too.
    "aggressive": {
        **_BALANCED,
        "soft_bounce": "delete",
        "email_risky": "delete",
        "unqualified_inactive": "delete",
    },
}


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the setting."""


@dataclass(frozen=True)
class PrunePolicy:
    """Everything that decides a prune list; defaults are the balanced preset."""

    preset: str = "balanced"
    actions: dict[str, str] = field(default_factory=lambda: dict(PRESETS["balanced"]))
    inactive_months: int = 6
    re_engage_grace_days: int = 30
    protected_lifecycle_stages: tuple[str, ...] = ("customer", "evangelist", "opportunity")
    max_delete_share: float = 0.30  # a month deleting more than this share blocks the run
    unqualified_months: int = 6  # unqualified_inactive: no engagement for this long
    retention_months: int = 36  # retention_expired: no engagement for this long
    # A contact that changed jobs (issue job_change) whose old work address bounced or is invalid
    # is re-engaged (reach the person again) instead of deleted.
    re_engage_job_changes: bool = False
    # Facts a file may lack that the team accepts not to know: with lifecycle_stage listed, a
    # file without one is read as "nobody protected"; with unsubscribed, as "nobody opted out".
    accept_unknown: tuple[str, ...] = ()

    def action_for(self, rule: str) -> str:
        return _FIXED.get(rule) or self.actions[rule]

    def describe(self) -> dict[str, Any]:
        """The policy as plain data, for metadata and the report."""
        return {
            "preset": self.preset,
            "actions": {rule: self.action_for(rule) for rule in RULES},
            "inactive_months": self.inactive_months,
            "re_engage_grace_days": self.re_engage_grace_days,
            "protected_lifecycle_stages": list(self.protected_lifecycle_stages),
            "max_delete_share": self.max_delete_share,
            "unqualified_months": self.unqualified_months,
            "retention_months": self.retention_months,
            "re_engage_job_changes": self.re_engage_job_changes,
            "accept_unknown": list(self.accept_unknown),
        }


def preset_policy(name: str) -> PrunePolicy:
    if name not in PRESETS:
        raise PolicyError(f"unknown preset {name!r}: use one of {sorted(PRESETS)}")
    return PrunePolicy(preset=name, actions=dict(PRESETS[name]))


def load_policy(path: Path | None) -> PrunePolicy:
    """The policy in `path` (YAML), or the balanced defaults when there is no such file."""
    if path is None or not Path(path).exists():
        return PrunePolicy()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise PolicyError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping of settings, found {type(data).__name__}")
    return policy_from_mapping(data, source=str(path))


def policy_from_mapping(data: dict[str, Any], *, source: str = "policy") -> PrunePolicy:
    """Validate every setting: a typo must fail loudly, not silently keep a default."""
    known = {f.name for f in fields(PrunePolicy)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise PolicyError(f"{source}: unknown settings {unknown}; known settings: {sorted(known)}")
    policy = preset_policy(str(data.get("preset", "balanced")))
    overrides = data.get("actions") or {}
    if not isinstance(overrides, dict):
        raise PolicyError(f"{source}: `actions` must map rule names to actions")
    actions = dict(policy.actions)
    for rule, action in overrides.items():
        if rule in _FIXED:
            raise PolicyError(f"{source}: the action of {rule!r} is fixed ({_FIXED[rule]})")
        if rule not in actions:
            raise PolicyError(f"{source}: unknown rule {rule!r}; rules: {sorted(actions)}")
        if action not in ("delete", "quarantine", "keep"):
            raise PolicyError(
                f"{source}: action for {rule!r} must be delete, quarantine or keep, not {action!r}"
            )
        actions[rule] = action
    settings: dict[str, Any] = {"actions": actions}
    for name, kind, low, high in (
        ("inactive_months", int, 1, 120),
        ("unqualified_months", int, 1, 120),
        ("retention_months", int, 1, 240),
        ("re_engage_grace_days", int, 0, 3650),
        ("max_delete_share", float, 0.0, 1.0),
    ):
        if name in data:
            settings[name] = _number(data[name], kind, low, high, name, source)
    if "protected_lifecycle_stages" in data:
        stages = data["protected_lifecycle_stages"]
        if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
            raise PolicyError(f"{source}: protected_lifecycle_stages must be a list of stages")
        settings["protected_lifecycle_stages"] = tuple(s.strip().lower() for s in stages)
    if "re_engage_job_changes" in data:
        if not isinstance(data["re_engage_job_changes"], bool):
            raise PolicyError(f"{source}: re_engage_job_changes must be true or false")
        settings["re_engage_job_changes"] = data["re_engage_job_changes"]
    if "accept_unknown" in data:
        accepted = data["accept_unknown"]
        if not isinstance(accepted, list) or not set(accepted) <= set(UNKNOWN_FACTS):
            raise PolicyError(
                f"{source}: accept_unknown must be a list drawn from {list(UNKNOWN_FACTS)}, "
                f"not {accepted!r}"
            )
        settings["accept_unknown"] = tuple(accepted)
    return replace(policy, **settings)


def _number(value: Any, kind: type, low: float, high: float, name: str, source: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{source}: {name} must be a number, not {value!r}")
    if kind is int and value != int(value):
        raise PolicyError(f"{source}: {name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise PolicyError(f"{source}: {name} must be between {low} and {high}, not {value!r}")
    return kind(value)
