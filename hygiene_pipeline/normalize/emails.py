"""Email addresses as one normalized form, shared by normalization and the erasure register.

A cell is read the way people paste into it: `mailto:` links, `"Name" <address>` display forms,
trailing dots, and several addresses separated by `;`, `,`, `/`, `|` or spaces. The first address
is the contact's email; the others go to `email_others`. A cell with one `@` and no angle brackets
is one address, even with spaces in it: a broken address stays visible (validation calls it
invalid) instead of being cut down to a plausible-looking part.

Domains are IDNA-normalized (UTS #46) to their Unicode form: `XN--BCHER-KVA.DE` and `Bücher.de`
are both `bücher.de`, the way email-validator reports a normalized domain.
"""

from __future__ import annotations

from functools import lru_cache

import idna
import polars as pl

_ANGLE_ADDRESS = r"<[^<>]*@[^<>]*>"
_MULTI_SEPARATED = r"[^\s;,|/<>\"']+@[^\s;,|/<>\"']+"


def _clean_one(expr: pl.Expr) -> pl.Expr:
    """One address: mailto, brackets, quotes and trailing dots off; lower-case; blank -> null."""
    cleaned = (
        expr.str.strip_chars()
        .str.replace(r"(?i)^mailto:", "")
        .str.strip_chars("<>\"' \t;,")
        .str.strip_chars_end(".")
        .str.strip_chars()
        .str.to_lowercase()
    )
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def clean_email_expr(expr: pl.Expr) -> pl.Expr:
    """The primary address of a cell, normalized (see the module doc); null when blank."""
    return email_addresses_expr(expr).list.first()


def email_addresses_expr(expr: pl.Expr) -> pl.Expr:
    """Every address in a cell, normalized, in order, without repeats (empty list when blank)."""
    text = expr.str.replace_all(r"(?i)mailto:", "")
    addresses = (
        pl.when(text.str.contains(_ANGLE_ADDRESS))
        .then(text.str.extract_all(_ANGLE_ADDRESS))
        .when(text.str.count_matches("@") > 1)
        .then(text.str.extract_all(_MULTI_SEPARATED))
        .otherwise(pl.concat_list(text))
    )
    return addresses.list.eval(_clean_one(pl.element()).drop_nulls()).list.unique(
        maintain_order=True
    )


@lru_cache(maxsize=100_000)
def idna_domain(domain: str) -> str:
    """A domain in its normalized Unicode form; unchanged when IDNA cannot read it."""
    try:
        return idna.decode(idna.encode(domain, uts46=True))
    except idna.IDNAError:
        return domain
    except UnicodeError:
        return domain


def normalize_domains(addresses: pl.Series) -> pl.Series:
    """Addresses with IDN domains (non-ASCII or xn--) normalized, once per distinct domain."""
    if not addresses.str.contains(r"[^\x00-\x7f]|xn--").any():
        return addresses
    frame = addresses.to_frame("address").with_columns(
        pl.col("address").str.extract(r"^(.*@)", 1).alias("local"),
        pl.col("address").str.extract(r"@([^@]*)$", 1).alias("domain"),
    )
    needs = frame.filter(pl.col("domain").str.contains(r"[^\x00-\x7f]|(^|\.)xn--").fill_null(False))
    mapping = {domain: idna_domain(domain) for domain in needs["domain"].unique().to_list()}
    if not mapping:
        return addresses
    fixed = frame.select(
        pl.when(pl.col("domain").is_in(list(mapping)))
        .then(pl.col("local") + pl.col("domain").replace(mapping))
        .otherwise(pl.col("address"))
    ).to_series()
    return fixed.alias(addresses.name)


def email_domain_expr(email: pl.Expr) -> pl.Expr:
    """The domain of a normalized address, or null when it has none."""
    domain = email.str.extract(r"@([^@\s]+)$", 1)
    return pl.when(domain.str.len_chars() > 0).then(domain)


def email_columns(cells: pl.Series) -> pl.DataFrame:
    """`email` (the primary address) and `email_others` for each cell, domains IDNA-normalized.

    The same result as `email_addresses_expr`, but the costly list handling runs only on the few
    cells that hold angle brackets or several `@`.
    """
    frame = cells.alias("cell").to_frame().with_row_index("row")
    several = pl.col("cell").str.contains("<") | (pl.col("cell").str.count_matches("@") > 1)
    frame = frame.with_columns(several.fill_null(False).alias("several"))
    single = frame.select(
        "row",
        pl.when(~pl.col("several"))
        .then(_clean_one(pl.col("cell").str.replace_all(r"(?i)mailto:", "")))
        .alias("email"),
        pl.lit([], dtype=pl.List(pl.String)).alias("email_others"),
    )
    multi = frame.filter(pl.col("several")).select(
        "row", email_addresses_expr(pl.col("cell")).alias("addresses")
    )
    if multi.height:
        multi = multi.select(
            "row",
            pl.col("addresses").list.first().alias("email"),
            pl.col("addresses").list.slice(1).alias("email_others"),
        )
        single = single.update(multi, on="row")
        exploded = multi.select("row", pl.col("email_others").alias("address")).explode("address")
        exploded = exploded.with_columns(normalize_domains(exploded.get_column("address")))
        others = exploded.group_by("row").agg(pl.col("address").drop_nulls().alias("email_others"))
        single = single.update(others, on="row")
    return single.select(
        normalize_domains(single.get_column("email")).alias("email"), "email_others"
    )
