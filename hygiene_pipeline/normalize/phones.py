"""Phone numbers to E.164 with libphonenumber, the contact's country as the default region.

A cell may hold several numbers ("+31 6 1234 5678 / 020 794 6001") and an extension
("+44 20 7946 0123 ext. 45"): the first number is the contact's phone, the others are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberType

DEFAULT_REGION = "NL"

_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
# `00` as international prefix at the start of a number, whatever the region (Europeans write it).
_DOUBLE_ZERO = re.compile(r"^\s*00[\s./-]*(?=[1-9])")
# Extension words libphonenumber does not know: Dutch, German, French, Greek.
_EXTENSION_WORDS = re.compile(r"(?i)\s*(?:toestel|tst\.?|durchwahl|dw\.?|poste|εσωτ\.?)\s*")


@dataclass(frozen=True)
class PhoneCell:
    """What one phone cell holds: the first valid number, its type and extension, the others."""

    e164: str | None = None
    kind: str | None = None
    extension: str | None = None
    others: tuple[str, ...] = ()


def supported_region(region: str) -> str:
    """The region, upper-cased, if libphonenumber knows it; else a ValueError naming it."""
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{region!r} is not a region libphonenumber knows (use e.g. NL, DE, GB)")
    return code


def _prepared(text: str) -> str:
    return _EXTENSION_WORDS.sub(" ext. ", _DOUBLE_ZERO.sub("+", text.strip()))


def _valid(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.is_valid_number(number)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Several numbers in one cell: parts separated by / ; , | or a word such as "or", each with at
# least six digits (so "030/1234567", one German number, stays one).
_SEVERAL = re.compile(r"\s*(?:[/;,|\n]|\b(?:or|of|oder|ou|o|και)\b)\s*", re.IGNORECASE)


def _parse_one(text: str, region: str) -> PhoneCell:
    try:
        number = phonenumbers.parse(_prepared(text), region)
    except phonenumbers.NumberParseException:
        return PhoneCell()
    if not _valid(number):
        return PhoneCell()
    return PhoneCell(
        _e164(number), _TYPE_NAMES.get(phonenumbers.number_type(number)),
        number.extension or None,
    )  # fmt: skip


@lru_cache(maxsize=200_000)
def parse_phone_cell(text: str | None, region: str | None) -> PhoneCell:
    """Every valid number in a cell, read in `region` when written nationally."""
    if text is None or not text.strip():
        return PhoneCell()
    region = region or DEFAULT_REGION
    whole = _parse_one(text, region)
    parts = [part for part in _SEVERAL.split(text) if part and part.strip()]
    if len(parts) < 2 or any(len(re.sub(r"\D", "", part)) < 6 for part in parts):
        return whole
    numbers = [cell for cell in (_parse_one(part, region) for part in parts) if cell.e164]
    if not numbers:
        return whole
    first, *rest = numbers
    others = tuple(dict.fromkeys(n.e164 for n in rest if n.e164 and n.e164 != first.e164))
    return PhoneCell(first.e164, first.kind, first.extension, others)


def to_e164(text: str | None, region: str | None) -> tuple[str | None, str | None]:
    """(E.164, type) of the first valid number in the text, else (None, None)."""
    cell = parse_phone_cell(text, region)
    return cell.e164, cell.kind


# --- Vectorized path -------------------------------------------------------------------------
# libphonenumber in Python costs about 80 µs a number, and phone numbers are nearly all distinct,
# so a million contacts would take minutes. The common shapes (one number, `+CC ...`, `00CC ...`
# or national with the trunk prefix) are decided here with libphonenumber's own metadata regexes
# run by polars: country code, national-prefix stripping, region for shared country codes, and
# number type exactly as `is_valid_number` / `number_type` decide them. Everything else (letters,
# several numbers, regions whose national prefix rules carry carrier codes or transforms) goes
# through `parse_phone_cell`. tests/test_normalize.py checks both paths agree on many numbers.

_TYPE_ORDER = (  # libphonenumber's _number_type_helper order
    ("premium_rate", "premium_rate"), ("toll_free", "toll_free"),
    ("shared_cost", "shared_cost"), ("voip", "voip"), ("personal_number", "personal_number"),
    ("pager", "pager"), ("uan", "uan"), ("voicemail", "voicemail"),
)  # fmt: skip
_EXTENSION = (
    r"(?i)[\s,;]*(?:ext\.?|extension|x|#|toestel|tst\.?|durchwahl|dw\.?|poste|εσωτ\.?)"
    r"\s*(\d{1,7})\s*$"
)
_PYTHON = "python"


def _desc_expr(nsn: pl.Expr, desc: PhoneNumberDesc | None) -> pl.Expr:
    """libphonenumber's _is_number_matching_desc: a possible length and the whole pattern."""
    if desc is None or desc.national_number_pattern is None:
        return pl.lit(False)
    matches = nsn.str.contains(f"^(?:{desc.national_number_pattern})$")
    if desc.possible_length:
        matches = matches & nsn.str.len_chars().is_in(list(desc.possible_length))
    return matches


def _type_expr(nsn: pl.Expr, meta: PhoneMetadata) -> pl.Expr:
    """The number type name, or null when the number is not valid in this region."""
    fixed, mobile = _desc_expr(nsn, meta.fixed_line), _desc_expr(nsn, meta.mobile)
    fixed_type = (
        pl.lit("fixed_line_or_mobile")
        if meta.same_mobile_and_fixed_line_pattern
        else pl.when(mobile).then(pl.lit("fixed_line_or_mobile")).otherwise(pl.lit("fixed_line"))
    )
    result: pl.Expr = pl.when(fixed).then(fixed_type).when(mobile).then(pl.lit("mobile"))
    for attribute, name in reversed(_TYPE_ORDER):
        result = (
            pl.when(_desc_expr(nsn, getattr(meta, attribute))).then(pl.lit(name)).otherwise(result)
        )
    return pl.when(_desc_expr(nsn, meta.general_desc)).then(result)


def _simple_prefix(meta: PhoneMetadata) -> str | bool | None:
    """The national prefix pattern if plain (no carrier code, no transform), else False."""
    pattern = meta.national_prefix_for_parsing
    if pattern is None:
        return None
    if meta.national_prefix_transform_rule or re.compile(pattern).groups:
        return False
    return pattern


def _strip_national_prefix(nsn: pl.Expr, meta: PhoneMetadata, pattern: str) -> pl.Expr:
    """libphonenumber's national-prefix stripping, then its length test on the result."""
    general = meta.general_desc.national_number_pattern
    stripped = nsn.str.replace(f"^(?:{pattern})", "")
    has_prefix = nsn.str.contains(f"^(?:{pattern})")
    viable = nsn.str.contains(f"^(?:{general})$")
    viable_stripped = stripped.str.contains(f"^(?:{general})$")
    lengths = list(meta.general_desc.possible_length)
    local_only = list(meta.general_desc.possible_length_local_only or ())
    length = stripped.str.len_chars()
    length_ok = (length.is_in(lengths) | (length > max(lengths))) & ~length.is_in(local_only)
    use = has_prefix & ~(viable & ~viable_stripped) & length_ok
    return pl.when(use).then(stripped).otherwise(nsn)


@lru_cache(maxsize=512)
def _main_metadata(country_code: int) -> PhoneMetadata | None:
    region = phonenumbers.region_code_for_country_code(country_code)
    return PhoneMetadata.metadata_for_region(region) if region != "ZZ" else None


def _country_rows(frame: pl.DataFrame, country_code: int) -> pl.DataFrame:
    """Validate the rows of one country code: stripped national number, region, type."""
    main = _main_metadata(country_code)
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    prefix = _simple_prefix(main) if main is not None else False
    if main is None or prefix is False or "001" in regions:
        return frame.with_columns(pl.lit(_PYTHON).alias("phone_type"), pl.lit(None).alias("phone"))
    nsn = pl.col("nsn")
    if prefix is not None:
        frame = frame.with_columns(_strip_national_prefix(nsn, main, prefix).alias("nsn"))
    kind: pl.Expr = pl.lit(None, dtype=pl.String)
    for region in reversed(regions):
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None:
            continue
        region_type = _type_expr(nsn, meta)
        if len(regions) == 1:
            kind = region_type
        elif meta.leading_digits:
            kind = (
                pl.when(nsn.str.contains(f"^(?:{meta.leading_digits})"))
                .then(region_type)
                .otherwise(kind)
            )
        else:
            kind = pl.when(region_type.is_not_null()).then(region_type).otherwise(kind)
    return frame.with_columns(kind.alias("phone_type")).with_columns(
        pl.when(pl.col("phone_type").is_not_null())
        .then(pl.lit(f"+{country_code}") + nsn)
        .alias("phone")
    )


def _country_code_expr(digits: pl.Expr) -> pl.Expr:
    """The leading country calling code of international digits, shortest match first."""
    known = [str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE]
    result: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for size in (3, 2, 1):
        head = digits.str.slice(0, size)
        result = pl.when(head.is_in(known)).then(head.cast(pl.Int64)).otherwise(result)
    return result


def _region_codes() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region": sorted(phonenumbers.SUPPORTED_REGIONS),
            "region_cc": [
                phonenumbers.country_code_for_region(r)
                for r in sorted(phonenumbers.SUPPORTED_REGIONS)
            ],
        },
        schema={"region": pl.String, "region_cc": pl.Int64},
    )


def phone_cells(text: pl.Series, region: pl.Series) -> pl.DataFrame:
    """phone (E.164), phone_type, phone_extension, phone_others for each cell, same order.

    Vectorized for the common shapes; Python (`parse_phone_cell`) once per distinct other cell.
    """
    rows = pl.DataFrame({"text": text, "region": region.fill_null(DEFAULT_REGION)})
    distinct = rows.unique(maintain_order=True).filter(pl.col("text").is_not_null())
    prepared = distinct.with_columns(
        pl.col("text").str.extract(_EXTENSION, 1).alias("phone_extension"),
        pl.col("text").str.replace(_EXTENSION, "").str.strip_chars().alias("body"),
    ).with_columns(
        pl.col("body").str.replace_all(r"\D", "").alias("digits"),
        pl.col("body").str.starts_with("+").alias("plus"),
    )
    double_zero = ~pl.col("plus") & pl.col("digits").str.starts_with("00")
    prepared = prepared.with_columns(
        (pl.col("plus") | double_zero).alias("international"),
        pl.when(double_zero).then(pl.col("digits").str.slice(2)).otherwise(pl.col("digits")),
    ).join(_region_codes(), on="region", how="left")
    slashes = pl.col("body").str.count_matches("/")
    two_numbers = pl.col("body").str.contains(r"^(?:[^/\d]*\d){6}[^/]*/(?:[^/\d]*\d){6}[^/]*$")
    simple_shape = (
        pl.col("body").str.contains(r"^\+?[\d\s\-./()]+$")
        & ((slashes == 0) | ((slashes == 1) & ~two_numbers))
        & (pl.col("body").str.count_matches(r"\+") <= 1)
        & pl.col("digits").str.len_chars().is_between(4, 17)
    )
    national_ok = (
        ~pl.col("international")
        & pl.col("region_cc").is_not_null()
        & ~pl.col("digits").str.starts_with(pl.col("region_cc").cast(pl.String))
    )
    country = (
        pl.when(pl.col("international"))
        .then(_country_code_expr(pl.col("digits")))
        .when(national_ok)
        .then(pl.col("region_cc"))
    )
    prepared = prepared.with_columns(
        pl.when(simple_shape).then(country).alias("cc"),
    ).with_columns(
        pl.when(pl.col("international"))
        .then(pl.col("digits").str.slice(pl.col("cc").cast(pl.String).str.len_chars()))
        .otherwise(pl.col("digits"))
        .alias("nsn")
    )
    fast = prepared.filter(pl.col("cc").is_not_null())
    parts = [
        _country_rows(group, cc)
        for (cc,), group in fast.partition_by("cc", as_dict=True, maintain_order=True).items()
    ]
    decided = (
        pl.concat(parts, how="diagonal_relaxed")
        if parts
        else fast.with_columns(phone=pl.lit(None, pl.String), phone_type=pl.lit(None, pl.String))
    )
    keys = ["text", "region"]
    fast_done = decided.filter(pl.col("phone_type").ne_missing(_PYTHON)).select(
        *keys,
        pl.col("phone").cast(pl.String),
        pl.col("phone_type").cast(pl.String),
        pl.when(pl.col("phone").is_not_null()).then(pl.col("phone_extension")).cast(pl.String),
        pl.lit([], dtype=pl.List(pl.String)).alias("phone_others"),
    )
    slow = pl.concat(
        [
            prepared.filter(pl.col("cc").is_null()).select(keys),
            decided.filter(pl.col("phone_type") == _PYTHON).select(keys),
        ]
    )
    cells = [parse_phone_cell(t, r) for t, r in slow.iter_rows()]
    slow_done = slow.with_columns(
        pl.Series("phone", [c.e164 for c in cells], dtype=pl.String),
        pl.Series("phone_type", [c.kind for c in cells], dtype=pl.String),
        pl.Series("phone_extension", [c.extension for c in cells], dtype=pl.String),
        pl.Series("phone_others", [list(c.others) for c in cells], dtype=pl.List(pl.String)),
    )
    mapping = pl.concat([fast_done, slow_done])
    joined = rows.join(mapping, on=keys, how="left", nulls_equal=True, maintain_order="left")
    return joined.select(
        "phone",
        "phone_type",
        "phone_extension",
        pl.col("phone_others").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )
