"""How alike two names are: the similarity and relations duplicate detection weighs.

Names are compared with Jaro-Winkler on their ASCII letters, in the better of straight or swapped
first/last order; a blank name is no evidence either way. Beside similarity, a first name can be
a known nickname of the other (Wim / Willem, from the diminutives table or the `nicknames` data
set), a short form cut from it (Jo / Johanna), or an initial. Each distinct name is compared
once (`name_vocabulary`), however many pairs carry it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from hygiene_pipeline.normalize.matching_keys import diminutive_groups, phonetic_series

PREFIX_NAME_CAP = 0.90  # similarity of a name with one that extends it (Peters / Petersen)
ANAGRAM_SIM = 0.90  # the same letters in another order (Bso / Bos): a typo, below phone_name_min
CANONICAL_SIM = 0.95  # one name is the other's nickname (Wim / Willem): above name_min, below 0.99

_FORMS = ("plain", "de", "alt")  # the spellings of a name that are compared


def name_similarities(pairs: pl.DataFrame) -> pl.DataFrame:
    """Jaro-Winkler of distinct name pairs (x_id, y_id and each side's spellings).

    Each side has three spellings (columns x, x_de, x_alt and y, y_de, y_alt): the ASCII letters,
    the German ae/oe/ue spelling, and an alternative (the nickname-canonical first name, or the
    last name with its particles). The similarity is the best of the three, each scored by
    rapidfuzz's `process.cpdist` in C++ over whole columns (no Python loop over pairs).

    `initial` marks an initial against a name it starts (S. / Sylvie): that is no evidence either
    way, so its similarity is null, like a blank.

    `nickname` marks two names with one nickname-canonical form that sound different (Wim /
    Willem, Sepp / Josef): a known pet name of the same name, as good as the name itself where
    a household or a company needs near-identical first names. Names that share a canonical
    and sound alike are spellings of similar names (Anne / Anna, Klaus / Claus, Sara / Sarah):
    two colleagues can carry them, so they stay mere similarity.

    `related` is a weaker relation between names that sound different: one cut from the other
    (Jo / Johanna, Liv / Olivia, Lies / Annelies: the commonest way short forms are made in
    every language), or both listed under one full name by the diminutives table even where
    that is ambiguous (Jos / Jef: Jozef). A short form can stand for several names (Chris), so
    `_decide` lets it count only beside other personal evidence.
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
    letters = [_sorted_letters(pairs.get_column(side)) for side in ("x", "y")]
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
    transposed = _one_transposition(pairs.get_column("x"), pairs.get_column("y"))
    same_sound = (pairs.get_column("x_phon") == pairs.get_column("y_phon")).fill_null(True)
    listed, form_of_full = _listed_together(pairs)
    nickname = same_alt & (x != y) & (~same_sound | form_of_full)
    shorter = pl.when(x.str.len_chars() <= y.str.len_chars()).then(x).otherwise(y)
    longer = pl.when(x.str.len_chars() <= y.str.len_chars()).then(y).otherwise(x)
    clipped = ((shorter.str.len_chars() >= 2) & longer.str.starts_with(shorter)) | (
        (shorter.str.len_chars() >= 3) & longer.str.contains(shorter, literal=True)
    )
    related = (clipped | listed).fill_null(False) & (x != y) & ~same_sound
    return pairs.select(
        "x_id",
        "y_id",
        sim=pl.when(initial).then(None).otherwise(best),
        initial=initial,
        nickname=nickname & ~initial,
        related=related & ~initial,
        transposed=transposed,
    )


def _sorted_letters(names: pl.Series) -> pl.Series:
    """Each name's letters in alphabetical order (bos, bso: bos), sorted once per distinct name:
    names repeat across hundreds of thousands of pairs."""
    distinct = names.unique()
    letters = distinct.str.split("").list.sort().list.join("")
    return names.replace_strict(distinct, letters, default=None, return_dtype=pl.String)


def _one_transposition(x: pl.Series, y: pl.Series) -> pl.Series:
    """Names of 3+ letters, same first letter, one pair of neighbouring letters swapped (OSA
    distance 1 where Levenshtein needs 2)."""

    def distances(scorer) -> pl.Series:
        return pl.Series(
            process.cpdist(x.to_list(), y.to_list(), scorer=scorer.distance, workers=-1)
        )

    same_start = (x.str.slice(0, 1) == y.str.slice(0, 1)) & (x.str.len_chars() >= 3)
    swap = (distances(OSA) == 1) & (distances(Levenshtein) == 2)
    return (same_start & swap).fill_null(False)


def _listed_together(pairs: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Per name pair (x, y), from the diminutives table: (both listed under one full name, one
    of them is that full name).

    The second is a known form of a name, however alike the two sound (Vasilis / Vasileios,
    Jule / Julia); two forms of one name that sound alike are mere spellings (Klaus / Claus).
    """
    groups = _name_groups()
    keyed = pairs.select("x", "y").with_row_index("row")
    x_groups = keyed.join(groups, left_on="x", right_on="name").select("row", "group")
    y_groups = keyed.join(groups, left_on="y", right_on="name").select("row", "group")
    shared = x_groups.join(y_groups, on=["row", "group"]).join(keyed, on="row")
    full = shared.filter((pl.col("x") == pl.col("group")) | (pl.col("y") == pl.col("group")))
    rows = keyed.get_column("row")
    return (
        rows.is_in(shared.get_column("row").unique().implode()),
        rows.is_in(full.get_column("row").unique().implode()),
    )


@lru_cache(maxsize=1)
def _name_groups() -> pl.DataFrame:
    """(name, group) rows of `matching_keys.diminutive_groups`, as letters only (the names'
    comparison form: José María -> josemaria)."""
    rows = {
        (re.sub(r"[^a-z]", "", name), re.sub(r"[^a-z]", "", group))
        for name, groups in diminutive_groups().items()
        for group in groups
    }
    return pl.DataFrame(sorted(rows), schema={"name": pl.String, "group": pl.String}, orient="row")


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


def name_vocabulary(features: pl.DataFrame) -> pl.DataFrame:
    """Every distinct name with its three spellings (see `name_similarities`), its sound, an id."""
    vocabulary = (
        pl.concat(
            [
                features.select(plain="first", de="first_de", alt="first_canon").unique(),
                features.select(plain="last", de="last_de", alt="last_full").unique(),
            ]
        )
        .filter(pl.col("plain").is_not_null())
        .with_columns(pl.col("de", "alt").fill_null(pl.col("plain")))
        .unique()
        .sort(_FORMS)
        .with_row_index("name_id")
    )
    return vocabulary.with_columns(phonetic_series(vocabulary.get_column("plain")).alias("phon"))


def _spellings_key(*columns: str) -> pl.Expr:
    """One string for a name's three spellings. They are letters only (`keys`), so the
    separator keeps them apart: a lookup on one column, not a join on three."""
    return pl.concat_str(columns, separator="\x1f")


def name_id(vocabulary: pl.DataFrame, *spellings: str) -> pl.Expr:
    """The vocabulary's name_id of the name spelled in columns `spellings`; null for none."""
    keys = vocabulary.select(_spellings_key(*_FORMS)).to_series()
    return _spellings_key(*spellings).replace_strict(
        keys, vocabulary.get_column("name_id"), default=None
    )
