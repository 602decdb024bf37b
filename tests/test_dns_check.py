"""DomainChecker against real nameservers: dnsmasq, a silent server, a SERVFAIL server, a
truncating one, and dnsmasq behind a forwarder that adds latency or refuses when full."""

from __future__ import annotations

import asyncio
import time

import pytest

from hygiene_pipeline.validate import dns_check
from hygiene_pipeline.validate.dns_check import (
    DELIVERABLE,
    UNDELIVERABLE,
    UNKNOWN,
    DomainChecker,
    DomainVerdict,
    checker_from_environ,
    parse_max_in_flight,
    parse_nameservers,
)
from tests.dns_server import (
    TEST_ZONE,
    Dnsmasq,
    delaying_forwarder,
    dnsmasq,
    dnsmasq_cluster,
    dnsmasq_server,
    refusing_server,
    servfail_server,
    silent_server,
    truncating_server,
)

FAST = {"timeout": 0.3, "retries": 1}
CANARY_MISSING = "dns_unreliable: canary gmail.com did not resolve"


@pytest.fixture(autouse=True)
def _default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests rely on the default canary and in-flight bound, whatever the developer's
    environment says."""
    monkeypatch.delenv("HYGIENE_DNS_CANARY", raising=False)
    monkeypatch.delenv("HYGIENE_DNS_MAX_IN_FLIGHT", raising=False)


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
    # 20 timeouts of 0.3 s one after another would take 6 s; queries in flight overlap them.
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


def test_second_nameserver_answers_when_the_first_is_silent(dns_zone: Dnsmasq) -> None:
    with silent_server() as silent:
        checker = DomainChecker.from_env(f"{silent.address},{dns_zone.address}", **FAST)
        start = len(dns_zone.queries())
        verdicts = checker.check(["alleen-web.nl", "bestaat-niet.nl"])
        answered = dns_zone.queries()[start:]
    assert verdicts["alleen-web.nl"] == DomainVerdict(DELIVERABLE, "a")
    assert verdicts["bestaat-niet.nl"] == DomainVerdict(UNDELIVERABLE, "domain_not_found")
    # Every query went to the silent server first: each one counts, the failed-over ones too.
    # Canary MX, MX and A of alleen-web.nl, MX of bestaat-niet.nl: four to each server.
    assert len(silent.queries) == len(answered) == 4
    assert checker.queries_sent == 8


def test_a_truncated_answer_is_asked_again_over_tcp() -> None:
    with truncating_server() as server:
        checker = DomainChecker.from_env(server.address, canary="off", **FAST)
        verdicts = checker.check(["kaasmakerij-vlasbloem.nl"])
    assert verdicts == {"kaasmakerij-vlasbloem.nl": DomainVerdict(DELIVERABLE, "mx")}
    assert server.queries == [
        ("kaasmakerij-vlasbloem.nl.", "MX"),
        ("kaasmakerij-vlasbloem.nl.", "TCP MX"),
    ]
    assert checker.queries_sent == 2


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

    monkeypatch.setattr(dns_check, "_Flight", no_network)
    checker = DomainChecker.from_env(" OFF ")
    verdicts = checker.check(["gmail.com", "bestaat-niet.nl"])
    assert set(verdicts.values()) == {DomainVerdict(UNKNOWN, "network_checks_off")}
    assert checker.queries_sent == 0


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


def test_hundreds_of_domains_stay_within_the_in_flight_bound_and_count_every_query() -> None:
    records = {f"bedrijf{i}.nl": [f"mx-host=bedrijf{i}.nl,mx.bedrijf{i}.nl,10"] for i in range(300)}
    records["alleen-web.nl"] = ["host-record=alleen-web.nl,192.0.2.10"]
    records["nullmx-winkel.nl"] = ["mx-host=nullmx-winkel.nl,.,0"]
    domains = [*records, "bestaat-niet.nl"]
    canary = ["mx-host=gmail.com,mx.gmail.com,10"]
    with dnsmasq_cluster(records, front=canary, shards=2) as server:
        checker = DomainChecker(parse_nameservers(server.address), max_in_flight=20, **FAST)
        verdicts = checker.check(domains)
        logged = server.queries()
    assert list(verdicts) == domains
    assert {verdicts[f"bedrijf{i}.nl"] for i in range(300)} == {DomainVerdict(DELIVERABLE, "mx")}
    assert verdicts["alleen-web.nl"] == DomainVerdict(DELIVERABLE, "a")
    assert verdicts["nullmx-winkel.nl"] == DomainVerdict(UNDELIVERABLE, "null_mx")
    assert verdicts["bestaat-niet.nl"] == DomainVerdict(UNDELIVERABLE, "domain_not_found")
    assert 1 < checker.in_flight_peak <= 20
    assert len(logged) == checker.queries_sent == 1 + 303 + 1  # canary, every MX, one A


def test_a_resolver_40_ms_away_gets_hundreds_of_queries_at_once(dns_zone: Dnsmasq) -> None:
    # Hundreds in flight is what latency needs: 1,500 lookups of 40 ms each, 32 at a time as
    # the thread pool did, would take two seconds; the window grows past that.
    firms = [f"firma{i}.nl" for i in range(1500)]  # NXDOMAIN from dnsmasq
    domains = [*firms, "kaasmakerij-vlasbloem.nl", "alleen-web.nl", "nullmx-winkel.nl"]
    with delaying_forwarder(dns_zone.address, delay_ms=40) as forwarder:
        checker = DomainChecker.from_env(forwarder.address)
        verdicts = checker.check(domains)
        stats = forwarder.stats()
    assert {verdicts[firm] for firm in firms} == {DomainVerdict(UNDELIVERABLE, "domain_not_found")}
    assert [verdicts[d].detail for d in domains[-3:]] == ["mx", "a", "null_mx"]
    assert checker.in_flight_peak > 100
    # The canary, one MX per firm, MX of the three others and A of alleen-web.nl.
    assert stats["received"] == stats["answered"] == checker.queries_sent == 1 + 1500 + 3 + 1


def test_a_full_dnsmasq_that_refuses_is_asked_again_not_believed(dns_zone: Dnsmasq) -> None:
    # dnsmasq (and Pi-hole) answer REFUSED at once while they forward their maximum of queries
    # (150 by default, 20 here); that is "too many at once", never a verdict about the domain.
    firms = [f"firma{i}.nl" for i in range(300)]
    with delaying_forwarder(dns_zone.address, delay_ms=30) as forwarder:
        ip, _, port = forwarder.address.rpartition(":")
        with dnsmasq_server([f"server={ip}#{port}", "dns-forward-max=20"]) as small:
            checker = DomainChecker.from_env(small.address)
            verdicts = checker.check([*firms, "kaasmakerij-vlasbloem.nl"])
            log = small.log_path.read_text()
        forwarded = forwarder.stats()["received"]
    assert "Maximum number of concurrent DNS queries" in log  # it did refuse some
    assert {verdicts[firm] for firm in firms} == {DomainVerdict(UNDELIVERABLE, "domain_not_found")}
    assert verdicts["kaasmakerij-vlasbloem.nl"] == DomainVerdict(DELIVERABLE, "mx")
    assert checker.queries_sent > forwarded >= 302  # the refused ones were asked again
    assert checker.in_flight_peak <= 32


def test_a_nameserver_that_refuses_a_few_queries_means_it() -> None:
    # A refusal with a few queries in flight is the nameserver's word, as before: no asking again.
    with refusing_server() as server:
        checker = DomainChecker.from_env(server.address, canary="off", **FAST)
        verdicts = checker.check(["kaasmakerij-vlasbloem.nl", "alleen-web.nl"])
    assert set(verdicts.values()) == {DomainVerdict(UNKNOWN, "dns_unavailable: servfail")}
    assert checker.queries_sent == len(server.queries) == 4  # each MX and its one retry


def test_check_can_be_called_from_inside_an_event_loop(dns_server: str) -> None:
    async def caller() -> dict[str, DomainVerdict]:
        return DomainChecker.from_env(dns_server, **FAST).check(["alleen-web.nl"])

    assert asyncio.run(caller()) == {"alleen-web.nl": DomainVerdict(DELIVERABLE, "a")}


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 512), ("", 512), (" 64 ", 64), ("1", 1), ("4096", 4096)]
)
def test_max_in_flight_setting(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int
) -> None:
    assert parse_max_in_flight(value) == expected
    monkeypatch.delenv("HYGIENE_DNS_MAX_IN_FLIGHT", raising=False)
    if value is not None:
        monkeypatch.setenv("HYGIENE_DNS_MAX_IN_FLIGHT", value)
    assert DomainChecker.from_env("127.0.0.1").max_in_flight == expected
    assert DomainChecker.from_env("127.0.0.1", max_in_flight=7).max_in_flight == 7
    environ = {"HYGIENE_NAMESERVERS": "127.0.0.1"}
    if value is not None:
        environ["HYGIENE_DNS_MAX_IN_FLIGHT"] = value
    assert checker_from_environ(environ).max_in_flight == expected


@pytest.mark.parametrize("value", ["0", "-5", "many", "4097", "1.5", "1e3"])
def test_max_in_flight_setting_rejects_nonsense(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    with pytest.raises(ValueError, match="HYGIENE_DNS_MAX_IN_FLIGHT"):
        parse_max_in_flight(value)
    monkeypatch.setenv("HYGIENE_DNS_MAX_IN_FLIGHT", value)
    with pytest.raises(ValueError, match="HYGIENE_DNS_MAX_IN_FLIGHT"):
        DomainChecker.from_env("127.0.0.1")
    with pytest.raises(ValueError, match="max_in_flight"):
        DomainChecker(max_in_flight=0)


# --- the in-flight window, step by step --------------------------------------------------------


def _rounds(window: dns_check._Window, rtt: float, rounds: int) -> None:
    for _ in range(rounds):
        for _ in range(window.size):
            window.answered(rtt)


def test_the_window_grows_while_answers_come_back_as_fast_as_the_fastest() -> None:
    window = dns_check._Window(512)
    assert window.size == 32  # a small start: the first burst cannot overflow a resolver
    _rounds(window, 0.040, 8)
    assert window.size == 512  # never past the bound
    assert dns_check._Window(20).size == 20
    assert dns_check._Window(1).size == 1


def test_the_window_shrinks_when_answers_wait_in_a_queue() -> None:
    window = dns_check._Window(512)
    _rounds(window, 0.040, 8)
    _rounds(window, 0.400, 12)  # ten times slower: most queries were waiting, not travelling
    assert 8 <= window.size <= 160
    shrunk = window.size
    _rounds(window, 0.040, 3)  # the queue is gone: it grows again, slowly after a cut
    assert shrunk < window.size < shrunk * 2


def test_the_window_halves_when_answers_go_missing() -> None:
    window = dns_check._Window(512)
    _rounds(window, 0.040, 8)
    for index in range(512):
        window.timed_out() if index % 4 == 0 else window.answered(0.040)
    assert window.size == 256
    for index in range(256):  # one in sixteen lost: lame domains, not a drowning resolver
        window.timed_out() if index % 16 == 0 else window.answered(0.040)
    assert window.size > 256


def test_a_refusal_halves_the_window_once_a_round_and_is_final_at_the_floor() -> None:
    window = dns_check._Window(512)
    assert window.refused(in_flight=3) is False  # a few in flight: not ours, the nameserver's
    assert window.size == 32
    assert window.refused(in_flight=32) is True  # ask again
    assert window.size == 16
    assert window.refused(in_flight=31) is True  # the same round: no second cut
    assert window.size == 16
    for _ in range(16):
        window.answered(0.001)
    assert window.refused(in_flight=16) is True
    assert window.size == 8  # the floor
    for _ in range(8):
        window.answered(0.001)
    assert window.refused(in_flight=8) is False  # refused at the floor: the nameserver means it
