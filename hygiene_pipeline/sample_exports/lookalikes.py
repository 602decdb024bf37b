"""Records that look alike: duplicates of one person and hard negatives (different people)."""

from __future__ import annotations

import random
from datetime import datetime

from .person_names import GREEK_LAST_NAMES, RELATED_SURNAMES, SIMILAR_FIRST_NAMES, SURNAME_VARIANTS
from .sampling import pick
from .text import greek_to_latin, strip_accents
from .world import (
    Company,
    Contact,
    Person,
    World,
    add_contact,
    alt_email,
    free_email,
    new_person,
    random_names,
    render_phones,
    set_email_flags,
)


def misspell(rng: random.Random, name: str) -> str:
    if name in SURNAME_VARIANTS:
        return rng.choice(SURNAME_VARIANTS[name])
    words = name.split(" ")
    word = words[-1]
    for _ in range(20):
        op = rng.randrange(3)
        i = rng.randrange(1, max(2, len(word) - 1))
        if op == 0:
            candidate = word[:i] + word[i] + word[i:]  # doubled letter
        elif op == 1 and len(word) > 4:
            candidate = word[:i] + word[i + 1 :]  # dropped letter
        elif i + 1 < len(word):
            candidate = word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
        else:
            continue
        if candidate != word:
            return " ".join([*words[:-1], candidate])
    return name + name[-1]


def name_variant(rng: random.Random, person: Person, variant: str) -> tuple[str, str] | None:
    first, last = person.first, person.last
    if variant == "typo_last":
        return first, misspell(rng, last)
    if variant == "nickname" and person.nicks:
        return rng.choice(person.nicks)[0], last
    if variant == "upper":
        return first.upper(), last.upper()
    if variant == "lower":
        return first.lower(), last.lower()
    if variant == "swapped":
        return last, first
    if variant == "initial":
        return f"{first[0]}.", last
    if variant == "accents" and (strip_accents(first + last) != first + last):
        return strip_accents(first), strip_accents(last)
    if variant == "transliterated" and person.first_alt:
        return person.first_alt, person.last_alt
    if variant == "same":
        return first, last
    return None


def company_variant(rng: random.Random, company: Company) -> str:
    options = [company.base, company.name.lower(), company.name.replace(".", "")]
    if company.form:
        options.append(f"{company.base}, {company.form}")
    variant = rng.choice(options)
    return variant if variant != company.name else company.base


def add_duplicate(
    world: World,
    rng: random.Random,
    original: Contact,
    created: datetime,
    month_start: datetime,
    export_at: datetime,
) -> Contact:
    """A second record of the same person: a re-import, a form fill, a card scanned at a fair."""
    person = original.person
    name_variants = [("typo_last", 20), ("nickname", 25), ("upper", 7), ("lower", 6),
                     ("swapped", 6), ("initial", 5), ("accents", 12), ("transliterated", 35),
                     ("same", 12)]  # fmt: skip
    applicable = [(v, w) for v, w in name_variants if name_variant(rng, person, v) is not None]
    variant = pick(rng, applicable)
    names = name_variant(rng, person, variant)
    assert names is not None
    email_variant = pick(
        rng, [("same", 24), ("upper", 12), ("trailing_space", 10), ("mailto", 6),
              ("other_email", 30), ("blank", 18)],
    )  # fmt: skip
    has_phone = person.mobile is not None or person.landline is not None
    if not has_phone and person.company is None:  # the address is the only thing to match on
        email_variant = pick(rng, [("same", 40), ("upper", 25), ("trailing_space", 20),
                                   ("mailto", 15)])  # fmt: skip
    email_kept = email_variant not in ("other_email", "blank")
    phone_variant = pick(rng, [("reformat", 55), ("same", 20), ("blank", 25)])
    if not email_kept and has_phone:
        phone_variant = "reformat" if rng.random() < 0.75 else "same"
    lifecycle = pick(
        rng, [("Subscriber", 30), ("Lead", 45), ("Marketing Qualified Lead", 10), ("Other", 5),
              (original.lifecycle, 10)],
    )  # fmt: skip
    source = pick(
        rng, [("Offline Sources", 35), ("Organic Search", 15), ("Direct Traffic", 10),
              ("Paid Social", 10), ("Email Marketing", 10), ("Social Media", 10),
              ("Referrals", 5), ("", 5)],
    )  # fmt: skip
    engagement = "never" if rng.random() < 0.5 else ""
    c = add_contact(world, rng, person, created, month_start, export_at, "duplicate",
                    lifecycle=lifecycle, source=source, engagement=engagement)  # fmt: skip
    c.related = original
    c.first_name, c.last_name = names
    email = person.email
    if email_variant == "upper":
        email = email.upper() if rng.random() < 0.5 else email.title()
    elif email_variant == "trailing_space":
        email = email + " " if rng.random() < 0.7 else " " + email
    elif email_variant == "mailto":
        email = "mailto:" + email
    elif email_variant == "other_email":
        email = alt_email(world, rng, person)
    elif email_variant == "blank":
        email = ""
    c.email = email
    if phone_variant == "blank":
        c.phone = c.mobile = ""
    elif phone_variant == "reformat":
        style = person.phone_style + rng.randint(1, 5)
        c.phone, c.mobile = render_phones(person, style)
        if rng.random() < 0.3 and c.mobile and not c.phone:
            c.phone, c.mobile = c.mobile, ""  # typed the mobile into "Phone Number"
    if person.company is not None:
        roll = rng.random()
        if roll < 0.3:
            c.company = company_variant(rng, person.company)
        elif roll < 0.45 and (email_kept or has_phone):
            c.company = ""
    if rng.random() < 0.4:
        c.job_title = ""
    owner_roll = rng.random()
    if owner_roll < 0.5:
        c.owner = original.owner
    elif owner_roll < 0.7:
        c.owner = ""
    set_email_flags(rng, c)
    c.tags += ["duplicate", f"dup:name_{variant}", f"dup:email_{email_variant}"]
    c.tags.append(f"dup:phone_{phone_variant}" if has_phone else "dup:phone_none")
    return c


def add_hard_negative(
    world: World,
    rng: random.Random,
    original: Contact,
    flavour: str,
    created: datetime,
    month_start: datetime,
    export_at: datetime,
) -> Contact | None:
    """A different person who looks like `original`: namesake, family member or colleague."""
    src = original.person
    if flavour == "namesake":
        names = (src.first, src.last, src.first_alt, src.last_alt, src.nicks, src.greek_script,
                 src.surname_index, src.gender)  # fmt: skip
        others = [c for c in world.companies if c.country == src.country and c is not src.company]
        company = rng.choice(others) if others and rng.random() < 0.7 else None
        person = new_person(world, rng, src.country, culture=src.culture, names=names,
                            company=company)  # fmt: skip
    elif flavour == "family":
        if src.company is not None or (src.landline is None and original.tags):
            return None  # keep planted phone states (placeholders, no phone) as they are
        gender = "f" if src.gender == "m" else "m"
        for _ in range(20):
            names = random_names(rng, src.culture, gender if rng.random() < 0.7 else None)
            if names[0] != src.first and names[0] not in [n for n, _ in src.nicks]:
                break
        first, _, first_alt, _, nicks, _, _, gender = names
        last, last_alt = src.last, src.last_alt
        if src.culture == "gr":
            male_gr, female_gr, male_lat, female_lat = GREEK_LAST_NAMES[src.surname_index]
            greek = (male_gr, female_gr)[gender == "f"]
            latin = (male_lat, female_lat)[gender == "f"]
            last, last_alt = (greek, latin) if src.greek_script else (latin, greek)
            if src.greek_script != names[5]:  # write the first name in the family's script
                first, first_alt = names[2], names[0]
                nicks = tuple((b, a) for a, b in names[4])
        names = (first, last, first_alt, last_alt, nicks, src.greek_script, src.surname_index,
                 gender)  # fmt: skip
        person = new_person(world, rng, src.country, culture=src.culture, names=names,
                            company=None)  # fmt: skip
        if src.landline is None:
            src.landline = world.phone(rng, src.country, "landline")
            original.phone, original.mobile = render_phones(src, src.phone_style)
        person.landline = src.landline  # the shared home phone
        person.phone_style = src.phone_style + rng.randint(0, 2)
        if person.mobile is not None and person.mobile_in_phone:
            person.mobile_in_phone = False
        domain = src.email.split("@")[-1] if "@" in src.email else ""
        if rng.random() < 0.6 and domain:
            world.used_emails.discard(person.email.lower())
            person.email = free_email(world, rng, person, domain)
    else:  # colleague
        if src.company is None:
            return None
        similar = SIMILAR_FIRST_NAMES.get(src.first)
        other_last = RELATED_SURNAMES.get(src.last)
        if similar and (not other_last or rng.random() < 0.5):
            first, last = similar, src.last
        elif other_last:
            first, last = src.first, rng.choice(other_last)
        else:  # a sibling or spouse in the same firm (Greek surnames are gendered: skip)
            first, last = random_names(rng, src.culture)[0], src.last
            if src.culture == "gr" or first == src.first:
                return None
        first_alt, last_alt = src.first_alt, src.last_alt
        if src.greek_script:  # the Latin spelling feeds the email address
            first_alt, last_alt = greek_to_latin(first), greek_to_latin(last)
        names = (first, last, first_alt, last_alt, (), src.greek_script, src.surname_index,
                 src.gender)  # fmt: skip
        person = new_person(world, rng, src.country, culture=src.culture, names=names,
                            company=src.company)  # fmt: skip
        person.uses_switchboard = True
    c = add_contact(world, rng, person, created, month_start, export_at, "hard_negative")
    c.related = original
    c.tags += ["hard_negative", f"hard_negative:{flavour}"]
    original.tags.append(f"hard_negative_of:{flavour}")
    return c
