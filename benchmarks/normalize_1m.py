"""Wall time and peak memory of normalization (`normalize_with_changes`) on 1,000,000 raw rows.

The raw month is generated in memory as ingest would store a HubSpot export (every cell text):
invented names in Dutch, German, French, Greek and English spellings with titles, suffixes,
emoji and ALL CAPS mixed in; emails with mailto:, display names, trailing dots and several per
cell; phones from NL, FR, DE, GR, GB and BE in national and international forms with random
digits (so nearly every number is distinct, as in a real CRM); companies with legal forms.
Fixed seed. Generation is not timed; peak memory is the process's largest resident set.

    .venv/bin/python benchmarks/normalize_1m.py [--rows 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import date

import numpy as np
import polars as pl

FIRST = [
    "Jan",
    "JOOST",
    "sanne",
    "Dr. Maarten",
    "Mevr. Ingrid",
    "Jürgen",
    "KLAUS",
    "Hélène",
    "jean-pierre",
    "Γιώργος",
    "ΕΛΕΝΗ",
    "Bob",
    "William",
    "Siobhan",
    "Anna 🌸",
    "Femke",
    "Prof. Dr. Hans",
    "Marie-Claire",
    "Νίκος",
    "Wouter",
    "Lucy",
    "Ewan",
    "Dörte",
    "Pieter",
]
LAST = [
    "van der Berg",
    "DE VRIES",
    "jansen",
    "Müller",
    "SCHÄFER",
    "Lefèvre",
    "d'artagnan",
    "Παπαδόπουλος",
    "ΑΛΕΞΊΟΥ",
    "O'BRIEN",
    "mcdonald",
    "Machado",
    "Whitfield Jr.",
    "Peeters",
    "von der Leyen",
    "Moreau ⭐",
    "Janssens",
    "Hartley III",
    "Bakker",
    "Strauß",
    "Visser",
]
DOMAINS = [
    "gmail.com",
    "web.de",
    "orange.fr",
    "ziggo.nl",
    "telenet.be",
    "otenet.gr",
    "btinternet.com",
    "brouwer-logistiek.nl",
    "weber-maschinen.de",
    "atelier-lumiere.fr",
    "kataskeves-vorra.gr",
    "hartley-sons.co.uk",
    "vlaamse-staal.be",
]
EMAIL_FORMS = [
    "{u}@{d}",
    "mailto:{U}@{d}",
    '"{U}" <{u}@{d}>',
    "{u}@{d}.",
    " {U}@{D} ",
    "{u}@{d}; {u}.work@{d}",
    "{u}@{d}",
    "{u}@{d}",
]
PHONE_FORMS = {  # country: national and international forms, X = a random digit
    "NL": ["06-XXXXXXXX", "+31 6 XXXX XXXX", "020 XXX XXXX", "0031 20 XXX XXXX"],
    "FR": ["06 XX XX XX XX", "+33 1 XX XX XX XX", "01 XX XX XX XX"],
    "DE": ["030/XXXXXXX", "+49 151 XXXXXXXX", "0151 XXXXXXXX", "+49 (0)89 XXXXXXX"],
    "GR": ["210 XXXXXXX", "+30 69X XXX XXXX", "69XXXXXXXX"],
    "GB": ["020 7946 0XXX", "+44 7911 XXXXXX", "07911 XXXXXX ext. 12"],
    "BE": ["0470 XX XX XX", "+32 2 XXX XX XX", "0032 470 XX XX XX"],
}
COUNTRIES = {
    "NL": ["Nederland", "NL", "the Netherlands", ""],
    "FR": ["France", "FR", ""],
    "DE": ["Deutschland", "Germany", ""],
    "GR": ["Ελλάδα", "Greece", "GR"],
    "GB": ["United Kingdom", "UK", ""],
    "BE": ["Belgique", "België", "BE"],
}
COMPANIES = [
    "Brouwer Logistiek B.V.",
    "BROUWER LOGISTIEK BV",
    "Weber Maschinenbau GmbH & Co. KG",
    "Atelier Lumière SARL",
    "SAS Moreau Frères",
    "Κατασκευές Βορρά Α.Ε.",
    "Hartley & Sons Ltd.",
    "Vlaamse Staalwerken N.V.",
    "Northwind Analytics, Inc.",
    "Alpenblick AG",
    "",
    "n/a",
]
TITLES = [
    "VP Sales",
    "vice president of sales",
    "HOOFD INKOOP",
    "Geschäftsführer",
    "CEO",
    "directeur commercial",
    "Διευθυντής Πωλήσεων",
    "senior software engineer",
    "",
    "Owner",
]
SOURCES = ["Organic Search", "Paid Search", "Beurs", "Offline Sources", "Referrals", "", "Webinar"]
STAGES = ["Lead", "Customer", "Subscriber", "Marketing Qualified Lead", "Opportunity", ""]


def generate(rows: int, seed: int) -> pl.DataFrame:
    """A raw_contacts month of `rows` HubSpot rows (every cell text, as ingest stores it)."""
    rng = np.random.default_rng(seed)

    def pick(values: list[str]) -> list[str]:
        return [values[i] for i in rng.integers(0, len(values), rows)]

    codes = pick(list(PHONE_FORMS))
    phones = []
    digits = rng.integers(0, 10, (rows, 12))
    for index, code in enumerate(codes):
        form = PHONE_FORMS[code][index % len(PHONE_FORMS[code])]
        row_digits = iter(digits[index])
        phones.append("".join(str(next(row_digits)) if c == "X" else c for c in form))
    first, last, domains = pick(FIRST), pick(LAST), pick(DOMAINS)
    forms = pick(EMAIL_FORMS)
    numbers = rng.integers(0, 50_000, rows)
    emails = []
    for given, family, d, form, n in zip(first, last, domains, forms, numbers, strict=True):
        user = f"{given.split()[-1][:1]}.{family.split()[0]}{n}".lower()
        emails.append(form.format(u=user, U=user.title(), d=d, D=d.upper()))
    countries = [COUNTRIES[c][i % len(COUNTRIES[c])] for i, c in enumerate(codes)]
    return pl.DataFrame(
        {
            "Record ID": [str(70_000_000_000 + i) for i in range(rows)],
            "First Name": first,
            "Last Name": last,
            "Email": emails,
            "Phone Number": phones,
            "Mobile Phone Number": [""] * rows,
            "Company Name": pick(COMPANIES),
            "Job Title": pick(TITLES),
            "Contact owner": pick(["Jan Peeters", "Marie  Dubois", ""]),
            "Original Source": pick(SOURCES),
            "Lifecycle Stage": pick(STAGES),
            "Lead Status": pick(["Open", "In progress", ""]),
            "Country/Region": countries,
            "Create Date": ["2025-03-02 09:15"] * rows,
        }
    ).with_columns(
        pl.lit(date(2026, 10, 1)).alias("snapshot"),
        pl.col("Record ID").alias("contact_id"),
        pl.lit("hubspot-contacts-2026-10.csv").alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("source_row"),
        pl.lit("hubspot").alias("source_system"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    raw = generate(args.rows, args.seed)
    from hygiene_pipeline.normalize.contacts import normalize_with_changes

    started, cpu_started = time.perf_counter(), time.process_time()
    contacts, changes = normalize_with_changes(raw)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    distinct_phones = raw.select(pl.col("Phone Number").n_unique()).item()
    print(
        f"rows {contacts.height:,}  changes {changes.height:,}  distinct phones "
        f"{distinct_phones:,}  normalize_with_changes {elapsed:.2f} s wall, {cpu:.2f} s CPU  "
        f"peak {peak_mib:,.0f} MiB  load average {os.getloadavg()[0]:.1f}"
    )
    print(changes.group_by("field").len().sort("field"))


if __name__ == "__main__":
    main()
