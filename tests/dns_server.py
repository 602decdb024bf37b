"""Real DNS servers for tests: dnsmasq with a given zone, two broken servers, a slow forwarder.

Tests talk to a real resolver path (UDP sockets) instead of mocks, because the interesting
failures (timeouts, SERVFAIL, NXDOMAIN from a resolver without internet) live in that path.
dnsmasq is required: a missing binary is a test failure with an install hint, never a skip.

dnsmasq logs every query it receives, so `Dnsmasq.queries()` counts what a client really sent
(the DNS cache tests and the benchmark rely on it). `dnsmasq_cluster` serves zones too large for
one instance (benchmarks/validation_dns.py). `delaying_forwarder` puts latency in front of any of
them: a resolver 40 ms away, measured on every change (benchmarks/dns_throughput.py).

Run as a script (`python tests/dns_server.py forward 127.0.0.1:PORT --delay-ms 40`) it is that
forwarder alone; `delaying_forwarder` starts it that way, in its own process, so the forwarder's
Python never competes with the client it measures for one interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

DNSMASQ_CANDIDATES = ("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq")
_PROBE = "readiness-probe.invalid"  # our own queries: never counted
_MARKER_SUFFIX = ".log-marker.invalid"
_LOGGED_QUERY = re.compile(r"query\[(?P<type>[A-Z0-9]+)\] (?P<name>\S+) from ")
_markers = itertools.count()
# Queries the delaying forwarder has out to its upstream at once: under dnsmasq's 150 concurrent
# forwarded queries and the ~200 datagrams its socket buffer holds.
UPSTREAM_LIMIT = 100


class DnsmasqUnavailable(RuntimeError):
    """dnsmasq is not installed or would not start."""


def find_dnsmasq() -> str:
    """Path of the dnsmasq binary, or DnsmasqUnavailable with an install hint."""
    found = shutil.which("dnsmasq") or next(
        (path for path in DNSMASQ_CANDIDATES if Path(path).exists()), None
    )
    if found is None:
        raise DnsmasqUnavailable(
            "dnsmasq is required by the DNS tests but was not found on PATH or in "
            f"{DNSMASQ_CANDIDATES}; install it (Debian/Ubuntu: apt-get install dnsmasq-base)"
        )
    return found


def _free_port() -> int:
    """A port that is free for both UDP and TCP on 127.0.0.1 (dnsmasq binds both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port for UDP and TCP on 127.0.0.1")


def _answers(port: int) -> bool:
    query = dns.message.make_query(_PROBE, "A")
    try:
        dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
    except (dns.exception.Timeout, OSError):
        return False
    return True


@dataclass
class Dnsmasq:
    """A running dnsmasq: its "127.0.0.1:PORT" and its query log."""

    address: str
    log_path: Path

    def queries(self) -> list[tuple[str, str]]:
        """(name, type) of every query received so far, in order; our own probes left out.

        First sends a marker query and waits for it in the log: dnsmasq handles one packet at a
        time, so once the marker is logged, every query received before it is logged too.
        """
        marker = f"m{next(_markers)}{_MARKER_SUFFIX}"
        ip, _, port = self.address.rpartition(":")
        deadline = time.monotonic() + 5
        while True:
            with contextlib.suppress(dns.exception.Timeout, OSError):
                dns.query.udp(dns.message.make_query(marker, "A"), ip, port=int(port), timeout=0.5)
            logged = self.log_path.read_text(errors="replace")
            if f"] {marker} from " in logged:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"dnsmasq at {self.address} did not log the marker query")
        return [
            (match["name"], match["type"])
            for match in _LOGGED_QUERY.finditer(logged)
            if match["name"] != _PROBE and not match["name"].endswith(_MARKER_SUFFIX)
        ]


@contextlib.contextmanager
def dnsmasq(zone: Iterable[str], *, startup_timeout: float = 5.0) -> Iterator[str]:
    """Run dnsmasq on 127.0.0.1 at a free high port with `zone` (dnsmasq.conf lines).

    Every name not in the zone is answered NXDOMAIN (`--local=/#/`), like a resolver on a
    machine without internet. Yields "127.0.0.1:PORT" (HYGIENE_NAMESERVERS syntax).
    """
    with dnsmasq_server(zone, startup_timeout=startup_timeout) as server:
        yield server.address


@contextlib.contextmanager
def dnsmasq_server(
    zone: Iterable[str], *, startup_timeout: float = 5.0, log_queries: bool = True
) -> Iterator[Dnsmasq]:
    """`dnsmasq`, yielding the server itself so a test can read which queries it received
    (unless `log_queries` is off: then `queries()` sees none)."""
    binary = find_dnsmasq()
    with tempfile.TemporaryDirectory(prefix="dnsmasq-") as workdir:
        conf = Path(workdir, "zone.conf")
        conf.write_text("\n".join(zone) + "\n", encoding="utf-8")
        log_path = Path(workdir, "dnsmasq.log")
        for _ in range(5):  # another process may grab the port between probe and bind
            port = _free_port()
            command = [
                binary,
                "--no-daemon",
                "--no-resolv",
                "--no-hosts",
                "--pid-file=",  # never touch the system's pid file
                f"--port={port}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--local=/#/",
                f"--conf-file={conf}",
                "--log-facility=-",
                *(["--log-queries"] if log_queries else []),
            ]
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
                )
            deadline = time.monotonic() + startup_timeout
            while process.poll() is None and time.monotonic() < deadline:
                if _answers(port):
                    break
            if process.poll() is None and _answers(port):
                break
            _stop(process)
            output = log_path.read_text(errors="replace")
            if "Address already in use" not in output:
                raise DnsmasqUnavailable(f"dnsmasq did not start: {command}\n{output}")
        else:
            raise DnsmasqUnavailable("dnsmasq could not bind a free port in 5 attempts")
        try:
            yield Dnsmasq(address=f"127.0.0.1:{port}", log_path=log_path)
        finally:
            _stop(process)


@contextlib.contextmanager
def dnsmasq_cluster(
    records: Mapping[str, Sequence[str]],
    *,
    front: Iterable[str] = (),
    shards: int = 16,
    log_queries: bool = True,
) -> Iterator[Dnsmasq]:
    """dnsmasq for a zone too large for one instance: a front forwarding to `shards` backs.

    dnsmasq scans its mx-host list linearly on every query: with 50,000 MX records one instance
    answers about 1,700 queries a second, far slower than any real resolver. Here each back
    serves the records of 1/`shards` of the domains (chosen by a hash of the name), and the
    front sends each domain to its back through a `server=/domain/` line, which dnsmasq finds
    by a sorted lookup. Names in no record get NXDOMAIN from the front.

    records: per domain, its dnsmasq.conf lines (mx-host=..., host-record=...).
    front: extra lines for the front itself (the canary, forward_line()s).
    log_queries: whether the front logs each query (`Dnsmasq.queries`); writing the log costs
    it a good part of its time, so a throughput benchmark turns it off. The backs never log.
    Yields the front.
    """
    if shards < 1:
        raise ValueError("shards must be >= 1")
    parts: list[list[str]] = [[] for _ in range(shards)]
    for domain in records:
        parts[zlib.crc32(domain.encode()) % shards].append(domain)
    with contextlib.ExitStack() as stack:
        front_zone = list(front)
        for names in parts:
            if not names:
                continue
            lines = [line for name in names for line in records[name]]
            back = stack.enter_context(dnsmasq_server(lines, log_queries=False)).address
            front_zone += [forward_line(name, back) for name in names]
        yield stack.enter_context(dnsmasq_server(front_zone, log_queries=log_queries))


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class UdpServer:
    """A toy nameserver: its "ip:port" and the (name, type) of every query it received."""

    address: str
    queries: list[tuple[str, str]] = field(default_factory=list)


@contextlib.contextmanager
def _udp_server(reply: Callable[[dns.message.Message], bytes | None]) -> Iterator[UdpServer]:
    """A UDP server on 127.0.0.1 answering each query with reply(query), if not None."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    server = UdpServer(address=f"127.0.0.1:{sock.getsockname()[1]}")
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                data, peer = sock.recvfrom(4096)
                query = dns.message.from_wire(data)
            except TimeoutError:
                continue
            except dns.exception.DNSException:
                continue
            except OSError:
                return
            question = query.question[0]
            server.queries.append((question.name.to_text(), dns.rdatatype.to_text(question.rdtype)))
            answer = reply(query)
            if answer is not None:
                sock.sendto(answer, peer)

    thread = threading.Thread(target=serve, name="test-udp-dns", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stopping.set()
        thread.join(timeout=2)
        sock.close()


def silent_server() -> contextlib.AbstractContextManager[UdpServer]:
    """A nameserver that reads every query and never replies: clients time out."""
    return _udp_server(lambda _query: None)


def _answering(rcode: dns.rcode.Rcode) -> Callable[[dns.message.Message], bytes]:
    """Every query answered with `rcode` and no records."""

    def answer(query: dns.message.Message) -> bytes:
        response = dns.message.make_response(query)
        response.set_rcode(rcode)
        return response.to_wire()

    return answer


def servfail_server() -> contextlib.AbstractContextManager[UdpServer]:
    """A nameserver that answers SERVFAIL to everything, like a broken upstream."""
    return _udp_server(_answering(dns.rcode.SERVFAIL))


def refusing_server() -> contextlib.AbstractContextManager[UdpServer]:
    """A nameserver that answers REFUSED to everything, like a resolver closed to us."""
    return _udp_server(_answering(dns.rcode.REFUSED))


@contextlib.contextmanager
def truncating_server() -> Iterator[UdpServer]:
    """A nameserver whose UDP answers are all truncated (TC, no records); over TCP, on the same
    port, it answers MX queries with "10 mx.<name>" and others with no records.

    `queries` records (name, type) per UDP query and (name, "TCP " + type) per TCP query.
    """

    def full_answer(query: dns.message.Message) -> bytes:
        response = dns.message.make_response(query)
        question = query.question[0]
        if question.rdtype == dns.rdatatype.MX:
            exchange = f"10 mx.{question.name.to_text()}"
            response.answer.append(dns.rrset.from_text(question.name, 300, "IN", "MX", exchange))
        return response.to_wire()

    def truncated(query: dns.message.Message) -> bytes:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.TC
        return response.to_wire()

    with _udp_server(truncated) as server:
        port = int(server.address.rpartition(":")[2])
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(16)
        listener.settimeout(0.1)
        stopping = threading.Event()

        def serve() -> None:
            while not stopping.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                with connection:
                    connection.settimeout(2)
                    with contextlib.suppress(OSError, EOFError, dns.exception.DNSException):
                        size = int.from_bytes(_read_exactly(connection, 2), "big")
                        query = dns.message.from_wire(_read_exactly(connection, size))
                        question = query.question[0]
                        rdtype = dns.rdatatype.to_text(question.rdtype)
                        server.queries.append((question.name.to_text(), f"TCP {rdtype}"))
                        answer = full_answer(query)
                        connection.sendall(len(answer).to_bytes(2, "big") + answer)

        thread = threading.Thread(target=serve, name="test-tcp-dns", daemon=True)
        thread.start()
        try:
            yield server
        finally:
            stopping.set()
            thread.join(timeout=2)
            listener.close()


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


@dataclass
class Forwarder:
    """A running `delaying_forwarder`: its "127.0.0.1:PORT", and its counts on demand."""

    address: str
    process: subprocess.Popen[str]

    def stats(self) -> dict[str, int]:
        """Counts so far: received (queries from clients), forwarded, answered (to clients),
        dropped (over `capacity`), and held (forwarded, not answered yet)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())


@contextlib.contextmanager
def delaying_forwarder(
    upstream: str,
    *,
    delay_ms: float,
    capacity: int | None = None,
    upstream_limit: int = UPSTREAM_LIMIT,
) -> Iterator[Forwarder]:
    """A DNS forwarder on 127.0.0.1 at a free port that holds every answer `delay_ms` ms.

    Queries go on to `upstream` ("ip:port", e.g. a dnsmasq), at most `upstream_limit` at a time
    (the others wait their turn here, as a recursive resolver bounds its own outgoing queries);
    each answer then waits `delay_ms` before it goes back, so a client sees the upstream's answers
    as if it were that far away. Without the limit, the answers released together after the delay
    come back as bursts of new queries that overflow dnsmasq's socket buffer (about 200
    datagrams). `capacity`, when given, makes it a small resolver: a query that arrives while
    `capacity` others are waiting, forwarded or held is dropped, as a full resolver drops it.
    UDP only. Runs in its own process (see the module docstring); yields a `Forwarder`.
    """
    command = [sys.executable, __file__, "forward", upstream, "--delay-ms", str(delay_ms)]
    command += ["--upstream-limit", str(upstream_limit)]
    if capacity is not None:
        command += ["--capacity", str(capacity)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        if not address:
            raise RuntimeError(f"the delaying forwarder did not start: {command}")
        yield Forwarder(address=address, process=process)
    finally:
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()  # the forwarder stops when its stdin closes
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class _Forwarding:
    """The forwarder's work on one selector event loop (see `delaying_forwarder`).

    Each query goes upstream from one of a few sockets with a fresh id, which maps the answer
    back to the client and its own id; answers are read in batches when a socket is readable.
    Queries the upstream never answers are forgotten after 30 s.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        upstream: tuple[str, int],
        delay: float,
        capacity: int | None,
        upstream_limit: int,
    ) -> None:
        self.loop = loop
        self.delay = delay
        self.capacity = capacity
        self.upstream_limit = upstream_limit
        self.upstream_busy = 0  # forwarded, no answer from upstream yet
        self.queue: collections.deque[tuple[bytes, Any]] = collections.deque()
        self.counts = dict.fromkeys(("received", "forwarded", "answered", "dropped"), 0)
        self.held = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # Room for a burst of hundreds of queries while this process is busy elsewhere.
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.setblocking(False)
        loop.add_reader(self.listener.fileno(), self._read_queries)
        self.upstreams: list[tuple[socket.socket, dict[int, tuple[Any, bytes, float]]]] = []
        for _ in range(16):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.connect(upstream)
            sock.setblocking(False)
            waiting: dict[int, tuple[Any, bytes, float]] = {}
            loop.add_reader(sock.fileno(), self._read_answers, sock, waiting)
            self.upstreams.append((sock, waiting))
        loop.call_later(1.0, self._forget_lost)

    @property
    def address(self) -> str:
        ip, port = self.listener.getsockname()
        return f"{ip}:{port}"

    def stats(self) -> dict[str, int]:
        return {**self.counts, "held": self.held}

    def _read_queries(self) -> None:
        for _ in range(1024):
            try:
                data, client = self.listener.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                break
            if len(data) < 12:
                continue
            self.counts["received"] += 1
            if self.capacity is not None and self.held >= self.capacity:
                self.counts["dropped"] += 1
                continue
            self.held += 1
            self.queue.append((data, client))
        self._forward()

    def _forward(self) -> None:
        while self.queue and self.upstream_busy < self.upstream_limit:
            data, client = self.queue.popleft()
            sock, waiting = random.choice(self.upstreams)
            new_id = random.getrandbits(16)
            while new_id in waiting:
                new_id = random.getrandbits(16)
            try:
                sock.send(new_id.to_bytes(2, "big") + data[2:])
            except OSError:
                self.held -= 1
                continue
            waiting[new_id] = (client, data[:2], self.loop.time())
            self.upstream_busy += 1
            self.counts["forwarded"] += 1

    def _read_answers(self, sock: socket.socket, waiting: dict[int, Any]) -> None:
        for _ in range(1024):
            try:
                data = sock.recv(65535)
            except (BlockingIOError, InterruptedError, ConnectionRefusedError):
                break
            entry = waiting.pop(int.from_bytes(data[:2], "big"), None) if len(data) >= 12 else None
            if entry is None:
                continue
            self.upstream_busy -= 1
            client, client_id, _ = entry
            self.loop.call_later(self.delay, self._answer, client_id + data[2:], client)
        self._forward()

    def _answer(self, reply: bytes, client: Any) -> None:
        self.held -= 1
        with contextlib.suppress(OSError):
            self.listener.sendto(reply, client)
            self.counts["answered"] += 1

    def _forget_lost(self) -> None:
        too_old = self.loop.time() - 30
        for _, waiting in self.upstreams:
            for key in [key for key, (_, _, sent) in waiting.items() if sent < too_old]:
                del waiting[key]
                self.held -= 1
                self.upstream_busy -= 1
        self._forward()
        self.loop.call_later(1.0, self._forget_lost)


def _serve_forwarder(
    upstream: str, delay_ms: float, capacity: int | None, upstream_limit: int
) -> None:
    """The forwarder process: prints its address, answers "stats" on stdin, stops at EOF."""
    ip, _, port = upstream.rpartition(":")
    loop = asyncio.SelectorEventLoop()
    stopped = loop.create_future()
    forwarding = _Forwarding(loop, (ip, int(port)), delay_ms / 1000, capacity, upstream_limit)

    def command() -> None:
        line = sys.stdin.readline()
        if not line:
            loop.remove_reader(sys.stdin.fileno())
            stopped.set_result(None)
        elif line.strip() == "stats":
            print(json.dumps(forwarding.stats()), flush=True)

    loop.add_reader(sys.stdin.fileno(), command)
    print(forwarding.address, flush=True)
    loop.run_until_complete(stopped)
    loop.close()


def forward_line(domain: str, address: str) -> str:
    """dnsmasq line sending queries for `domain` to `address` ("ip:port")."""
    ip, _, port = address.rpartition(":")
    return f"server=/{domain}/{ip}#{port}"


# The shared test zone. Domains are invented; gmail.com is the resolver canary.
TEST_ZONE: tuple[str, ...] = (
    "mx-host=gmail.com,mx.gmail.com,10",  # the canary; also a free-mail provider
    "mx-host=hotmail.com,mx.hotmail.com,10",
    "mx-host=gmx.de,mx.gmx.de,10",
    "mx-host=mailinator.com,mx.mailinator.com,10",  # disposable, but it does accept mail
    "mx-host=wegwerp.mailinator.com,mx.mailinator.com,10",  # a disposable subdomain
    "mx-host=outlok.com,mx.outlok.com,10",  # a typo domain someone registered, with mail
    "mx-host=kaasmakerij-vlasbloem.nl,mx1.kaasmakerij-vlasbloem.nl,10",
    "mx-host=kaasmakerij-vlasbloem.nl,mx2.kaasmakerij-vlasbloem.nl,20",
    "mx-host=boulangerie-bourdillat.fr,mail.boulangerie-bourdillat.fr,10",
    "mx-host=stahlbau-kettenreiter.de,mx.stahlbau-kettenreiter.de,10",
    "mx-host=elaiourgeio-papadakou.gr,mail.elaiourgeio-papadakou.gr,10",
    "mx-host=brouwerij-ruigewaard.be,mx.brouwerij-ruigewaard.be,10",
    "mx-host=post.brouwerij-ruigewaard.be,mx.brouwerij-ruigewaard.be,10",  # a mail subdomain
    "mx-host=xn--mller-bau-q9a.de,mx.xn--mller-bau-q9a.de,10",  # müller-bau.de
    "host-record=alleen-web.nl,192.0.2.10",  # A only: mail goes to the A record (implicit MX)
    "host-record=v6-only.de,2001:db8::25",  # AAAA only
    "mx-host=nullmx-winkel.nl,.,0",  # RFC 7505 null MX: the domain says it takes no mail
    "host-record=nullmx-winkel.nl,192.0.2.11",  # a web site, but no mail
    "txt-record=geen-mail.nl,v=spf1 -all",  # exists, but no MX, A or AAAA
    "mx-host=example.com,.,0",  # as IANA publishes it: a null MX
)


def main() -> int:
    parser = argparse.ArgumentParser(description="A DNS forwarder that delays every answer.")
    sub = parser.add_subparsers(dest="command", required=True)
    forward = sub.add_parser("forward", help="forward to UPSTREAM (ip:port), answers held")
    forward.add_argument("upstream")
    forward.add_argument("--delay-ms", type=float, default=40.0)
    forward.add_argument("--capacity", type=int, default=None)
    forward.add_argument("--upstream-limit", type=int, default=UPSTREAM_LIMIT)
    args = parser.parse_args()
    _serve_forwarder(args.upstream, args.delay_ms, args.capacity, args.upstream_limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
