"""Company names: a clean display form, and a matching key without legal forms or punctuation.

Display: symbols and emoji dropped, spaces collapsed, stray separators trimmed; the case is
left as typed (IBM, KPN and ASML are written in capitals on purpose).

Key: lower-case ASCII (Greek transliterated), punctuation and legal forms removed at the start
or end (B.V., N.V., GmbH & Co. KG, SARL, SAS, S.A., Ltd, Inc., AG, Α.Ε., Ε.Π.Ε. ...), words
joined without spaces, so "Brouwer Logistiek B.V.", "BROUWER LOGISTIEK BV" and
"Brouwer-Logistiek" share the key `brouwerlogistiek`. A value that names no company ("n/a",
"privé") has no key.
"""

from __future__ import annotations

import polars as pl

from hygiene_pipeline.normalize.matching_keys import ascii_series

# Legal forms as words after dots are removed and the name is transliterated (Α.Ε. -> ae).
LEGAL_FORMS: tuple[str, ...] = (
    # Netherlands, Belgium
    "bv", "nv", "vof", "cv", "bvba", "sprl", "srl", "commv", "vzw", "asbl", "cvba", "scrl",
    "holding bv",
    # Germany, Austria, Switzerland
    "gmbh", "ag", "kg", "kgaa", "ug", "ohg", "gbr", "ev", "ek", "se", "gmbh co kg",
    "gmbh und co kg", "co kg", "haftungsbeschrankt", "haftungsbeschraenkt",
    # France
    "sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "selarl",
    # Greece (ΑΕ, ΕΠΕ, ΟΕ, ΕΕ, ΙΚΕ, ΑΒΕΕ transliterated)
    "ae", "epe", "oe", "ee", "ike", "avee", "aeve",
    # United Kingdom, Ireland, United States
    "ltd", "limited", "plc", "llp", "lp", "inc", "incorporated", "llc", "corp", "corporation",
    "co", "company",
    # Southern and Northern Europe
    "spa", "sl", "slu", "sapa", "lda", "oy", "oyj", "ab", "as", "asa", "aps", "sro", "kft",
    "sp zoo", "spzoo",
)  # fmt: skip
PLACEHOLDERS: tuple[str, ...] = (
    "na", "nvt", "none", "unknown", "onbekend", "unbekannt", "inconnu", "private", "privat",
    "prive", "particulier", "selfemployed", "freelance", "freelancer", "zzp", "self", "test",
    "geen", "keine", "aucune", "x", "company", "-",
)  # fmt: skip
_FORMS = "|".join(sorted(LEGAL_FORMS, key=len, reverse=True))
_TRAILING_FORMS = rf"(?:\s+(?:{_FORMS}))+$"
_FORM_LAST_WORDS = sorted({form.rsplit(" ", 1)[-1] for form in LEGAL_FORMS})
# Only French forms are written before the name (SARL Dupont); "Sa Coma" is a place in Mallorca.
_LEADING_FORMS = r"^(?:(?:sarl|sas|sasu|eurl|sci|snc|selarl)\s+)+"


def company_display_expr(expr: pl.Expr) -> pl.Expr:
    """The company as a careful human would type it: no symbols, single spaces; null if blank."""
    out = (
        expr.str.replace_all(r"[\p{So}\p{Co}\x{200d}\x{fe0f}\x{1f3fb}-\x{1f3ff}]", "")
        .str.replace_all(r"\s+", " ")
        .str.replace_all(r" ([,.])", "$1")
        .str.strip_chars(" ,;|/")
    )
    return pl.when(out.str.len_chars() > 0).then(out)


def company_key(companies: pl.Series) -> pl.Series:
    """Matching key of each company (see the module doc); null when there is none."""
    display = pl.select(company_display_expr(pl.lit(companies))).to_series()
    folded = ascii_series(display.str.replace_all(r"[.'’]", "").str.replace_all("&", " "))
    spaced = (
        folded.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars().str.replace_all(r"\s+", " ")
    )
    # Only a name whose last word ends some legal form can end with one: the regex, slow over
    # a long alternation, runs on those alone (scatter writes into a copy).
    may_end_in_form = spaced.str.extract(r"(\S+)$").is_in(_FORM_LAST_WORDS).fill_null(False)
    without_trailing = spaced.clone().scatter(
        may_end_in_form.arg_true(),
        spaced.filter(may_end_in_form).str.replace(_TRAILING_FORMS, ""),
    )
    frame = pl.DataFrame({"words": spaced, "trailing": without_trailing})
    words = pl.col("words")
    stripped = pl.col("trailing").str.replace(_LEADING_FORMS, "")
    # A name that is only a legal form ("B.V.") keeps it rather than becoming nothing.
    kept = pl.when(stripped.str.len_chars() > 0).then(stripped).otherwise(words)
    key = kept.str.replace_all(" ", "")
    return (
        frame.select(pl.when((key.str.len_chars() > 0) & ~key.is_in(PLACEHOLDERS)).then(key))
        .to_series()
        .alias("company_key")
    )
