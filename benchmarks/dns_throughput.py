"""DNS throughput of DomainChecker: domains/s against dnsmasq, at 0 ms and 40 ms more latency.

The domains and their zone are those of benchmarks/validation_dns.py (fixed seed: MX for most,
NXDOMAIN, null MX, A-only and no-mail-host for the rest), served by the sharded dnsmasq of
tests/dns_server.py on 127.0.0.1. The 40 ms case puts tests/dns_server.py's delaying forwarder in
front of it: every answer comes back 40 ms later, like a resolver on another network.

Each case runs twice, each time in a fresh process: "before" is the checker of the last commit
that still had the thread pool and worker processes (git show REV:hygiene_pipeline/validate/
dns_check.py and dns_worker.py into a temporary package, for this comparison only), "after" is
the checker of the work tree. The verdicts of the two must be identical; the table says so, and
gives the queries each checker counted beside those the forwarder received ("on wire"), and the
CPU time the check took (worker processes included).

    .venv/bin/python benchmarks/dns_throughput.py [--domains 25000] [--delays 0,40]
        [--before REV|none] [--max-in-flight N] [--shards 16]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # tests/dns_server.py: the servers the DNS tests use
sys.path.insert(0, str(PROJECT / "benchmarks"))  # validation_dns: the domains and their zone

WORKER = "hygiene_pipeline/validate/dns_worker.py"
CHECKER = "hygiene_pipeline/validate/dns_check.py"
BEFORE_PACKAGE = "dns_before"


def before_revision() -> str:
    """The newest commit whose checker still used worker processes (dns_worker.py exists)."""
    exists = subprocess.run(
        ["git", "cat-file", "-e", f"HEAD:{WORKER}"], cwd=PROJECT, capture_output=True
    )
    if exists.returncode == 0:
        return "HEAD"
    removed_in = subprocess.run(
        ["git", "rev-list", "-1", "HEAD", "--", WORKER],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{removed_in}^"


def write_before_package(revision: str, root: Path) -> None:
    """The checker at `revision` as package `dns_before` under `root`, its worker beside it."""
    package = root / BEFORE_PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    for path in (CHECKER, WORKER):
        shown = subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=PROJECT, capture_output=True, text=True
        )
        if shown.returncode != 0:
            if path == WORKER:
                continue
            raise SystemExit(f"cannot read {path} at {revision}: {shown.stderr.strip()}")
        source = shown.stdout.replace("hygiene_pipeline.validate.", f"{BEFORE_PACKAGE}.")
        (package / Path(path).name).write_text(source)


def run_child(which: str, address: str, domains_file: str, max_in_flight: int | None) -> None:
    """One measured check in this (fresh) process; prints one JSON line."""
    module_name = f"{BEFORE_PACKAGE}.dns_check" if which == "before" else None
    module = importlib.import_module(module_name or "hygiene_pipeline.validate.dns_check")
    domains = json.loads(Path(domains_file).read_text())
    options: dict[str, Any] = {"canary": "gmail.com"}
    if which == "after" and max_in_flight is not None:
        options["max_in_flight"] = max_in_flight
    checker = module.DomainChecker.from_env(address, **options)
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    verdicts = checker.check(domains)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    pairs = sorted((domain, v.status, v.detail) for domain, v in verdicts.items())
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "queries": checker.queries_sent,
                "peak": getattr(checker, "in_flight_peak", None),
                "digest": hashlib.sha256(json.dumps(pairs).encode()).hexdigest(),
                "details": dict(Counter(v.detail for v in verdicts.values())),
            }
        )
    )


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the before checker's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextlib.contextmanager
def resolver_at(address: str, delay_ms: float) -> Iterator[tuple[str, Any]]:
    """(address, forwarder or None): dnsmasq itself at 0 ms, else the delaying forwarder."""
    if delay_ms <= 0:
        yield address, None
        return
    from tests.dns_server import delaying_forwarder

    with delaying_forwarder(address, delay_ms=delay_ms) as forwarder:
        yield forwarder.address, forwarder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=25_000)
    parser.add_argument("--delays", default="0,40", help="added latency per answer, in ms")
    parser.add_argument("--before", default=None, help="git revision of 'before', or 'none'")
    parser.add_argument("--max-in-flight", type=int, default=None)
    parser.add_argument("--shards", type=int, default=16, help="dnsmasq back instances")
    parser.add_argument("--child", nargs=3, metavar=("WHICH", "ADDRESS", "DOMAINS"))
    args = parser.parse_args()
    if args.child:
        run_child(*args.child, max_in_flight=args.max_in_flight)
        return 0

    from validation_dns import SEED, make_domains, zone_records

    from tests.dns_server import dnsmasq_cluster

    kinds = make_domains(args.domains, random.Random(SEED))
    mix = Counter(kinds.values())
    print(f"{len(kinds):,} domains ({', '.join(f'{k} {v:,}' for k, v in sorted(mix.items()))})")
    runs = ["after"]
    revision = None
    if (args.before or "").lower() != "none":
        revision = args.before or before_revision()
        runs.insert(0, "before")
    with tempfile.TemporaryDirectory(prefix="dns-throughput-") as scratch:
        domains_file = Path(scratch, "domains.json")
        domains_file.write_text(json.dumps(list(kinds)))
        env = dict(os.environ)
        if revision is not None:
            write_before_package(revision, Path(scratch))
            # The before checker's worker processes import the package too.
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [scratch, env.get("PYTHONPATH")]))
            print(f"before: {CHECKER} at {revision}; after: the work tree")
        started = time.perf_counter()
        with dnsmasq_cluster(zone_records(kinds), shards=args.shards, log_queries=False) as dns:
            up = time.perf_counter() - started
            print(f"dnsmasq: front + {args.shards} shards up in {up:.1f} s")
            print(
                f"{'latency':>8} {'checker':<8}{'wall s':>8}{'domains/s':>11}{'queries':>9}"
                f"{'on wire':>9}{'CPU s':>7}{'peak':>6}  verdicts"
            )
            for delay in (float(text) for text in args.delays.split(",")):
                digests = {}
                for which in runs:
                    with resolver_at(dns.address, delay) as (address, forwarder):
                        before = forwarder.stats()["received"] if forwarder else 0
                        command = [sys.executable, __file__, "--child", which, address,
                                   str(domains_file)]  # fmt: skip
                        if args.max_in_flight is not None:
                            command += ["--max-in-flight", str(args.max_in_flight)]
                        done = subprocess.run(
                            command, capture_output=True, text=True, cwd=PROJECT, env=env
                        )
                        wire = forwarder.stats()["received"] - before if forwarder else None
                    if done.returncode != 0:
                        print(done.stderr[-3000:], file=sys.stderr)
                        return 1
                    run = json.loads(done.stdout.strip().splitlines()[-1])
                    digests[which] = run["digest"]
                    same = ""
                    if which == "after" and "before" in digests:
                        same = "identical" if digests["before"] == run["digest"] else "DIFFERENT"
                    peak = "-" if run["peak"] is None else f"{run['peak']:,}"
                    print(
                        f"{delay:>5.0f} ms {which:<8}{run['wall_s']:>8.2f}"
                        f"{len(kinds) / run['wall_s']:>11,.0f}{run['queries']:>9,}"
                        f"{'-' if wire is None else f'{wire:,}':>9}{run['cpu_s']:>7.2f}{peak:>6}"
                        f"  {same or json.dumps(run['details'], sort_keys=True)}"
                    )
                    if same == "DIFFERENT":
                        print(f"         {json.dumps(run['details'], sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
