"""The corrections themselves, cell by cell, for the CRM to import: what changes, where, from what.

For every contact the CRM keeps (not deleted, not merged away), each writable field whose cleaned
value differs from the export becomes a cell of the update file, under the export's own header:
the column the value came from (a HubSpot label, a Salesforce API name, a Pipedrive column), so
the CRM's importer matches it without a mapping. Only real corrections:

- a rule normalization is sure of: recased or cleaned names (never a salutation or suffix moved
  out: the CRM would lose it), cleaned emails, E.164 phones (never one it could not read, nor one
  written with an extension, which E.164 has no room for), cleaned
  companies, recased titles, ISO countries, standard lead sources (never a guessed "other");
- a cell with two addresses or two numbers: the first stays in its column, the second goes to
  the format's other column of that field when that is empty; otherwise the cell is left alone;
- a survivor's blank filled from the records merged into it (`merge_plan`, the golden record);
- an email typo fix only when `writeback.yaml` says so.

A contact whose cells in the file's columns hold a formula-like value (= + - @ that is no plain
number) is left out whole, so neither the update nor the undo file holds one, and neither needs
the apostrophe that would corrupt a value the CRM stores as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from hygiene_pipeline.crm_files.writeback_settings import WritebackSettings
from hygiene_pipeline.ingest.formats import CrmFormat

# Normalization rules that are corrections a CRM can take as they are.
_SURE_RULES = {
    "email": {"email_cleaned"},
    "phone": {"phone_e164"},
    "company": {"company_cleaned", "spaces"},
    "job_title": {"job_title_recased", "spaces"},
    "country": {"iso_3166"},
    "lead_source": {"lead_source_vocabulary"},
    "owner": {"spaces"},
}
_NAME_RULE_PARTS = {"recased", "symbols_removed", "name_cleaned", "spaces"}
_SEVERAL = {"email": "email_several_addresses", "phone": "phone_e164_several_numbers"}
_OTHERS = {"email": "email_others", "phone": "phone_others"}
# What a cell that a spreadsheet would run starts with; a plain number (+31612345678) is safe.
_FORMULA = r"^[=@\t\r]|^[+-](?:[^0-9 ]|.*[^0-9 ])"

CELLS: dict[str, pl.DataType] = {
    "contact_id": pl.String(),
    "source_file": pl.String(),
    "column": pl.String(),
    "field": pl.String(),
    "rule": pl.String(),
    "before": pl.String(),
    "after": pl.String(),
}
# What the update step reads of each table.
CONTACT_COLUMNS = ("contact_id", "source_file", "first_name", "last_name", "email",
                   "email_others", "phone", "phone_others", "phone_extension", "company",
                   "job_title", "country", "lead_source", "owner")  # fmt: skip


@dataclass(frozen=True)
class Corrections:
    """The month's corrections: one row per cell (CELLS), and the contacts held back."""

    cells: pl.DataFrame
    held_back: int  # contacts left out because a cell of theirs looks like a formula


def source_columns(formats: Mapping[str, CrmFormat], settings: WritebackSettings) -> list[str]:
    """The raw columns the corrections read: every column of every writable field."""
    return sorted(
        {column for fmt in formats.values() for f in settings.fields for column in
         fmt.source_columns(f)}
    )  # fmt: skip


def corrections(
    raw: pl.DataFrame,
    contacts: pl.DataFrame,
    changes: pl.DataFrame,
    merge_plan: pl.DataFrame,
    validation: pl.DataFrame,
    prune: pl.DataFrame,
    formats: Mapping[str, CrmFormat],
    settings: WritebackSettings,
) -> Corrections:
    """Every correction of the month as cells, for the contacts the CRM keeps."""
    gone = prune.filter(pl.col("action").is_in(["delete", "merge"])).get_column("contact_id")
    kept = contacts.filter(~pl.col("contact_id").is_in(gone.implode()))
    rules = {  # each field's changes, split once rather than filtered per file and field
        field: group.select("contact_id", "rule")
        for (field,), group in changes.filter(pl.col("field").is_in(settings.fields)).group_by(
            "field"
        )
    }
    parts = []
    for file_name, fmt in formats.items():
        rows = raw.filter(pl.col("source_file") == file_name)
        if rows.height == 0:
            continue
        mine = kept.filter(pl.col("source_file") == file_name)
        for field in settings.fields:
            columns = [c for c in fmt.source_columns(field) if c in rows.columns]
            if not columns:
                continue
            parts.append(_field_cells(rows, mine, rules.get(field, _NO_RULES), field, columns))
            if field == "email" and settings.email_suggestions:
                parts.append(_typo_cells(rows, mine, validation, columns))
        if settings.golden_record:
            parts.append(_golden_cells(rows, mine, merge_plan, fmt, settings))
    cells = pl.concat([schema_cells(p) for p in parts]) if parts else _empty()
    if settings.email_suggestions:  # a typo fix supersedes the cleaning of the same cell
        cells = cells.sort(pl.col("rule") == "email_typo", descending=True)
    cells = cells.unique(["contact_id", "column"], keep="first", maintain_order=True)
    return _without_formula_like(cells, raw)


_NO_RULES = pl.DataFrame(schema={"contact_id": pl.String(), "rule": pl.String()})


def _field_cells(
    rows: pl.DataFrame,
    contacts: pl.DataFrame,
    rules: pl.DataFrame,
    field: str,
    columns: list[str],
) -> pl.DataFrame:
    """Corrections of one field in one file: the column the value came from, and the others'.

    `rules` are the field's normalization changes (contact_id, rule): only rows the cleaning
    changed can hold a correction, so the rest are left out before any cell is looked at.
    """
    rows = rows.join(rules.select("contact_id").unique(), on="contact_id", how="semi")
    blank = [pl.col(c).cast(pl.String).str.strip_chars().fill_null("") == "" for c in columns]
    which = pl.coalesce([pl.when(~b).then(pl.lit(c)) for c, b in zip(columns, blank, strict=True)])
    before = pl.coalesce([pl.when(~b).then(pl.col(c)) for c, b in zip(columns, blank, strict=True)])
    other = pl.coalesce(  # the format's first other column of the field that is empty
        [pl.when(b & (which != c)).then(pl.lit(c)) for c, b in zip(columns, blank, strict=True)]
    )
    located = rows.select(
        "contact_id", "source_file", which.alias("column"), before.alias("before"),
        other.alias("other_column"),
    ).filter(pl.col("column").is_not_null())  # fmt: skip
    extra = [pl.col(_OTHERS[field]).list.first().alias("second")] if field in _OTHERS else []
    if field == "phone":  # E.164 has no room for an extension: the cell would lose it
        extra.append(pl.col("phone_extension").is_null().alias("whole"))
    joined = located.join(rules, on="contact_id", how="inner").join(
        contacts.select("contact_id", pl.col(field).alias("after"), *extra),
        on="contact_id",
        how="inner",
    )
    sure = _sure(field, pl.col("rule")) & (pl.col("whole") if field == "phone" else True)
    single = joined.filter(sure & pl.col("after").is_not_null())
    cells = [single.select("contact_id", "source_file", "column", "rule", "before", "after")]
    if field in _SEVERAL:
        several = joined.filter(
            (pl.col("rule") == _SEVERAL[field])
            & (pl.col("whole") if field == "phone" else True)
            & pl.col("after").is_not_null()
            & pl.col("second").is_not_null()
            & pl.col("other_column").is_not_null()
        )
        cells.append(several.select("contact_id", "source_file", "column", "rule", "before",
                                    "after"))  # fmt: skip
        cells.append(
            several.select(
                "contact_id",
                "source_file",
                pl.col("other_column").alias("column"),
                "rule",
                pl.lit("").alias("before"),
                pl.col("second").alias("after"),
            )
        )
    return pl.concat(cells).with_columns(pl.lit(field).alias("field"))


def _sure(field: str, rule: pl.Expr) -> pl.Expr:
    if field in ("first_name", "last_name"):
        parts = rule.str.split("+")
        return parts.list.eval(pl.element().is_in(list(_NAME_RULE_PARTS))).list.all()
    return rule.is_in(list(_SURE_RULES.get(field, ())))


def _typo_cells(
    rows: pl.DataFrame, contacts: pl.DataFrame, validation: pl.DataFrame, columns: list[str]
) -> pl.DataFrame:
    """The "did you mean" address, in the column the email came from."""
    blank = [pl.col(c).cast(pl.String).str.strip_chars().fill_null("") == "" for c in columns]
    which = pl.coalesce([pl.when(~b).then(pl.lit(c)) for c, b in zip(columns, blank, strict=True)])
    before = pl.coalesce([pl.when(~b).then(pl.col(c)) for c, b in zip(columns, blank, strict=True)])
    located = rows.select("contact_id", "source_file", which.alias("column"),
                          before.alias("before"))  # fmt: skip
    suggested = validation.filter(pl.col("email_suggestion").is_not_null()).select(
        "contact_id", pl.col("email_suggestion").alias("after")
    )
    return (
        located.join(contacts.select("contact_id"), on="contact_id", how="inner")
        .join(suggested, on="contact_id", how="inner")
        .filter(pl.col("column").is_not_null())
        .with_columns(pl.lit("email_typo").alias("rule"), pl.lit("email").alias("field"))
    )


def _golden_cells(
    rows: pl.DataFrame,
    contacts: pl.DataFrame,
    merge_plan: pl.DataFrame,
    fmt: CrmFormat,
    settings: WritebackSettings,
) -> pl.DataFrame:
    """A survivor's blanks filled from its cluster: into the format's first column of the field."""
    filled = merge_plan.filter(
        (pl.col("rule") == "filled_from_newest") & pl.col("field").is_in(list(settings.fields))
    )
    targets = {f: c[0] for f in settings.fields if (c := fmt.source_columns(f)) and c[0] in rows}
    if not targets or filled.height == 0:
        return _empty()
    survivors = filled.join(
        contacts.select(pl.col("contact_id").alias("survivor_id")), on="survivor_id", how="inner"
    ).filter(pl.col("field").is_in(list(targets)))
    located = survivors.with_columns(
        pl.col("field").replace_strict(targets, return_dtype=pl.String).alias("column")
    )
    before = rows.join(  # only the survivors' rows: a month has few beside a million contacts
        located.select(pl.col("survivor_id").alias("contact_id")).unique(), on="contact_id",
        how="semi",
    ).unpivot(
        index=["contact_id", "source_file"], on=sorted(set(targets.values())),
        variable_name="column", value_name="before",
    ).rename({"contact_id": "survivor_id"})  # fmt: skip
    return (
        located.join(before, on=["survivor_id", "column"], how="inner")
        .filter(pl.col("before").cast(pl.String).str.strip_chars().fill_null("") == "")
        .select(
            pl.col("survivor_id").alias("contact_id"),
            "source_file",
            "column",
            "field",
            pl.lit("golden_record").alias("rule"),
            "before",
            pl.col("value").alias("after"),
        )
    )


def _without_formula_like(cells: pl.DataFrame, raw: pl.DataFrame) -> Corrections:
    """Leave out every contact that has a formula-like value in any column its format's files
    would carry: the update and undo files then never hold one."""
    if cells.height == 0:
        return Corrections(cells, 0)
    columns = cells.get_column("column").unique().sort().to_list()
    present = [c for c in columns if c in raw.columns]
    originals = raw.join(cells.select("contact_id").unique(), on="contact_id", how="semi")
    risky = originals.filter(
        pl.any_horizontal(pl.col(c).cast(pl.String).fill_null("").str.contains(_FORMULA)
                          for c in present)
    ).get_column("contact_id")  # fmt: skip
    unsafe_after = cells.filter(pl.col("after").str.contains(_FORMULA)).get_column("contact_id")
    held = pl.concat([risky, unsafe_after]).unique()
    kept = cells.filter(~pl.col("contact_id").is_in(held.implode()))
    return Corrections(kept, held.len())


def schema_cells(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([pl.col(name).cast(dtype) for name, dtype in CELLS.items()])


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=CELLS)
