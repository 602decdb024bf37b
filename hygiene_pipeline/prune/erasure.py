"""Erasure requests (GDPR art. 17 / AVG): the register the user keeps, read case-insensitively.

`$HYGIENE_DATA_DIR/erasure_requests.csv` holds one email per line under an `email` header (other
columns, such as the request date, are ignored). Keep every line: the register is also what lets
a rerun of an old month purge the person again.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from hygiene_pipeline.ingest.month_exports import decode
from hygiene_pipeline.normalize.emails import clean_email_expr, normalize_domains


class ErasureRegisterError(ValueError):
    """The register cannot be read; the message names the file and what to fix."""


def read_erasure_requests(path: Path) -> frozenset[str]:
    """Normalized emails (as normalized_contacts writes them) of every erasure request."""
    path = Path(path)
    if not path.exists():
        return frozenset()
    text, _ = decode(path.read_bytes(), path.name)
    rows = list(
        csv.reader(io.StringIO(text), delimiter=";" if ";" in text.split("\n", 1)[0] else ",")
    )
    if not rows:
        return frozenset()
    header = [cell.strip().lower() for cell in rows[0]]
    if "email" not in header:
        raise ErasureRegisterError(
            f"{path}: the first line must be a header with an `email` column (found {rows[0]!r})"
        )
    column = header.index("email")
    emails = pl.Series("email", [row[column] for row in rows[1:] if len(row) > column])
    cleaned = emails.to_frame().select(clean_email_expr(pl.col("email")).alias("email"))["email"]
    return frozenset(normalize_domains(cleaned.drop_nulls()).to_list())


def names_erased(erasure_emails: frozenset[str]) -> pl.Expr:
    """A contact any of whose addresses (primary or others in the same cell) is in the register."""
    listed = list(erasure_emails)
    others = pl.col("email_others").list.eval(pl.element().is_in(listed)).list.any()
    return (pl.col("email").is_in(listed) | others.fill_null(False)).fill_null(False)
