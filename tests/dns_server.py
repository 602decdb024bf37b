"""Real DNS servers for tests: dnsmasq with a given zone, and two broken servers.

Tests talk to a real resolver path (UDP, dnspython) instead of mocks, because the interesting
failures (timeouts, SERVFAIL, NXDOMAIN from a resolver without internet) live in that path.
dnsmasq is required: a missing binary is a test failure with an install hint, never a skip.

dnsmasq logs every query it receives, so `Dnsmasq.queries()` counts what a client really sent
(the DNS cache tests and the benchmark rely on it). `dnsmasq_cluster` serves zones too large for
one instance (benchmarks/validation_dns.py).
"""

from __future__ import annotations

import contextlib
import itertools
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

DNSMASQ_CANDIDATES = ("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq")
_PROBE = "readiness-probe.invalid"  # our own queries: never counted
_MARKER_SUFFIX = ".log-marker.invalid"
_LOGGED_QUERY = re.compile(r"query\[(?P<type>[A-Z0-9]+)\] (?P<name>\S+) from ")
_markers = itertools.count()


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
def dnsmasq_server(zone: Iterable[str], *, startup_timeout: float = 5.0) -> Iterator[Dnsmasq]:
    """`dnsmasq`, yielding the server itself so a test can read which queries it received."""
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
                "--log-queries",
                "--log-facility=-",
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
    records: Mapping[str, Sequence[str]], *, front: Iterable[str] = (), shards: int = 16
) -> Iterator[Dnsmasq]:
    """dnsmasq for a zone too large for one instance: a front forwarding to `shards` backs.

    dnsmasq scans its mx-host list linearly on every query: with 50,000 MX records one instance
    answers about 1,700 queries a second, far slower than any real resolver. Here each back
    serves the records of 1/`shards` of the domains (chosen by a hash of the name), and the
    front sends each domain to its back through a `server=/domain/` line, which dnsmasq finds
    by a sorted lookup. Names in no record get NXDOMAIN from the front.

    records: per domain, its dnsmasq.conf lines (mx-host=..., host-record=...).
    front: extra lines for the front itself (the canary, forward_line()s).
    Yields the front; its log holds every query the client sent.
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
            back = stack.enter_context(dnsmasq(lines))
            front_zone += [forward_line(name, back) for name in names]
        yield stack.enter_context(dnsmasq_server(front_zone))


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


def _servfail(query: dns.message.Message) -> bytes:
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.SERVFAIL)
    return response.to_wire()


def servfail_server() -> contextlib.AbstractContextManager[UdpServer]:
    """A nameserver that answers SERVFAIL to everything, like a broken upstream."""
    return _udp_server(_servfail)


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
