"""The default prune policy: first matching rule sets the action, every match is a reason."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.prune.rules import MonthHistory, build_prune_list
from tests.builders import clusters_frame, contacts_frame, validation_frame

OCT = date(2026, 10, 1)
TODAY = date(2026, 11, 1)  # the partition's end


def _contacts(rows: list[dict]) -> pl.DataFrame:
    return contacts_frame(OCT, rows)


def _validation(contacts: pl.DataFrame, overrides: dict[str, dict]) -> pl.DataFrame:
    return validation_frame(contacts, overrides)


def _clusters(rows: list[tuple[str, str, bool]]) -> pl.DataFrame:
    return clusters_frame(OCT, rows)


def _prune(contacts, validation_overrides=None, clusters=None) -> dict[str, dict]:
    prune = build_prune_list(
        contacts,
        clusters if clusters is not None else _clusters([]),
        _validation(contacts, validation_overrides or {}),
        today=TODAY,
    )
    assert prune.schema == pl.Schema(schema.PRUNE_LIST)
    return {row["contact_id"]: row for row in prune.iter_rows(named=True)}


def test_each_rule_sets_its_action_with_evidence():
    contacts = _contacts(
        [
            {"contact_id": "keep", "email": "sanne@brouwer-logistiek.nl"},
            {"contact_id": "dup", "email": "s.degraaf@brouwer-logistiek.nl"},
            {"contact_id": "unsub", "unsubscribed": True},
            {"contact_id": "hard", "bounce": "hard", "bounce_reason": "550 5.1.1 no such user"},
            {"contact_id": "invalid"},
            {"contact_id": "unreachable"},
            {"contact_id": "soft", "bounce": "soft"},
            {"contact_id": "risky"},
            {"contact_id": "stale", "last_activity_at": datetime(2026, 3, 31)},
            {"contact_id": "never", "last_activity_at": None, "created_at": datetime(2025, 6, 1)},
            {"contact_id": "new", "last_activity_at": None, "created_at": datetime(2026, 9, 1)},
        ]
    )
    verdicts = _prune(
        contacts,
        {
            "invalid": {"email_status": "invalid", "email_reasons": ["domain_not_found"]},
            "unreachable": {"email_status": "missing", "phone_status": "placeholder"},
            "risky": {"email_status": "risky", "email_reasons": ["role_account"]},
        },
        _clusters([("keep", "dup-keep", True), ("dup", "dup-keep", False)]),
    )
    actions = {
        cid: (row["action"], row["reasons"], row["merge_into"]) for cid, row in verdicts.items()
    }
    assert actions == {
        "dup": ("merge", ["duplicate_of: keep"], "keep"),
        "unsub": ("delete", ["unsubscribed"], None),
        "hard": ("delete", ["hard_bounce: 550 5.1.1 no such user"], None),
        "invalid": ("delete", ["email_invalid: domain_not_found"], None),
        "unreachable": ("delete", ["unreachable: no email and phone placeholder"], None),
        "soft": ("quarantine", ["soft_bounce"], None),
        "risky": ("quarantine", ["email_risky: role_account"], None),
        "stale": ("re_engage", ["no_engagement_since: 2026-03-31"], None),
        "never": ("re_engage", ["never_engaged: created 2025-06-01"], None),
    }  # "keep" and "new" are kept: absent from the list


def test_six_months_is_measured_from_the_partition_end_not_the_clock():
    contacts = _contacts(
        [
            {"contact_id": "edge", "last_activity_at": datetime(2026, 5, 1)},
            {"contact_id": "older", "last_activity_at": datetime(2026, 4, 30, 23, 59)},
        ]
    )
    assert list(_prune(contacts)) == ["older"]


def test_every_matching_rule_is_a_reason_and_the_first_sets_the_action():
    contacts = _contacts(
        [{"contact_id": "x", "unsubscribed": True, "bounce": "hard", "bounce_reason": None,
          "last_activity_at": datetime(2025, 1, 1)}]
    )  # fmt: skip
    row = _prune(contacts, {"x": {"email_status": "risky", "email_reasons": ["disposable"]}})["x"]
    assert row["action"] == "delete"
    assert row["reasons"] == [
        "unsubscribed",
        "hard_bounce: no reason given",
        "email_risky: disposable",
        "no_engagement_since: 2025-01-01",
    ]


def test_protected_contacts_are_quarantined_not_deleted_and_never_re_engaged():
    contacts = _contacts(
        [
            {"contact_id": "cust-bounced", "lifecycle_stage": "customer", "bounce": "hard"},
            {"contact_id": "opp-stale", "lifecycle_stage": "opportunity",
             "last_activity_at": datetime(2025, 2, 1)},
            {"contact_id": "evangelist-unsub", "lifecycle_stage": "evangelist",
             "unsubscribed": True},
        ]
    )  # fmt: skip
    verdicts = _prune(contacts)
    assert set(verdicts) == {"cust-bounced", "evangelist-unsub"}
    assert verdicts["cust-bounced"]["action"] == "quarantine"
    assert verdicts["cust-bounced"]["reasons"][-1] == "protected: lifecycle customer"
    assert verdicts["evangelist-unsub"]["action"] == "quarantine"


def test_a_clean_month_gives_an_empty_typed_prune_list():
    contacts = _contacts([{"contact_id": "a", "email": "a@brouwer-logistiek.nl"}])
    assert _prune(contacts) == {}


def test_a_duplicate_of_a_record_erased_on_request_is_quarantined_not_merged_into_nothing():
    """The survivor is erased (deleted, purged): its duplicate is the same person, and a merge
    into a record that is gone cannot be imported, so a person reviews it instead."""
    contacts = _contacts(
        [
            {"contact_id": "gone", "email": "eleni.papadopoulou@example-shop.gr"},
            {"contact_id": "twin", "email": "e.papadopoulou@example-shop.gr"},
            {"contact_id": "twin_unsub", "email": "eleni.p@example-shop.gr", "unsubscribed": True},
        ]
    )
    prune = build_prune_list(
        contacts,
        _clusters(
            [
                ("gone", "dup-gone", True),
                ("twin", "dup-gone", False),
                ("twin_unsub", "dup-gone", False),
            ]
        ),
        _validation(contacts, {}),
        today=TODAY,
        history=MonthHistory(erasure_emails=frozenset({"eleni.papadopoulou@example-shop.gr"})),
    )
    rows = {row["contact_id"]: row for row in prune.iter_rows(named=True)}
    assert rows["gone"]["action"] == "delete"
    assert rows["gone"]["reasons"] == ["erasure_request"]
    assert (rows["twin"]["action"], rows["twin"]["merge_into"]) == ("quarantine", None)
    assert rows["twin"]["reasons"] == ["duplicate_of_erased_record: review by hand"]
    # Another rule with an action still decides; the erased-duplicate evidence stays a reason.
    assert (rows["twin_unsub"]["action"], rows["twin_unsub"]["merge_into"]) == ("delete", None)
    assert "duplicate_of_erased_record: review by hand" in rows["twin_unsub"]["reasons"]
