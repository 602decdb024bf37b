"""Email addresses as one normalized form, shared by normalization and the erasure register."""

from __future__ import annotations

import polars as pl


def clean_email_expr(expr: pl.Expr) -> pl.Expr:
    """Trim; drop `mailto:`, angle brackets and trailing dots; lower-case; blank -> null."""
    cleaned = (
        expr.str.strip_chars()
        .str.replace(r"(?i)^mailto:", "")
        .str.strip_chars("<> \t")
        .str.strip_chars_end(".")
        .str.to_lowercase()
    )
    return pl.when(cleaned == "").then(None).otherwise(cleaned)
