"""DNS deliverability per distinct e-mail domain: does the domain accept mail at all?

One verdict per distinct domain, never per contact: a month of a million contacts has far fewer
domains, and each one costs network round trips.

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

How the queries go out: hundreds at a time from one asyncio event loop in this process, over a
few UDP sockets, with the messages built and read by dns_wire.py. A lookup is mostly waiting for
the network; what held the thread pool back was dnspython's Python cost per query (0.4 ms: some
2,000 queries a second per process, hence one process per core above 5,000 domains). Here a
query costs some 25 microseconds of Python, and one process keeps up with the network. Each query
is still the one dnspython's stub resolver sent: the MX, then the A, then the AAAA of the name,
each nameserver in turn with `timeout` per query, the whole pass repeated `retries` times after
a timeout or SERVFAIL, over TCP after a truncated answer; tests/test_dns_parity.py holds the two
side by side.

How many at a time: never more than `max_in_flight` (HYGIENE_DNS_MAX_IN_FLIGHT, default 512),
and fewer when the resolver cannot keep up; a bound alone would be wrong both ways, since 40 ms
of latency needs some 250 queries in flight for 5,000 domains a second, while dnsmasq on this
machine drops datagrams past about 200 queued ones and answers REFUSED past 150 open forwards. So
a window, which starts at 32 and follows the answers (`_Window`):
- round-trip time, as TCP Vegas does: while answers come back about as fast as the fastest one
  the resolver is not queueing and the window grows; when queries wait in its queue it shrinks;
- loss: when more than one answer in eight of a round timed out, it halves;
- REFUSED with many queries open (dnsmasq's and Pi-hole's "too many at once"): it halves and the
  query is asked again, so a busy moment never becomes a "servfail" verdict; a refusal with few
  queries open is the nameserver's word, as before.
A grown window fills at most two queries per answer, never in one burst.

`DomainVerdict` is deliberately a small (status, detail) pair so the cache table (dns_cache.py)
stores and restores it as is. `DomainChecker.queries_sent` counts every query put on the wire
(canary, retries and each nameserver tried included), so a run can report what the network cost
and tests can check that a warm cache costs nothing.
"""

from __future__ import annotations

import asyncio
import collections
import ipaddress
import os
import random
import socket
import struct
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import dns.exception
import dns.nameserver
import dns.resolver

from hygiene_pipeline.validate.dns_wire import (
    CLASS_IN,
    FAILED,
    FOUND,
    NO_ANSWER,
    NULL_MX,
    NXDOMAIN,
    REFUSED,
    TRUNCATED,
    TYPE_A,
    TYPE_AAAA,
    TYPE_MX,
    YXDOMAIN,
    build_query,
    name_wire,
    read_reply,
    reply_id,
)

DELIVERABLE = "deliverable"
UNDELIVERABLE = "undeliverable"
UNKNOWN = "unknown"

DEFAULT_CANARY = "gmail.com"
DEFAULT_TIMEOUT = 2.0
DEFAULT_RETRIES = 1
# Hundreds, because latency needs them: 40 ms per answer and 512 in flight is 12,800 queries a
# second. The window (`_Window`) keeps a resolver that cannot take them from getting them.
DEFAULT_MAX_IN_FLIGHT = 512
MAX_IN_FLIGHT_LIMIT = 4096

NAMESERVERS_ENV = "HYGIENE_NAMESERVERS"
CANARY_ENV = "HYGIENE_DNS_CANARY"
MAX_IN_FLIGHT_ENV = "HYGIENE_DNS_MAX_IN_FLIGHT"

_NAMESERVERS_FORMAT = (
    f"{NAMESERVERS_ENV} must be empty (system resolver), 'off' (no network checks) or a comma "
    "list of ip[:port], e.g. '192.0.2.53,198.51.100.7:5353,[2001:db8::53]:53'"
)

# The in-flight window (`_Window`). In queries: below ALPHA estimated to be waiting in the
# resolver's queue the window grows by half a round, above BETA it shrinks towards BETA. BETA
# stays under dnsmasq's 150 concurrent forwarded queries and under what one socket buffer holds
# (about 200 small datagrams with Linux's default 208 KiB). MIN: the floor of every cut, below
# the 32 queries the thread pool had in flight.
_WINDOW_START = 32
_WINDOW_MIN = 8
_QUEUE_ALPHA = 64
_QUEUE_BETA = 128
_TIMEOUT = -1  # `_Flight.ask` outcome besides dns_wire's: no answer within the timeout


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


class _Unusable(Exception):
    """An answer no lookup can use (YXDOMAIN): unknown at once, no retry, as dnspython raised."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.verdict = DomainVerdict(UNKNOWN, f"dns_unavailable: {name}")


class DomainChecker:
    """Checks mail deliverability of domains through one resolver configuration.

    `nameservers=None` uses the system resolver (/etc/resolv.conf); `network=False` sends no
    query at all. `canary=None` skips the canary (only for a resolver known to be authoritative).
    `timeout` is per query and per nameserver; a timed-out or SERVFAIL query is retried
    `retries` times. At most `max_in_flight` queries are on the wire at once.
    """

    def __init__(
        self,
        nameservers: Sequence[tuple[str, int]] | None = None,
        *,
        network: bool = True,
        canary: str | None = DEFAULT_CANARY,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        if timeout <= 0 or retries < 0 or not 1 <= max_in_flight <= MAX_IN_FLIGHT_LIMIT:
            raise ValueError(
                f"timeout must be > 0, retries >= 0 and max_in_flight between 1 and "
                f"{MAX_IN_FLIGHT_LIMIT}"
            )
        self.nameservers = list(nameservers) if nameservers is not None else None
        self.network = network
        self.canary = canary
        self.timeout = timeout
        self.retries = retries
        self.max_in_flight = max_in_flight
        self.in_flight_peak = 0  # most queries on the wire at once during the last check
        self._queries_sent = 0
        self._count_lock = threading.Lock()  # two threads may share a checker

    @property
    def queries_sent(self) -> int:
        """Queries this checker has put on the wire so far: one per UDP datagram or TCP query,
        canary, retries and every nameserver tried included."""
        return self._queries_sent

    @classmethod
    def from_env(
        cls,
        value: str | None,
        *,
        canary: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        max_in_flight: int | None = None,
    ) -> DomainChecker:
        """Build a checker from the raw value of HYGIENE_NAMESERVERS.

        value: None or blank = system resolver; "off" = no network checks; else a comma list of
        ip[:port] (IPv6 as [::1]:5353). A malformed value raises ValueError naming the format.
        canary: a domain, or "off" for none; when not given, HYGIENE_DNS_CANARY from the
        environment, and gmail.com when that is unset or blank.
        max_in_flight: when not given, HYGIENE_DNS_MAX_IN_FLIGHT from the environment, and 512
        when that is unset or blank.
        """
        canary_domain = _parse_canary(canary if canary is not None else os.environ.get(CANARY_ENV))
        if max_in_flight is None:
            max_in_flight = parse_max_in_flight(os.environ.get(MAX_IN_FLIGHT_ENV))
        options = {
            "canary": canary_domain,
            "timeout": timeout,
            "retries": retries,
            "max_in_flight": max_in_flight,
        }
        text = (value or "").strip()
        if not text:
            return cls(None, **options)
        if text.lower() == "off":
            return cls(None, network=False, **options)
        return cls(parse_nameservers(text), **options)

    def __repr__(self) -> str:
        where = "off" if not self.network else self.nameservers or "system resolver"
        return (
            f"DomainChecker({where!r}, canary={self.canary!r}, timeout={self.timeout}, "
            f"retries={self.retries}, max_in_flight={self.max_in_flight})"
        )

    def check(self, domains: Iterable[str]) -> dict[str, DomainVerdict]:
        """One verdict per distinct domain (keys as given); the canary gates negative answers."""
        distinct = list(dict.fromkeys(domains))
        if not distinct:
            return {}
        if not self.network:
            return dict.fromkeys(distinct, NETWORK_OFF)
        try:
            servers, rotate, edns_payload = self._resolver_settings()
        except dns.resolver.NoResolverConfiguration:
            return dict.fromkeys(distinct, _Unavailable("no resolver configured").verdict)

        async def check_all() -> dict[str, DomainVerdict]:
            flight = _Flight(servers, self, rotate=rotate, edns_payload=edns_payload)
            try:
                blocked = await flight.canary_failure(self.canary)
                if blocked is not None:
                    return dict.fromkeys(distinct, blocked)
                return await flight.check_all(distinct)
            finally:
                flight.close()
                with self._count_lock:
                    self._queries_sent += flight.queries
                self.in_flight_peak = flight.peak

        return _run_on_own_loop(check_all)

    def _resolver_settings(self) -> tuple[list[_Server], bool, int | None]:
        """The nameservers, whether to rotate them, and the EDNS payload size (None: no EDNS).

        The system resolver's come from /etc/resolv.conf as dnspython reads it (nameservers,
        `options rotate`, `options edns0`); raises NoResolverConfiguration when it names none.
        """
        if self.nameservers is not None:
            return [_Server.of(ip, port) for ip, port in self.nameservers], False, None
        resolver = dns.resolver.Resolver(configure=True)
        servers = []
        for entry in resolver.nameservers:
            if isinstance(entry, dns.nameserver.Do53Nameserver):
                servers.append(_Server.of(entry.address, entry.port))
            elif isinstance(entry, str):
                servers.append(
                    _Server.of(entry, resolver.nameserver_ports.get(entry, resolver.port))
                )
        if not servers:
            raise dns.resolver.NoResolverConfiguration("no plain DNS nameserver configured")
        edns_payload = max(512, resolver.payload) if resolver.edns >= 0 else None
        return servers, resolver.rotate, edns_payload


@dataclass(frozen=True, slots=True)
class _Server:
    """One nameserver: the address to send to, and the (ip, port) its answers come from."""

    family: int
    sockaddr: tuple[Any, ...]
    source: tuple[str, int]

    @classmethod
    def of(cls, ip: str, port: int) -> _Server:
        family, _, _, _, sockaddr = socket.getaddrinfo(
            ip, port, type=socket.SOCK_DGRAM, flags=socket.AI_NUMERICHOST
        )[0]
        return cls(family, sockaddr, (sockaddr[0], sockaddr[1]))


class _Window:
    """How many queries may be in flight now; see the module docstring for the rules.

    Judged once per round (as many outcomes as the window is wide). `base` is the fastest answer
    seen; window * (1 - base / mean) estimates how many queries waited in a queue somewhere
    rather than travelling. Only real answers are timed: a REFUSED comes back at once and would
    make every later answer look queued. After a cut, the window grows by an eighth a round
    instead of by half, so it stays near the size that was too much instead of hitting it again
    at once.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.floor = min(limit, _WINDOW_MIN)
        self.size = min(limit, _WINDOW_START)
        self._base = float("inf")
        self._cautious = False  # a cut happened: grow slowly
        self._new_round()

    def _new_round(self) -> None:
        self._samples = self._timeouts = self._others = 0
        self._total = 0.0
        self._cut = False

    def answered(self, rtt: float) -> None:
        """A real answer (records, no records, NXDOMAIN) came back after `rtt` seconds."""
        self._base = min(self._base, rtt)
        self._samples += 1
        self._total += rtt
        self._count()

    def failed(self) -> None:
        """An answer that is no answer (SERVFAIL, a broken reply): counts in the round only."""
        self._others += 1
        self._count()

    def timed_out(self) -> None:
        self._timeouts += 1
        self._count()

    def refused(self, in_flight: int) -> bool:
        """A REFUSED answer while `in_flight` queries were out: the resolver may be full.

        Says whether to ask again. Yes when both the window and the queries in flight were above
        the floor, since the refusal may be ours: the window halves (once a round) first. Else
        the refusal is the resolver's word, as the old checker, 32 at a time, took it.
        """
        if self.size <= self.floor or in_flight <= self.floor:
            self.failed()
            return False
        if not self._cut:
            self._shrink(self.size // 2)
        self._others += 1
        self._count()
        return True

    def _shrink(self, size: int) -> None:
        self.size = max(self.floor, size)
        self._cautious = True
        self._cut = True

    def _count(self) -> None:
        if self._samples + self._timeouts + self._others >= self.size:
            self._adjust()

    def _adjust(self) -> None:
        outcomes = self._samples + self._timeouts + self._others
        if self._cut:
            pass  # already cut this round
        elif self._timeouts * 8 > outcomes:  # answers going missing: the resolver drops them
            self._shrink(self.size // 2)
        elif self._samples:
            mean = self._total / self._samples
            queued = self.size * (1 - self._base / mean) if mean > 0 else 0.0
            if queued > _QUEUE_BETA:
                self._shrink(int(self.size - (queued - _QUEUE_BETA) / 2))
            elif queued < _QUEUE_ALPHA:
                step = self.size // 8 if self._cautious else self.size // 2
                self.size = min(self.limit, self.size + max(1, step))
        self._new_round()


class _Flight:
    """One check's queries on the running event loop: sockets, pending queries, the window.

    Queries go out over a few unconnected UDP sockets per address family, each bound to its own
    random port, with a random id; an answer is taken only from the nameserver asked, for the id,
    and with our question (anything else is ignored, as dnspython ignores it). Each socket's
    answers are read in one go when it becomes readable.
    """

    def __init__(
        self,
        servers: list[_Server],
        checker: DomainChecker,
        *,
        rotate: bool,
        edns_payload: int | None,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.servers = servers
        self.timeout = checker.timeout
        self.retries = checker.retries
        self.rotate = rotate
        self.edns_payload = edns_payload
        self.window = _Window(checker.max_in_flight)
        self.sockets_per_family = max(1, min(32, checker.max_in_flight // 16))
        self.queries = 0
        self.in_flight = 0
        self.peak = 0
        self.workers = 0
        # Per family: the sockets, and per socket the queries waiting for an answer by id.
        self._sockets: dict[int, list[tuple[socket.socket, dict[int, _Pending]]]] = {}
        self._ids = _QueryIds()
        self._pick = random.Random(os.urandom(16))  # sockets and server order: no secret
        self._waiting_for_room: collections.deque[asyncio.Future[None]] = collections.deque()

    # -- lookups --------------------------------------------------------------------------

    async def canary_failure(self, canary: str | None) -> DomainVerdict | None:
        """None when the resolver proves it can see the internet, else the verdict for all."""
        if canary is None:
            return None
        try:
            outcome = await self.query(name_wire(canary), TYPE_MX)
        except _Unavailable as unavailable:
            return unavailable.verdict
        except (dns.exception.DNSException, _Unusable):
            outcome = None
        if outcome != FOUND:  # NXDOMAIN, no MX, or only a null MX
            return DomainVerdict(UNKNOWN, f"dns_unreliable: canary {canary} did not resolve")
        return None

    async def check_all(self, distinct: list[str]) -> dict[str, DomainVerdict]:
        """Every domain's verdict, at most `window.size` lookups (so queries) at a time."""
        verdicts: dict[str, DomainVerdict] = {}
        todo = iter(distinct)
        tasks: set[asyncio.Task[None]] = set()
        self._spawn(todo, verdicts, tasks, most=self.window.size)
        while unfinished := [task for task in tasks if not task.done()]:
            done, _ = await asyncio.wait(unfinished, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if task.exception() is not None:
                    for other in tasks:
                        other.cancel()
                    raise task.exception()  # type: ignore[misc]
        return {domain: verdicts[domain] for domain in distinct}

    def _spawn(
        self,
        todo: Iterator[str],
        verdicts: dict[str, DomainVerdict],
        tasks: set[asyncio.Task[None]],
        *,
        most: int = 1,
    ) -> None:
        """Start workers up to the window, `most` at a time: after the first ones, one per
        lookup done, so a grown window fills at twice the pace answers come back instead of in
        one burst that a resolver's socket buffer would drop."""
        for _ in range(min(most, self.window.size - self.workers)):
            self.workers += 1
            tasks.add(self.loop.create_task(self._worker(todo, verdicts, tasks)))

    async def _worker(
        self,
        todo: Iterator[str],
        verdicts: dict[str, DomainVerdict],
        tasks: set[asyncio.Task[None]],
    ) -> None:
        """Look domains up one after another; stop when the window shrank below the workers."""
        try:
            for domain in todo:
                verdicts[domain] = await self.lookup(domain)
                if self.workers > self.window.size:
                    return
                self._spawn(todo, verdicts, tasks)
        finally:
            self.workers -= 1

    async def lookup(self, domain: str) -> DomainVerdict:
        """MX, then A, then AAAA, as RFC 5321's implicit MX rule reads them."""
        try:
            qname = name_wire(domain)
            outcome = await self.query(qname, TYPE_MX)
            if outcome == NXDOMAIN:
                return DomainVerdict(UNDELIVERABLE, "domain_not_found")
            if outcome == FOUND:
                return DomainVerdict(DELIVERABLE, "mx")
            if outcome == NULL_MX:
                return DomainVerdict(UNDELIVERABLE, "null_mx")
            for rdtype, label in ((TYPE_A, "a"), (TYPE_AAAA, "aaaa")):
                outcome = await self.query(qname, rdtype)
                if outcome == NXDOMAIN:
                    return DomainVerdict(UNDELIVERABLE, "domain_not_found")
                if outcome != NO_ANSWER:
                    return DomainVerdict(DELIVERABLE, label)
            return DomainVerdict(UNDELIVERABLE, "no_mail_host")
        except (_Unavailable, _Unusable) as failure:
            return failure.verdict
        except dns.exception.DNSException as error:  # malformed name and the like
            return DomainVerdict(UNKNOWN, f"dns_unavailable: {type(error).__name__}")

    async def query(self, qname: bytes, rdtype: int) -> int:
        """FOUND, NULL_MX, NO_ANSWER or NXDOMAIN; raises _Unavailable or _Unusable.

        One attempt asks each nameserver in turn until one answers; a nameserver that fails
        (SERVFAIL, REFUSED, a broken answer) or times out hands over to the next. An attempt in
        which every nameserver failed is repeated `retries` times; the last one's failure names
        the verdict: "timeout" when any nameserver timed out, else "servfail".
        """
        question = qname.lower() + struct.pack("!HH", rdtype, CLASS_IN)
        why = "servfail"
        for _ in range(self.retries + 1):
            servers = self.servers
            if self.rotate:
                servers = self._pick.sample(servers, len(servers))
            why = "servfail"
            for server in servers:
                outcome = await self.ask_patiently(server, qname, question, rdtype)
                if outcome in (FOUND, NULL_MX, NO_ANSWER, NXDOMAIN):
                    return outcome
                if outcome == YXDOMAIN:
                    raise _Unusable("YXDOMAIN")
                if outcome == _TIMEOUT:
                    why = "timeout"
        raise _Unavailable(why)

    # -- the wire -------------------------------------------------------------------------

    async def ask_patiently(
        self, server: _Server, qname: bytes, question: bytes, rdtype: int
    ) -> int:
        """`ask`, over TCP after a truncated answer, and again after a REFUSED that our own
        number of queries may have caused (the window shrinks first; see `_Window.refused`).

        dnsmasq (and Pi-hole) answer REFUSED at once when they already forward their maximum
        (150 by default): taken as the nameserver's final word, that would turn a busy moment
        met. A REFUSED is final, as it was, when the window is at its floor or few queries are
        open.
        """
        while True:
            outcome = await self.ask(server, qname, question, rdtype)
            if outcome == TRUNCATED:
                outcome = await self.ask_tcp(server, qname, question, rdtype)
            if outcome != REFUSED or not self.window.refused(self.in_flight + 1):
                return FAILED if outcome == REFUSED else outcome

    async def ask(self, server: _Server, qname: bytes, question: bytes, rdtype: int) -> int:
        """One UDP query to one nameserver: a dns_wire outcome, or _TIMEOUT."""
        while self.in_flight >= self.window.size:  # only after the window shrank
            room: asyncio.Future[None] = self.loop.create_future()
            self._waiting_for_room.append(room)
            await room
        try:
            sock, pending = self._socket(server.family)
        except OSError:  # no IPv6 on this machine and the like: dnspython dropped it too
            return FAILED
        query_id = self._ids.next()
        while query_id in pending:
            query_id = self._ids.next()
        answer: asyncio.Future[int] = self.loop.create_future()
        waiting = pending[query_id] = _Pending(answer, server.source, question, rdtype)
        data = build_query(query_id, qname, rdtype, self.edns_payload)
        self._sent()
        started = self.loop.time()
        try:
            try:
                sock.sendto(data, server.sockaddr)
            except BlockingIOError:  # the socket's send buffer is full: wait for room
                await self.loop.sock_sendto(sock, data, server.sockaddr)
        except OSError:  # no route to the nameserver and the like: dnspython dropped it too
            del pending[query_id]
            self._landed()
            return FAILED
        timer = self.loop.call_later(self.timeout, _expire, pending, query_id, answer)
        try:
            outcome = await answer
        finally:
            timer.cancel()
            # The id may already serve a newer query (freed when the answer came): not ours.
            if pending.get(query_id) is waiting:
                del pending[query_id]
            self._landed()
        if outcome == _TIMEOUT:
            self.window.timed_out()
        elif outcome in (FOUND, NULL_MX, NO_ANSWER, NXDOMAIN):
            self.window.answered(self.loop.time() - started)
        elif outcome != REFUSED:  # refusals are judged by `ask_patiently`
            self.window.failed()
        return outcome

    async def ask_tcp(self, server: _Server, qname: bytes, question: bytes, rdtype: int) -> int:
        """The same query over TCP after a truncated UDP answer (one query, `timeout` in all)."""
        query_id = self._ids.next()
        data = build_query(query_id, qname, rdtype, self.edns_payload)
        self._sent()
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(*server.sockaddr[:2])
                try:
                    writer.write(len(data).to_bytes(2, "big") + data)
                    await writer.drain()
                    size = int.from_bytes(await reader.readexactly(2), "big")
                    reply = await reader.readexactly(size)
                finally:
                    writer.close()
        except TimeoutError:
            return _TIMEOUT
        except (OSError, asyncio.IncompleteReadError):
            return FAILED
        finally:
            self._landed()
        outcome = read_reply(reply, question, rdtype) if reply_id(reply) == query_id else None
        # Over TCP a reply that is not ours, or truncated again, means a broken nameserver.
        return FAILED if outcome is None or outcome == TRUNCATED else outcome

    def _sent(self) -> None:
        self.queries += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)

    def _landed(self) -> None:
        """A query is no longer in flight: let a query waiting for room go."""
        self.in_flight -= 1
        while self._waiting_for_room and self.in_flight < self.window.size:
            room = self._waiting_for_room.popleft()
            if not room.done():
                room.set_result(None)
                break

    def _socket(self, family: int) -> tuple[socket.socket, dict[int, _Pending]]:
        """A random socket of the family's pool (made on first use), and its pending queries."""
        pool = self._sockets.get(family)
        if pool is None:
            pool = []
            try:
                for _ in range(self.sockets_per_family):
                    sock = socket.socket(family, socket.SOCK_DGRAM)
                    pool.append((sock, {}))
                    sock.setblocking(False)
                    sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
            except OSError:
                for sock, _ in pool:
                    sock.close()
                raise
            for sock, pending in pool:
                self.loop.add_reader(sock.fileno(), _read_answers, sock, pending)
            self._sockets[family] = pool
        return pool[self._pick.randrange(len(pool))]

    def close(self) -> None:
        for pool in self._sockets.values():
            for sock, _ in pool:
                self.loop.remove_reader(sock.fileno())
                sock.close()
        self._sockets.clear()


class _QueryIds:
    """Unpredictable 16-bit query ids, so an off-path answer cannot guess one (the reason the
    sockets' ports are random too): drawn from the OS 2,048 at a time, since one getrandom call
    per query cost a quarter of the lookups' Python time."""

    def __init__(self) -> None:
        self._ids: list[int] = []

    def next(self) -> int:
        if not self._ids:
            block = os.urandom(4096)
            self._ids = [int.from_bytes(block[i : i + 2], "big") for i in range(0, 4096, 2)]
        return self._ids.pop()


@dataclass(slots=True)
class _Pending:
    """A query waiting for its answer: the nameserver asked, and what the answer must match."""

    answer: asyncio.Future[int]
    source: tuple[str, int]
    question: bytes
    rdtype: int


def _read_answers(sock: socket.socket, pending: dict[int, _Pending]) -> None:
    """Every datagram waiting on `sock`: each one that answers a pending query resolves it."""
    for _ in range(1024):  # then let the loop run other callbacks
        try:
            data, source = sock.recvfrom(65535)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionResetError:  # Windows: an ICMP error for an earlier datagram
            continue
        except OSError:
            return
        query_id = reply_id(data)
        waiting = pending.get(query_id) if query_id is not None else None
        if waiting is None or waiting.answer.done():
            continue
        if source[0] != waiting.source[0] or source[1] != waiting.source[1]:
            continue
        outcome = read_reply(data, waiting.question, waiting.rdtype)
        if outcome is not None:
            del pending[query_id]
            waiting.answer.set_result(outcome)


def _expire(pending: dict[int, _Pending], query_id: int, answer: asyncio.Future[int]) -> None:
    waiting = pending.get(query_id)
    if waiting is not None and waiting.answer is answer:
        del pending[query_id]
    if not answer.done():
        answer.set_result(_TIMEOUT)


_T = TypeVar("_T")


def _run_on_own_loop(main: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run `main()` on a new selector event loop, in a helper thread when this one has a loop.

    A selector loop because the checker reads its sockets when they become readable
    (`add_reader`), which Windows' default proactor loop does not offer; a thread because
    `check` is a plain function that a notebook or an async caller may call from inside a loop.
    """

    def run() -> _T:
        with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
            return runner.run(main())

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


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


def parse_max_in_flight(value: str | None) -> int:
    """HYGIENE_DNS_MAX_IN_FLIGHT as a number: unset or blank = 512.

    Anything but a whole number from 1 to 4096 raises ValueError naming the variable, so a typo
    fails the run instead of flooding a resolver or crawling at one query at a time.
    """
    text = (value or "").strip()
    if not text:
        return DEFAULT_MAX_IN_FLIGHT
    if not text.isdigit() or not 1 <= int(text) <= MAX_IN_FLIGHT_LIMIT:
        raise ValueError(
            f"{MAX_IN_FLIGHT_ENV} must be a whole number of queries from 1 to "
            f"{MAX_IN_FLIGHT_LIMIT}, got {text!r}"
        )
    return int(text)


def checker_from_environ(
    environ: Mapping[str, str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> DomainChecker:
    """`DomainChecker.from_env` fed from HYGIENE_NAMESERVERS, HYGIENE_DNS_CANARY and
    HYGIENE_DNS_MAX_IN_FLIGHT."""
    env = os.environ if environ is None else environ
    return DomainChecker.from_env(
        env.get(NAMESERVERS_ENV),
        canary=env.get(CANARY_ENV),
        timeout=timeout,
        retries=retries,
        max_in_flight=parse_max_in_flight(env.get(MAX_IN_FLIGHT_ENV)),
    )
