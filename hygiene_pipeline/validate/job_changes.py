"""People change jobs: each contact compared with its own record in the previous stored month.

A contact whose company changed, whose work email moved to another company's domain, or whose
work address was replaced by a private one has most likely changed jobs: "contacts from five
companies ago". The evidence (before and after) goes to the `job_changes` table and the report;
the contact gets the issue `job_change`, and the prune policy may re-engage it instead of
deleting it when its old work address bounces.
"""

from __future__ import annotations

from datetime import date

import polars as pl

# What a job-change check reads of a month's normalized contacts.
COLUMNS = ("contact_id", "company", "company_key", "company_domain", "email_domain")
KINDS = ("company_changed", "domain_changed", "work_to_personal")
JOB_CHANGES: dict[str, pl.DataType] = {
    "snapshot": pl.Date(),
    "contact_id": pl.String(),
    "kind": pl.String(),  # company_changed, domain_changed or work_to_personal
    "before_company": pl.String(),
    "after_company": pl.String(),
    "before_domain": pl.String(),  # the company email domain before
    "after_domain": pl.String(),  # the email domain now (a free-mail one for work_to_personal)
}


def find_job_changes(
    contacts: pl.DataFrame, previous: pl.DataFrame | None, snapshot: date
) -> pl.DataFrame:
    """JOB_CHANGES rows: one per contact of this month whose job changed since `previous`.

    A blank on either side is no evidence (a company typed in this month is not a change); a
    company whose key is the same (Brouwer B.V. / Brouwer BV) has not changed.
    """
    if previous is None or previous.height == 0 or contacts.height == 0:
        return pl.DataFrame(schema=JOB_CHANGES)
    before = previous.select(COLUMNS).rename({c: f"{c}_before" for c in COLUMNS[1:]})
    joined = contacts.select(COLUMNS).join(before, on="contact_id", how="inner")
    company = pl.col("company_key").is_not_null() & pl.col("company_key_before").is_not_null()
    domain = pl.col("company_domain").is_not_null() & pl.col("company_domain_before").is_not_null()
    personal = (
        pl.col("company_domain_before").is_not_null()
        & pl.col("company_domain").is_null()
        & pl.col("email_domain").is_not_null()
    )
    kind = (
        pl.when(company & (pl.col("company_key") != pl.col("company_key_before")))
        .then(pl.lit("company_changed"))
        .when(domain & (pl.col("company_domain") != pl.col("company_domain_before")))
        .then(pl.lit("domain_changed"))
        .when(personal)
        .then(pl.lit("work_to_personal"))
    )
    return (
        joined.with_columns(kind.alias("kind"))
        .filter(pl.col("kind").is_not_null())
        .select(
            pl.lit(snapshot).alias("snapshot"),
            "contact_id",
            "kind",
            pl.col("company_before").alias("before_company"),
            pl.col("company").alias("after_company"),
            pl.col("company_domain_before").alias("before_domain"),
            pl.col("email_domain").alias("after_domain"),
        )
        .sort("contact_id")
        .cast(JOB_CHANGES)
    )
