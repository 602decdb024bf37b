"""A HubSpot contacts export of any size for the scale benchmark: invented people, messy as in life.

`hygiene_pipeline.sample_exports` simulates a CRM month by month with a planted truth, which is
what the accuracy tests need but too slow for a million rows. This writes one month directly from
the same tables (first names with their nicknames, surnames, Greek script, valid phone ranges and
the ways people type them, job titles, owners, sources, lifecycle stages, country labels), over
the domains of a DNS zone the benchmark serves (`benchmarks/validation_dns.py`'s `make_domains`):

- about 15% of the rows are second records of a person already in the file, each with one to
  three changes: a nickname, a surname typo, other casing, swapped names, a blank email or
  phone, the phone written another way, the same mailbox at a free-mail provider;
- messiness on every kind of row: ALL CAPS and lower-case names, salutations, emoji, padding,
  `mailto:` and upper-case emails, double dots, role and disposable addresses, typo domains,
  numbers in seven national and international styles, blank owners and sources.

Fixed seed: same arguments, same bytes. Standard library plus the sample generator's tables.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

from hygiene_pipeline.sample_exports.person_names import (
    FIRST_NAMES,
    GREEK_FIRST_NAMES,
    GREEK_LAST_NAMES,
    LAST_NAMES,
)
from hygiene_pipeline.sample_exports.phones import PHONE_PLANS, Phone, looks_fake
from hygiene_pipeline.sample_exports.render import HEADER
from hygiene_pipeline.sample_exports.text import greek_to_latin, local_part
from hygiene_pipeline.sample_exports.vocabulary import (
    COUNTRY_LABELS,
    COUNTRY_WEIGHTS,
    HARD_BOUNCE_REASONS,
    JOB_TITLES,
    LEAD_STATUS,
    LEGAL_FORMS,
    LIFECYCLE_WEIGHTS,
    OWNERS,
    ROLE_LOCALS,
    SOURCES,
)

DUPLICATE_SHARE = 0.15
FREE_MAIL_SHARE, NO_EMAIL_SHARE, MALFORMED_SHARE = 0.30, 0.03, 0.003
ROLE_SHARE, DISPOSABLE_SHARE, TYPO_SHARE = 0.02, 0.003, 0.002
# A fifth never engaged; the others last engaged on average about nine months before the export.
ACTIVE_SHARE, ACTIVITY_MEAN_DAYS_BACK = 0.8, 270
EARLIEST, EXPORTED = datetime(2017, 1, 2, 8, 0), datetime(2026, 10, 31, 17, 0)
SALUTATIONS = ("Dr. ", "Mr. ", "Mevr. ", "Herr ", "Mme ", "Prof. Dr. ")
EMOJI = (" 🌷", " 🚀", " ⭐", " 😊")
DUPLICATE_CHANGES = (("nickname", 22), ("typo_last", 16), ("upper", 8), ("lower", 6),
                     ("swap_names", 3), ("blank_email", 12), ("blank_phone", 10),
                     ("phone_style", 18), ("free_mail", 5))  # fmt: skip


@dataclass
class Person:
    """What a second record of the same person can vary."""

    first: str
    last: str
    nicks: tuple[str, ...]
    country: str
    culture: str
    phone: Phone | None


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _moment(rng: random.Random, low: datetime, high: datetime) -> datetime:
    seconds = max(0, int((high - low).total_seconds()))
    return (low + timedelta(seconds=rng.randint(0, seconds))).replace(second=0)


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name + name[-1]
    at = rng.randrange(1, len(name) - 2)
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]


class ExportWriter:
    """Builds the rows: one invented population over the given domains."""

    def __init__(self, domains: Sequence[str], free_mail: dict[str, int], seed: int) -> None:
        self.rng = random.Random(f"scale-export-{seed}")
        special = set(free_mail)
        self.companies = [d for d in domains if d not in special]
        # A long tail of company sizes: a few large accounts, most with a handful of contacts.
        self.company_cum = list(
            accumulate(1 / (rank + 10) ** 0.9 for rank in range(len(self.companies)))
        )
        self.free, self.free_weights = list(free_mail), list(free_mail.values())
        self.countries, self.country_weights = zip(*COUNTRY_WEIGHTS.items(), strict=True)
        self.used_emails: set[str] = set()
        self.unused_companies = list(self.companies)  # every domain once before any repeats
        self.rng.shuffle(self.unused_companies)

    def _names(self, country: str) -> tuple[str, str, tuple[str, ...], str]:
        rng = self.rng
        if country == "GR":
            script, latin, gender, nicks = rng.choice(GREEK_FIRST_NAMES)
            male_gr, female_gr, male_lat, female_lat = rng.choice(GREEK_LAST_NAMES)
            if rng.random() < 0.5:
                return script, (male_gr if gender == "m" else female_gr), (
                    tuple(n for n, _ in nicks)), "gr"  # fmt: skip
            last = male_lat if gender == "m" else female_lat
            return latin, last, tuple(lat for _, lat in nicks), "gr"
        culture = "be_nl" if country == "BE" and rng.random() < 0.6 else (
            "be_fr" if country == "BE" else country.lower())  # fmt: skip
        first, _, nicks = rng.choice(FIRST_NAMES[culture])
        return first, rng.choice(LAST_NAMES[culture]), nicks, culture

    def _phone(self, country: str) -> Phone:
        kind = "mobile" if self.rng.random() < 0.55 else "landline"
        while True:
            area, length, leads = self.rng.choice(PHONE_PLANS[(country, kind)])
            sub = self.rng.choice(leads) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(length - 1)
            )
            if not looks_fake(area + sub):
                return Phone(country, kind, area, sub)

    def _email(self, first: str, last: str, country: str, company_domain: str | None) -> str:
        rng = self.rng
        draw = rng.random()
        if draw < NO_EMAIL_SHARE:
            return ""
        latin = greek_to_latin if country == "GR" else str
        first_l = local_part(latin(first), country == "DE")
        last_l = local_part(latin(last), country == "DE")
        if company_domain and rng.random() < ROLE_SHARE:
            return f"{rng.choice(ROLE_LOCALS[country])}@{company_domain}"
        if draw < NO_EMAIL_SHARE + DISPOSABLE_SHARE:
            domain = rng.choice(("mailinator.com", "yopmail.com"))
        elif draw < NO_EMAIL_SHARE + DISPOSABLE_SHARE + TYPO_SHARE:
            domain = rng.choice(("gmial.com", "hotmial.com", "gmail.con"))
        elif company_domain:
            domain = company_domain
        else:
            domain = rng.choices(self.free, weights=self.free_weights)[0]
        local = rng.choice((f"{first_l}.{last_l}", f"{first_l[:1]}.{last_l}", f"{first_l}{last_l}",
                            f"{first_l}_{last_l}", f"{last_l}.{first_l}"))  # fmt: skip
        email = f"{local}@{domain}"
        while email in self.used_emails:
            email = f"{local}{rng.randint(1, 9999)}@{domain}"
        self.used_emails.add(email)
        if rng.random() < MALFORMED_SHARE:
            email = email.replace("@", "..@", 1) if "." not in local else email.replace(".", "..")
        return email

    def original(self, record_id: int) -> tuple[dict[str, str], Person]:
        rng = self.rng
        country = rng.choices(self.countries, weights=self.country_weights)[0]
        first, last, nicks, culture = self._names(country)
        private = rng.random() < FREE_MAIL_SHARE
        domain = None
        if not private:
            domain = (self.unused_companies.pop() if self.unused_companies else
                      rng.choices(self.companies, cum_weights=self.company_cum)[0])  # fmt: skip
        company = ""
        if domain:
            stem = domain.split(".")[0].split("-")[0]
            form = _weighted(rng, LEGAL_FORMS[country])
            company = f"{stem.title()} {form}".strip()
        phone = self._phone(country) if rng.random() < 0.6 else None
        created = _moment(rng, EARLIEST, EXPORTED - timedelta(days=1))
        active = self._last_activity(created) if rng.random() < ACTIVE_SHARE else None
        stage = _weighted(rng, LIFECYCLE_WEIGHTS["private" if private else "company"])
        bounced = rng.random() < 0.02
        row = {
            "Record ID": str(record_id),
            "First Name": first,
            "Last Name": last,
            "Email": self._email(first, last, country, domain),
            "Phone Number": "",
            "Mobile Phone Number": "",
            "Company Name": company,
            "Job Title": rng.choice(JOB_TITLES[culture]) if domain and rng.random() < 0.8 else "",
            "Contact owner": rng.choice(OWNERS[country]) if rng.random() < 0.9 else "",
            "Create Date": created.strftime("%Y-%m-%d %H:%M"),
            "Last Modified Date": _moment(rng, active or created, EXPORTED).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "Lifecycle Stage": stage,
            "Lead Status": _weighted(rng, LEAD_STATUS[stage]),
            "Last Activity Date": active.strftime("%Y-%m-%d %H:%M") if active else "",
            "Original Source": _weighted(rng, SOURCES["private" if private else "company"]),
            "Marketing emails bounced": "1" if bounced else "",
            "Email hard bounce reason": rng.choice(HARD_BOUNCE_REASONS) if bounced else "",
            "Unsubscribed from all email": "true" if rng.random() < 0.05 else "false",
            "Country/Region": _weighted(rng, COUNTRY_LABELS[culture]),
        }
        if phone:
            column = "Mobile Phone Number" if phone.kind == "mobile" else "Phone Number"
            row[column] = phone.render(rng.randrange(8))
        self._mess(row)
        return row, Person(first, last, nicks, country, culture, phone)

    def _last_activity(self, created: datetime) -> datetime:
        """Engagement is recent for most and long ago for some: days back, exponential."""
        back = timedelta(days=self.rng.expovariate(1 / ACTIVITY_MEAN_DAYS_BACK))
        return max(created, EXPORTED - back).replace(second=0)

    def _mess(self, row: dict[str, str]) -> None:
        rng = self.rng
        draw = rng.random()
        if draw < 0.04:
            row["First Name"], row["Last Name"] = (
                row["First Name"].upper(),
                row["Last Name"].upper(),
            )
        elif draw < 0.07:
            row["First Name"], row["Last Name"] = (
                row["First Name"].lower(),
                row["Last Name"].lower(),
            )
        elif draw < 0.09:
            row["First Name"] = rng.choice(SALUTATIONS) + row["First Name"]
        elif draw < 0.10:
            row["First Name"] += rng.choice(EMOJI)
        elif draw < 0.12:
            row["Last Name"] = f" {row['Last Name']}  "
        if row["Email"] and rng.random() < 0.03:
            row["Email"] = rng.choice((row["Email"].upper(), f"mailto:{row['Email']}"))

    def duplicate(self, record_id: int, of: dict[str, str], person: Person) -> dict[str, str]:
        rng = self.rng
        row = dict(of, **{"Record ID": str(record_id)})
        names, weights = zip(*DUPLICATE_CHANGES, strict=True)
        for change in set(rng.choices(names, weights=weights, k=rng.randint(1, 3))):
            if change == "nickname" and person.nicks:
                row["First Name"] = rng.choice(person.nicks)
            elif change == "typo_last":
                row["Last Name"] = _typo(rng, person.last)
            elif change in ("upper", "lower"):
                fold = str.upper if change == "upper" else str.lower
                row["First Name"], row["Last Name"] = fold(person.first), fold(person.last)
            elif change == "swap_names":
                row["First Name"], row["Last Name"] = person.last, person.first
            elif change == "blank_email":
                row["Email"] = ""
            elif change == "blank_phone":
                row["Phone Number"] = row["Mobile Phone Number"] = ""
            elif change == "phone_style" and person.phone:
                column = "Mobile Phone Number" if person.phone.kind == "mobile" else "Phone Number"
                row[column] = person.phone.render(rng.randrange(8))
            elif change == "free_mail" and "@" in row["Email"]:
                local = row["Email"].split("@")[0].removeprefix("mailto:")
                row["Email"] = f"{local}@{rng.choices(self.free, weights=self.free_weights)[0]}"
        created = _moment(rng, datetime.strptime(of["Create Date"], "%Y-%m-%d %H:%M"), EXPORTED)
        row["Create Date"] = created.strftime("%Y-%m-%d %H:%M")
        row["Last Modified Date"] = _moment(rng, created, EXPORTED).strftime("%Y-%m-%d %H:%M")
        row["Last Activity Date"] = ""
        return row


def write_export(
    path: Path, rows: int, domains: Sequence[str], free_mail: dict[str, int], seed: int
) -> dict[str, int]:
    """Writes `rows` contacts to `path` (UTF-8, `,`, as HubSpot exports); returns the counts."""
    writer = ExportWriter(domains, free_mail, seed)
    rng = writer.rng
    ids = rng.sample(range(50_000_000_000, 59_999_999_999), rows)
    originals: list[tuple[dict[str, str], Person]] = []
    duplicates = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        out.writeheader()
        for record_id in ids:
            if originals and rng.random() < DUPLICATE_SHARE:
                out.writerow(writer.duplicate(record_id, *rng.choice(originals)))
                duplicates += 1
            else:
                row, person = writer.original(record_id)
                originals.append((row, person))
                out.writerow(row)
    return {"rows": rows, "duplicates": duplicates, "company_domains_unused":
            len(writer.unused_companies)}  # fmt: skip
