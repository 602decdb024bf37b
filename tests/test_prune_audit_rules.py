"""The rules a data owner's audit asks for: retention, unqualified leads, sales-tool and
purchased records, and re-engaging people who changed jobs instead of deleting them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hygiene_pipeline.prune.policy import PolicyError, PrunePolicy, policy_from_mapping
from hygiene_pipeline.prune.rules import build_prune_list
from tests.builders import clusters_frame, contacts_frame, validation_frame

OCT = date(2026, 10, 1)
TODAY = date(2026, 11, 1)
RECENT = datetime(2026, 10, 20)


def _verdicts(rows, overrides=None, policy=None) -> dict[str, dict]:
    contacts = contacts_frame(OCT, rows)
    prune = build_prune_list(
        contacts, clusters_frame(OCT, []), validation_frame(contacts, overrides or {}),
        today=TODAY, policy=policy or PrunePolicy(),
    )  # fmt: skip
    return {row["contact_id"]: row for row in prune.iter_rows(named=True)}


def test_an_unqualified_lead_quiet_for_six_months_is_quarantined():
    verdicts = _verdicts(
        [
            {"contact_id": "quiet", "lead_status": "Unqualified",
             "last_activity_at": datetime(2026, 3, 1), "lifecycle_stage": "lead"},
            {"contact_id": "active", "lead_status": "Unqualified", "last_activity_at": RECENT,
             "lifecycle_stage": "lead"},
            {"contact_id": "open", "lead_status": "Open", "last_activity_at": RECENT,
             "lifecycle_stage": "lead"},
        ]
    )  # fmt: skip
    assert verdicts["quiet"]["action"] == "quarantine"
    assert verdicts["quiet"]["reasons"][0].startswith("unqualified_inactive: unqualified, 6 months")
    assert "active" not in verdicts and "open" not in verdicts


def test_retention_is_off_by_default_and_deletes_what_outlived_the_period_when_on():
    rows = [
        {"contact_id": "old", "last_activity_at": datetime(2022, 5, 1), "lifecycle_stage": "lead"},
        {"contact_id": "client", "last_activity_at": datetime(2022, 5, 1),
         "lifecycle_stage": "customer"},
    ]  # fmt: skip
    default = _verdicts(rows)
    assert default["old"]["action"] == "re_engage"  # inactive, as before: retention is off
    assert "retention_expired: no engagement for 36 months" in default["old"]["reasons"]
    on = policy_from_mapping({"actions": {"retention_expired": "delete"}, "retention_months": 24})
    verdicts = _verdicts(rows, policy=on)
    assert verdicts["old"]["action"] == "delete"
    assert verdicts["old"]["reasons"][0] == "retention_expired: no engagement for 24 months"
    assert "client" not in verdicts  # a protected stage is never past retention


def test_sales_tool_and_purchased_records_can_be_quarantined_on_request():
    rows = [{"contact_id": "ext", "last_activity_at": RECENT},
            {"contact_id": "bought", "last_activity_at": RECENT}]  # fmt: skip
    issues = {"ext": {"issues": ["created_by_sales_tool"]},
              "bought": {"issues": ["purchased_list"]}}  # fmt: skip
    assert _verdicts(rows, issues) == {}  # off by default
    on = policy_from_mapping({"actions": {"sales_tool_or_purchased": "quarantine"}})
    verdicts = _verdicts(rows, issues, policy=on)
    assert {v["action"] for v in verdicts.values()} == {"quarantine"}
    assert verdicts["ext"]["reasons"] == ["sales_tool_or_purchased"]


def test_a_job_changer_whose_old_address_bounces_is_re_engaged_when_the_policy_says_so():
    rows = [
        {"contact_id": "moved", "bounce": "hard", "bounce_reason": "550 5.1.1 user unknown",
         "last_activity_at": RECENT, "unsubscribed": False},
        {"contact_id": "bounced", "bounce": "hard", "bounce_reason": "550 5.1.1 user unknown",
         "last_activity_at": RECENT, "unsubscribed": False},
    ]  # fmt: skip
    issues = {"moved": {"issues": ["job_change"]}}
    assert {v["action"] for v in _verdicts(rows, issues).values()} == {"delete"}
    on = policy_from_mapping({"re_engage_job_changes": True})
    verdicts = _verdicts(rows, issues, policy=on)
    assert verdicts["moved"]["action"] == "re_engage"
    assert verdicts["moved"]["reasons"][-1].startswith("job_change: the old work address fails")
    assert verdicts["bounced"]["action"] == "delete"


@pytest.mark.parametrize(
    ("setting", "message"),
    [({"retention_months": 0}, "between 1 and 240"),
     ({"re_engage_job_changes": "yes"}, "true or false"),
     ({"actions": {"retention_expired": "merge"}}, "delete, quarantine or keep")],
)  # fmt: skip
def test_the_new_settings_are_validated(setting, message):
    with pytest.raises(PolicyError, match=message):
        policy_from_mapping(setting)
