"""One DNS worker process: `DomainChecker._check_in_processes` starts one per core.

Reads a JSON request on stdin (nameservers, timeout, retries, workers, domains), looks the domains
up with threads (the parent has already checked the canary), and writes the verdicts and the
number of queries sent as JSON on stdout. Domains only: no contact data crosses the pipe.
"""

from __future__ import annotations

import json
import sys

from hygiene_pipeline.validate.dns_check import DomainChecker


def main() -> int:
    request = json.load(sys.stdin)
    nameservers = request["nameservers"]
    checker = DomainChecker(
        None if nameservers is None else [(ip, int(port)) for ip, port in nameservers],
        canary=None,
        timeout=request["timeout"],
        retries=request["retries"],
        workers=request["workers"],
    )
    verdicts = checker.check_without_canary(request["domains"])
    json.dump(
        {
            "verdicts": {domain: [v.status, v.detail] for domain, v in verdicts.items()},
            "queries_sent": checker.queries_sent,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
