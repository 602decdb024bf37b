"""The invented world: companies, people, their contact records and the record's CRM history."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .dates import EARLIEST, format_moment, months_back, random_moment
from .person_names import FIRST_NAMES, GREEK_FIRST_NAMES, GREEK_LAST_NAMES, LAST_NAMES
from .phones import PHONE_PLANS, Phone, looks_fake
from .sampling import pick
from .text import local_part
from .vocabulary import (
    ALL_OWNERS,
    COMPANY_SECTORS,
    COMPANY_STEMS,
    COUNTRY_LABELS,
    COUNTRY_WEIGHTS,
    EMAIL_PATTERNS,
    FREE_MAIL,
    FREE_PATTERNS,
    GREEK_LATIN_SECTORS,
    GREEK_LATIN_STEMS,
    JOB_TITLES,
    LEAD_STATUS,
    LEGAL_BASES,
    LEGAL_FORMS,
    LIFECYCLE_WEIGHTS,
    OWNERS,
    SELF_EMPLOYED_TITLES,
    SOURCE_DETAILS,
    SOURCES,
    SPECIAL_COMPANIES,
    TLDS,
)


@dataclass(eq=False)
class Company:
    name: str
    base: str
    form: str
    country: str
    domain: str
    pattern: str
    switchboard: Phone
    switchboard_style: int
    weight: float


@dataclass(eq=False)
class Person:
    pid: str
    country: str
    culture: str
    gender: str
    first: str
    last: str
    first_alt: str = ""  # the other script (Greek people only)
    last_alt: str = ""
    nicks: tuple[tuple[str, str], ...] = ()
    greek_script: bool = False
    surname_index: int = -1  # index into GREEK_LAST_NAMES for Greek people
    company: Company | None = None
    job_title: str = ""
    email: str = ""
    alt_email: str = ""
    mobile: Phone | None = None
    landline: Phone | None = None
    mobile_in_phone: bool = False
    uses_switchboard: bool = False
    phone_style: int = 0

    @property
    def latin_first(self) -> str:
        return self.first_alt if self.greek_script else self.first

    @property
    def latin_last(self) -> str:
        return self.last_alt if self.greek_script else self.last


@dataclass(eq=False)
class Contact:
    key: int
    person: Person
    kind: str
    tags: list[str] = field(default_factory=list)
    related: Contact | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    company: str = ""
    job_title: str = ""
    owner: str = ""
    created: datetime = EARLIEST
    modified: datetime = EARLIEST
    activity: datetime | None = None
    lifecycle: str = "Lead"
    lead_status: str = ""
    source: str = ""
    bounced: int | None = None
    bounce_reason: str = ""
    unsubscribed: str = ""
    country_label: str = ""
    source_detail: str = ""  # HubSpot's Original Source Drill-Down 1 (CRM_UI, IMPORT, ...)
    legal_basis: str = ""  # HubSpot's legal basis for processing; blank: none recorded
    frozen: bool = False  # planted states that must survive every month (protected records)
    deleted: bool = False
    first_month: str = ""
    last_month: str = ""
    record_id: str = ""

    def touch(self, moment: datetime) -> None:
        if moment > self.modified:
            self.modified = moment

    def values(self) -> list[str]:
        return [
            self.first_name,
            self.last_name,
            self.email,
            self.phone,
            self.mobile,
            self.company,
            self.job_title,
            self.owner,
            format_moment(self.created),
            format_moment(self.modified),
            self.lifecycle,
            self.lead_status,
            format_moment(self.activity),
            self.source,
            "" if self.bounced is None else str(self.bounced),
            self.bounce_reason,
            self.unsubscribed,
            self.country_label,
            self.source_detail,
            self.legal_basis,
            "",  # Fax Number: never filled
        ]


class World:
    def __init__(self) -> None:
        self.used_emails: set[str] = set()
        self.used_phones: set[tuple[str, str, str]] = set()
        self.companies: list[Company] = []
        self.staff: set[tuple[str, str, str]] = set()  # (domain, first, last) per company
        self.contacts: list[Contact] = []
        self.placeholders = 0  # placeholder phones handed out
        self.junk = 0  # test records made
        self._next_person = 0
        self._next_key = 0

    def person_id(self) -> str:
        self._next_person += 1
        return f"P{self._next_person:05d}"

    def key(self) -> int:
        self._next_key += 1
        return self._next_key

    def claim_email(self, email: str) -> bool:
        lowered = email.lower()
        if lowered in self.used_emails:
            return False
        self.used_emails.add(lowered)
        return True

    def phone(self, rng: random.Random, country: str, kind: str, round_end: bool = False) -> Phone:
        plan = PHONE_PLANS[(country, kind)]
        while True:
            area, length, leads = rng.choice(plan)
            digits = [rng.choice(leads)] + [str(rng.randint(0, 9)) for _ in range(length - 1)]
            if round_end:  # company switchboards often end in 00
                digits[-2:] = ["0", "0"]
            sub = "".join(digits)
            if (country, area, sub) not in self.used_phones and not looks_fake(area + sub):
                self.used_phones.add((country, area, sub))
                return Phone(country, kind, area, sub)


def pick_culture(rng: random.Random, country: str) -> str:
    if country == "BE":
        return "be_nl" if rng.random() < 0.6 else "be_fr"
    return country.lower()


def make_companies(world: World, rng: random.Random, total: int) -> None:
    weight_sum = sum(COUNTRY_WEIGHTS.values())
    used_domains: set[str] = set()
    for country, name, base, form, domain, pattern in SPECIAL_COMPANIES:
        phone = world.phone(rng, country, "landline", round_end=True)
        world.companies.append(
            Company(name, base, form, country, domain, pattern, phone, rng.randint(0, 9), 0.6)
        )
        used_domains.add(domain)
    for country, share in COUNTRY_WEIGHTS.items():
        count = max(3, round(total * share / weight_sum))
        combos = [(st, se) for st in COMPANY_STEMS[country] for se in COMPANY_SECTORS[country]]
        if country == "GR":
            combos += [(st, se) for st in GREEK_LATIN_STEMS for se in GREEK_LATIN_SECTORS]
        rng.shuffle(combos)
        used_stems: list[str] = []
        made = 0
        for (stem, stem_slug), (sector, sector_slug) in combos:
            if made >= count:
                break
            if used_stems.count(stem) >= 2:
                continue
            latin_greek = country == "GR" and stem_slug in {s for _, s in GREEK_LATIN_STEMS}
            form = "S.A." if latin_greek else pick(rng, LEGAL_FORMS[country])
            base = f"{stem} {sector}"
            if country == "FR" and rng.random() < 0.4:
                base = f"{sector} {stem}"
            name = f"{base} {form}".strip()
            tld = pick(rng, TLDS[country])
            shape = rng.random()
            if shape < 0.55:
                domain = f"{stem_slug}-{sector_slug}.{tld}"
            elif shape < 0.8:
                domain = f"{stem_slug}{sector_slug}.{tld}"
            else:
                domain = f"{stem_slug}.{tld}"
            if domain in used_domains:
                domain = f"{stem_slug}-{sector_slug}.{tld}"
            if domain in used_domains:
                continue
            used_domains.add(domain)
            used_stems.append(stem)
            pattern = pick(rng, EMAIL_PATTERNS)
            phone = world.phone(rng, country, "landline", round_end=rng.random() < 0.5)
            weight = rng.uniform(0.5, 1.5) / (made + 1) ** 0.8
            world.companies.append(
                Company(
                    name, base, form, country, domain, pattern, phone, rng.randint(0, 9), weight
                )
            )
            made += 1


def random_names(
    rng: random.Random, culture: str, gender: str | None = None
) -> tuple[str, str, str, str, tuple[tuple[str, str], ...], bool, int, str]:
    """(first, last, first_alt, last_alt, nicknames, greek_script, surname_index, gender)."""
    if culture == "gr":
        pool = [e for e in GREEK_FIRST_NAMES if gender is None or e[2] == gender]
        first_gr, first_lat, gender, nicks = rng.choice(pool)
        index = rng.randrange(len(GREEK_LAST_NAMES))
        male_gr, female_gr, male_lat, female_lat = GREEK_LAST_NAMES[index]
        last_gr, last_lat = (male_gr, male_lat) if gender == "m" else (female_gr, female_lat)
        if rng.random() < 0.65:
            return first_gr, last_gr, first_lat, last_lat, nicks, True, index, gender
        latin_nicks = tuple((lat, gr) for gr, lat in nicks)
        return first_lat, last_lat, first_gr, last_gr, latin_nicks, False, index, gender
    pool_first = [e for e in FIRST_NAMES[culture] if gender is None or e[1] == gender]
    first, gender, nicknames = rng.choice(pool_first)
    last = rng.choice(LAST_NAMES[culture])
    return first, last, "", "", tuple((n, "") for n in nicknames), False, -1, gender


def email_local(person: Person, pattern: str, rng: random.Random) -> str:
    german = person.culture == "de"
    first = local_part(person.latin_first, german)
    last = local_part(person.latin_last, german)
    year = rng.randint(1955, 2004)
    return {
        "first.last": f"{first}.{last}",
        "f.last": f"{first[:1]}.{last}",
        "first": first,
        "flast": f"{first[:1]}{last}",
        "firstl": f"{first}{last[:1]}",
        "first_last": f"{first}_{last}",
        "last": last,
        "firstlast": f"{first}{last}",
        "first.last.yy": f"{first}.{last}{year % 100:02d}",
        "firstNN": f"{first}{rng.randint(1, 99)}",
        "last.first": f"{last}.{first}",
        "firstlastyyyy": f"{first}{last}{year}",
        "flastNN": f"{first[:1]}{last}{rng.randint(1, 99)}",
    }[pattern]


def free_email(world: World, rng: random.Random, person: Person, domain: str = "") -> str:
    domain = domain or pick(rng, FREE_MAIL[person.country])
    for attempt in range(30):
        local = email_local(person, pick(rng, FREE_PATTERNS), rng)
        if attempt > 3:
            local += str(rng.randint(2, 999))
        email = f"{local}@{domain}"
        if world.claim_email(email):
            return email
    raise RuntimeError("could not invent a unique free-mail address")  # pragma: no cover


def work_email(world: World, rng: random.Random, person: Person, company: Company) -> str:
    patterns = [company.pattern, "first.last", "firstl", "first_last"]
    for attempt in range(30):
        pattern = patterns[attempt] if attempt < len(patterns) else "first.last"
        local = email_local(person, pattern, rng)
        if attempt >= len(patterns):
            local += str(attempt - len(patterns) + 2)
        email = f"{local}@{company.domain}"
        if world.claim_email(email):
            return email
    raise RuntimeError("could not invent a unique work address")  # pragma: no cover


def pick_company(rng: random.Random, world: World, country: str) -> Company:
    pool = [c for c in world.companies if c.country == country]
    return rng.choices(pool, weights=[c.weight for c in pool])[0]


def new_person(
    world: World,
    rng: random.Random,
    country: str | None = None,
    *,
    culture: str | None = None,
    names: tuple | None = None,
    company: Company | str | None = "auto",
) -> Person:
    country = country or pick(rng, list(COUNTRY_WEIGHTS.items()))
    culture = culture or pick_culture(rng, country)
    first, last, first_alt, last_alt, nicks, greek, surname_index, gender = names or random_names(
        rng, culture
    )
    person = Person(
        pid=world.person_id(),
        country=country,
        culture=culture,
        gender=gender,
        first=first,
        last=last,
        first_alt=first_alt,
        last_alt=last_alt,
        nicks=nicks,
        greek_script=greek,
        surname_index=surname_index,
    )
    if company == "auto":
        company = pick_company(rng, world, country) if rng.random() < 0.68 else None
    person.company = company if isinstance(company, Company) else None
    if person.company is not None:
        staff_key = (person.company.domain, first.lower(), last.lower())
        if staff_key in world.staff:  # no accidental namesakes within one company
            person.company = None
        else:
            world.staff.add(staff_key)
    if person.company is not None:
        person.email = work_email(world, rng, person, person.company)
        person.job_title = rng.choice(JOB_TITLES[culture]) if rng.random() < 0.85 else ""
        person.uses_switchboard = rng.random() < 0.35
        if rng.random() < 0.25:
            person.landline = world.phone(rng, country, "landline")
    else:
        person.email = free_email(world, rng, person)
        if rng.random() < 0.3:
            person.job_title = rng.choice(SELF_EMPLOYED_TITLES[culture])
        if rng.random() < 0.25:
            person.landline = world.phone(rng, country, "landline")
    if rng.random() < 0.75:
        person.mobile = world.phone(rng, country, "mobile")
    person.mobile_in_phone = rng.random() < 0.4
    person.phone_style = rng.randrange(8)
    return person


def alt_email(world: World, rng: random.Random, person: Person) -> str:
    if not person.alt_email:
        person.alt_email = free_email(world, rng, person)
    return person.alt_email


def render_phones(person: Person, style: int) -> tuple[str, str]:
    phone = mobile = ""
    if person.mobile is not None:
        if person.mobile_in_phone:
            phone = person.mobile.render(style)
        else:
            mobile = person.mobile.render(style)
    if person.landline is not None:
        if phone:
            mobile, phone = phone, ""
        phone = person.landline.render(style)
    if not phone and person.company is not None and person.uses_switchboard:
        phone = person.company.switchboard.render(person.company.switchboard_style)
    return phone, mobile


def pick_owner(rng: random.Random, country: str, lifecycle: str) -> str:
    if rng.random() < (0.3 if lifecycle == "Subscriber" else 0.045):
        return ""
    if rng.random() < 0.85:
        return rng.choice(OWNERS[country])
    return rng.choice(ALL_OWNERS)


def set_email_flags(rng: random.Random, c: Contact) -> None:
    c.unsubscribed = "" if not c.email or rng.random() < 0.2 else "false"
    c.bounced = 0 if c.email and rng.random() < 0.15 else None


def set_engagement(
    rng: random.Random, c: Contact, engagement: str, month_start: datetime, export_at: datetime
) -> None:
    created = c.created
    cutoff = months_back(month_start, 12) - timedelta(days=1)  # older than this: stale
    if engagement == "stale" and created > cutoff - timedelta(days=30):
        engagement = "warm"
    if engagement == "warm" and created > export_at - timedelta(days=100):
        engagement = "active"
    if engagement == "active":
        c.activity = random_moment(rng, max(created, export_at - timedelta(days=90)), export_at)
    elif engagement == "warm":
        lo = max(created, export_at - timedelta(days=170))  # warm: quiet, not yet six months
        c.activity = random_moment(rng, lo, export_at - timedelta(days=91))
    elif engagement == "stale":
        c.activity = random_moment(rng, created, cutoff - timedelta(days=20))
    else:
        c.activity = None
    if engagement == "stale":
        assert c.activity is not None
        c.modified = random_moment(rng, c.activity, min(c.activity + timedelta(days=30), cutoff))
    elif engagement == "never":
        if rng.random() < 0.7:
            c.modified = random_moment(rng, created, min(created + timedelta(days=10), export_at))
        else:
            c.modified = random_moment(rng, created, export_at)
    else:
        assert c.activity is not None
        c.modified = random_moment(rng, c.activity, min(c.activity + timedelta(days=20), export_at))
        if rng.random() < 0.25:
            c.modified = random_moment(rng, c.modified, export_at)
    c.modified = max(c.modified, created)


def engagement_for(
    rng: random.Random, created: datetime, export_at: datetime, lifecycle: str
) -> str:
    age = (export_at - created).days
    if age < 90:
        return pick(rng, [("active", 70), ("never", 30)])
    if age < 400:
        return pick(rng, [("active", 45), ("warm", 40), ("never", 15)])
    if lifecycle in ("Customer", "Opportunity", "Sales Qualified Lead", "Evangelist"):
        return pick(rng, [("active", 55), ("warm", 30), ("stale", 12), ("never", 3)])
    return pick(rng, [("active", 40), ("warm", 38), ("stale", 14), ("never", 8)])


def add_contact(
    world: World,
    rng: random.Random,
    person: Person,
    created: datetime,
    month_start: datetime,
    export_at: datetime,
    kind: str = "original",
    *,
    lifecycle: str = "",
    source: str = "",
    engagement: str = "",
) -> Contact:
    c = Contact(key=world.key(), person=person, kind=kind)
    c.first_name, c.last_name = person.first, person.last
    c.email = person.email
    c.phone, c.mobile = render_phones(person, person.phone_style)
    c.company = person.company.name if person.company else ""
    c.job_title = person.job_title
    group = "company" if person.company else "private"
    c.lifecycle = lifecycle or pick(rng, LIFECYCLE_WEIGHTS[group])
    c.lead_status = pick(rng, LEAD_STATUS[c.lifecycle])
    c.owner = pick_owner(rng, person.country, c.lifecycle)
    c.source = source or pick(rng, SOURCES[group])
    c.country_label = pick(rng, COUNTRY_LABELS[person.culture])
    c.created = created
    set_engagement(
        rng,
        c,
        engagement or engagement_for(rng, created, export_at, c.lifecycle),
        month_start,
        export_at,
    )
    set_email_flags(rng, c)
    set_origin_and_consent(c)
    world.contacts.append(c)
    return c


def set_origin_and_consent(c: Contact) -> None:
    """How the record came in (HubSpot's drill-down of Offline Sources) and its legal basis.

    From a stream of its own per record, so the rest of the sample stays as it was.
    """
    rng = random.Random(f"origin:{c.key}")
    if c.source == "Offline Sources":
        c.source_detail = pick(rng, SOURCE_DETAILS)
    customer = c.lifecycle in ("Customer", "Evangelist")
    c.legal_basis = pick(rng, LEGAL_BASES["customer" if customer else "prospect"])
