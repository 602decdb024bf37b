"""The DNS cache against a real dnsmasq and a real DuckDB file; queries counted from dnsmasq's log.

dnsmasq logs every query it receives (tests/dns_server.py: `Dnsmasq.queries`), so "a rerun sends
no query" is checked on the wire, not by watching our own code.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.sample_exports import write_sample_exports
from hygiene_pipeline.store import HygieneStore
from hygiene_pipeline.validate.contacts import validate_contacts
from hygiene_pipeline.validate.dns_cache import (
    CACHE_TABLE,
    DEFAULT_TTL,
    TTL_ENV,
    CachedDomainChecker,
    DnsStats,
    cache_ttl_from_environ,
    utc_now,
)
from hygiene_pipeline.validate.dns_check import DomainChecker, DomainVerdict
from tests.dns_server import TEST_ZONE, Dnsmasq, dnsmasq_server

TODAY = datetime.date(2026, 10, 31)
SNAPSHOT = datetime.date(2026, 10, 1)
FAST = {"canary": "gmail.com", "timeout": 0.3, "retries": 1}
CANARY_QUERY = ("gmail.com", "MX")

# The month's company domains and what dnsmasq (TEST_ZONE) says of each.
MONTH_DOMAINS: dict[str, DomainVerdict] = {
    "kaasmakerij-vlasbloem.nl": DomainVerdict("deliverable", "mx"),
    "gmx.de": DomainVerdict("deliverable", "mx"),
    "alleen-web.nl": DomainVerdict("deliverable", "a"),
    "v6-only.de": DomainVerdict("deliverable", "aaaa"),
    "nullmx-winkel.nl": DomainVerdict("undeliverable", "null_mx"),
    "geen-mail.nl": DomainVerdict("undeliverable", "no_mail_host"),
    "bestaat-niet-bakkerij.nl": DomainVerdict("undeliverable", "domain_not_found"),
}


def contacts(domains: Iterable[str]) -> pl.DataFrame:
    """A month of NORMALIZED_CONTACTS: two people per domain, one without email, one malformed."""
    emails = [f"{who}@{domain}" for domain in domains for who in ("femke", "pieter")]
    emails += [None, "femke..vlasbloem@kaasmakerij-vlasbloem.nl"]
    rows: list[dict[str, Any]] = []
    for number, email in enumerate(emails):
        row: dict[str, Any] = dict.fromkeys(schema.NORMALIZED_CONTACTS)
        row.update(snapshot=SNAPSHOT, contact_id=f"hs-{number}", email=email, unsubscribed=False)
        rows.append(row)
    return pl.DataFrame(rows, schema=schema.NORMALIZED_CONTACTS, orient="row")


def cached(address: str, store: HygieneStore, **options: Any) -> CachedDomainChecker:
    return CachedDomainChecker(DomainChecker.from_env(address, **FAST), store, **options)


def cache_rows(store: HygieneStore) -> dict[str, tuple[str, str]]:
    if CACHE_TABLE not in store.tables():
        return {}
    rows = store.query(f"SELECT domain, status, detail FROM {CACHE_TABLE}")
    return {domain: (status, detail) for domain, status, detail in rows.iter_rows()}


def lookups(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The queries after the canary, sorted: the thread pool sends them in no fixed order."""
    assert sent[:1] == [CANARY_QUERY], sent
    return sorted(sent[1:])


class Wire:
    """The queries dnsmasq logs from now on."""

    def __init__(self, server: Dnsmasq) -> None:
        self.server = server
        self.start = len(server.queries())

    def sent(self) -> list[tuple[str, str]]:
        return self.server.queries()[self.start :]


@pytest.fixture
def store(tmp_path: Path) -> HygieneStore:
    return HygieneStore(tmp_path / "hygiene.duckdb")


def test_a_rerun_of_a_month_sends_no_dns_query(dns_zone: Dnsmasq, store: HygieneStore) -> None:
    month = contacts(MONTH_DOMAINS)
    cold = cached(dns_zone.address, store)
    wire = Wire(dns_zone)
    first = validate_contacts(month, today=TODAY, domain_checker=cold)
    sent = wire.sent()
    assert sent[0] == CANARY_QUERY
    assert {name for name, _ in sent[1:]} == set(MONTH_DOMAINS)
    assert len(sent) == cold.stats.queries  # what the run reports is what the wire saw
    assert (cold.stats.domains, cold.stats.from_cache, cold.stats.looked_up) == (7, 0, 7)
    assert cold.stats.cached == 7  # NXDOMAIN, null MX and no mail host are answers too
    assert cache_rows(store) == {d: (v.status, v.detail) for d, v in MONTH_DOMAINS.items()}

    warm = cached(dns_zone.address, store)
    wire = Wire(dns_zone)
    second = validate_contacts(month, today=TODAY, domain_checker=warm)
    assert wire.sent() == []
    assert (warm.stats.domains, warm.stats.from_cache, warm.stats.looked_up) == (7, 7, 0)
    assert (warm.stats.queries, warm.stats.cached) == (0, 0)
    assert second.equals(first)


def test_next_month_asks_only_about_its_new_domain(dns_zone: Dnsmasq, store: HygieneStore) -> None:
    validate_contacts(
        contacts(MONTH_DOMAINS), today=TODAY, domain_checker=cached(dns_zone.address, store)
    )
    checker = cached(dns_zone.address, store)
    wire = Wire(dns_zone)
    result = checker.check([*MONTH_DOMAINS, "stahlbau-kettenreiter.de"])
    assert wire.sent() == [CANARY_QUERY, ("stahlbau-kettenreiter.de", "MX")]
    assert result == MONTH_DOMAINS | {
        "stahlbau-kettenreiter.de": DomainVerdict("deliverable", "mx")
    }
    assert checker.stats == DnsStats(
        domains=8,
        from_cache=7,
        looked_up=1,
        queries=2,
        cached=1,
        lookup_seconds=checker.stats.lookup_seconds,
        cache_seconds=checker.stats.cache_seconds,
    )


def test_expired_entries_are_asked_again(dns_zone: Dnsmasq, store: HygieneStore) -> None:
    domains = ["kaasmakerij-vlasbloem.nl", "bestaat-niet-bakkerij.nl"]
    cached(dns_zone.address, store).check(domains)
    written = store.query(f"SELECT checked_at, expires_at FROM {CACHE_TABLE}")
    assert set(written["expires_at"] - written["checked_at"]) == {DEFAULT_TTL}

    def days_later(days: float) -> datetime.datetime:
        return utc_now() + datetime.timedelta(days=days)

    wire = Wire(dns_zone)
    cached(dns_zone.address, store, clock=lambda: days_later(6.9)).check(domains)
    assert wire.sent() == []  # still fresh

    wire = Wire(dns_zone)
    later = cached(dns_zone.address, store, clock=lambda: days_later(7.1))
    assert later.check(domains) == {d: MONTH_DOMAINS[d] for d in domains}
    assert lookups(wire.sent()) == [(d, "MX") for d in sorted(domains)]
    renewed = store.query(f"SELECT min(checked_at) AS oldest, count(*) AS n FROM {CACHE_TABLE}")
    assert renewed["n"].item() == 2  # replaced, not added
    assert renewed["oldest"].item() > utc_now() + datetime.timedelta(days=7)

    # A lower TTL applies to rows written under the old one: a day later they are too old.
    wire = Wire(dns_zone)
    strict = cached(
        dns_zone.address, store, ttl=datetime.timedelta(hours=12), clock=lambda: days_later(8.1)
    )
    strict.check(domains)
    assert lookups(wire.sent()) == [(d, "MX") for d in sorted(domains)]


def test_unknown_verdicts_are_not_cached(dns_zone: Dnsmasq, store: HygieneStore) -> None:
    domains = ["traag-dns.nl", "kapot-dns.nl", "kaasmakerij-vlasbloem.nl"]
    first = cached(dns_zone.address, store)
    assert {d: v.detail for d, v in first.check(domains).items()} == {
        "traag-dns.nl": "dns_unavailable: timeout",
        "kapot-dns.nl": "dns_unavailable: servfail",
        "kaasmakerij-vlasbloem.nl": "mx",
    }
    assert cache_rows(store) == {"kaasmakerij-vlasbloem.nl": ("deliverable", "mx")}
    assert first.stats.cached == 1

    wire = Wire(dns_zone)
    again = cached(dns_zone.address, store).check(domains)
    assert again["traag-dns.nl"].detail == "dns_unavailable: timeout"
    sent = wire.sent()
    assert {name for name, _ in sent} == {"gmail.com", "traag-dns.nl", "kapot-dns.nl"}
    assert sent.count(("traag-dns.nl", "MX")) == 2  # the query and its one retry


def test_a_failed_canary_caches_nothing_but_uses_what_was_cached(
    dns_zone: Dnsmasq, store: HygieneStore
) -> None:
    cached(dns_zone.address, store).check(["kaasmakerij-vlasbloem.nl"])
    # A resolver without internet: NXDOMAIN for everything, the canary included.
    offline_zone = [line for line in TEST_ZONE if "gmail.com" not in line]
    with dnsmasq_server(offline_zone) as offline:
        checker = cached(offline.address, store)
        verdicts = checker.check(["kaasmakerij-vlasbloem.nl", "nullmx-winkel.nl"])
        assert offline.queries() == [CANARY_QUERY]  # nothing else is asked once it fails
    assert verdicts == {
        "kaasmakerij-vlasbloem.nl": DomainVerdict("deliverable", "mx"),  # fresh from last run
        "nullmx-winkel.nl": DomainVerdict(
            "unknown", "dns_unreliable: canary gmail.com did not resolve"
        ),
    }
    assert cache_rows(store) == {"kaasmakerij-vlasbloem.nl": ("deliverable", "mx")}


def test_network_off_neither_reads_nor_writes_the_cache(
    dns_zone: Dnsmasq, store: HygieneStore
) -> None:
    off = CachedDomainChecker(DomainChecker.from_env("off"), store)
    assert off.check(["kaasmakerij-vlasbloem.nl"]) == {
        "kaasmakerij-vlasbloem.nl": DomainVerdict("unknown", "network_checks_off")
    }
    assert CACHE_TABLE not in store.tables()
    cached(dns_zone.address, store).check(["kaasmakerij-vlasbloem.nl"])
    again = CachedDomainChecker(DomainChecker.from_env("off"), store)
    assert again.check(["kaasmakerij-vlasbloem.nl"])["kaasmakerij-vlasbloem.nl"].detail == (
        "network_checks_off"
    )
    assert again.stats.from_cache == 0


def test_ttl_zero_turns_the_cache_off(dns_zone: Dnsmasq, store: HygieneStore) -> None:
    for _ in range(2):
        wire = Wire(dns_zone)
        checker = cached(dns_zone.address, store, ttl=datetime.timedelta(0))
        checker.check(["kaasmakerij-vlasbloem.nl"])
        assert wire.sent() == [CANARY_QUERY, ("kaasmakerij-vlasbloem.nl", "MX")]
        assert (checker.stats.from_cache, checker.stats.cached) == (0, 0)
    assert CACHE_TABLE not in store.tables()
    with pytest.raises(ValueError, match="negative"):
        cached(dns_zone.address, store, ttl=datetime.timedelta(days=-1))


def test_cache_rows_carry_wall_clock_times_and_results_carry_none(
    dns_zone: Dnsmasq, store: HygieneStore
) -> None:
    before = utc_now()
    checker = cached(dns_zone.address, store, ttl=datetime.timedelta(days=3))
    results = validate_contacts(contacts(MONTH_DOMAINS), today=TODAY, domain_checker=checker)
    after = utc_now()
    table = store.query(f"SELECT * FROM {CACHE_TABLE} ORDER BY domain")
    assert table.schema == pl.Schema(
        {
            "domain": pl.String(),
            "status": pl.String(),
            "detail": pl.String(),
            "checked_at": pl.Datetime("us"),
            "expires_at": pl.Datetime("us"),
            "resolver": pl.String(),
        }
    )
    assert table["domain"].to_list() == sorted(MONTH_DOMAINS)
    assert all(before <= moment <= after for moment in table["checked_at"])
    assert set(table["expires_at"] - table["checked_at"]) == {datetime.timedelta(days=3)}
    assert set(table["resolver"]) == {dns_zone.address}
    # The month's date is the only time in the results: no wall clock leaks into them.
    temporal = {name: dtype for name, dtype in results.schema.items() if dtype.is_temporal()}
    assert temporal == {"snapshot": pl.Date()}


def test_idn_domains_are_cached_under_their_ascii_form(
    dns_zone: Dnsmasq, store: HygieneStore
) -> None:
    month = contacts(["müller-bau.de"])
    validate_contacts(month, today=TODAY, domain_checker=cached(dns_zone.address, store))
    assert cache_rows(store) == {"xn--mller-bau-q9a.de": ("deliverable", "mx")}
    wire = Wire(dns_zone)
    validate_contacts(month, today=TODAY, domain_checker=cached(dns_zone.address, store))
    assert wire.sent() == []


@pytest.mark.parametrize(
    ("value", "days"),
    [(None, 7), ("", 7), ("  ", 7), ("7", 7), ("30", 30), ("0", 0), ("0.5", 0.5), (" 14 ", 14)],
)
def test_ttl_setting(value: str | None, days: float) -> None:
    environ = {} if value is None else {TTL_ENV: value}
    assert cache_ttl_from_environ(environ) == datetime.timedelta(days=days)


@pytest.mark.parametrize("value", ["-1", "seven", "7d", "nan", "inf", "1e9"])
def test_ttl_setting_rejects_nonsense(value: str) -> None:
    with pytest.raises(ValueError, match=TTL_ENV):
        cache_ttl_from_environ({TTL_ENV: value})


# --- the Dagster asset: a rerun of a month, counted on the wire -----------------------------


@pytest.fixture(scope="module")
def sample_month(tmp_path_factory: pytest.TempPathFactory) -> Iterable[tuple[Path, Dnsmasq]]:
    root = tmp_path_factory.mktemp("hygiene-dns-cache")
    write_sample_exports(root / "exports", ["2026-10"], people=150, seed=5)
    text = "".join(path.read_text(encoding="utf-8-sig") for path in root.rglob("*.csv"))
    domains = sorted({d.lower() for d in re.findall(r"@([\w.-]+\.[a-z]{2,})", text)})
    zone = ["mx-host=gmail.com,mx.gmail.com,10"]
    zone += [f"mx-host={domain},mx.{domain},10" for domain in domains[1::2]]  # others NXDOMAIN
    with dnsmasq_server(zone) as server:
        yield root, server


def _validation_metadata(root: Path, server: Dnsmasq) -> dict[str, Any]:
    """Materialize the month up to validation_results; its metadata as plain values."""
    # Imported here: the engine tests above need neither Dagster nor the asset layer.
    import dagster as dg

    from assets.normalized_contacts import normalized_contacts
    from assets.raw_contacts import raw_contacts
    from assets.resources import HygieneResource
    from assets.validation_results import validation_results

    result = dg.materialize(
        [raw_contacts, normalized_contacts, validation_results],
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(root), nameservers=server.address)},
    )
    assert result.success
    (materialization,) = result.asset_materializations_for_node("validation_results")
    return {key: value.value for key, value in materialization.metadata.items()}


def _validation_rows(root: Path) -> pl.DataFrame:
    with duckdb.connect(str(root / "hygiene.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM validation_results ORDER BY contact_id").pl()


def test_the_asset_reports_dns_work_and_a_rerun_sends_no_query(
    sample_month: tuple[Path, Dnsmasq], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, server = sample_month
    monkeypatch.delenv(TTL_ENV, raising=False)
    monkeypatch.setenv("HYGIENE_DNS_CANARY", "gmail.com")
    wire = Wire(server)
    cold = _validation_metadata(root, server)
    assert cold["dns_queries_sent"] == len(wire.sent()) > cold["dns_distinct_domains"] > 10
    assert cold["dns_domains_from_cache"] == 0
    assert cold["dns_verdicts_cached"] == cold["dns_distinct_domains"]
    before = _validation_rows(root)

    wire = Wire(server)
    warm = _validation_metadata(root, server)
    assert wire.sent() == []
    assert warm["dns_queries_sent"] == 0
    assert warm["dns_domains_from_cache"] == warm["dns_distinct_domains"]
    assert warm["dns_distinct_domains"] == cold["dns_distinct_domains"]
    assert _validation_rows(root).equals(before)

    monkeypatch.setenv(TTL_ENV, "0")
    wire = Wire(server)
    uncached = _validation_metadata(root, server)
    assert uncached["dns_queries_sent"] == len(wire.sent()) == cold["dns_queries_sent"]
