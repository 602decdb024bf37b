"""The simulation: the first month's population, then one month of CRM life after another."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .dates import EARLIEST, export_moment, month_bounds, months_back, random_moment
from .lookalikes import add_duplicate, add_hard_negative
from .messiness import (
    add_disposable,
    add_junk,
    add_role_account,
    hard_bounce,
    plant_base_messiness,
    plant_protected,
)
from .sampling import pick, weighted_sample
from .vocabulary import ALL_OWNERS, LEAD_STATUS, NEXT_STAGE, SOURCES
from .world import (
    Contact,
    World,
    add_contact,
    free_email,
    make_companies,
    new_person,
    work_email,
)


def base_population(world: World, seed: int, people: int, month: str) -> None:
    rng = random.Random(f"{seed}:base")
    month_start, _ = month_bounds(month)
    export_at = export_moment(month)
    make_companies(world, rng, max(12, people // 11))
    n_negatives = max(1, round(people * 0.01))
    n_regular = max(1, people - 3 * n_negatives)
    batches = sorted(
        random_moment(rng, EARLIEST, export_at - timedelta(days=60))
        for _ in range(max(3, people // 180))
    )
    years = list(range(EARLIEST.year, export_at.year + 1))
    year_weights = [1 + 0.45 * (year - EARLIEST.year) for year in years]
    originals: list[Contact] = []
    for index in range(n_regular):
        person = new_person(world, rng)
        source = ""
        if index % 33 == 0:  # a few percent were created in the export month itself
            created = random_moment(rng, month_start, export_at)
        elif rng.random() < 0.17:
            created, source = rng.choice(batches), "Offline Sources"
        else:
            year = rng.choices(years, weights=year_weights)[0]
            created = random_moment(rng, max(EARLIEST, datetime(year, 1, 1)),
                                    min(export_at, datetime(year, 12, 31, 23, 59)))  # fmt: skip
        originals.append(add_contact(world, rng, person, created, month_start, export_at,
                                     source=source))  # fmt: skip

    def later(c: Contact) -> datetime:
        return random_moment(rng, c.created + timedelta(hours=2), export_at)

    # Hard negatives: namesakes elsewhere, family sharing a home phone, colleagues alike.
    for flavour in ("namesake", "family", "colleague"):
        made = 0
        for original in rng.sample(originals, len(originals)):
            if made >= n_negatives:
                break
            if original.related is not None or original.tags:
                continue
            c = add_hard_negative(world, rng, original, flavour, later(original), month_start,
                                  export_at)  # fmt: skip
            if c is not None:
                made += 1
    # Duplicates: ~5.5% of people have a second record, some of them a third.
    candidates = [c for c in originals if not c.tags]
    for original in rng.sample(candidates, min(len(candidates), round(people * 0.055))):
        first_dup = add_duplicate(world, rng, original, later(original), month_start, export_at)
        if rng.random() < 0.18:
            add_duplicate(world, rng, original, later(first_dup), month_start, export_at)
    for _ in range(max(1, round(people * 0.012))):
        add_role_account(
            world, rng, random_moment(rng, EARLIEST, export_at), month_start, export_at
        )
    for _ in range(max(1, round(people * 0.008))):
        created = random_moment(rng, export_at - timedelta(days=900), export_at)
        add_disposable(world, rng, created, month_start, export_at)
    for _ in range(max(3, round(people * 0.007))):
        add_junk(world, rng, random_moment(rng, EARLIEST, export_at), month_start, export_at)
    plant_protected(rng, originals, month_start, people)
    plant_base_messiness(world, rng, people, originals)


def evolve(world: World, seed: int, month: str) -> None:
    """One month of CRM life: deletions, activity, stage changes, opt-outs, bounces, new records."""
    rng = random.Random(f"{seed}:month:{month}")
    month_start, _ = month_bounds(month)
    export_at = export_moment(month)
    live = [c for c in world.contacts if not c.deleted]

    # Deleted in the CRM: test records, merged duplicates, a few stale contacts.
    def deletion_weight(c: Contact) -> float:
        if c.frozen:
            return 0.0
        if c.kind == "test_junk":
            return 25.0
        if c.kind in ("duplicate", "disposable"):
            return 3.0
        if c.activity is None or c.activity < months_back(month_start, 12):
            return 2.0
        return 1.0

    n_delete = max(1, round(len(live) * rng.uniform(0.004, 0.009)))
    for c in weighted_sample(rng, live, [deletion_weight(c) for c in live], n_delete):
        c.deleted = True
    live = [c for c in live if not c.deleted]

    for c in live:
        if c.frozen:
            continue
        if c.activity is None:
            p = 0.3 if c.created > month_start - timedelta(days=60) else 0.012
        else:
            age = (month_start - c.activity).days
            p = 0.45 if age < 90 else 0.12 if age < 365 else 0.02
        if rng.random() < p:
            c.activity = random_moment(rng, max(month_start, c.created), export_at)
            c.touch(random_moment(rng, c.activity, min(c.activity + timedelta(days=3), export_at)))
        dormant = c.activity is None or c.activity < months_back(month_start, 12)
        calm = 0.15 if dormant else 1.0  # nobody works on dormant contacts
        if rng.random() < 0.06 * calm:
            c.touch(random_moment(rng, max(month_start, c.modified), export_at))
        if c.lifecycle in NEXT_STAGE and rng.random() < 0.02 * calm:
            c.lifecycle = NEXT_STAGE[c.lifecycle]
            c.lead_status = pick(rng, LEAD_STATUS[c.lifecycle])
            c.touch(random_moment(rng, max(month_start, c.modified), export_at))
        elif rng.random() < 0.03 * calm:
            c.lead_status = pick(rng, LEAD_STATUS[c.lifecycle])
            c.touch(random_moment(rng, max(month_start, c.modified), export_at))
        if c.owner and rng.random() < 0.01 * calm:
            c.owner = rng.choice([o for o in ALL_OWNERS if o != c.owner])
            c.touch(random_moment(rng, max(month_start, c.modified), export_at))
        if c.email and c.unsubscribed != "true" and rng.random() < 0.005:
            c.unsubscribed = "true"
            c.touch(random_moment(rng, max(month_start, c.modified), export_at))
            c.tags.append(f"unsubscribed_in:{month}")
        if c.email and not c.bounce_reason:
            if "bad_email:typo_domain" in c.tags:
                p = 0.25  # the domain does not exist: the next send bounces
            elif any(tag.startswith("bad_email") for tag in c.tags):
                p = 0.0  # HubSpot does not send to a malformed address
            else:
                p = 0.003
            if rng.random() < p:
                hard_bounce(rng, c)
                c.touch(random_moment(rng, max(month_start, c.modified), export_at))
                c.tags.append(f"hard_bounce_in:{month}")
            elif rng.random() < 0.004:
                c.bounced = (c.bounced or 0) + 1
                c.touch(random_moment(rng, max(month_start, c.modified), export_at))

    # New records: 2-4% of the live base.
    n_new = round(len(live) * rng.uniform(0.02, 0.04))
    originals = [c for c in live if c.kind == "original"]
    plain = [c for c in originals if not c.tags]
    for _ in range(n_new):
        created = random_moment(rng, month_start, export_at, office=rng.random() < 0.8)
        roll = rng.random()
        if roll < 0.72:
            person = new_person(world, rng)
            add_contact(world, rng, person, created, month_start, export_at,
                        lifecycle=pick(rng, [("Subscriber", 35), ("Lead", 50),
                                              ("Marketing Qualified Lead", 15)]),
                        source=pick(rng, SOURCES["form"]))  # fmt: skip
        elif roll < 0.86:
            original = rng.choice(originals)
            add_duplicate(world, rng, original, max(created, original.created + timedelta(hours=1)),
                          month_start, export_at)  # fmt: skip
        elif roll < 0.92:
            for _ in range(10):
                original = rng.choice(plain)
                flavour = rng.choice(["namesake", "family", "colleague"])
                made = add_hard_negative(world, rng, original, flavour, created, month_start,
                                         export_at)  # fmt: skip
                if made is not None:
                    break
        elif roll < 0.96:
            add_disposable(world, rng, created, month_start, export_at)
        elif roll < 0.98:
            add_role_account(world, rng, created, month_start, export_at)
        else:
            add_junk(world, rng, created, month_start, export_at)
    # Last, so the addresses it takes change nothing of the month's other draws.
    change_jobs(world, seed, month, live, month_start, export_at)


def assign_record_ids(world: World, seed: int) -> None:
    """Numeric ids that grow with the create date, like HubSpot's; 7-8 digits before 2022."""
    rng = random.Random(f"{seed}:ids")
    small, large = 1_204_000 + rng.randrange(1000), 51_300_000_000 + rng.randrange(10**6)
    for c in sorted(world.contacts, key=lambda c: (c.created, c.key)):
        if c.created.year < 2022:
            small += rng.randint(1, 60_000)
            c.record_id = str(small)
        else:
            large += rng.randint(1, 2_000_000)
            c.record_id = str(large)


def change_jobs(
    world: World,
    seed: int,
    month: str,
    live: list[Contact],
    month_start: datetime,
    export_at: datetime,
) -> None:
    """People change jobs: a new employer and work address, or the work address replaced by a
    private one. From a stream of its own, so the rest of the month stays as it was."""
    rng = random.Random(f"{seed}:jobs:{month}")
    for c in live:
        company = c.person.company
        if c.frozen or c.kind != "original" or company is None or rng.random() >= 0.004:
            continue
        if not c.email.lower().endswith("@" + company.domain):
            continue
        others = [x for x in world.companies if x.country == company.country and x is not company]
        if others and rng.random() < 0.6:
            c.person.company = rng.choice(others)
            c.email = work_email(world, rng, c.person, c.person.company)
            c.company = c.person.company.name
            c.tags.append(f"job_change_in:{month}")
        else:
            c.email = free_email(world, rng, c.person)
            c.tags.append(f"work_to_personal_in:{month}")
        c.touch(random_moment(rng, max(month_start, c.modified), export_at))
