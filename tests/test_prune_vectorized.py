"""Regression tests for the vectorized prune paths: keyed hashes per distinct email, reasons
gathered per row in rule order, and the erased people's own domains."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.prune.month import _personal_domains
from hygiene_pipeline.prune.rules import MonthHistory, build_prune_list
from hygiene_pipeline.prune.suppression import email_hmacs
from tests.builders import clusters_frame, contacts_frame, validation_frame

OCT = date(2026, 10, 1)
EMAILS = [
    "zoë.ångström@exämple-bäckerei.de",
    None,
    "李.王@例子.中国",
    "józef.bąk@wp.pl",
    "zoë.ångström@exämple-bäckerei.de",  # the same address again: the same hash
    "",
    "o'brien+news@dublin-pubs.ie",
    None,
    "çağrı@şirket.com.tr",
]


@pytest.mark.parametrize(
    "key",
    [b"sixteen-byte-key", b"k" * 64, "ключ-длиннее-блока-".encode() * 5],  # <, =, > SHA-256 block
)
def test_email_hmacs_match_hmac_per_address_in_row_order(key):
    expected = [
        None if email is None else hmac.new(key, email.encode(), hashlib.sha256).hexdigest()
        for email in EMAILS
    ]
    hashes = email_hmacs(pl.Series("email", EMAILS, dtype=pl.String), key)
    assert hashes.name == "email_hmac"
    assert hashes.dtype == pl.String
    assert hashes.to_list() == expected


def test_email_hmacs_of_nothing_are_typed():
    assert email_hmacs(pl.Series("email", [], dtype=pl.String), b"k" * 16).dtype == pl.String
    assert email_hmacs(pl.Series([None, None]), b"k" * 16).to_list() == [None, None]


def test_reasons_follow_rule_order_with_messy_evidence_and_rows_come_sorted():
    contacts = contacts_frame(
        OCT,
        [
            {"contact_id": "z-9", "email": "zoë.ångström@exämple-bäckerei.de",
             "lifecycle_stage": "customer", "unsubscribed": True, "bounce": "hard",
             "bounce_reason": "550 5.1.1 Empfänger unbekannt, «Postfach voll»",
             "last_activity_at": datetime(2025, 1, 1)},
            {"contact_id": "a-1", "email": "李.王@例子.中国", "bounce": "soft",
             "last_activity_at": None, "created_at": datetime(2024, 2, 29)},
            {"contact_id": "m-5", "email": "józef.bąk@wp.pl"},
            {"contact_id": "k-3", "email": None, "lifecycle_stage": None,
             "last_activity_at": datetime(2026, 4, 30)},
            {"contact_id": "b-2", "email": "çağrı@şirket.com.tr"},
        ],
    )  # fmt: skip
    validation = validation_frame(
        contacts,
        {
            "z-9": {"email_status": "invalid", "issues": ["stale", "test_record"],
                    "email_reasons": ["syntax", "domain_not_found", "typo: gmial.com"]},
            "a-1": {"email_status": "risky", "email_reasons": ["disposable", "role_account"],
                    "phone_status": None},
            "m-5": {"email_status": "invalid", "email_reasons": None, "issues": None},
            "k-3": {"email_status": "missing", "email_reasons": [], "phone_status": "invalid"},
        },
    )  # fmt: skip
    history = MonthHistory(
        erasure_emails=frozenset({"józef.bąk@wp.pl"}),
        earlier_re_engage=pl.DataFrame(
            {"contact_id": ["k-3"], "re_engaged_on": [date(2026, 8, 1)]}
        ),
        suppressed=pl.DataFrame(
            {"contact_id": ["a-1"], "suppressed_since": [date(2026, 7, 1)],
             "suppressed_reason": [None]},
            schema={"contact_id": pl.String, "suppressed_since": pl.Date,
                    "suppressed_reason": pl.String},
        ),
    )  # fmt: skip
    prune = build_prune_list(
        contacts, clusters_frame(OCT, []), validation, today=date(2026, 11, 1), history=history
    )
    assert prune.schema == pl.Schema(schema.PRUNE_LIST)
    assert [(r["contact_id"], r["action"], r["reasons"]) for r in prune.iter_rows(named=True)] == [
        # A suppression entry without a reason gives no evidence, so no `suppressed` reason.
        ("a-1", "quarantine", ["soft_bounce", "email_risky: disposable, role_account",
                               "never_engaged: created 2024-02-29"]),
        ("k-3", "delete", ["unreachable: no email and phone invalid",
                           "re_engage_expired: re-engagement asked in 2026-08, no engagement since",
                           "no_engagement_since: 2026-04-30"]),
        # email_reasons null: email_invalid has no evidence; the erasure request still deletes.
        ("m-5", "delete", ["erasure_request"]),
        ("z-9", "quarantine", ["test_record", "unsubscribed",
                               "hard_bounce: 550 5.1.1 Empfänger unbekannt, «Postfach voll»",
                               "email_invalid: syntax, domain_not_found, typo: gmial.com",
                               "no_engagement_since: 2025-01-01", "protected: lifecycle customer"]),
    ]  # fmt: skip


def test_a_validation_row_for_another_record_leaves_the_contact_without_verdicts():
    contacts = contacts_frame(OCT, [{"contact_id": "x", "email": None, "unsubscribed": True}])
    validation = validation_frame(contacts, {"x": {"issues": ["test_record"]}}).with_columns(
        contact_id=pl.lit("someone-else")
    )
    prune = build_prune_list(contacts, clusters_frame(OCT, []), validation, today=date(2026, 11, 1))
    assert prune.select("contact_id", "action", "reasons").rows() == [
        ("x", "delete", ["unsubscribed"])
    ]


def test_personal_domains_are_the_requests_own_unshared_non_free_mail_domains():
    contacts = contacts_frame(
        OCT,
        [
            {"contact_id": "1", "email": "dieter@müller-bau.de"},
            {"contact_id": "2", "email": "anna@müller-bau.de"},  # erased too: still personal
            {"contact_id": "3", "email": "jan@jansen.nl"},
            {"contact_id": "4", "email": "piet@jansen.nl"},  # not erased: jansen.nl is shared
            {"contact_id": "5", "email": "eleni@gmail.com"},
            {"contact_id": "6", "email": None, "email_others": ["björk@heimili.is"]},
            {"contact_id": "7", "email": "no-at-sign"},
        ],
    )
    erased = frozenset(
        {"dieter@müller-bau.de", "anna@müller-bau.de", "jan@jansen.nl", "eleni@gmail.com",
         "björk@heimili.is", "ghost@nobody-here.example", "no-at-sign", "trailing@"}
    )  # fmt: skip
    assert _personal_domains(contacts, erased) == (
        "heimili.is",
        "müller-bau.de",
        "no-at-sign",
        "nobody-here.example",
        "xn--mller-bau-q9a.de",
    )
    assert _personal_domains(contacts, frozenset()) == ()
