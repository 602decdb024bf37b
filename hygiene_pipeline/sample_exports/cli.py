"""The command line: ``python -m hygiene_pipeline.sample_exports --out data/exports``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .build import DEFAULT_MONTHS, DEFAULT_PEOPLE, DEFAULT_SEED, build_sample_exports, write_truth
from .render import write_exports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hygiene_pipeline.sample_exports",
        description="Write deterministic, messy HubSpot contact exports of invented people.",
    )
    parser.add_argument("--out", type=Path, default=Path("data/exports"), help="exports folder")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--months", nargs="+", default=list(DEFAULT_MONTHS), metavar="YYYY-MM")
    parser.add_argument(
        "--truth", type=Path, default=None, help="also write the truth CSV here (not in --out)"
    )
    args = parser.parse_args(argv)
    try:
        sample = build_sample_exports(args.months, args.people, args.seed)
        if args.truth is not None:
            write_truth(args.truth, exports_dir=args.out, truth=sample.truth)
    except ValueError as exc:
        parser.error(str(exc))
    for path, month in zip(write_exports(sample, args.out), sample.months, strict=True):
        print(f"{path}: {len(sample.rows[month])} contacts")
    if args.truth is not None:
        print(f"{args.truth}: {len(sample.truth)} records")
    return 0
