"""Deterministic, realistic and messy HubSpot contact exports of invented people.

No real people: names are random combinations of common first and last names per country,
companies join invented stems with a sector and a legal form, domains are made from those names.
Phone numbers are random digits in ranges libphonenumber calls valid (so a validator's "invalid"
count means something); Ofcom's drama numbers (020 7946 0xxx, 07700 900xxx) appear only among the
planted fake numbers. Nothing is read from the network or from real data; standard library only.

One "all properties" contacts export per month, as HubSpot writes it::

    python -m hygiene_pipeline.sample_exports --out data/exports \
        [--people 1500] [--seed 20261001] [--months 2026-08 2026-09 2026-10] [--truth PATH]

writes ``<out>/<month>/hubspot-contacts-<month>.csv``. Odd calendar months are saved the way Excel
on a European locale saves them (``;``, UTF-8 with BOM, CRLF); even months are plain UTF-8 ``,``
with LF. ``people`` is the number of invented persons in the first month (originals plus hard
negatives); duplicates, role accounts, disposable addresses and test records come on top (about
+9% rows).

The same population evolves across the months: 2-4% new records, activity moving forward, stage
changes, new unsubscribes and bounces, deleted records; nothing is dated after the export moment
(the month's last day, 17:00). Planted messiness is recorded in the *truth* (`TruthRow`, one per
record id ever exported): the invented person it belongs to, its kind (original, duplicate,
hard_negative, role_account, disposable, test_junk), ";"-joined tags of what was planted, the
related record (a duplicate's original, a hard negative's look-alike) and the first and last month
it was exported. The truth is never written into the exports folder (the pipeline reads every file
there): use `build_sample_exports(...).truth`, `sample_truth(...)` or `write_truth(path, ...)`.

Same arguments, same bytes: randomness comes only from `random.Random` seeded with strings derived
from the seed (sha512 seeding, independent of PYTHONHASHSEED), and no set is ever iterated.

Modules: `build` (build_sample_exports and the writers), `simulation` (the first month and each
month after), `world` (companies, people, contact records), `lookalikes` (duplicates and hard
negatives), `messiness` (the other planted damage), `render` (CSV dialects, columns, truth file),
`phones`, `dates`, `text`, `sampling`, and the tables in `person_names` and `vocabulary`.
"""

from __future__ import annotations

from .build import (
    DEFAULT_MONTHS,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    build_sample_exports,
    sample_truth,
    write_sample_exports,
    write_truth,
)
from .cli import main
from .dates import DATE_FORMAT, EARLIEST, EXPORT_TIME, export_moment, month_bounds
from .render import (
    DATE_COLUMNS,
    EXCEL_EUROPE,
    HEADER,
    PLAIN,
    TRUTH_HEADER,
    TRUTH_KINDS,
    CsvFormat,
    SampleExports,
    TruthRow,
    export_format,
    export_path,
    read_truth,
    render_truth,
)
from .vocabulary import LIFECYCLE_STAGES

__all__ = [
    "DATE_COLUMNS",
    "DATE_FORMAT",
    "DEFAULT_MONTHS",
    "DEFAULT_PEOPLE",
    "DEFAULT_SEED",
    "EARLIEST",
    "EXCEL_EUROPE",
    "EXPORT_TIME",
    "HEADER",
    "LIFECYCLE_STAGES",
    "PLAIN",
    "TRUTH_HEADER",
    "TRUTH_KINDS",
    "CsvFormat",
    "SampleExports",
    "TruthRow",
    "build_sample_exports",
    "export_format",
    "export_moment",
    "export_path",
    "main",
    "month_bounds",
    "read_truth",
    "render_truth",
    "sample_truth",
    "write_sample_exports",
    "write_truth",
]
