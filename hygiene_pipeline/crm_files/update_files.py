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

from hygiene_pipeline.crm_files.updates import ROW, Corrections, in_contact_order

# Custom property names of the status file (create them once in the CRM: docs/crm-files.md).
STATUS_COLUMNS = ("hygiene_email_status", "hygiene_phone_status", "hygiene_main_issue",
                  "hygiene_action", "hygiene_month")  # fmt: skip


def update_tables(
    found: Corrections, raw: pl.DataFrame, records: pl.DataFrame, header_order: list[str]
) -> dict[str, pl.DataFrame]:
    """`<format>-updates.csv` and `<format>-undo.csv` for every format with a correction.

    `found` are the corrections (updates.corrections) of the month's contacts, `raw` the
    month's raw rows in the contacts' order (updates.in_contact_order: the undo's values),
    `records` the month's records with their format (action_files.crm_records: the contacts
    first, in order), `header_order` the raw table's columns, so a file's columns keep the
    export's order.
    """
    cells, at = found.cells, found.rows
    if cells.height == 0:
        return {}
    for name, frame in (("raw rows", raw), ("records", records)):
        if not frame.get_column("contact_id").gather(at).equals(cells.get_column("contact_id")):
            raise ValueError(f"the {name} are not in the order of the corrections' contacts")
    located = pl.concat(
        [
            cells.select("contact_id", "column", "after"),
            records.select("format", "id_header", pl.col("crm_id").alias(_ID)).gather(at),
            at.to_frame(),
        ],
        how="horizontal",
    )
    tables: dict[str, pl.DataFrame] = {}
    for fmt, id_header in sorted(located.select("format", "id_header").unique().iter_rows()):
        mine = located.filter(pl.col("format") == fmt)
        wanted = set(mine.get_column("column").unique().to_list())
        columns = [name for name in header_order if name in wanted]
        ids = mine.select(ROW, _ID, "contact_id").unique(ROW).sort("contact_id").drop("contact_id")
        updates = mine.pivot(on="column", index=ROW, values="after")
        updates = ids.join(updates, on=ROW, how="left", maintain_order="left")
        undo = pl.concat([ids, raw.select(columns).gather(ids.get_column(ROW))], how="horizontal")
        updates_name, undo_name = update_file_names(fmt)
        tables[updates_name] = _shaped(updates, id_header, columns)
        tables[undo_name] = _shaped(undo, id_header, columns)
    return tables


def update_file_names(fmt: str) -> tuple[str, str]:
    """The update and undo files of an export format (the files written without formula
    guards: update_tables leaves formula-like values out)."""
    return f"{fmt}-updates.csv", f"{fmt}-undo.csv"


_ID = "_hygiene_crm_id"  # the record id as the CRM knows it, under a name no export uses


def _shaped(frame: pl.DataFrame, id_header: str, columns: list[str]) -> pl.DataFrame:
    return frame.select(
        pl.col(_ID).alias(id_header),
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
    bounce reason can quote an address), else the contact's first validation issue. `records`
    are action_files.crm_records of these contacts (the contacts first, in order).
    """
    statuses = in_contact_order(
        validation.select("contact_id", "email_status", "phone_status", "issues"), contacts
    )
    actions = prune.select(
        "contact_id",
        "action",
        pl.col("reasons").list.first().str.extract(r"^([a-z_]+)").alias("rule"),
    )
    verdicts = (
        pl.concat(
            [
                in_contact_order(records, contacts).select("format", "id_header", "crm_id"),
                statuses,
            ],
            how="horizontal",
        )
        .join(actions, on="contact_id", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce(pl.col("rule"), pl.col("issues").list.first(), pl.lit("")).alias(
                "hygiene_main_issue"
            ),
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
