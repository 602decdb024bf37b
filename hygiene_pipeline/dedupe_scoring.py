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

from dataclasses import dataclass

import polars as pl
from rapidfuzz.distance import JaroWinkler

from hygiene_pipeline.dedupe_keys import key_hash

MATCH_RULES = ("email", "phone", "name")
PREFIX_NAME_CAP = 0.90  # similarity of a name with one that extends it (Peters / Petersen)

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
    colleague_name_min: float = 0.97  # two mailboxes at one company: names at least this similar


def name_similarities(pairs: pl.DataFrame) -> pl.DataFrame:
    """Jaro-Winkler of distinct name pairs (x, y; German spellings x_de, y_de).

    The similarity is the better of the plain and the German (ae/oe/ue) spelling; the German one
    is only computed where it differs. Each distinct pair is scored once, by rapidfuzz in C++.
    """
    jaro_winkler = JaroWinkler.normalized_similarity
    sims = list(map(jaro_winkler, pairs.get_column("x").to_list(), pairs.get_column("y").to_list()))
    pairs = pairs.with_columns(sim=pl.Series(sims, dtype=pl.Float64))
    german = pairs.filter((pl.col("x") != pl.col("x_de")) | (pl.col("y") != pl.col("y_de")))
    if german.height:
        sims_de = list(
            map(
                jaro_winkler,
                german.get_column("x_de").to_list(),
                german.get_column("y_de").to_list(),
            )
        )
        german = german.select("x_id", "y_id", sim_de=pl.Series(sims_de, dtype=pl.Float64))
        pairs = pairs.join(german, on=["x_id", "y_id"], how="left").with_columns(
            sim=pl.max_horizontal("sim", "sim_de")
        )
    # One name running on 2+ letters past the other is another name, not a typo: Peters and
    # Petersen, Marie and Marieke. Jaro-Winkler rewards the shared prefix, so cap it below the
    # phone and name thresholds (a shared email still tolerates it).
    length_gap = pl.col("x").str.len_chars().cast(pl.Int64) - pl.col("y").str.len_chars()
    one_extends = pl.col("x").str.starts_with(pl.col("y")) | pl.col("y").str.starts_with(
        pl.col("x")
    )
    extended = one_extends & (length_gap.abs() >= 2)
    sim = pl.when(extended).then(pl.min_horizontal("sim", PREFIX_NAME_CAP)).otherwise("sim")
    return pairs.select("x_id", "y_id", sim=sim)


def _name_vocabulary(features: pl.DataFrame) -> pl.DataFrame:
    """Every distinct folded name (plain + German spelling) with an integer id."""
    return (
        pl.concat(
            [
                features.select(plain="first", de="first_de"),
                features.select(plain="last", de="last_de"),
            ]
        )
        .drop_nulls()
        .unique()
        .sort("plain", "de")
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
    hashed = features.select("idx", "mobile", *[key_hash(name).alias(name) for name in _EXACT])
    pairs = _join_sides(pairs, hashed).with_columns(_field_agreement()).filter("possible")

    vocabulary = _name_vocabulary(features)
    exact = (
        features.join(vocabulary.rename({"name_id": "first_id"}), how="left",
                      left_on=["first", "first_de"], right_on=["plain", "de"])
        .join(vocabulary.rename({"name_id": "last_id"}), how="left",
              left_on=["last", "last_de"], right_on=["plain", "de"])
        .select("idx", "first_id", "last_id", "mobile", *_EXACT)
    )  # fmt: skip
    frame = _join_sides(pairs.select("a", "b"), exact)
    frame = frame.with_columns(_field_agreement()).filter("possible")
    frame = _with_name_similarities(frame, vocabulary)
    return _decide(frame, config)


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
        .join(vocabulary.select(x_id="name_id", x="plain", x_de="de"), on="x_id")
        .join(vocabulary.select(y_id="name_id", y="plain", y_de="de"), on="y_id")
    )
    sims = name_similarities(id_pairs)
    for x, y, alias in combos:
        frame = frame.join(sims.rename({"x_id": x, "y_id": y, "sim": alias}), on=[x, y], how="left")
    # Swapped only when all four names are present and the swapped order fits better.
    swapped = pl.all_horizontal(pl.col("sf", "sl", "xf", "xl").is_not_null()) & (
        pl.min_horizontal("xf", "xl") > pl.min_horizontal("sf", "sl")
    )
    return frame.with_columns(swapped=swapped).with_columns(
        first=pl.when("swapped").then("xf").otherwise("sf"),
        last=pl.when("swapped").then("xl").otherwise("sl"),
    )


def _same(column: str) -> pl.Expr:
    return (pl.col(f"{column}_a") == pl.col(f"{column}_b")).fill_null(False)


def _field_agreement() -> list[pl.Expr]:
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
    corroborated = (
        pl.when(colleagues)
        .then(mobile_same | title_same)
        .otherwise(company_same | phone_same | local_same)
    )
    return [
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


def _decide(frame: pl.DataFrame, config: DedupeConfig) -> pl.DataFrame:
    first, last = pl.col("first"), pl.col("last")

    def names_at_least(threshold: float) -> pl.Expr:
        return (first >= threshold).fill_null(False) & (last >= threshold).fill_null(False)

    def compatible(sim: pl.Expr) -> pl.Expr:
        return sim.is_null() | (sim >= config.email_name_min)

    # "corroborated" already demands a personal field for colleagues; they also need closer names.
    colleague_ok = ~pl.col("colleagues") | (
        names_at_least(config.colleague_name_min) & pl.col("corroborated")
    )
    frame = frame.with_columns(
        rule=pl.when(pl.col("email_same") & compatible(first) & compatible(last))
        .then(pl.lit("email"))
        .when(pl.col("phone_same") & names_at_least(config.phone_name_min) & colleague_ok)
        .then(pl.lit("phone"))
        .when(names_at_least(config.name_min) & pl.col("corroborated") & colleague_ok)
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
    )
    agreeing = pl.sum_horizontal(
        pl.col(
            "email_same", "phone_same", "local_same", "domain_same", "company_same", "title_same"
        ).cast(pl.Int32)
    )
    id_part = pl.min_horizontal(strongest + 0.1 * (agreeing - 1).clip(lower_bound=0), 1.0)
    score = (0.5 * name_part + 0.5 * id_part).clip(0.0, 1.0).round(4)
    return frame.select("a", "b", "rule", score=score, evidence=_evidence())


def _two_decimals(sim: pl.Expr) -> pl.Expr:
    hundredths = (sim * 100).round(0).cast(pl.Int64)
    return (
        pl.when(sim.is_null())
        .then(pl.lit("blank"))
        .when(hundredths >= 100)
        .then(pl.lit("1.00"))
        .otherwise(pl.lit("0.") + hundredths.cast(pl.String).str.zfill(2))
    )


def _evidence() -> pl.Expr:
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
            pl.lit("first=") + _two_decimals(pl.col("first")),
            pl.lit("last=") + _two_decimals(pl.col("last")),
            flag("swapped", "names=swapped"),
        ],
        separator=";",
        ignore_nulls=True,
    )
