"""Validation of 1,000,000 contacts over 50,000 domains against a local dnsmasq: cold, warm cache.

Generates a month of normalized contacts (fixed seed; every person and company domain invented;
free-mail, disposable and typo domains as in real CRMs) and a DNS zone for its domains: most
company domains have MX, a few are NXDOMAIN, null MX, A-only or without any mail host. dnsmasq
serves the zone on 127.0.0.1 at a free high port (tests/dns_server.py: `dnsmasq_cluster`).
Then `validate_contacts` runs with a `CachedDomainChecker`, each run in a fresh process so the
peak memory printed is that run's own:

    cold  empty dns_cache in a temporary DuckDB file: every domain is looked up
    warm  the same month again: every domain comes from dns_cache, no query is sent
    off   HYGIENE_NAMESERVERS=off (no DNS, no cache): validation alone, for comparison

Wall time is `validate_contacts` alone (syntax, DNS, cache, phones, issues), without reading the
input. DNS queries are counted twice: by the checker and in dnsmasq's query log.

    .venv/bin/python benchmarks/validation_dns.py [--contacts 1000000] [--domains 50000]
        [--max-in-flight 512] [--runs cold,warm,off]
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # tests/dns_server.py: the same dnsmasq the DNS tests use

import polars as pl  # noqa: E402

from hygiene_pipeline import schema  # noqa: E402
from hygiene_pipeline.store import HygieneStore  # noqa: E402
from hygiene_pipeline.validate.contacts import validate_contacts  # noqa: E402
from hygiene_pipeline.validate.dns_cache import CachedDomainChecker  # noqa: E402
from hygiene_pipeline.validate.dns_check import DEFAULT_MAX_IN_FLIGHT, DomainChecker  # noqa: E402

SEED = 20261122
SNAPSHOT = datetime.date(2026, 10, 1)
TODAY = datetime.date(2026, 11, 1)

# Consumer providers and their share of free-mail contacts (invented weights, real domains).
FREE_MAIL = {
    "gmail.com": 34, "hotmail.com": 9, "outlook.com": 8, "yahoo.com": 5, "icloud.com": 4,
    "gmx.de": 6, "web.de": 5, "t-online.de": 3, "orange.fr": 4, "free.fr": 3, "laposte.net": 2,
    "hotmail.fr": 2, "ziggo.nl": 3, "kpnmail.nl": 2, "live.nl": 1, "telenet.be": 2,
    "skynet.be": 1, "otenet.gr": 1, "btinternet.com": 2, "yahoo.fr": 1,
}  # fmt: skip
DISPOSABLE = ("mailinator.com", "yopmail.com")  # accept mail, but throw-away
TYPOS = ("gmial.com", "hotmial.com", "gmail.con")  # NXDOMAIN
# Shares of contacts (of those with an email) and of company domains.
FREE_MAIL_SHARE, DISPOSABLE_SHARE, TYPO_SHARE = 0.30, 0.003, 0.002
MISSING_EMAIL_SHARE, MALFORMED_SHARE, ROLE_SHARE = 0.03, 0.003, 0.03
DOMAIN_MIX = {"nxdomain": 0.02, "null_mx": 0.005, "a_only": 0.03, "no_mail_host": 0.005}

SYLLABLES = (
    "ka", "ro", "me", "tal", "ber", "gen", "vol", "stra", "dik", "hof", "lin", "mar", "ten",
    "vis", "zon", "bro", "pla", "fe", "nu", "ost", "wa", "del", "kam", "rijn", "berg", "veld",
    "dorp", "haven", "sted", "burg", "mond", "brug", "lan", "nor", "sud", "west", "oos",
    "brink", "horst",
)  # fmt: skip
SUFFIXES = ("", "", "", "-bv", "-gmbh", "-sa", "groep", "bouw", "tech", "-logistiek", "-advies")
TLDS = ("nl",) * 6 + ("de",) * 5 + ("fr",) * 3 + ("be",) * 2 + ("com",) * 3 + ("gr", "co.uk")
FIRST = ("femke", "pieter", "sanne", "bram", "anouk", "thijs", "lotte", "jens", "maria", "jan",
         "eva", "lars", "sophie", "luuk")  # fmt: skip
LAST = ("vlasbloem", "dijkhof", "hoekstra", "brouwer", "kettenreiter", "lefevre", "roussel",
        "papadakou", "mertens")  # fmt: skip
ROLES = ("info", "sales", "contact", "office", "verkoop", "kontakt", "admin")


def make_domains(count: int, rng: random.Random) -> dict[str, str]:
    """Domain -> kind (mx, nxdomain, null_mx, a_only, no_mail_host), `count` in all."""
    kinds = dict.fromkeys(FREE_MAIL, "mx") | dict.fromkeys(DISPOSABLE, "mx")
    kinds |= dict.fromkeys(TYPOS, "nxdomain")
    companies: set[str] = set()
    while len(kinds) + len(companies) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        companies.add(f"{stem}{rng.choice(SUFFIXES)}.{rng.choice(TLDS)}")
    thresholds = []
    total = 0.0
    for kind, share in DOMAIN_MIX.items():
        total += share
        thresholds.append((total, kind))
    for domain in sorted(companies):
        draw = rng.random()
        kinds[domain] = next((kind for limit, kind in thresholds if draw < limit), "mx")
    return kinds


def zone_records(kinds: dict[str, str]) -> dict[str, list[str]]:
    """dnsmasq.conf lines per domain; NXDOMAIN domains have none."""
    records: dict[str, list[str]] = {}
    for number, (domain, kind) in enumerate(kinds.items()):
        if kind == "mx":
            records[domain] = [f"mx-host={domain},mx.{domain},10"]
        elif kind == "null_mx":
            records[domain] = [f"mx-host={domain},.,0"]
        elif kind == "a_only":
            records[domain] = [f"host-record={domain},198.51.{number // 250 % 250}.{number % 250}"]
        elif kind == "no_mail_host":
            records[domain] = [f"txt-record={domain},v=spf1 -all"]
    return records


def make_contacts(count: int, kinds: dict[str, str], rng: random.Random) -> pl.DataFrame:
    """`count` NORMALIZED_CONTACTS rows; every domain of `kinds` is used at least once."""
    companies = [d for d in kinds if d not in FREE_MAIL and d not in DISPOSABLE + TYPOS]
    # Company sizes follow a long tail: a few large customers, many with one or two contacts.
    weights = [1 / (rank + 10) ** 0.9 for rank in range(len(companies))]
    company_cum = list(_cumulative(weights))
    free_names, free_weights = list(FREE_MAIL), list(FREE_MAIL.values())
    with_email = int(count * (1 - MISSING_EMAIL_SHARE))
    domains = list(kinds)  # one contact for each domain first
    rest = with_email - len(domains)
    draws = [rng.random() for _ in range(rest)]
    n_free = sum(d < FREE_MAIL_SHARE for d in draws)
    n_disposable = sum(FREE_MAIL_SHARE <= d < FREE_MAIL_SHARE + DISPOSABLE_SHARE for d in draws)
    n_typo = sum(
        FREE_MAIL_SHARE + DISPOSABLE_SHARE <= d < FREE_MAIL_SHARE + DISPOSABLE_SHARE + TYPO_SHARE
        for d in draws
    )
    domains += rng.choices(free_names, weights=free_weights, k=n_free)
    domains += rng.choices(DISPOSABLE, k=n_disposable)
    domains += rng.choices(TYPOS, k=n_typo)
    n_company = rest - n_free - n_disposable - n_typo
    domains += rng.choices(companies, cum_weights=company_cum, k=n_company)
    emails: list[str | None] = []
    for number, domain in enumerate(domains):
        draw = rng.random()
        if draw < ROLE_SHARE and domain not in FREE_MAIL:
            local = rng.choice(ROLES)
        else:
            local = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{rng.randrange(10_000)}"
        if draw > 1 - MALFORMED_SHARE and number >= len(kinds):  # each domain once well-formed
            local = local.replace(".", "..", 1)  # a typed double dot: a syntax error
        emails.append(f"{local}@{domain}")
    emails += [None] * (count - len(emails))
    rng.shuffle(emails)
    return _frame(emails, rng)


def _cumulative(weights: list[float]):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _frame(emails: list[str | None], rng: random.Random) -> pl.DataFrame:
    """The other columns validation reads: phones, owner, source, dates, opt-out, bounces."""
    count = len(emails)
    digits = [
        rng.randrange(10_000_000, 100_000_000) if rng.random() < 0.6 else None for _ in emails
    ]
    placeholder = set(range(0, count, 97))  # ~1 %: the classic 06 12345678
    phone_input = [
        "06 12345678" if i in placeholder else (f"+31 6 {d}" if d is not None else None)
        for i, d in enumerate(digits)
    ]
    phone = [
        "+31612345678" if i in placeholder else (f"+316{d}" if d is not None else None)
        for i, d in enumerate(digits)
    ]
    start = datetime.datetime(2021, 1, 1)
    created = [start + datetime.timedelta(days=rng.randrange(1_700)) for _ in emails]
    updated = [c + datetime.timedelta(days=rng.randrange(200)) for c in created]
    frame = pl.DataFrame(
        {
            "snapshot": [SNAPSHOT] * count,
            "contact_id": [str(100_000 + i) for i in range(count)],
            "source_file": ["hubspot-contacts.csv"] * count,
            "source_row": list(range(2, count + 2)),
            "source_system": ["hubspot"] * count,
            "first_name": [rng.choice(FIRST).title() for _ in emails],
            "last_name": [rng.choice(LAST).title() for _ in emails],
            "email": emails,
            "phone_input": phone_input,
            "phone": phone,
            "phone_type": ["mobile" if p else None for p in phone],
            "company": [None if rng.random() < 0.1 else "Bedrijf" for _ in emails],
            "job_title": [None] * count,
            "owner": [None if rng.random() < 0.05 else "Sanne Hoogeveen" for _ in emails],
            "lead_source": [rng.choice(["ORGANIC_SEARCH", "OFFLINE", None]) for _ in emails],
            "lifecycle_stage": [rng.choice(["lead", "customer", "subscriber"]) for _ in emails],
            "lead_status": [None] * count,
            "country": ["NL"] * count,
            "created_at": created,
            "updated_at": updated,
            "last_activity_at": updated,
            "unsubscribed": [rng.random() < 0.03 for _ in emails],
            "bounce": [rng.choice(["none"] * 40 + ["soft", "hard"]) for _ in emails],
            "bounce_reason": [None] * count,
        }
    )
    # Columns later issues added to normalized_contacts that validation does not read: null.
    missing = [name for name in schema.NORMALIZED_CONTACTS if name not in frame.columns]
    return schema.conform(
        frame.with_columns(pl.lit(None).alias(name) for name in missing),
        schema.NORMALIZED_CONTACTS,
    )


def run_child(mode: str, contacts_file: str, db: str, nameservers: str, max_in_flight: int) -> None:
    """One measured run in this (fresh) process; prints one JSON line."""
    contacts = pl.read_parquet(contacts_file)
    checker = DomainChecker.from_env(
        "off" if mode == "off" else nameservers, canary="gmail.com", max_in_flight=max_in_flight
    )
    cached = CachedDomainChecker(checker, None if mode == "off" else HygieneStore(Path(db)))
    started = time.perf_counter()
    results = validate_contacts(contacts, today=TODAY, domain_checker=cached)
    wall = time.perf_counter() - started
    stats = cached.stats
    print(
        json.dumps(
            {
                "mode": mode,
                "rows": results.height,
                "wall_s": wall,
                "domains": stats.domains,
                "from_cache": stats.from_cache,
                "queries": stats.queries,
                "lookup_s": stats.lookup_seconds,
                "cache_s": stats.cache_seconds,
                "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "email_status": dict(Counter(results.get_column("email_status").to_list())),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--domains", type=int, default=50_000)
    parser.add_argument("--max-in-flight", type=int, default=DEFAULT_MAX_IN_FLIGHT)
    parser.add_argument("--runs", default="cold,warm,off")
    parser.add_argument("--shards", type=int, default=16, help="dnsmasq back instances")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "CONTACTS", "DB", "NS"))
    args = parser.parse_args()
    if args.child:
        run_child(*args.child, max_in_flight=args.max_in_flight)
        return 0

    from tests.dns_server import dnsmasq_cluster

    rng = random.Random(SEED)
    started = time.perf_counter()
    kinds = make_domains(args.domains, rng)
    contacts = make_contacts(args.contacts, kinds, rng)
    with tempfile.TemporaryDirectory(prefix="validation-dns-") as scratch:
        contacts_file = str(Path(scratch, "contacts.parquet"))
        contacts.write_parquet(contacts_file)
        distinct = contacts.get_column("email").drop_nulls().n_unique()
        del contacts
        mix = Counter(kinds.values())
        print(
            f"{args.contacts:,} contacts, {distinct:,} distinct emails, {len(kinds):,} domains "
            f"({', '.join(f'{k} {v:,}' for k, v in sorted(mix.items()))}); "
            f"generated in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        with dnsmasq_cluster(zone_records(kinds), shards=args.shards) as server:
            print(
                f"dnsmasq: front + {args.shards} shards up in {time.perf_counter() - started:.1f} s"
            )
            db = str(Path(scratch, "hygiene.duckdb"))
            header = (
                f"{'run':<6}{'wall s':>8}{'DNS s':>8}{'cache s':>9}{'domains':>9}"
                f"{'from cache':>12}{'queries':>9}{'logged':>8}{'peak MiB':>10}"
            )
            print(header)
            for mode in args.runs.split(","):
                logged_before = len(server.queries())
                command = [sys.executable, __file__, "--max-in-flight", str(args.max_in_flight),
                           "--child", mode, contacts_file, db, server.address]  # fmt: skip
                done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
                if done.returncode != 0:
                    print(done.stderr[-3000:], file=sys.stderr)
                    return 1
                run = json.loads(done.stdout.strip().splitlines()[-1])
                logged = len(server.queries()) - logged_before
                print(
                    f"{mode:<6}{run['wall_s']:>8.1f}{run['lookup_s']:>8.1f}{run['cache_s']:>9.2f}"
                    f"{run['domains']:>9,}{run['from_cache']:>12,}{run['queries']:>9,}"
                    f"{logged:>8,}{run['peak_mib']:>10.0f}"
                )
                print(f"      email_status {json.dumps(run['email_status'], sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
