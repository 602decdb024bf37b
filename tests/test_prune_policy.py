"""Policy files and presets: careful, balanced and aggressive decide differently on one month."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from hygiene_pipeline.prune.policy import PolicyError, load_policy, preset_policy
from hygiene_pipeline.prune.rules import MonthHistory, build_prune_list
from tests.builders import clusters_frame, contacts_frame, validation_frame

OCT = date(2026, 10, 1)
TODAY = date(2026, 11, 1)
PROJECT = Path(__file__).resolve().parent.parent

# One contact per rule; each preset's expected action for it (None = kept).
MONTH = [
    {"contact_id": "erased", "email": "m.bakker@ziggo.nl", "lifecycle_stage": "customer"},
    {"contact_id": "junk", "email": "test@test.com"},
    {"contact_id": "unsub", "email": "l.janssens@telenet.be", "unsubscribed": True},
    {"contact_id": "hard", "email": "p.dubois@orange.fr", "bounce": "hard",
     "bounce_reason": "550 5.1.1 user unknown"},
    {"contact_id": "invalid", "email": "k.schulz@nicht-mehr-da.de"},
    {"contact_id": "unreachable"},
    {"contact_id": "soft", "email": "e.papadaki@otenet.gr", "bounce": "soft"},
    {"contact_id": "risky", "email": "info@kaasmakerij-vlasbloem.nl"},
    {"contact_id": "stale", "email": "r.vos@brouwer-logistiek.nl",
     "last_activity_at": datetime(2026, 3, 15)},
]  # fmt: skip
VALIDATION = {
    "junk": {"issues": ["test_record"]},
    "invalid": {"email_status": "invalid", "email_reasons": ["domain_not_found"]},
    "unreachable": {"email_status": "missing", "phone_status": "missing"},
    "risky": {"email_status": "risky", "email_reasons": ["role_account"]},
}
EXPECTED = {
    "balanced": {"erased": "delete", "junk": "delete", "unsub": "delete", "hard": "delete",
                 "invalid": "delete", "unreachable": "delete", "soft": "quarantine",
                 "risky": "quarantine", "stale": "re_engage"},
    "careful": {"erased": "delete", "junk": "quarantine", "unsub": "delete", "hard": "delete",
                "invalid": "quarantine", "unreachable": "quarantine", "soft": "quarantine",
                "risky": "quarantine", "stale": "re_engage"},
    "aggressive": {"erased": "delete", "junk": "delete", "unsub": "delete", "hard": "delete",
                   "invalid": "delete", "unreachable": "delete", "soft": "delete",
                   "risky": "delete", "stale": "re_engage"},
}  # fmt: skip


def _prune(policy=None) -> pl.DataFrame:
    """The month under `policy`, with an erasure request for the customer m.bakker."""
    contacts = contacts_frame(OCT, MONTH)
    return build_prune_list(
        contacts,
        clusters_frame(OCT, []),
        validation_frame(contacts, VALIDATION),
        today=TODAY,
        policy=policy,
        history=MonthHistory(erasure_emails=frozenset({"m.bakker@ziggo.nl"})),
    )


def _actions(policy) -> dict[str, str]:
    return dict(_prune(policy).select("contact_id", "action").iter_rows())


@pytest.mark.parametrize("preset", ["balanced", "careful", "aggressive"])
def test_each_preset_gives_each_rule_its_action(preset):
    assert _actions(preset_policy(preset)) == EXPECTED[preset]


def test_an_erasure_request_deletes_even_a_protected_customer():
    erased = _prune().filter(pl.col("contact_id") == "erased").row(0, named=True)
    assert erased["action"] == "delete"
    assert erased["reasons"] == ["erasure_request", "protected: lifecycle customer"]


def test_the_example_policy_in_data_is_the_documented_balanced_default():
    policy = load_policy(PROJECT / "data" / "prune_policy.yaml")
    assert policy.describe() == preset_policy("balanced").describe()


def test_a_policy_file_overrides_thresholds_and_actions(tmp_path):
    path = tmp_path / "prune_policy.yaml"
    path.write_text(
        "preset: careful\n"
        "inactive_months: 9\n"
        "max_delete_share: 0.5\n"
        "protected_lifecycle_stages: [Customer, salesqualifiedlead]\n"
        "actions:\n  soft_bounce: keep\n  email_invalid: delete\n"
    )
    policy = load_policy(path)
    assert (policy.preset, policy.inactive_months, policy.max_delete_share) == ("careful", 9, 0.5)
    assert policy.protected_lifecycle_stages == ("customer", "salesqualifiedlead")
    actions = _actions(policy)
    assert actions["invalid"] == "delete"
    assert "soft" not in actions  # keep: no action, and no other rule matches it
    assert "stale" not in actions  # last activity 2026-03-15 is within nine months


def test_no_policy_file_means_balanced(tmp_path):
    assert load_policy(tmp_path / "absent.yaml") == preset_policy("balanced")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("inactive_monhts: 3\n", "unknown settings \\['inactive_monhts'\\]"),
        ("preset: sloppy\n", "unknown preset 'sloppy'"),
        ("actions:\n  duplicate: delete\n", "action of 'duplicate' is fixed"),
        ("actions:\n  soft_bounce: purge\n", "must be delete, quarantine or keep"),
        ("max_delete_share: 3\n", "between 0.0 and 1.0"),
        ("inactive_months: six\n", "must be a number"),
        ("- just\n- a list\n", "expected a mapping"),
        ("preset: [\n", "not valid YAML"),
    ],
)
def test_a_wrong_policy_file_fails_naming_the_setting(tmp_path, text, message):
    path = tmp_path / "prune_policy.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=message):
        load_policy(path)
