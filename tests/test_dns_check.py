"""DomainChecker against real nameservers: dnsmasq, a silent server and a SERVFAIL server."""

from __future__ import annotations

import time

import dns.resolver
import pytest

from hygiene_pipeline.validate.dns_check import (
    DELIVERABLE,
    UNDELIVERABLE,
    UNKNOWN,
    DomainChecker,
    DomainVerdict,
    checker_from_environ,
    parse_nameservers,
)
from tests.dns_server import TEST_ZONE, dnsmasq, dnsmasq_cluster, servfail_server, silent_server

FAST = {"timeout": 0.3, "retries": 1}
CANARY_MISSING = "dns_unreliable: canary gmail.com did not resolve"


@pytest.fixture(autouse=True)
def _default_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests rely on the default canary, whatever the developer's environment says."""
    monkeypatch.delenv("HYGIENE_DNS_CANARY", raising=False)


@pytest.mark.parametrize(
    ("domain", "status", "detail"),
    [
        ("gmail.com", DELIVERABLE, "mx"),
        ("kaasmakerij-vlasbloem.nl", DELIVERABLE, "mx"),  # two MX records
        ("boulangerie-bourdillat.fr", DELIVERABLE, "mx"),
        ("xn--mller-bau-q9a.de", DELIVERABLE, "mx"),  # IDN, as e-mail-validator hands it over
        ("müller-bau.de", DELIVERABLE, "mx"),  # the same domain in Unicode
        ("alleen-web.nl", DELIVERABLE, "a"),  # no MX: the A record is the implicit MX
        ("v6-only.de", DELIVERABLE, "aaaa"),
        ("nullmx-winkel.nl", UNDELIVERABLE, "null_mx"),  # even though it has an A record
        ("geen-mail.nl", UNDELIVERABLE, "no_mail_host"),  # exists (TXT) but no mail host
        ("bestaat-niet-bakkerij.nl", UNDELIVERABLE, "domain_not_found"),
        ("traag-dns.nl", UNKNOWN, "dns_unavailable: timeout"),  # upstream never answers
        ("kapot-dns.nl", UNKNOWN, "dns_unavailable: servfail"),  # upstream says SERVFAIL
    ],
)
def test_verdicts_from_dnsmasq(dns_server: str, domain: str, status: str, detail: str) -> None:
    verdict = DomainChecker.from_env(dns_server, **FAST).check([domain])[domain]
    assert verdict == DomainVerdict(status, detail)


def test_reason_is_none_only_for_deliverable() -> None:
    assert DomainVerdict(DELIVERABLE, "mx").reason is None
    assert DomainVerdict(UNDELIVERABLE, "null_mx").reason == "null_mx"
    assert DomainVerdict(UNKNOWN, "dns_unavailable: timeout").reason == "dns_unavailable: timeout"


def test_one_verdict_per_distinct_domain_and_slow_domains_do_not_block(dns_server: str) -> None:
    slow = [f"kantoor{i}.traag-dns.nl" for i in range(20)]
    domains = ["gmail.com", "alleen-web.nl", "gmail.com", *slow, "bestaat-niet.fr", *slow]
    started = time.monotonic()
    verdicts = DomainChecker.from_env(dns_server, timeout=0.3, retries=0).check(domains)
    elapsed = time.monotonic() - started
    assert list(verdicts) == list(dict.fromkeys(domains))
    assert verdicts["alleen-web.nl"].status == DELIVERABLE
    assert verdicts["bestaat-niet.fr"].detail == "domain_not_found"
    assert {verdicts[name].detail for name in slow} == {"dns_unavailable: timeout"}
    # 20 timeouts of 0.3 s one after another would take 6 s; the thread pool overlaps them.
    assert elapsed < 3, elapsed


def test_each_domain_is_queried_once_plus_bounded_retries() -> None:
    with servfail_server() as server:
        checker = DomainChecker.from_env(server.address, canary="off", timeout=0.3, retries=1)
        verdicts = checker.check(["kaasmakerij-vlasbloem.nl"] * 5 + ["stahlbau-kettenreiter.de"])
    assert set(verdicts.values()) == {DomainVerdict(UNKNOWN, "dns_unavailable: servfail")}
    # MX is asked once and retried once; SERVFAIL is not a NoAnswer, so no A/AAAA follow-up.
    assert sorted(server.queries) == [
        ("kaasmakerij-vlasbloem.nl.", "MX"),
        ("kaasmakerij-vlasbloem.nl.", "MX"),
        ("stahlbau-kettenreiter.de.", "MX"),
        ("stahlbau-kettenreiter.de.", "MX"),
    ]
    assert checker.queries_sent == 4  # what the run metadata reports is what the server saw


def test_empty_input_sends_no_query() -> None:
    with servfail_server() as server:
        assert DomainChecker.from_env(server.address).check([]) == {}
    assert server.queries == []


def test_server_that_never_answers_gives_unknown_quickly() -> None:
    with silent_server() as server:
        started = time.monotonic()
        verdicts = DomainChecker.from_env(server.address, timeout=0.2, retries=1).check(
            ["kaasmakerij-vlasbloem.nl", "bestaat-niet.nl"]
        )
        elapsed = time.monotonic() - started
    assert set(verdicts.values()) == {DomainVerdict(UNKNOWN, "dns_unavailable: timeout")}
    # Only the canary was asked (twice: one retry); nothing else waits once it timed out.
    assert server.queries == [("gmail.com.", "MX"), ("gmail.com.", "MX")]
    assert elapsed < 2, elapsed


def test_servfail_resolver_gives_unknown(servfail_dns: str) -> None:
    verdicts = DomainChecker.from_env(servfail_dns, **FAST).check(["stahlbau-kettenreiter.de"])
    assert verdicts == {
        "stahlbau-kettenreiter.de": DomainVerdict(UNKNOWN, "dns_unavailable: servfail")
    }


def test_second_nameserver_answers_when_the_first_is_silent(
    silent_dns: str, dns_server: str
) -> None:
    checker = DomainChecker.from_env(f"{silent_dns},{dns_server}", timeout=0.3, retries=0)
    verdicts = checker.check(["alleen-web.nl", "bestaat-niet.nl"])
    assert verdicts["alleen-web.nl"] == DomainVerdict(DELIVERABLE, "a")
    assert verdicts["bestaat-niet.nl"] == DomainVerdict(UNDELIVERABLE, "domain_not_found")


def test_failing_canary_makes_everything_unknown_never_invalid() -> None:
    # A resolver without internet: NXDOMAIN for everything, gmail.com included.
    zone = [line for line in TEST_ZONE if "gmail.com" not in line]
    with dnsmasq(zone) as address:
        verdicts = DomainChecker.from_env(address, **FAST).check(
            ["kaasmakerij-vlasbloem.nl", "bestaat-niet.nl", "nullmx-winkel.nl"]
        )
        assert set(verdicts.values()) == {DomainVerdict(UNKNOWN, CANARY_MISSING)}

        # Another canary that this resolver does know restores trust in its answers.
        trusted = DomainChecker.from_env(address, canary="kaasmakerij-vlasbloem.nl", **FAST)
        assert trusted.check(["bestaat-niet.nl"])["bestaat-niet.nl"].detail == "domain_not_found"

        from_environ = checker_from_environ(
            {"HYGIENE_NAMESERVERS": address, "HYGIENE_DNS_CANARY": "stahlbau-kettenreiter.de"},
            **FAST,
        )
        assert from_environ.check(["nullmx-winkel.nl"])["nullmx-winkel.nl"].detail == "null_mx"


def test_canary_with_a_null_mx_does_not_count_as_resolving(dns_server: str) -> None:
    checker = DomainChecker.from_env(dns_server, canary="nullmx-winkel.nl", **FAST)
    verdict = checker.check(["bestaat-niet.nl"])["bestaat-niet.nl"]
    assert verdict == DomainVerdict(
        UNKNOWN, "dns_unreliable: canary nullmx-winkel.nl did not resolve"
    )


def test_system_resolver_never_turns_an_offline_machine_into_invalid() -> None:
    # Here and on CI the system resolver answers NXDOMAIN for everything (no internet); with
    # internet gmail.com resolves. Either way gmail.com is never called undeliverable.
    verdict = DomainChecker.from_env(None, timeout=0.5, retries=0).check(["gmail.com"])
    assert verdict["gmail.com"].status in (DELIVERABLE, UNKNOWN)


def test_network_off_sends_no_query(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a DNS query was sent with HYGIENE_NAMESERVERS=off")

    monkeypatch.setattr(dns.resolver.Resolver, "resolve", no_network)
    checker = DomainChecker.from_env(" OFF ")
    verdicts = checker.check(["gmail.com", "bestaat-niet.nl"])
    assert set(verdicts.values()) == {DomainVerdict(UNKNOWN, "network_checks_off")}


@pytest.mark.parametrize(
    ("value", "nameservers", "network"),
    [
        (None, None, True),
        ("", None, True),
        ("   ", None, True),
        ("off", None, False),
        ("127.0.0.1", [("127.0.0.1", 53)], True),
        ("127.0.0.1:5353", [("127.0.0.1", 5353)], True),
        (" 192.0.2.53 , 198.51.100.7:5300 ", [("192.0.2.53", 53), ("198.51.100.7", 5300)], True),
        ("[::1]:5353", [("::1", 5353)], True),
        ("[2001:db8::53]", [("2001:db8::53", 53)], True),
        ("2001:db8::53", [("2001:db8::53", 53)], True),
    ],
)
def test_from_env_parses_hygiene_nameservers(
    value: str | None, nameservers: list[tuple[str, int]] | None, network: bool
) -> None:
    checker = DomainChecker.from_env(value)
    assert checker.nameservers == nameservers
    assert checker.network is network
    assert checker.canary == "gmail.com"


@pytest.mark.parametrize(
    "value",
    [
        "localhost",
        "dns.example-provider.nl:53",
        "127.0.0.1:",
        "127.0.0.1:99999",
        "127.0.0.1:dns",
        "::1:5353:x",
        "[::1",
        "[::1]5353",
        "127.0.0.1;192.0.2.1",
        "127.0.0.1,",
        "999.1.1.1",
    ],
)
def test_from_env_rejects_malformed_values_with_the_expected_format(value: str) -> None:
    with pytest.raises(ValueError, match=r"ip\[:port\]") as raised:
        DomainChecker.from_env(value)
    assert "HYGIENE_NAMESERVERS" in str(raised.value)
    with pytest.raises(ValueError):
        parse_nameservers(value)


@pytest.mark.parametrize(
    ("value", "canary"),
    [(None, "gmail.com"), ("", "gmail.com"), ("Outlook.com.", "outlook.com"), ("off", None)],
)
def test_canary_setting(
    monkeypatch: pytest.MonkeyPatch, value: str | None, canary: str | None
) -> None:
    assert DomainChecker.from_env("127.0.0.1", canary=value).canary == canary
    if value is not None:
        monkeypatch.setenv("HYGIENE_DNS_CANARY", value)
    assert DomainChecker.from_env("127.0.0.1").canary == canary
    environ = {"HYGIENE_NAMESERVERS": "127.0.0.1"}
    if value is not None:
        environ["HYGIENE_DNS_CANARY"] = value
    assert checker_from_environ(environ).canary == canary


def test_a_sharded_dnsmasq_answers_like_one_instance() -> None:
    # The benchmark's server for 50,000 domains: shards behind a forwarding front.
    records = {
        "kaasmakerij-vlasbloem.nl": ["mx-host=kaasmakerij-vlasbloem.nl,mx.kaasmakerij.nl,10"],
        "stahlbau-kettenreiter.de": ["mx-host=stahlbau-kettenreiter.de,mx.stahlbau.de,10"],
        "alleen-web.nl": ["host-record=alleen-web.nl,192.0.2.10"],
        "nullmx-winkel.nl": ["mx-host=nullmx-winkel.nl,.,0"],
        "geen-mail.nl": ["txt-record=geen-mail.nl,v=spf1 -all"],
    }
    canary = ["mx-host=gmail.com,mx.gmail.com,10"]
    with dnsmasq_cluster(records, front=canary, shards=3) as server:
        checker = DomainChecker.from_env(server.address, **FAST)
        verdicts = checker.check([*records, "bestaat-niet.nl"])
        logged = server.queries()
    assert {domain: verdict.detail for domain, verdict in verdicts.items()} == {
        "kaasmakerij-vlasbloem.nl": "mx",
        "stahlbau-kettenreiter.de": "mx",
        "alleen-web.nl": "a",
        "nullmx-winkel.nl": "null_mx",
        "geen-mail.nl": "no_mail_host",
        "bestaat-niet.nl": "domain_not_found",
    }
    assert len(logged) == checker.queries_sent == 10  # canary, 6 MX, 2 A, 1 AAAA


def test_worker_processes_answer_like_threads_and_count_every_query() -> None:
    # Large months spread lookups over one process per core; the verdicts and the query count
    # must not depend on it. process_min_domains=1 makes even this small zone use processes.
    records = {f"bedrijf{i}.nl": [f"mx-host=bedrijf{i}.nl,mx.bedrijf{i}.nl,10"] for i in range(40)}
    records["alleen-web.nl"] = ["host-record=alleen-web.nl,192.0.2.10"]
    records["nullmx-winkel.nl"] = ["mx-host=nullmx-winkel.nl,.,0"]
    domains = [*records, "bestaat-niet.nl"]
    canary = ["mx-host=gmail.com,mx.gmail.com,10"]
    with dnsmasq_cluster(records, front=canary, shards=2) as server:
        threads = DomainChecker.from_env(server.address, **FAST)
        by_threads = threads.check(domains)
        before = len(server.queries())
        processes = DomainChecker(parse_nameservers(server.address), process_min_domains=1, **FAST)
        by_processes = processes.check(domains)
        logged = len(server.queries()) - before
    assert processes.processes_used >= 2, "this test needs a machine with two or more cores"
    assert threads.processes_used == 0
    assert by_processes == by_threads
    assert list(by_processes) == domains
    assert by_processes["bestaat-niet.nl"].detail == "domain_not_found"
    assert logged == processes.queries_sent == threads.queries_sent
