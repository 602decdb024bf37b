"""DNS deliverability per distinct e-mail domain: does the domain accept mail at all?

One verdict per distinct domain, never per contact: a month of a million contacts has far fewer
domains, and each one costs network round trips. Lookups run on a thread pool.

Verdicts (`DomainVerdict.status` / `.detail`):

- deliverable / "mx", "a", "aaaa": an MX record, or (RFC 5321 implicit MX) an A or AAAA record.
- undeliverable / "domain_not_found": NXDOMAIN.
- undeliverable / "null_mx": the only MX record points at "." (RFC 7505: "no mail here").
- undeliverable / "no_mail_host": the name exists but has no MX, A or AAAA record.
- unknown / "dns_unavailable: timeout" | "dns_unavailable: servfail" (every nameserver failed)
  | "dns_unavailable: no resolver configured".
- unknown / "network_checks_off": HYGIENE_NAMESERVERS=off; no query is sent.
- unknown / "dns_unreliable: canary <domain> did not resolve": see below.

Why the canary: a machine without internet often still has a resolver that answers NXDOMAIN for
every name (gmail.com included). Trusting that would mark every address invalid. So each `check`
first resolves the MX of a domain that certainly has one (default gmail.com); if that fails, no
negative answer is trusted and every verdict is unknown. "The network was down" must never turn
into "invalid".

`DomainVerdict` is deliberately a small (status, detail) pair so the cache table (dns_cache.py)
stores and restores it as is. `DomainChecker.queries_sent` counts every query put on the wire
(canary and retries included), so a run can report what the network cost and tests can check
that a warm cache costs nothing.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

DELIVERABLE = "deliverable"
UNDELIVERABLE = "undeliverable"
UNKNOWN = "unknown"

DEFAULT_CANARY = "gmail.com"
DEFAULT_TIMEOUT = 2.0
DEFAULT_RETRIES = 1
DEFAULT_WORKERS = 32
# From this many domains on, lookups are spread over one process per core (up to MAX_PROCESSES).
# dnspython spends about 0.4 ms of Python per query, so one process, whatever its thread count,
# is held to roughly 2,000 queries a second by the GIL: 50,000 domains took 30 s on one core.
DEFAULT_PROCESS_MIN_DOMAINS = 5_000
MAX_PROCESSES = 4

NAMESERVERS_ENV = "HYGIENE_NAMESERVERS"
CANARY_ENV = "HYGIENE_DNS_CANARY"

_NAMESERVERS_FORMAT = (
    f"{NAMESERVERS_ENV} must be empty (system resolver), 'off' (no network checks) or a comma "
    "list of ip[:port], e.g. '192.0.2.53,198.51.100.7:5353,[2001:db8::53]:53'"
)


@dataclass(frozen=True, slots=True)
class DomainVerdict:
    """What DNS says about one domain: status is deliverable, undeliverable or unknown."""

    status: str
    detail: str

    @property
    def reason(self) -> str | None:
        """The e-mail reason string this verdict contributes; None when the domain is fine."""
        return None if self.status == DELIVERABLE else self.detail


NETWORK_OFF = DomainVerdict(UNKNOWN, "network_checks_off")


class DomainLookup(Protocol):
    """Anything that answers one verdict per distinct domain: DomainChecker, or a cache over it."""

    def check(self, domains: Iterable[str]) -> dict[str, DomainVerdict]: ...


class _Unavailable(Exception):
    """A lookup that could not be answered (timeout, SERVFAIL, ...): never a negative answer."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.verdict = DomainVerdict(UNKNOWN, f"dns_unavailable: {why}")


class DomainChecker:
    """Checks mail deliverability of domains through one resolver configuration.

    `nameservers=None` uses the system resolver (/etc/resolv.conf); `network=False` sends no
    query at all. `canary=None` skips the canary (only for a resolver known to be authoritative).
    `timeout` is per query and per nameserver; a timed-out or SERVFAIL query is retried
    `retries` times.
    """

    def __init__(
        self,
        nameservers: Sequence[tuple[str, int]] | None = None,
        *,
        network: bool = True,
        canary: str | None = DEFAULT_CANARY,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        workers: int = DEFAULT_WORKERS,
        process_min_domains: int = DEFAULT_PROCESS_MIN_DOMAINS,
    ) -> None:
        if timeout <= 0 or retries < 0 or workers < 1:
            raise ValueError("timeout must be > 0, retries >= 0 and workers >= 1")
        self.process_min_domains = process_min_domains
        self.processes_used = 0  # worker processes of the last check (0: threads in this one)
        self.nameservers = list(nameservers) if nameservers is not None else None
        self.network = network
        self.canary = canary
        self.timeout = timeout
        self.retries = retries
        self.workers = workers
        self._queries_sent = 0
        self._count_lock = threading.Lock()  # lookups run on a thread pool

    @property
    def queries_sent(self) -> int:
        """Lookups this checker has sent so far, canary and retries included.

        One per query attempt: exact with one nameserver; an attempt that fails over to a
        second nameserver puts one more packet on the wire than counted.
        """
        return self._queries_sent

    @classmethod
    def from_env(
        cls,
        value: str | None,
        *,
        canary: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        workers: int = DEFAULT_WORKERS,
    ) -> DomainChecker:
        """Build a checker from the raw value of HYGIENE_NAMESERVERS.

        value: None or blank = system resolver; "off" = no network checks; else a comma list of
        ip[:port] (IPv6 as [::1]:5353). A malformed value raises ValueError naming the format.
        canary: a domain, or "off" for none; when not given, HYGIENE_DNS_CANARY from the
        environment, and gmail.com when that is unset or blank.
        """
        canary_domain = _parse_canary(canary if canary is not None else os.environ.get(CANARY_ENV))
        options = {"canary": canary_domain, "timeout": timeout, "retries": retries}
        text = (value or "").strip()
        if not text:
            return cls(None, workers=workers, **options)
        if text.lower() == "off":
            return cls(None, network=False, workers=workers, **options)
        return cls(parse_nameservers(text), workers=workers, **options)

    def __repr__(self) -> str:
        where = "off" if not self.network else self.nameservers or "system resolver"
        return (
            f"DomainChecker({where!r}, canary={self.canary!r}, timeout={self.timeout}, "
            f"retries={self.retries}, workers={self.workers})"
        )

    def check(self, domains: Iterable[str]) -> dict[str, DomainVerdict]:
        """One verdict per distinct domain (keys as given); the canary gates negative answers."""
        distinct = list(dict.fromkeys(domains))
        if not distinct:
            return {}
        if not self.network:
            return dict.fromkeys(distinct, NETWORK_OFF)
        try:
            resolver = self._resolver()
        except dns.resolver.NoResolverConfiguration:
            return dict.fromkeys(distinct, _Unavailable("no resolver configured").verdict)
        blocked = self._canary_failure(resolver)
        if blocked is not None:
            return dict.fromkeys(distinct, blocked)
        processes = min(MAX_PROCESSES, _usable_cores(), len(distinct))
        if len(distinct) >= self.process_min_domains and processes > 1:
            self.processes_used = processes
            return self._check_in_processes(distinct, processes)
        self.processes_used = 0
        return self.check_without_canary(distinct)

    def check_without_canary(self, distinct: list[str]) -> dict[str, DomainVerdict]:
        """Threads in this process look up every domain; the caller has checked the canary."""
        resolver = self._resolver()
        with ThreadPoolExecutor(max_workers=min(self.workers, len(distinct))) as pool:
            verdicts = pool.map(lambda domain: self._check_one(resolver, domain), distinct)
            return dict(zip(distinct, verdicts, strict=True))

    def _check_in_processes(self, distinct: list[str], processes: int) -> dict[str, DomainVerdict]:
        """Split the domains over worker processes (`python -m
        hygiene_pipeline.validate.dns_worker`), each with its share of the threads, so lookups use
        every core."""
        settings = {
            "nameservers": self.nameservers,
            "timeout": self.timeout,
            "retries": self.retries,
            "workers": max(1, self.workers // processes),
        }
        shares = [distinct[index::processes] for index in range(processes)]
        command = [sys.executable, "-m", "hygiene_pipeline.validate.dns_worker"]
        pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        workers = [subprocess.Popen(command, **pipes) for _ in shares]
        requests = [json.dumps({**settings, "domains": share}).encode() for share in shares]
        with ThreadPoolExecutor(max_workers=processes) as pool:
            outputs = list(pool.map(lambda pair: pair[0].communicate(pair[1]),
                                    zip(workers, requests, strict=True)))  # fmt: skip
        verdicts: dict[str, DomainVerdict] = {}
        for worker, (out, err) in zip(workers, outputs, strict=True):
            if worker.returncode != 0:
                raise RuntimeError(
                    f"a DNS worker process failed (exit {worker.returncode}): "
                    f"{err.decode(errors='replace')[-2000:]}"
                )
            answer = json.loads(out)
            with self._count_lock:
                self._queries_sent += answer["queries_sent"]
            for domain, (status, detail) in answer["verdicts"].items():
                verdicts[domain] = DomainVerdict(status, detail)
        return {domain: verdicts[domain] for domain in distinct}

    def _resolver(self) -> dns.resolver.Resolver:
        if self.nameservers is None:
            resolver = dns.resolver.Resolver(configure=True)
        else:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [
                dns.nameserver.Do53Nameserver(ip, port) for ip, port in self.nameservers
            ]
        resolver.timeout = self.timeout
        # One full pass over the nameservers per attempt; `_query` owns the retries.
        resolver.lifetime = self.timeout * max(1, len(resolver.nameservers))
        resolver.retry_servfail = False
        resolver.cache = None
        return resolver

    def _canary_failure(self, resolver: dns.resolver.Resolver) -> DomainVerdict | None:
        """None when the resolver proves it can see the internet, else the verdict for all."""
        if self.canary is None:
            return None
        try:
            answer = self._query(resolver, self.canary, "MX")
        except _Unavailable as unavailable:
            return unavailable.verdict
        except dns.exception.DNSException:
            answer = None
        if answer is None or not _real_exchanges(answer):
            return DomainVerdict(UNKNOWN, f"dns_unreliable: canary {self.canary} did not resolve")
        return None

    def _check_one(self, resolver: dns.resolver.Resolver, domain: str) -> DomainVerdict:
        try:
            return self._lookup(resolver, domain)
        except _Unavailable as unavailable:
            return unavailable.verdict
        except dns.exception.DNSException as error:  # malformed name and the like
            return DomainVerdict(UNKNOWN, f"dns_unavailable: {type(error).__name__}")

    def _lookup(self, resolver: dns.resolver.Resolver, domain: str) -> DomainVerdict:
        try:
            mx = self._query(resolver, domain, "MX")
        except dns.resolver.NXDOMAIN:
            return DomainVerdict(UNDELIVERABLE, "domain_not_found")
        if mx is not None:
            if _real_exchanges(mx):
                return DomainVerdict(DELIVERABLE, "mx")
            return DomainVerdict(UNDELIVERABLE, "null_mx")
        for rdtype in ("A", "AAAA"):
            try:
                if self._query(resolver, domain, rdtype) is not None:
                    return DomainVerdict(DELIVERABLE, rdtype.lower())
            except dns.resolver.NXDOMAIN:
                return DomainVerdict(UNDELIVERABLE, "domain_not_found")
        return DomainVerdict(UNDELIVERABLE, "no_mail_host")

    def _query(
        self, resolver: dns.resolver.Resolver, domain: str, rdtype: str
    ) -> dns.resolver.Answer | None:
        """The answer, None for NoAnswer; NXDOMAIN propagates; failures become _Unavailable."""
        name = dns.name.from_text(domain)
        for attempt in range(self.retries + 1):
            with self._count_lock:
                self._queries_sent += 1
            try:
                return resolver.resolve(name, rdtype, search=False)
            except dns.resolver.NoAnswer:
                return None
            except dns.exception.Timeout:
                why = "timeout"
            except dns.resolver.NoNameservers:
                why = "servfail"  # also REFUSED and other error rcodes from every server
            if attempt == self.retries:
                raise _Unavailable(why)
        raise AssertionError("unreachable")


def _usable_cores() -> int:
    """Cores this process may run on (its affinity on Linux; every core elsewhere, e.g. macOS)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _real_exchanges(answer: dns.resolver.Answer) -> list[str]:
    """MX targets other than the RFC 7505 null MX ('.')."""
    return [
        record.exchange.to_text()
        for record in answer
        if record.rdtype == dns.rdatatype.MX and record.exchange != dns.name.root
    ]


def _parse_canary(value: str | None) -> str | None:
    text = (value or "").strip().lower().rstrip(".")
    if not text:
        return DEFAULT_CANARY
    if text == "off":
        return None
    return text


def parse_nameservers(value: str) -> list[tuple[str, int]]:
    """Parse 'ip[:port],...' (IPv6 bracketed when a port is given) into (ip, port) pairs."""
    servers = []
    for raw in value.split(","):
        entry = raw.strip()
        try:
            servers.append(_parse_nameserver(entry))
        except ValueError:
            raise ValueError(f"cannot parse nameserver {entry!r}: {_NAMESERVERS_FORMAT}") from None
    return servers


def _parse_nameserver(entry: str) -> tuple[str, int]:
    if not entry:
        raise ValueError("empty entry")
    port = 53
    if entry.startswith("["):
        host, bracket, rest = entry[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(entry)
        if rest:
            port = _parse_port(rest[1:])
        ip = ipaddress.IPv6Address(host)
    elif entry.count(":") == 1:
        host, _, port_text = entry.partition(":")
        ip = ipaddress.IPv4Address(host)
        port = _parse_port(port_text)
    else:
        ip = ipaddress.ip_address(entry)
    return str(ip), port


def _parse_port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(text)
    return int(text)


def checker_from_environ(
    environ: Mapping[str, str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    workers: int = DEFAULT_WORKERS,
) -> DomainChecker:
    """`DomainChecker.from_env` fed from HYGIENE_NAMESERVERS and HYGIENE_DNS_CANARY."""
    env = os.environ if environ is None else environ
    return DomainChecker.from_env(
        env.get(NAMESERVERS_ENV),
        canary=env.get(CANARY_ENV),
        timeout=timeout,
        retries=retries,
        workers=workers,
    )
