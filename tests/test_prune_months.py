"""Memory across months on a real DuckDB file: re-engagement, suppression and erasure."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.prune.month import prune_month
from hygiene_pipeline.prune.policy import PrunePolicy
from hygiene_pipeline.prune.suppression import SuppressionKeyError, email_hmacs, suppression_key
from hygiene_pipeline.store import HygieneStore
from tests.builders import clusters_frame, contacts_frame, validation_frame

KEY = b"a-test-key-that-is-long-enough"
AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)


def _store_month(store: HygieneStore, snapshot: date, rows: list[dict], clusters=()) -> None:
    contacts = contacts_frame(snapshot, rows)
    raw = contacts.select(
        "snapshot", "contact_id", "source_file", "source_row", "source_system",
        pl.col("email").alias("Email"), pl.col("first_name").alias("First Name"),
    )  # fmt: skip
    store.replace_partition(
        snapshot,
        {
            "raw_contacts": raw,
            "normalized_contacts": contacts,
            "duplicate_clusters": clusters_frame(snapshot, list(clusters)),
            "validation_results": validation_frame(contacts),
        },
    )


def _prune(store: HygieneStore, snapshot: date, register: Path, policy=None):
    return prune_month(
        store,
        snapshot,
        policy=policy or PrunePolicy(),
        suppression_key=KEY,
        erasure_register=register,
    )


def _verdicts(outcome) -> dict[str, tuple[str, list[str]]]:
    return {
        r["contact_id"]: (r["action"], r["reasons"])
        for r in outcome.prune_list.iter_rows(named=True)
    }


@pytest.fixture
def store(tmp_path) -> HygieneStore:
    return HygieneStore(tmp_path / "hygiene.duckdb")


def test_re_engage_becomes_delete_the_next_month_without_engagement(store, tmp_path):
    quiet = {"email": "r.vos@brouwer-logistiek.nl", "last_activity_at": datetime(2026, 1, 10)}
    woke = {"email": "h.smit@brouwer-logistiek.nl", "last_activity_at": datetime(2026, 2, 3)}
    _store_month(store, SEP, [{"contact_id": "r1", **quiet}, {"contact_id": "r2", **woke}])
    sep = _verdicts(_prune(store, SEP, tmp_path / "none.csv"))
    assert sep == {
        "r1": ("re_engage", ["no_engagement_since: 2026-01-10"]),
        "r2": ("re_engage", ["no_engagement_since: 2026-02-03"]),
    }
    # r2 answered the re-engagement campaign in October; r1 did not.
    woke_again = {**woke, "last_activity_at": datetime(2026, 10, 14, 9, 30)}
    _store_month(store, OCT, [{"contact_id": "r1", **quiet}, {"contact_id": "r2", **woke_again}])
    oct_ = _verdicts(_prune(store, OCT, tmp_path / "none.csv"))
    assert oct_ == {
        "r1": (
            "delete",
            ["re_engage_expired: re-engagement asked in 2026-09, no engagement since",
             "no_engagement_since: 2026-01-10"],
        ),
    }  # fmt: skip


def test_february_is_less_than_thirty_days_so_march_re_engages_again(store, tmp_path):
    row = {
        "contact_id": "f1",
        "email": "a.moreau@orange.fr",
        "last_activity_at": datetime(2025, 6, 1),
    }
    verdicts = {}
    for month in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
        _store_month(store, month, [row])
        verdicts[month.month] = _verdicts(_prune(store, month, tmp_path / "none.csv"))["f1"][0]
    assert verdicts == {2: "re_engage", 3: "re_engage", 4: "delete"}


def test_running_months_again_in_order_gives_identical_lists(store, tmp_path):
    rows = [
        {"contact_id": "a", "email": "a@kaasmakerij-vlasbloem.nl",
         "last_activity_at": datetime(2025, 12, 1)},
        {"contact_id": "b", "email": "b@kaasmakerij-vlasbloem.nl", "unsubscribed": True},
    ]  # fmt: skip
    first = []
    for month in (AUG, SEP, OCT):
        _store_month(store, month, rows)
        first.append(_prune(store, month, tmp_path / "none.csv").prune_list)
    again = [_prune(store, month, tmp_path / "none.csv").prune_list for month in (AUG, SEP, OCT)]
    assert all(a.equals(b) for a, b in zip(first, again, strict=True))
    assert store.query("SELECT count(*) AS n FROM suppression_list")["n"][0] == 3  # one a month


def test_a_suppressed_email_coming_back_under_a_new_record_is_deleted(store, tmp_path):
    _store_month(
        store,
        AUG,
        [{"contact_id": "u1", "email": "jeroen.dekker@ziggo.nl", "unsubscribed": True}],
    )
    aug = _prune(store, AUG, tmp_path / "none.csv")
    assert aug.suppression_entries.select("reason").to_series().to_list() == ["unsubscribed"]
    # The CRM deleted u1; a form fill re-imports the same person as a fresh, subscribed lead.
    _store_month(
        store,
        SEP,
        [
            {"contact_id": "u9", "email": "jeroen.dekker@ziggo.nl"},
            {"contact_id": "c9", "email": "jeroen.dekker@ziggo.nl", "lifecycle_stage": "customer"},
            {"contact_id": "ok", "email": "sanne.degraaf@ziggo.nl"},
        ],
    )
    sep = _verdicts(_prune(store, SEP, tmp_path / "none.csv"))
    assert sep == {
        "u9": ("delete", ["suppressed: unsubscribed in 2026-08"]),
        "c9": (
            "quarantine",
            ["suppressed: unsubscribed in 2026-08", "protected: lifecycle customer"],
        ),
    }
    stored = store.query("SELECT email_hmac FROM suppression_list")["email_hmac"].to_list()
    assert stored == email_hmacs(pl.Series(["jeroen.dekker@ziggo.nl"]), KEY).to_list()
    assert "jeroen" not in " ".join(stored)  # only the keyed hash is stored


def test_an_erasure_request_purges_the_person_from_every_month(store, tmp_path):
    person = {"email": "eleni.georgiou@otenet.gr", "first_name": "Ελένη", "last_name": "Γεωργίου"}
    other = {"contact_id": "k1", "email": "kostas.nikolaou@otenet.gr"}
    for month in (AUG, SEP, OCT):
        _store_month(store, month, [{"contact_id": "e1", **person}, other])
    _store_month(  # in September she was also in the CRM twice
        store,
        SEP,
        [{"contact_id": "e1", **person}, {"contact_id": "e2", **person}, other],
        clusters=[("e1", "dup-e1", True), ("e2", "dup-e1", False)],
    )
    with store.connect() as con:  # a line that ingest rejected still holds her address
        con.execute("CREATE TABLE dns_cache (domain VARCHAR, status VARCHAR)")
        con.execute(
            "INSERT INTO dns_cache VALUES ('georgiou-family.gr', 'mx'), ('otenet.gr', 'mx')"
        )
        con.execute("CREATE TABLE rejected_rows (snapshot DATE, raw_text VARCHAR)")
        con.execute(
            "INSERT INTO rejected_rows VALUES (?, ?), (?, ?)",
            [SEP, '"e3";"Eleni";"ELENI.GEORGIOU@OTENET.GR";"x', SEP, '"k2";"Kostas";broken'],
        )
    for month in (AUG, SEP):
        _prune(store, month, tmp_path / "none.csv")

    register = tmp_path / "erasure_requests.csv"
    register.write_text(
        "email;requested_on\n Eleni.Georgiou@OTENET.gr ;2026-10-12\n"
        "eleni@georgiou-family.gr;2026-10-12\n"  # her own domain: says who she is
    )
    outcome = _prune(store, OCT, register)

    assert _verdicts(outcome)["e1"] == ("delete", ["erasure_request"])
    assert outcome.purged_rows == {
        "duplicate_clusters": 2, "normalized_contacts": 4, "raw_contacts": 4,
        "rejected_rows": 1, "validation_results": 4,
        "prune_list": 1,  # September's merge of her second record
        "dns_cache": 1,  # her own domain; the provider's stays
    }  # fmt: skip
    for table in (
        "raw_contacts",
        "normalized_contacts",
        "validation_results",
        "duplicate_clusters",
    ):
        left = store.query(f"SELECT contact_id FROM {table} WHERE contact_id LIKE 'e%'")
        assert left.height == 0, table
    everything = " ".join(
        str(row)
        for table in store.tables()
        for row in store.query(f"SELECT * FROM {table}").iter_rows()
    ).lower()
    assert "eleni" not in everything and "γεωργίου" not in everything
    assert "kostas.nikolaou@otenet.gr" in everything  # nobody else is touched
    assert store.query("SELECT reason FROM suppression_list WHERE snapshot = $1", [OCT])[
        "reason"
    ].to_list() == ["erasure_request", "erasure_request"]
    assert store.query("SELECT domain FROM dns_cache")["domain"].to_list() == ["otenet.gr"]

    # A rerun after the purge still tells the CRM to delete her record.
    rerun = _prune(store, OCT, register)
    assert _verdicts(rerun)["e1"] == ("delete", ["erasure_request"])
    assert rerun.purged_rows == {}
    # She comes back in a November export under a new record: suppressed, and erased again.
    nov = date(2026, 11, 1)
    _store_month(store, nov, [{"contact_id": "e7", **person}])
    assert _verdicts(_prune(store, nov, register))["e7"][1][:2] == [
        "erasure_request",
        "suppressed: erasure_request in 2026-10",
    ]


def test_without_a_key_suppression_refuses_and_says_how_to_make_one():
    with pytest.raises(SuppressionKeyError, match=r"is not set.*secrets.token_hex\(32\)"):
        suppression_key({})
    with pytest.raises(SuppressionKeyError, match="shorter than 16"):
        suppression_key({"HYGIENE_SUPPRESSION_KEY": "short"})
    assert suppression_key({"HYGIENE_SUPPRESSION_KEY": " " + KEY.decode() + "\n"}) == KEY


def test_empty_month_writes_typed_empty_registers(store, tmp_path):
    _store_month(store, OCT, [{"contact_id": "a", "email": "a@kaasmakerij-vlasbloem.nl"}])
    outcome = _prune(store, OCT, tmp_path / "none.csv")
    assert outcome.prune_list.height == 0
    assert store.read_partition("prune_list", OCT).schema == pl.Schema(schema.PRUNE_LIST)
    assert store.read_partition("suppression_list", OCT).height == 0
    assert store.read_partition("erased_contacts", OCT).height == 0


def test_erasure_finds_a_second_address_in_the_cell_and_punycode_in_the_register(store, tmp_path):
    _store_month(
        store,
        OCT,
        [
            {"contact_id": "d1", "email": "d.mueller@web.de",
             "email_others": ["dieter@müller-bau.de"]},
            {"contact_id": "k1", "email": "k.schulz@web.de"},
        ],
    )  # fmt: skip
    register = tmp_path / "erasure_requests.csv"
    register.write_text("email\nDieter@xn--mller-bau-q9a.de\n")  # müller-bau.de, as IDNA
    outcome = _prune(store, OCT, register)
    assert _verdicts(outcome) == {"d1": ("delete", ["erasure_request"])}
    assert outcome.purged_rows["normalized_contacts"] == 1
    assert store.query("SELECT contact_id FROM normalized_contacts")["contact_id"].to_list() == [
        "k1"
    ]
