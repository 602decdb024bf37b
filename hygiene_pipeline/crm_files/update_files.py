"""The update, undo and status files of one month, per export format.

- `<format>-updates.csv`: the CRM record id and, per contact with a correction, the corrected
  cells under the export's own headers; every other cell empty, which CRM importers read as
  "leave as it is".
- `<format>-undo.csv`: the same ids and columns with every cell as the export had it, so
  re-importing it restores the CRM exactly (a cell that was empty needs the importer's option
  to write empty values: docs/crm-files.md).
- `<format>-status.csv`: one row per contact of the month with its verdict, to import as custom
  properties (what Bouncer sells as its "Recommends" field).
"""

from __future__ import annotations

from datetime import date

import polars as pl

# Custom property names of the status file (create them once in the CRM: docs/crm-files.md).
STATUS_COLUMNS = ("hygiene_email_status", "hygiene_phone_status", "hygiene_main_issue",
                  "hygiene_action", "hygiene_month")  # fmt: skip


def update_tables(
    cells: pl.DataFrame, raw: pl.DataFrame, records: pl.DataFrame, header_order: list[str]
) -> dict[str, pl.DataFrame]:
    """`<format>-updates.csv` and `<format>-undo.csv` for every format with a correction.

    `cells` are the corrections (updates.CELLS), `raw` the month's raw rows (the undo's values),
    `records` the month's records with their format (action_files.crm_records), `header_order`
    the raw table's columns, so a file's columns keep the export's order.
    """
    if cells.height == 0:
        return {}
    located = cells.join(
        records.select("contact_id", "format", "id_header", "crm_id"), on="contact_id", how="left"
    )
    tables: dict[str, pl.DataFrame] = {}
    for fmt, id_header in sorted(located.select("format", "id_header").unique().iter_rows()):
        mine = located.filter(pl.col("format") == fmt)
        wanted = set(mine.get_column("column").to_list())
        columns = [name for name in header_order if name in wanted]
        ids = mine.select("contact_id", "crm_id").unique().sort("contact_id")
        updates = mine.pivot(on="column", index="contact_id", values="after")
        updates = ids.join(updates, on="contact_id", how="left", maintain_order="left")
        undo = ids.join(
            raw.select("contact_id", *columns), on="contact_id", how="left", maintain_order="left"
        )
        tables[f"{fmt}-updates.csv"] = _shaped(updates, id_header, columns)
        tables[f"{fmt}-undo.csv"] = _shaped(undo, id_header, columns)
    return tables


def _shaped(frame: pl.DataFrame, id_header: str, columns: list[str]) -> pl.DataFrame:
    return frame.select(
        pl.col("crm_id").alias(id_header),
        *(pl.col(c).cast(pl.String).fill_null("") if c in frame.columns else pl.lit("").alias(c)
          for c in columns),
    )  # fmt: skip


def status_tables(
    contacts: pl.DataFrame,
    validation: pl.DataFrame,
    prune: pl.DataFrame,
    records: pl.DataFrame,
    snapshot: date,
) -> dict[str, pl.DataFrame]:
    """`<format>-status.csv`: every contact of the month, its statuses, main issue and action.

    The main issue is the rule that set the prune action (its name only: evidence such as a
    bounce reason can quote an address), else the contact's first validation issue.
    """
    verdicts = (
        contacts.select("contact_id")
        .join(
            validation.select("contact_id", "email_status", "phone_status", "issues"),
            on="contact_id",
            how="left",
        )
        .join(prune.select("contact_id", "action", "reasons"), on="contact_id", how="left")
        .join(records.select("contact_id", "format", "id_header", "crm_id"), on="contact_id")
        .with_columns(
            pl.coalesce(
                pl.col("reasons").list.first().str.extract(r"^([a-z_]+)"),
                pl.col("issues").list.first(),
                pl.lit(""),
            ).alias("hygiene_main_issue"),
            pl.col("action").fill_null("keep").alias("hygiene_action"),
        )
        .sort("contact_id")
    )
    tables = {}
    for fmt, id_header in sorted(verdicts.select("format", "id_header").unique().iter_rows()):
        mine = verdicts.filter(pl.col("format") == fmt)
        tables[f"{fmt}-status.csv"] = mine.select(
            pl.col("crm_id").alias(id_header),
            pl.col("email_status").alias("hygiene_email_status"),
            pl.col("phone_status").alias("hygiene_phone_status"),
            "hygiene_main_issue",
            "hygiene_action",
            pl.lit(snapshot.strftime("%Y-%m")).alias("hygiene_month"),
        )
    return tables
