"""The match decision for duplicate detection: which scored pairs are one person.

Name similarity comes from `name_similarity`; a record's own mailbox can settle an initial or a
misspelt last name (S. Hartmann at stefan.hartmann@...).

A pair matches when one of these rules holds (thresholds are DedupeConfig's):

- email: the same email address, and each name present on both sides agrees >= 0.85 (a short
  form counts as agreeing);
- phone: the same mobile, last name >= 0.85 and the first name >= 0.92, a short form or an
  initial; the same landline (a household or a switchboard: "Jan de Vries" and "Anna de Vries"
  are two people) needs the first name >= 0.97 or a known nickname, or a short form that can
  only stand for that name (an initial no one else in the house has; a short form with the same
  job title), and the last name >= 0.92;
- identifiers (DedupeConfig.identifiers: none in CRM exports): see `_decide`;
- name: first AND last name agree >= 0.93 and one more field agrees: company (ignoring case,
  punctuation and legal form), phone, or a personal email local part (not a role box, not
  spelled from the name) at another domain. The company alone needs identical names (or a
  nickname; or a short form that can only mean that name, with the same job title).

The phone (landline) and name rules never accept a pair whose personal fields disagree: two job
titles, two mobile numbers (namesakes at one company look like that). One job written two ways is
no disagreement: "KAM" and "Key Account Manager", "CEO" and "Geschäftsführer" name one role in
normalization's table, and count as the same job title; titles of one function and seniority
(Verkoopmanager / Sales Manager DACH) do not disagree either, unless both name known roles that
differ (Sales Manager / Key Account Manager: two jobs). Only the same title or the same role is
evidence for a pair (`title_same`): one function and seniority is shared by many colleagues.

Colleague guard: when both emails sit on the same corporate domain but are different mailboxes,
company, domain and (switchboard) phone only say the two work at the same place. Such a pair
matches only if first and last name agree >= 0.99 and the mobile number agrees; otherwise it is
"apart", and clustering never puts the two in one cluster (`apart_pairs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hygiene_pipeline.dedupe.keys import (
    IDENTIFIER_PREFIX,
    identifier_columns,
    key_hash,
    rows_of,
)
from hygiene_pipeline.dedupe.name_similarity import name_id, name_similarities, name_vocabulary
from hygiene_pipeline.dedupe.survivors import SurvivorRules

MATCH_RULES = ("email", "phone", "identifiers", "name")
IDENTIFIER_TYPO_MIN_LENGTH = 6  # identifiers this long may differ by one typo and still agree
# Two neighbouring letters swapped in a last name (Smits / Simts, Vos / Vso): the commonest typing
# slip, and one that, unlike a doubled or dropped letter (Jansen / Janssen, Smit / Smits), makes
# no other surname: as good as the name itself.
TRANSPOSED_LAST_SIM = 0.99

# Fields compared for exact agreement.
_EXACT = (
    "email", "phone", "company", "corp_domain", "personal_local", "title", "title_role",
    "title_level",
)  # fmt: skip


@dataclass(frozen=True)
class DedupeConfig:
    """Thresholds of the matcher; the defaults are tuned for precision (a wrong merge is worse)."""

    block_cap: int = 200  # blocks with more records are skipped: a shared value, not evidence
    max_cluster_size: int = 10  # merges that would make a bigger cluster are refused
    email_name_min: float = 0.85  # same email: names, where present, at least this similar
    phone_name_min: float = 0.92  # same phone: first and last name at least this similar
    name_min: float = 0.93  # name rule: first and last name at least this similar
    colleague_name_min: float = 0.99  # two mailboxes at one company: names (nearly) identical
    mobile_last_min: float = 0.85  # same mobile: last name at least this similar
    landline_first_min: float = 0.97  # same landline: first name at least this similar
    company_only_name_min: float = 0.99  # name rule on the company alone: names (nearly) identical
    # Columns besides the CRM fields that identify a person (date of birth, national id,
    # postcode); exact agreement counts as evidence. CRM exports have none: empty by default.
    identifiers: tuple[str, ...] = ()
    # This many identifiers agreeing prove one person whatever the names (a household shares a
    # postcode, street and house number: choose identifiers so that it cannot reach this).
    identifiers_without_names: int = 4
    # Identifiers whose value belongs to one person only (a national id, a customer number), not
    # to a household or twins like a date of birth or an address: one of them agreeing, with one
    # more identifier and the first or the last name, is one person even if the other name was
    # replaced (a married name, a nickname no table knows).
    unique_identifiers: tuple[str, ...] = ()
    survivor: SurvivorRules = field(default_factory=SurvivorRules)  # who survives each cluster


def score_pairs(
    pairs: pl.DataFrame, features: pl.DataFrame, config: DedupeConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Score candidate pairs (a, b): (matches, apart).

    Matches have columns a, b, rule (MATCH_RULES), score (0..1), evidence; apart lists the
    pairs (a, b) known to be two people (`apart_pairs`), which clustering must keep apart.
    """
    # Exact-field agreement first, on 64-bit hashes: a pair that no rule could accept even with
    # identical names (two mailboxes at one company, nothing personal shared) is dropped before
    # strings are gathered or names compared. A hash collision only lets a pair through to the
    # exact check below.
    exact_fields = (*_EXACT, *identifier_columns(features))
    hashed = features.select(
        "idx", "mobile", *[key_hash(name).alias(name) for name in exact_fields]
    )
    agreement = _field_agreement(identifier_columns(features))
    pairs = _join_sides(pairs, hashed).with_columns(agreement)
    apart = apart_pairs(pairs)
    pairs = pairs.filter("possible")

    vocabulary = name_vocabulary(features)
    spelled = features.with_columns(
        pl.col("first_de", "first_canon").fill_null(pl.col("first")),
        pl.col("last_de", "last_full").fill_null(pl.col("last")),
    )
    exact = spelled.select(
        "idx",
        name_id(vocabulary, "first", "first_de", "first_canon").alias("first_id"),
        name_id(vocabulary, "last", "last_de", "last_full").alias("last_id"),
        "mobile",
        "initial_choices",
        *exact_fields,
    )
    frame = _join_sides(pairs.select("a", "b"), exact)
    frame = frame.with_columns(agreement).filter("possible")
    frame = _with_identifier_typos(frame, identifier_columns(features))
    frame = _with_name_similarities(frame, vocabulary, config.email_name_min)
    frame = _with_names_from_mailbox(frame, features, config.mobile_last_min)
    return _decide(frame, config, identifier_columns(features)), apart


def apart_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pairs that are two people: two mailboxes at one corporate domain, no shared mobile.

    The colleague guard already keeps such a pair from matching; listing it also keeps a third
    record that matches both (a personal address, a blank one) from bridging them in a cluster.
    """
    return pairs.filter(pl.col("colleagues") & ~pl.col("mobile_same")).select("a", "b")


def _with_names_from_mailbox(
    frame: pl.DataFrame, features: pl.DataFrame, last_min: float
) -> pl.DataFrame:
    """Let a record's own mailbox settle a name it abbreviates or misspells: `name_from_email`.

    S. Hartmann at stefan.hartmann@web.de is Stefan; Inge Kuipesr at kuipers.inge@ziggo.nl
    spells her name Kuipers; a colleague Janssen's mailbox spells Janssen, not Jansen, so it
    settles nothing. Only names already close are settled, in straight order: an initial of the
    other's first name, or a last name at least `last_min` alike beside the same first name (or
    its nickname). An assistant at her manager's address keeps her own name. A settled name
    counts as identical.
    """
    initial = pl.col("first_initial")
    same_first = (pl.col("first") >= 0.99) | pl.col("first_nickname")
    last_typo = (pl.col("last") >= last_min) & (pl.col("last") < 1.0)
    unsure = (~pl.col("swapped") & (initial | (same_first & last_typo))).fill_null(False)
    rows = pl.int_range(pl.len(), dtype=pl.UInt32)
    subset = _join_sides(
        frame.select("a", "b", row=rows, unsure=unsure).filter("unsure").drop("unsure"),
        features.select("idx", "first", "last", "local"),
    ).with_columns(
        pl.col(f"local_{side}").str.replace_all(r"[^a-z]", "").alias(f"mailbox_{side}")
        for side in "ab"
    )

    def spells(side: str, name: str, min_length: int = 3) -> pl.Expr:
        part = pl.col(name)
        return (part.str.len_chars() >= min_length) & pl.col(f"mailbox_{side}").str.contains(
            part, literal=True
        )

    def settled_by(own: str, other: str) -> tuple[pl.Expr, pl.Expr]:
        """(first, last) names of `other` that the mailbox of `own` spells.

        A first name counts at either end of the mailbox (celine.faure, faure.celine, jerome37),
        never inside the last name: jjansen says J., not Jan.
        """
        mailbox, full = pl.col(f"mailbox_{own}"), pl.col(f"first_{other}")
        at_an_end = mailbox.str.starts_with(full) | mailbox.str.ends_with(full)
        first = (pl.col(f"first_{own}").str.len_chars() == 1) & (full.str.len_chars() >= 3)
        last = spells(own, f"last_{other}") & ~spells(own, f"last_{own}", 1)
        return first & at_an_end, last

    first_a, last_a = settled_by("a", "b")
    first_b, last_b = settled_by("b", "a")
    # The rows (of `frame`) whose first or last name the mailboxes settle.
    first_rows = subset.filter(first_a | first_b).get_column("row").implode()
    last_rows = subset.filter(last_a | last_b).get_column("row").implode()
    first_settled = initial & rows.is_in(first_rows)
    last_settled = ~initial & rows.is_in(last_rows)
    return frame.with_columns(
        first=pl.when(first_settled).then(1.0).otherwise("first"),
        last=pl.when(last_settled).then(1.0).otherwise("last"),
        first_initial=initial & ~first_settled,
        name_from_email=first_settled | last_settled,
    )


def _with_identifier_typos(frame: pl.DataFrame, identifiers: list[str]) -> pl.DataFrame:
    """Count identifiers one typo apart as agreeing, and those that disagree as evidence against.

    19310715 / 19310175 is a typo (Splink's FEBRL models allow one or two edits); the others
    present on both sides and unequal are `identifiers_differ`.

    Only values of IDENTIFIER_TYPO_MIN_LENGTH+ characters: one edit in a short postcode or house
    number makes another place. Damerau-Levenshtein (OSA) by rapidfuzz over whole columns.
    """
    if not identifiers:
        return frame
    near = []
    for name in identifiers:
        a, b = frame.get_column(f"{name}_a"), frame.get_column(f"{name}_b")
        distance = process.cpdist(
            a.fill_null("").to_list(), b.fill_null("").to_list(), scorer=OSA.distance, workers=-1
        )
        long_enough = (a.str.len_chars() >= IDENTIFIER_TYPO_MIN_LENGTH) & (
            b.str.len_chars() >= IDENTIFIER_TYPO_MIN_LENGTH
        )
        typo = (pl.Series(distance) == 1) & long_enough.fill_null(False)
        near.append(typo.alias(f"{name}_typo"))
    frame = frame.with_columns(near)
    typos = pl.sum_horizontal(pl.col(f"{name}_typo").cast(pl.Int32) for name in identifiers)
    differ = pl.sum_horizontal(
        (
            pl.col(f"{name}_a").is_not_null()
            & pl.col(f"{name}_b").is_not_null()
            & ~pl.col(f"{name}_same")
            & ~pl.col(f"{name}_typo")
        ).cast(pl.Int32)
        for name in identifiers
    )
    return frame.with_columns(
        identifiers_same=pl.col("identifiers_same") + typos, identifiers_differ=differ
    )


def _join_sides(pairs: pl.DataFrame, per_record: pl.DataFrame) -> pl.DataFrame:
    """Attach `per_record` columns to both ends of each pair, suffixed _a and _b.

    Like an inner join of a and b on `per_record`'s (unique) idx, but as a lookup by row
    (`rows_of`): hash-joining hundreds of thousands of pairs twice is the slow part otherwise.
    Pairs with an end missing from `per_record` are dropped; the pairs keep their order.
    """
    idx = per_record.get_column("idx")
    rows_a, rows_b = (rows_of(idx, pairs.get_column(end)) for end in ("a", "b"))
    found = rows_a.is_not_null() & rows_b.is_not_null()
    values = per_record.drop("idx")
    return pl.concat(
        [
            pairs.filter(found),
            values[rows_a.filter(found)].rename(lambda name: f"{name}_a"),
            values[rows_b.filter(found)].rename(lambda name: f"{name}_b"),
        ],
        how="horizontal",
    )


def _with_name_similarities(
    frame: pl.DataFrame, vocabulary: pl.DataFrame, swap_min: float
) -> pl.DataFrame:
    """Add first/last similarities in the better of straight and swapped order (null = blank).

    Also first_initial, first_nickname and first_related (see `name_similarities`) for the
    order chosen. The swapped order is taken only when it fits better and both of its names
    reach `swap_min`: two unrelated first names (Kiki / Angeliki) are no reason to read the
    names the other way round.
    """
    combos = [
        ("first_id_a", "first_id_b", "sf"),
        ("last_id_a", "last_id_b", "sl"),
        ("first_id_a", "last_id_b", "xf"),  # swapped: a's first name against b's last name
        ("last_id_a", "first_id_b", "xl"),
    ]
    id_pairs = (
        pl.concat([frame.select(x_id=x, y_id=y) for x, y, _ in combos])
        .drop_nulls()
        .unique()
        .join(vocabulary.select(x_id="name_id", x="plain", x_de="de", x_alt="alt", x_phon="phon"),
              on="x_id")
        .join(vocabulary.select(y_id="name_id", y="plain", y_de="de", y_alt="alt", y_phon="phon"),
              on="y_id")
    )  # fmt: skip
    sims = name_similarities(id_pairs)
    for x, y, alias in combos:
        renamed = sims.rename(
            {"x_id": x, "y_id": y, "sim": alias}
            | {flag: f"{alias}_{flag}" for flag in ("initial", "nickname", "related", "transposed")}
        )
        frame = frame.join(renamed, on=[x, y], how="left")
    swapped = (
        pl.all_horizontal(pl.col("sf", "sl", "xf", "xl").is_not_null())
        & (pl.min_horizontal("xf", "xl") > pl.min_horizontal("sf", "sl"))
        & (pl.min_horizontal("xf", "xl") >= swap_min)
    )

    def chosen(flag: str) -> pl.Expr:
        straight, crossed = pl.col(f"sf_{flag}"), pl.col(f"xf_{flag}")
        return pl.when("swapped").then(crossed).otherwise(straight).fill_null(False)

    last = pl.when("swapped").then("xl").otherwise("sl")
    last_transposed = pl.when("swapped").then("xl_transposed").otherwise("sl_transposed")
    return frame.with_columns(swapped=swapped).with_columns(
        first=pl.when("swapped").then("xf").otherwise("sf"),
        last=pl.when(last_transposed)
        .then(pl.max_horizontal(last, TRANSPOSED_LAST_SIM))
        .otherwise(last),
        first_initial=chosen("initial"),
        first_nickname=chosen("nickname"),
        first_related=chosen("related"),
    )


def _same(column: str) -> pl.Expr:
    return (pl.col(f"{column}_a") == pl.col(f"{column}_b")).fill_null(False)


def _both(column: str) -> pl.Expr:
    return pl.col(f"{column}_a").is_not_null() & pl.col(f"{column}_b").is_not_null()


def _title_agreement() -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(same text, same job title, two different jobs) from the title keys of `keys`.

    The same job title is the same text or the same role (KAM / Key Account Manager, CEO /
    Διευθύνων Σύμβουλος): a specific job, evidence for a pair. Titles that only share a function
    and seniority (two sales managers) are no evidence, but no disagreement either: they may be
    one job written two ways (Verkoopmanager / Sales Manager DACH), unless both name known roles
    and the roles differ (Sales Manager / Key Account Manager are two jobs).
    """
    text_same = _same("title")
    role_same = _same("title_role")
    title_same = text_same | role_same
    two_roles = _both("title_role") & ~role_same
    one_level = _same("title_level") & ~two_roles
    return text_same, title_same, _both("title") & ~title_same & ~one_level


def _field_agreement(identifiers: list[str]) -> list[pl.Expr]:
    email_same = _same("email")
    phone_same = _same("phone")
    mobile_same = phone_same & pl.col("mobile_a") & pl.col("mobile_b")
    # Another address at the same corporate domain (the same address is email_same already).
    domain_same = _same("corp_domain") & ~email_same
    local_same = _same("personal_local") & ~email_same
    company_same = _same("company")
    title_text_same, title_same, titles_differ = _title_agreement()

    two_mobiles = _both("phone") & pl.col("mobile_a") & pl.col("mobile_b") & ~phone_same
    # Personal fields that disagree (both present): two job titles, two mobile numbers. Weak
    # evidence must not outvote them: namesakes at one company look just like this.
    personal_conflict = titles_differ | two_mobiles
    # Two mailboxes at one company: shared company, domain or switchboard prove nothing; only a
    # personal field (mobile, job title) can tell one person with two addresses from two people.
    colleagues = domain_same
    identifiers_same = pl.sum_horizontal(
        [_same(name).cast(pl.Int32) for name in identifiers] or [pl.lit(0, dtype=pl.Int32)]
    )
    corroborated = (
        pl.when(colleagues)
        .then(mobile_same)
        .otherwise(company_same | phone_same | local_same | (identifiers_same > 0))
    )
    return [
        *[_same(name).alias(f"{name}_same") for name in identifiers],
        identifiers_same.alias("identifiers_same"),
        email_same.alias("email_same"),
        phone_same.alias("phone_same"),
        mobile_same.alias("mobile_same"),
        domain_same.alias("domain_same"),
        local_same.alias("local_same"),
        company_same.alias("company_same"),
        title_text_same.alias("title_text_same"),
        title_same.alias("title_same"),
        personal_conflict.fill_null(False).alias("personal_conflict"),
        colleagues.alias("colleagues"),
        corroborated.alias("corroborated"),
        (email_same | corroborated).alias("possible"),
    ]


def _decide(frame: pl.DataFrame, config: DedupeConfig, identifiers: list[str]) -> pl.DataFrame:
    first, last = pl.col("first"), pl.col("last")
    initial = pl.col("first_initial")
    nickname = pl.col("first_nickname")

    def at_least(sim: pl.Expr, threshold: float) -> pl.Expr:
        return (sim >= threshold).fill_null(False)

    def first_at_least(threshold: float) -> pl.Expr:
        """A known nickname (Wim / Willem) is as good as the name where first names must agree."""
        return at_least(first, threshold) | nickname

    def names_at_least(threshold: float) -> pl.Expr:
        return first_at_least(threshold) & at_least(last, threshold)

    def compatible(sim: pl.Expr) -> pl.Expr:
        return sim.is_null() | (sim >= config.email_name_min)

    # An initial stands for one name only if no other first name with that letter goes with the
    # same last name at the same company, phone or domain (S. Hartmann beside Stefan and Sabine
    # Hartmann on one landline is either): `initial_choices` counts them (keys).
    one_choice = pl.max_horizontal("initial_choices_a", "initial_choices_b").fill_null(0) == 1
    initial_ok = initial & one_choice & at_least(last, config.name_min)
    # A short form of the other first name (Phil / Philippe, Kris / Kristof) may stand for
    # another name (Chris), so where first names must agree it needs the same job title too.
    related = pl.col("first_related")
    short_form_ok = initial_ok | (related & pl.col("title_same") & at_least(last, config.name_min))
    # "corroborated" already demands a personal field for colleagues; they also need closer names.
    colleague_ok = ~pl.col("colleagues") | (
        names_at_least(config.colleague_name_min) & pl.col("corroborated")
    )
    # A mobile is one person's: the same mobile tolerates a looser last name (Dijkstra/Dykstra),
    # an initial (N. Lejeune) and a short form (Wolf / Wolfgang). A landline is shared by a
    # household or a switchboard: Konstantinos and Konstantina Antoniou, Jan and Anna de Vries,
    # so its first names must agree closely, be a known nickname, or a short form that can only
    # mean this name.
    phone_names = (
        pl.when(pl.col("mobile_same"))
        .then(
            at_least(last, config.mobile_last_min)
            & (
                at_least(first, config.phone_name_min)
                | related
                | (initial & at_least(last, config.name_min))
            )
        )
        .otherwise(
            (first_at_least(config.landline_first_min) | short_form_ok)
            & at_least(last, config.phone_name_min)
            & ~pl.col("personal_conflict")
        )
    )
    # The same company alone: colleagues with near-identical names (Hofmann / Hoffmann, Jansen /
    # Janssen) are common, so only identical names count there (or a short form that can only
    # mean this name, with the same job title).
    only_company = ~(pl.col("phone_same") | pl.col("local_same") | (pl.col("identifiers_same") > 0))
    # The same landline as the only personal field: a switchboard or a household again.
    only_landline = pl.col("phone_same") & ~pl.col("mobile_same") & ~pl.col("local_same")
    company_names = names_at_least(config.company_only_name_min) | (
        short_form_ok & pl.col("title_same") & at_least(last, config.company_only_name_min)
    )
    name_ok = (
        (names_at_least(config.name_min) | short_form_ok)
        & (~only_company | company_names)
        & (~only_landline | first_at_least(config.landline_first_min) | short_form_ok)
    )
    # Identifiers (date of birth, national id, postcode): two that agree, with names that do not
    # disagree (one of them close); or one, with close names; or enough without names.
    ids = pl.col("identifiers_same")
    # One identifier with close names is how namesakes in one postcode look: identifiers that
    # disagree (other birth dates, other ids) are evidence against: at most one more may
    # disagree than agree, there and in the name rule.
    not_contradicted = (ids + 1 >= pl.col("identifiers_differ")) if identifiers else pl.lit(True)
    identity_ok = (
        (
            (ids >= 2)
            & compatible(first)
            & compatible(last)
            & (at_least(first, config.name_min) | at_least(last, config.name_min))
        )
        | ((ids >= 1) & names_at_least(config.name_min) & not_contradicted)
        | (ids >= config.identifiers_without_names)
        | (
            _unique_identifier_agrees(config.unique_identifiers, identifiers)
            & (ids >= 2)
            & (at_least(first, config.name_min) | at_least(last, config.name_min))
        )
    )
    # The same address: a short form of the other first name (Jo / Johanna) is compatible too.
    email_names = (compatible(first) | related) & compatible(last)
    frame = frame.with_columns(
        rule=pl.when(pl.col("email_same") & email_names)
        .then(pl.lit("email"))
        .when(pl.col("phone_same") & phone_names & colleague_ok)
        .then(pl.lit("phone"))
        .when(identity_ok)
        .then(pl.lit("identifiers"))
        .when(
            name_ok
            & pl.col("corroborated")
            & colleague_ok
            & not_contradicted
            & ~pl.col("personal_conflict")
        )
        .then(pl.lit("name")),
    ).filter(pl.col("rule").is_not_null())

    # Score: half name agreement (0.5 when no name can be compared), half identifier agreement:
    # the strongest shared field, plus 0.1 for each further one.
    name_part = pl.mean_horizontal("first", "last").fill_null(0.5)
    strongest = pl.max_horizontal(
        pl.when(pl.col("email_same")).then(1.0).otherwise(0.0),
        pl.when(pl.col("mobile_same"))
        .then(0.8)
        .when(pl.col("phone_same"))
        .then(0.6)
        .otherwise(0.0),
        pl.when(pl.col("local_same")).then(0.6).otherwise(0.0),
        pl.when(pl.col("domain_same") | pl.col("company_same")).then(0.4).otherwise(0.0),
        pl.when(pl.col("title_same")).then(0.3).otherwise(0.0),
        pl.when(pl.col("identifiers_same") > 0).then(0.6).otherwise(0.0),
    )
    agreeing = pl.col("identifiers_same") + pl.sum_horizontal(
        pl.col(
            "email_same", "phone_same", "local_same", "domain_same", "company_same", "title_same"
        ).cast(pl.Int32)
    )
    id_part = pl.min_horizontal(strongest + 0.1 * (agreeing - 1).clip(lower_bound=0), 1.0)
    score = (0.5 * name_part + 0.5 * id_part).clip(0.0, 1.0).round(4)
    return frame.select("a", "b", "rule", score=score, evidence=_evidence(identifiers))


def _unique_identifier_agrees(unique: tuple[str, ...], identifiers: list[str]) -> pl.Expr:
    """Any of the `unique` identifiers the same on both sides (or one typo apart)."""
    columns = [IDENTIFIER_PREFIX + name for name in unique]
    unknown = [name for name in columns if name not in identifiers]
    if unknown:
        raise ValueError(f"unique_identifiers {unknown} are not among the identifiers")
    agree = [pl.col(f"{name}_same") | pl.col(f"{name}_typo") for name in columns]
    return pl.any_horizontal(agree) if agree else pl.lit(False)


def _two_decimals(sim: pl.Expr) -> pl.Expr:
    hundredths = (sim * 100).round(0).cast(pl.Int64)
    return (
        pl.when(sim.is_null())
        .then(pl.lit("blank"))
        .when(hundredths >= 100)
        .then(pl.lit("1.00"))
        .otherwise(pl.lit("0.") + hundredths.cast(pl.String).str.zfill(2))
    )


def _evidence(identifiers: list[str]) -> pl.Expr:
    """e.g. "rule=email;email=same;first=0.96;last=1.00" — what agreed, in a fixed order."""

    def flag(column: str, text: str) -> pl.Expr:
        return pl.when(pl.col(column)).then(pl.lit(text))

    return pl.concat_str(
        [
            pl.lit("rule=") + pl.col("rule"),
            flag("email_same", "email=same"),
            flag("local_same", "email_local=same"),
            flag("phone_same", "phone=same"),
            flag("company_same", "company=same"),
            flag("domain_same", "domain=same"),
            flag("title_text_same", "title=same"),
            pl.when(pl.col("title_same") & ~pl.col("title_text_same")).then(
                pl.lit("title=same_role")
            ),
            *[
                flag(f"{name}_same", f"{name.removeprefix(IDENTIFIER_PREFIX)}=same")
                for name in identifiers
            ],
            *[
                flag(f"{name}_typo", f"{name.removeprefix(IDENTIFIER_PREFIX)}=typo")
                for name in identifiers
            ],
            pl.when(pl.col("first_initial"))
            .then(pl.lit("first=initial"))
            .when(pl.col("first_nickname"))
            .then(pl.lit("first=nickname"))
            .otherwise(pl.lit("first=") + _two_decimals(pl.col("first"))),
            pl.lit("last=") + _two_decimals(pl.col("last")),
            flag("swapped", "names=swapped"),
            flag("name_from_email", "names=from_email"),
        ],
        separator=";",
        ignore_nulls=True,
    )
