"""DNS verdicts cached in the pipeline's DuckDB file: a monthly rerun asks only about new domains.

Most of a CRM's domains are the same from one month to the next, and each costs network round
trips. `CachedDomainChecker` answers domains with a fresh row in the `dns_cache` table and asks
the real `DomainChecker` only about the others, then writes their verdicts in one transaction.

What is cached: answers the DNS actually gave. deliverable (mx, a, aaaa) and undeliverable
(domain_not_found, null_mx, no_mail_host) are kept for the TTL, NXDOMAIN included. What is not:
every `unknown` verdict (timeout, SERVFAIL, a failed canary, no resolver), because that says
something about our network at that moment, not about the domain, and a blip must not stick for
a week. With HYGIENE_NAMESERVERS=off the cache is neither read nor written: "off" promises
results that depend on no DNS answer, old or new.

Freshness uses the wall clock (UTC), unlike every rule's "today": it is about how old a DNS
answer is, so a backfill of an old month uses today's DNS (there is no DNS history). No
wall-clock value reaches a results table; only `dns_cache` holds one.

dns_cache columns: domain (IDNA, lower case; the key), status, detail, checked_at and expires_at
(TIMESTAMP, UTC, without time zone), resolver (the nameservers that answered, or "system").
A row is fresh while expires_at is in the future and it is younger than the configured TTL, so
lowering HYGIENE_DNS_CACHE_TTL_DAYS takes effect at once. TTL 0 turns the cache off.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields

import polars as pl

from hygiene_pipeline.store import HygieneStore
from hygiene_pipeline.validate.dns_check import (
    DELIVERABLE,
    UNDELIVERABLE,
    DomainChecker,
    DomainVerdict,
)

CACHE_TABLE = "dns_cache"
TTL_ENV = "HYGIENE_DNS_CACHE_TTL_DAYS"
DEFAULT_TTL = datetime.timedelta(days=7)
CACHEABLE_STATUSES = frozenset({DELIVERABLE, UNDELIVERABLE})

CACHE_COLUMNS: dict[str, pl.DataType] = {
    "domain": pl.String(),
    "status": pl.String(),
    "detail": pl.String(),
    "checked_at": pl.Datetime("us"),
    "expires_at": pl.Datetime("us"),
    "resolver": pl.String(),
}


def utc_now() -> datetime.datetime:
    """The wall clock as a naive UTC timestamp, the form DuckDB's TIMESTAMP stores."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class DnsStats:
    """What a check cost: for run metadata and the benchmark. Counts only, never a domain."""

    domains: int = 0  # distinct domains asked about
    from_cache: int = 0  # answered by a fresh dns_cache row
    looked_up: int = 0  # sent to the DomainChecker: new, expired, or all when the cache is off
    queries: int = 0  # DNS queries sent, canary and retries included
    cached: int = 0  # verdicts written to dns_cache (unknown ones never are)
    lookup_seconds: float = 0.0  # wall time of the DNS lookups
    cache_seconds: float = 0.0  # wall time of reading and writing dns_cache

    def __add__(self, other: DnsStats) -> DnsStats:
        return DnsStats(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


class CachedDomainChecker:
    """A DomainChecker in front of the dns_cache table: asks only about new or expired domains.

    `ttl` of zero, or `store=None`, turns the cache off (every domain is looked up, nothing is
    written). `clock` returns naive UTC; it is a parameter so tests can move time forward.
    """

    def __init__(
        self,
        checker: DomainChecker,
        store: HygieneStore | None,
        *,
        ttl: datetime.timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime.datetime] = utc_now,
    ) -> None:
        if ttl < datetime.timedelta(0):
            raise ValueError(f"the DNS cache TTL must not be negative, got {ttl}")
        self.checker = checker
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self.stats = DnsStats()

    @property
    def caching(self) -> bool:
        """Whether this checker reads and writes dns_cache at all."""
        return self.store is not None and self.ttl > datetime.timedelta(0) and self.checker.network

    def check(self, domains: Iterable[str]) -> dict[str, DomainVerdict]:
        """One verdict per distinct domain (keys as given), from the cache where it is fresh."""
        distinct = list(dict.fromkeys(domains))
        if not distinct:
            return {}
        started = time.perf_counter()
        now = self.clock()
        cached = self._read(distinct, now) if self.caching else {}
        read_seconds = time.perf_counter() - started
        missing = [domain for domain in distinct if domain not in cached]
        queries_before = self.checker.queries_sent
        lookup_started = time.perf_counter()
        looked_up = self.checker.check(missing) if missing else {}
        lookup_seconds = time.perf_counter() - lookup_started
        write_started = time.perf_counter()
        keep = {d: v for d, v in looked_up.items() if v.status in CACHEABLE_STATUSES}
        if self.caching:
            self._write(keep, now)
        self.stats += DnsStats(
            domains=len(distinct),
            from_cache=len(cached),
            looked_up=len(missing),
            queries=self.checker.queries_sent - queries_before,
            cached=len(keep) if self.caching else 0,
            lookup_seconds=lookup_seconds,
            cache_seconds=read_seconds + time.perf_counter() - write_started,
        )
        return {domain: cached.get(domain) or looked_up[domain] for domain in distinct}

    def _read(self, domains: list[str], now: datetime.datetime) -> dict[str, DomainVerdict]:
        assert self.store is not None
        if CACHE_TABLE not in self.store.tables():
            return {}
        # Every fresh row, then the wanted ones: binding 50,000 domains as a query parameter
        # takes seconds, reading 50,000 rows takes milliseconds.
        rows = self.store.query(
            f"SELECT domain, status, detail FROM {CACHE_TABLE} "
            "WHERE expires_at > ? AND checked_at > ?",
            [now, now - self.ttl],
        )
        fresh = {
            domain: DomainVerdict(status, detail)
            for domain, status, detail in rows.iter_rows()
            if status in CACHEABLE_STATUSES
        }
        return {domain: fresh[domain] for domain in domains if domain in fresh}

    def _write(self, verdicts: Mapping[str, DomainVerdict], now: datetime.datetime) -> None:
        assert self.store is not None
        if not verdicts:
            return
        rows = pl.DataFrame(
            {
                "domain": list(verdicts),
                "status": [verdict.status for verdict in verdicts.values()],
                "detail": [verdict.detail for verdict in verdicts.values()],
                "checked_at": [now] * len(verdicts),
                "expires_at": [now + self.ttl] * len(verdicts),
                "resolver": [_resolver_label(self.checker)] * len(verdicts),
            },
            schema=CACHE_COLUMNS,
        )
        self.store.upsert(CACHE_TABLE, rows, key=["domain"])


def _resolver_label(checker: DomainChecker) -> str:
    if checker.nameservers is None:
        return "system"
    return ",".join(
        f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}" for ip, port in checker.nameservers
    )


def cache_ttl_from_environ(environ: Mapping[str, str] | None = None) -> datetime.timedelta:
    """HYGIENE_DNS_CACHE_TTL_DAYS as a timedelta: unset or blank = 7 days, 0 = cache off.

    Days may be fractional (0.5 = twelve hours). Anything else raises ValueError naming the
    variable, so a typo fails the run instead of silently caching for a week.
    """
    env = os.environ if environ is None else environ
    text = (env.get(TTL_ENV) or "").strip()
    if not text:
        return DEFAULT_TTL
    try:
        days = float(text)
    except ValueError:
        days = float("nan")
    if not 0 <= days <= 3650:  # also rejects nan and inf
        raise ValueError(
            f"{TTL_ENV} must be a number of days between 0 (cache off) and 3650, got {text!r}"
        )
    return datetime.timedelta(days=days)


def with_cache(
    checker: DomainChecker,
    store: HygieneStore,
    environ: Mapping[str, str] | None = None,
) -> CachedDomainChecker:
    """`checker` behind the dns_cache of `store`, with the TTL from HYGIENE_DNS_CACHE_TTL_DAYS."""
    return CachedDomainChecker(checker, store, ttl=cache_ttl_from_environ(environ))
