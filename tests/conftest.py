"""Shared fixtures: real local DNS servers (see tests/dns_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.dns_server import (
    TEST_ZONE,
    Dnsmasq,
    DnsmasqUnavailable,
    dnsmasq_server,
    find_dnsmasq,
    forward_line,
    servfail_server,
    silent_server,
)


@pytest.fixture(scope="session")
def silent_dns() -> Iterator[str]:
    """'127.0.0.1:PORT' of a nameserver that never answers."""
    with silent_server() as server:
        yield server.address


@pytest.fixture(scope="session")
def servfail_dns() -> Iterator[str]:
    """'127.0.0.1:PORT' of a nameserver that answers SERVFAIL to everything."""
    with servfail_server() as server:
        yield server.address


@pytest.fixture(scope="session")
def dns_zone(silent_dns: str, servfail_dns: str) -> Iterator[Dnsmasq]:
    """dnsmasq serving TEST_ZONE, NXDOMAIN for everything else; its log counts the queries.

    Queries for traag-dns.nl go to the silent server (timeout), kapot-dns.nl to the SERVFAIL one.
    """
    zone = [
        *TEST_ZONE,
        forward_line("traag-dns.nl", silent_dns),
        forward_line("kapot-dns.nl", servfail_dns),
    ]
    try:
        find_dnsmasq()
    except DnsmasqUnavailable as error:
        missing = str(error)
    else:
        missing = None
    if missing:  # fail, never skip: CI installs dnsmasq
        pytest.fail(missing, pytrace=False)
    with dnsmasq_server(zone) as server:
        yield server


@pytest.fixture(scope="session")
def dns_server(dns_zone: Dnsmasq) -> str:
    """'127.0.0.1:PORT' of the `dns_zone` dnsmasq."""
    return dns_zone.address
