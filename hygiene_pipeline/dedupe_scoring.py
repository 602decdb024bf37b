"""Pair scoring and the match decision for duplicate detection.

A pair matches when one of three rules holds (names compared with Jaro-Winkler on folded letters,
in the better of straight or swapped first/last order; a blank name is no evidence either way):

- email: the same email address, and each name present on both sides agrees >= 0.85;
- phone: the same phone number, and first AND last name agree >= 0.92 (a shared home phone does
  not make "Jan de Vries" and "Anna de Vries" one person);
- name: first AND last name agree >= 0.93 and one more field agrees: company (ignoring case,
  punctuation and legal form), phone, or a personal email local part (not a role box, not
  spelled from the name) at another domain.

Colleague guard: when both emails sit on the same corporate domain but are different mailboxes,
company, domain and (switchboard) phone only say the two work at the same place. Such a pair
matches (by the phone or name rule) only if first and last name agree >= 0.97 and a personal
field agrees: the same mobile number or the same job title. (So a shared corporate domain counts
as corroboration only in this guarded form: the same address is the email rule.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from hygiene_pipeline.dedupe_keys import IDENTIFIER_PREFIX, identifier_columns, key_hash
from hygiene_pipeline.dedupe_survivors import SurvivorRules

MATCH_RULES = ("email", "phone", "identifiers", "name")
IDENTIFIER_TYPO_MIN_LENGTH = 6  # identifiers this long may differ by one typo and still agree
PREFIX_NAME_CAP = 0.90  # similarity of a name with one that extends it (Peters / Petersen)
ANAGRAM_SIM = 0.90  # the same letters in another order (Bso / Bos): a typo, below phone_name_min
CANONICAL_SIM = 0.95  # one name is the other's nickname (Wim / Willem): above name_min, below 0.99

# Fields compared for exact agreement.
_EXACT = ("email", "phone", "company", "corp_domain", "personal_local", "title")


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
    survivor: SurvivorRules = field(default_factory=SurvivorRules)  # who survives each cluster


_FORMS = ("plain", "de", "alt")  # the spellings of a name that are compared


def name_similarities(pairs: pl.DataFrame) -> pl.DataFrame:
    """Jaro-Winkler of distinct name pairs (x_id, y_id and each side's spellings).

    Each side has three spellings (columns x, x_de, x_alt and y, y_de, y_alt): the ASCII letters,
    the German ae/oe/ue spelling, and an alternative (the nickname-canonical first name, or the
    last name with its particles). The similarity is the best of the three, each scored by
    rapidfuzz's `process.cpdist` in C++ over whole columns (no Python loop over pairs).

    `initial` marks an initial against a name it starts (S. / Sylvie): that is no evidence either
    way, so its similarity is null, like a blank.
    """
    sims = []
    for form in _FORMS:
        x, y = f"x{_suffix(form)}", f"y{_suffix(form)}"
        scores = process.cpdist(
            pairs.get_column(x).to_list(),
            pairs.get_column(y).to_list(),
            scorer=JaroWinkler.normalized_similarity,
            workers=-1,
        )
        sim = pl.Series(f"sim_{form}", scores, dtype=pl.Float64).round(6)
        sim = _capped(pairs.get_column(x), pairs.get_column(y), sim)
        if form == "alt":  # a spelling of the name, not the name: never identical by itself
            sim = sim.clip(upper_bound=CANONICAL_SIM)
        sims.append(sim)
    # The alternative spelling (canonical first name, last name with particles): its exact
    # agreement is worth CANONICAL_SIM, not identity (Bill is William, but Bill is not William's
    # spelling: two colleagues Anne and Anna must not look identical).
    same_alt = (pairs.get_column("x_alt") == pairs.get_column("y_alt")).fill_null(False)
    alt = pl.select(pl.when(same_alt).then(CANONICAL_SIM).otherwise(0.0)).to_series()
    x, y = pl.col("x"), pl.col("y")
    # Two letters swapped in a short name (Bos / Bso, Wit / Wti) costs Jaro-Winkler a lot; the
    # same letters in another order, starting alike, is a typo.
    letters = [
        pairs.get_column(side).str.split("").list.sort().list.join("").alias(side)
        for side in ("x", "y")
    ]
    anagram = pl.select(
        (letters[0] == letters[1])
        & (pairs.get_column("x").str.slice(0, 1) == pairs.get_column("y").str.slice(0, 1))
        & (pairs.get_column("x").str.len_chars() >= 3)
    ).to_series()
    typo = pl.select(pl.when(anagram).then(ANAGRAM_SIM).otherwise(0.0)).to_series()
    best = pl.max_horizontal(*sims, alt, typo)
    initial = ((x.str.len_chars() == 1) | (y.str.len_chars() == 1)) & (
        x.str.slice(0, 1) == y.str.slice(0, 1)
    )
    return pairs.select(
        "x_id", "y_id", sim=pl.when(initial).then(None).otherwise(best), initial=initial
    )


def _suffix(form: str) -> str:
    return "" if form == "plain" else f"_{form}"


def _capped(x: pl.Series, y: pl.Series, sim: pl.Series) -> pl.Series:
    """One name running on 2+ letters past the other is another name, not a typo.

    Peters and Petersen, Marie and Marieke: Jaro-Winkler rewards the shared prefix, so cap it
    below the phone and name thresholds (a shared email still tolerates it).
    """
    frame = pl.DataFrame({"x": x, "y": y, "sim": sim})
    gap = pl.col("x").str.len_chars().cast(pl.Int64) - pl.col("y").str.len_chars()
    extends = pl.col("x").str.starts_with(pl.col("y")) | pl.col("y").str.starts_with(pl.col("x"))
    capped = pl.when(extends & (gap.abs() >= 2)).then(pl.min_horizontal("sim", PREFIX_NAME_CAP))
    return frame.select(capped.otherwise("sim")).to_series()


def _name_vocabulary(features: pl.DataFrame) -> pl.DataFrame:
    """Every distinct name with its three spellings (see `name_similarities`) and an id."""
    return (
        pl.concat(
            [
                features.select(plain="first", de="first_de", alt="first_canon"),
                features.select(plain="last", de="last_de", alt="last_full"),
            ]
        )
        .filter(pl.col("plain").is_not_null())
        .with_columns(pl.col("de", "alt").fill_null(pl.col("plain")))
        .unique()
        .sort(_FORMS)
        .with_row_index("name_id")
    )


def score_pairs(pairs: pl.DataFrame, features: pl.DataFrame, config: DedupeConfig) -> pl.DataFrame:
    """Score candidate pairs (a, b) and keep the matches.

    Returns columns a, b, rule ("email", "phone" or "name"), score (0..1), evidence.
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
    pairs = _join_sides(pairs, hashed).with_columns(agreement).filter("possible")

    vocabulary = _name_vocabulary(features)
    spelled = features.with_columns(
        pl.col("first_de", "first_canon").fill_null(pl.col("first")),
        pl.col("last_de", "last_full").fill_null(pl.col("last")),
    )
    exact = (
        spelled.join(vocabulary.rename({"name_id": "first_id"}), how="left",
                     left_on=["first", "first_de", "first_canon"], right_on=list(_FORMS))
        .join(vocabulary.rename({"name_id": "last_id"}), how="left",
              left_on=["last", "last_de", "last_full"], right_on=list(_FORMS))
        .select("idx", "first_id", "last_id", "mobile", *exact_fields)
    )  # fmt: skip
    frame = _join_sides(pairs.select("a", "b"), exact)
    frame = frame.with_columns(agreement).filter("possible")
    frame = _with_identifier_typos(frame, identifier_columns(features))
    frame = _with_name_similarities(frame, vocabulary)
    return _decide(frame, config, identifier_columns(features))


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
    """Attach `per_record` columns to both ends of each pair, suffixed _a and _b."""
    return pairs.join(
        per_record.rename(lambda name: f"{name}_a"), left_on="a", right_on="idx_a"
    ).join(per_record.rename(lambda name: f"{name}_b"), left_on="b", right_on="idx_b")


def _with_name_similarities(frame: pl.DataFrame, vocabulary: pl.DataFrame) -> pl.DataFrame:
    """Add first/last similarities in the better of straight and swapped order (null = blank)."""
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
        .join(vocabulary.select(x_id="name_id", x="plain", x_de="de", x_alt="alt"), on="x_id")
        .join(vocabulary.select(y_id="name_id", y="plain", y_de="de", y_alt="alt"), on="y_id")
    )
    sims = name_similarities(id_pairs)
    for x, y, alias in combos:
        renamed = sims.rename({"x_id": x, "y_id": y, "sim": alias, "initial": f"{alias}_initial"})
        frame = frame.join(renamed, on=[x, y], how="left")
    # Swapped only when all four names are present and the swapped order fits better.
    swapped = pl.all_horizontal(pl.col("sf", "sl", "xf", "xl").is_not_null()) & (
        pl.min_horizontal("xf", "xl") > pl.min_horizontal("sf", "sl")
    )
    return frame.with_columns(swapped=swapped).with_columns(
        first=pl.when("swapped").then("xf").otherwise("sf"),
        last=pl.when("swapped").then("xl").otherwise("sl"),
        first_initial=pl.when("swapped")
        .then("xf_initial")
        .otherwise("sf_initial")
        .fill_null(False),
    )


def _same(column: str) -> pl.Expr:
    return (pl.col(f"{column}_a") == pl.col(f"{column}_b")).fill_null(False)


def _field_agreement(identifiers: list[str]) -> list[pl.Expr]:
    email_same = _same("email")
    phone_same = _same("phone")
    mobile_same = phone_same & pl.col("mobile_a") & pl.col("mobile_b")
    # Another address at the same corporate domain (the same address is email_same already).
    domain_same = _same("corp_domain") & ~email_same
    local_same = _same("personal_local") & ~email_same
    company_same = _same("company")
    title_same = _same("title")
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
        title_same.alias("title_same"),
        colleagues.alias("colleagues"),
        corroborated.alias("corroborated"),
        (email_same | corroborated).alias("possible"),
    ]


def _decide(frame: pl.DataFrame, config: DedupeConfig, identifiers: list[str]) -> pl.DataFrame:
    first, last = pl.col("first"), pl.col("last")
    initial = pl.col("first_initial")

    def at_least(sim: pl.Expr, threshold: float) -> pl.Expr:
        return (sim >= threshold).fill_null(False)

    def names_at_least(threshold: float) -> pl.Expr:
        return at_least(first, threshold) & at_least(last, threshold)

    def compatible(sim: pl.Expr) -> pl.Expr:
        return sim.is_null() | (sim >= config.email_name_min)

    # "corroborated" already demands a personal field for colleagues; they also need closer names.
    colleague_ok = ~pl.col("colleagues") | (
        names_at_least(config.colleague_name_min) & pl.col("corroborated")
    )
    # A mobile is one person's: the same mobile tolerates a looser last name (Dijkstra/Dykstra)
    # and an initial (N. Lejeune). A landline is shared by a household and needs close names.
    # A landline is shared by a household or a switchboard: Konstantinos and Konstantina
    # Antoniou, Jan and Anna de Vries, so its first names must agree closely.
    phone_names = (
        pl.when(pl.col("mobile_same"))
        .then(
            at_least(last, config.mobile_last_min)
            & (at_least(first, config.phone_name_min) | (initial & at_least(last, config.name_min)))
        )
        .otherwise(
            at_least(first, config.landline_first_min) & at_least(last, config.phone_name_min)
        )
    )
    # The same company alone: colleagues with near-identical names (Hofmann / Hoffmann, Jansen /
    # Janssen) are common, so only identical names count there.
    only_company = ~(pl.col("phone_same") | pl.col("local_same") | (pl.col("identifiers_same") > 0))
    # The same landline as the only personal field: a switchboard or a household again.
    only_landline = pl.col("phone_same") & ~pl.col("mobile_same") & ~pl.col("local_same")
    name_ok = (
        names_at_least(config.name_min)
        & (~only_company | names_at_least(config.company_only_name_min))
        & (~only_landline | at_least(first, config.landline_first_min))
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
    )
    frame = frame.with_columns(
        rule=pl.when(pl.col("email_same") & compatible(first) & compatible(last))
        .then(pl.lit("email"))
        .when(pl.col("phone_same") & phone_names & colleague_ok)
        .then(pl.lit("phone"))
        .when(identity_ok)
        .then(pl.lit("identifiers"))
        .when(name_ok & pl.col("corroborated") & colleague_ok & not_contradicted)
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
            flag("title_same", "title=same"),
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
            .otherwise(pl.lit("first=") + _two_decimals(pl.col("first"))),
            pl.lit("last=") + _two_decimals(pl.col("last")),
            flag("swapped", "names=swapped"),
        ],
        separator=";",
        ignore_nulls=True,
    )
