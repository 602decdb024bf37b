"""Planted messiness: role accounts, disposable and test records, broken addresses, bounces,
placeholder phones, damaged names, and the protected records a careless prune would delete.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .dates import months_back, random_moment
from .lookalikes import company_variant
from .phones import PLACEHOLDER_PHONES, UK_DRAMA_PHONES
from .sampling import pick
from .vocabulary import (
    ALL_OWNERS,
    COUNTRY_WEIGHTS,
    DISPOSABLE_DOMAINS,
    DNS_BOUNCE_REASON,
    EMOJI,
    HARD_BOUNCE_REASONS,
    JUNK_RECORDS,
    ROLE_LOCALS,
    SOURCES,
    TYPO_DOMAINS,
)
from .world import Contact, Person, World, add_contact, free_email, new_person, pick_culture


def add_role_account(
    world: World, rng: random.Random, created: datetime, month_start: datetime,
    export_at: datetime,
) -> Contact:  # fmt: skip
    for _ in range(100):
        company = rng.choice(world.companies)
        free = [f"{local}@{company.domain}" for local in ROLE_LOCALS[company.country]]
        free = [email for email in free if email not in world.used_emails]
        if free:
            break
    person = new_person(world, rng, company.country, company=company)
    world.used_emails.discard(person.email.lower())
    person.email = rng.choice(free)
    world.claim_email(person.email)
    person.mobile = None
    person.uses_switchboard = True
    c = add_contact(
        world,
        rng,
        person,
        created,
        month_start,
        export_at,
        "role_account",
        lifecycle=pick(rng, [("Lead", 50), ("Subscriber", 25), ("Customer", 25)]),
    )
    roll = rng.random()
    if roll < 0.35:
        c.first_name = c.last_name = ""
    elif roll < 0.5:
        c.first_name = person.email.split("@")[0].capitalize()
        c.last_name = ""
    c.tags.append("role")
    return c


def add_disposable(
    world: World, rng: random.Random, created: datetime, month_start: datetime,
    export_at: datetime,
) -> Contact:  # fmt: skip
    person = new_person(world, rng, company=None)
    world.used_emails.discard(person.email.lower())
    person.email = free_email(world, rng, person, rng.choice(DISPOSABLE_DOMAINS))
    person.landline = None
    if rng.random() < 0.6:
        person.mobile = None
    c = add_contact(world, rng, person, created, month_start, export_at, "disposable",
                    lifecycle=pick(rng, [("Subscriber", 60), ("Lead", 40)]),
                    source=pick(rng, SOURCES["form"]), engagement="never")  # fmt: skip
    c.owner = ""
    c.tags.append("disposable")
    return c


def add_junk(
    world: World, rng: random.Random, created: datetime, month_start: datetime,
    export_at: datetime,
) -> Contact:  # fmt: skip
    first, last, email, phone = JUNK_RECORDS[world.junk % len(JUNK_RECORDS)]
    rounds = world.junk // len(JUNK_RECORDS)
    if rounds and email:  # another round of test records: test2@test.com, ...
        email = email.replace("@", f"{rounds + 1}@", 1)
    world.junk += 1
    country = rng.choice(list(COUNTRY_WEIGHTS))
    person = Person(world.person_id(), country, pick_culture(rng, country), "x", first, last)
    person.email = email
    world.claim_email(email)
    c = add_contact(world, rng, person, created, month_start, export_at, "test_junk",
                    lifecycle=pick(rng, [("Subscriber", 50), ("Lead", 40), ("Other", 10)]),
                    source=pick(rng, [("Direct Traffic", 50), ("Offline Sources", 30), ("", 20)]),
                    engagement="never")  # fmt: skip
    c.phone, c.mobile = phone, ""
    c.owner = rng.choice(["", "", rng.choice(ALL_OWNERS)])
    c.country_label = ""
    c.tags.append("junk")
    return c


def break_email(rng: random.Random, email: str, typo: int = -1) -> tuple[str, str]:
    """A broken address; `typo` >= 0 picks that entry of the domain's typos (cycled)."""
    local, domain = email.split("@")
    if typo >= 0 and domain in TYPO_DOMAINS:
        typos = TYPO_DOMAINS[domain]
        return f"{local}@{typos[typo % len(typos)]}", "typo_domain"
    kinds = [("missing_at", 15), ("double_dot", 15), ("space", 10), ("comma", 10),
             ("missing_tld", 10)]  # fmt: skip
    kind = pick(rng, kinds)
    if kind == "missing_at":
        return local + rng.choice(["", ".", " "]) + domain, kind
    if kind == "double_dot":
        if "." in local:
            return f"{local.replace('.', '..', 1)}@{domain}", kind
        return f"{local}@{domain.replace('.', '..', 1)}", kind
    if kind == "space":
        cut = max(1, len(local) // 2)
        return f"{local[:cut]} {local[cut:]}@{domain}", kind
    if kind == "comma":
        return f"{local}@{domain[::-1].replace('.', ',', 1)[::-1]}", kind
    return f"{local}@{domain.split('.')[0]}", kind


def hard_bounce(rng: random.Random, c: Contact) -> None:
    clean = c.email.strip().removeprefix("mailto:").lower()
    domain = clean.split("@")[-1]
    typo = any(domain in typos for typos in TYPO_DOMAINS.values())
    reason = DNS_BOUNCE_REASON if typo and rng.random() < 0.7 else rng.choice(HARD_BOUNCE_REASONS)
    c.bounce_reason = reason.replace("{email}", clean)
    c.bounced = (c.bounced or 0) + (1 if rng.random() < 0.8 else 2)


def plant_base_messiness(world: World, rng: random.Random, people: int, originals: list) -> None:
    """Damage some original records the way real CRMs get damaged."""

    def count(share: float) -> int:
        return max(1, round(people * share))

    untouched = [c for c in originals if not c.frozen]

    def take(pool: list[Contact], n: int) -> list[Contact]:
        chosen = rng.sample(pool, max(0, min(n, len(pool))))
        for c in chosen:
            if c in untouched:
                untouched.remove(c)
        return chosen

    linked = {id(c.related) for c in world.contacts if c.related is not None}
    free = [c for c in untouched if id(c) not in linked and c.email]
    typo_able = [c for c in free if c.email.split("@")[-1] in TYPO_DOMAINS]
    chosen: list[Contact] = []
    for domain in ("gmail.com", "gmail.com", "hotmail.com", "outlook.com"):  # the classics first
        pool = [c for c in typo_able if c.email.endswith("@" + domain) and c not in chosen]
        chosen += take(pool, 1)
    chosen += take([c for c in typo_able if c not in chosen], count(0.012) - len(chosen))
    typo_counts: dict[str, int] = {}
    for c in chosen:
        domain = c.email.split("@")[-1]
        typo_counts[domain] = typo_counts.get(domain, -1) + 1
        c.email, kind = break_email(rng, c.email, typo=typo_counts[domain])
        c.tags.append(f"bad_email:{kind}")
        if rng.random() < 0.4:
            hard_bounce(rng, c)
    free = [c for c in untouched if id(c) not in linked and c.email]
    for c in take(free, count(0.018)):
        c.email, kind = break_email(rng, c.email)
        c.tags.append(f"bad_email:{kind}")
    free = [c for c in untouched if id(c) not in linked]
    for c in take(free, count(0.02)):
        c.email = c.phone = c.mobile = ""
        c.unsubscribed, c.bounced = "", None
        c.tags.append("no_email_no_phone")
    for c in take([c for c in untouched if c.phone or c.mobile], count(0.015)):
        if c.person.country == "GB" and world.placeholders % 2:
            c.phone = UK_DRAMA_PHONES[world.placeholders // 2 % len(UK_DRAMA_PHONES)]
        else:
            c.phone = PLACEHOLDER_PHONES[world.placeholders % len(PLACEHOLDER_PHONES)]
        world.placeholders += 1
        c.mobile = "" if rng.random() < 0.7 else c.mobile
        c.tags.append("placeholder_phone")
    for c in take(untouched, count(0.012)):
        roll = rng.random()
        if roll < 0.4:
            c.first_name = " " + c.first_name
        elif roll < 0.7:
            c.last_name = c.last_name + " "
        else:
            c.first_name, c.last_name = c.first_name + "  ", " " + c.last_name
        c.tags.append("name:spaces")
    for c in take(untouched, count(0.005)):
        emoji = rng.choice(EMOJI)
        c.first_name = (
            f"{c.first_name} {emoji}" if rng.random() < 0.7 else f"{emoji} {c.first_name}"
        )
        c.tags.append("name:emoji")
    for c in take(untouched, count(0.008)):
        c.first_name, c.last_name = c.first_name.upper(), c.last_name.upper()
        c.tags.append("name:upper")
    for c in take(untouched, count(0.008)):
        c.first_name, c.last_name = c.first_name.lower(), c.last_name.lower()
        c.tags.append("name:lower")
    quoted = [c for c in untouched if c.person.culture == "gb" and c.person.nicks]
    for c in take(quoted, 2):
        c.first_name = f'{c.first_name} "{c.person.nicks[0][0]}"'
        c.tags.append("name:quoted_nickname")
    for c in take([c for c in untouched if c.person.company], count(0.06)):
        assert c.person.company is not None
        c.company = company_variant(rng, c.person.company)
        c.tags.append("company:variant")
    for c in take([c for c in untouched if "@" in c.email], count(0.03)):
        local, domain = c.email.split("@")
        c.email = f"{local.title()}@{domain}" if rng.random() < 0.6 else c.email.upper()
        c.tags.append("email:mixed_case")
    # Email states: unsubscribes, hard and soft bounces.
    emailable = [c for c in originals if c.email and not c.bounce_reason]
    for c in rng.sample(emailable, min(len(emailable), count(0.06))):
        c.unsubscribed = "true"
    for c in rng.sample(emailable, min(len(emailable), count(0.018))):
        hard_bounce(rng, c)
    for c in rng.sample(emailable, min(len(emailable), count(0.025))):
        if not c.bounce_reason:
            c.bounced = rng.randint(1, 6)


def plant_protected(
    rng: random.Random, originals: list[Contact], month_start: datetime, people: int
) -> None:
    """Customers and opportunities in states that a careless prune would delete."""
    cutoff = months_back(month_start, 12) - timedelta(days=1)
    scale = max(1, round(people / 500))

    def pool(stage: str) -> list[Contact]:
        return [c for c in originals if c.lifecycle == stage and c.email and not c.tags
                and not c.frozen and c.created < cutoff - timedelta(days=200)]  # fmt: skip

    plan = [("Customer", "stale", 3), ("Customer", "hard_bounce", 2), ("Customer", "unsub", 1),
            ("Opportunity", "stale", 1), ("Opportunity", "hard_bounce", 1),
            ("Customer", "never_engaged", 1)]  # fmt: skip
    for stage, state, n in plan:
        candidates = pool(stage)
        for c in rng.sample(candidates, min(len(candidates), n * scale)):
            if state == "stale":
                c.activity = random_moment(rng, c.created, cutoff - timedelta(days=60))
                c.modified = random_moment(
                    rng, c.activity, min(c.activity + timedelta(days=20), cutoff)
                )
            elif state == "never_engaged":
                c.activity = None
                c.modified = random_moment(rng, c.created, c.created + timedelta(days=5))
            elif state == "hard_bounce":
                hard_bounce(rng, c)
            else:
                c.unsubscribed = "true"
            c.frozen = True
            c.tags.append(f"protected:{stage.lower()}_{state}")
