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


def contact_columns(settings: WritebackSettings) -> list[str]:
    """What the files read of the normalized contacts: the ids, files and emails of the
    records, the writable fields and the columns their rules look at (a million-row month
    reads in a fraction of the time)."""
    extra = {"email": ["email_others"], "phone": ["phone_others", "phone_extension"]}
    fields = [f for f in settings.fields if f != "email"]
    return ["contact_id", "source_file", "email", *fields,
            *(c for f in settings.fields for c in extra.get(f, ()))]  # fmt: skip


@dataclass(frozen=True)
class Corrections:
    """The month's corrections: one row per cell (CELLS), and the contacts held back."""

    cells: pl.DataFrame
    # Per cell, its contact's row in the month's contacts: the files take each contact's record
    # and export cells by position instead of joining a million string ids again.
    rows: pl.Series
    held_back: int  # contacts left out because a cell of theirs looks like a formula


ROW = "_hygiene_row"  # a contact's position in the month's contacts (no export header)


def in_contact_order(rows: pl.DataFrame, contacts: pl.DataFrame) -> pl.DataFrame:
    """`rows` of the month's contacts (a null row for a contact without one), in the contacts'
    order: row i is contact i.

    The stored tables keep the export's order, so this is usually `rows` itself (or its head),
    checked in a few milliseconds; otherwise one join puts them in that order.
    """
    ids = contacts.get_column("contact_id")
    if rows.height >= ids.len() and rows.get_column("contact_id").head(ids.len()).equals(ids):
        return rows.head(ids.len())
    return contacts.select("contact_id").join(
        rows, on="contact_id", how="left", maintain_order="left"
    )


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
    raw = in_contact_order(raw, contacts)
    gone = prune.filter(pl.col("action").is_in(["delete", "merge"])).get_column("contact_id")
    positions = contacts.select(
        "contact_id", "source_file", pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW)
    ).filter(~pl.col("contact_id").is_in(gone.implode()))
    writable = changes.filter(pl.col("field").is_in(settings.fields)).select(
        "contact_id", "field", "rule"
    )
    parts = []
    for file_name, fmt in formats.items():
        parts += _file_cells(raw, contacts, writable, positions, merge_plan, validation, fmt,
                             file_name, settings)  # fmt: skip
    # A million cells at a million contacts: what built them, and each copy, is let go as soon
    # as it is used, so the cells are never held twice (BENCHMARKS.md, issue 18).
    del positions, writable
    found = pl.concat([_schema_parts(p) for p in parts]) if parts else _empty_parts()
    del parts
    if settings.email_suggestions:  # a typo fix supersedes the cleaning of the same cell
        found = found.sort(pl.col("rule") == "email_typo", descending=True, maintain_order=True)
    if found.height == 0:
        return Corrections(found.select(list(CELLS)), found.get_column(ROW), 0)
    keep, held = _kept_cells(found, _first_per_cell(found), raw)
    columns = found.select(ROW, *CELLS).get_columns()
    del found
    kept = pl.DataFrame([columns.pop(0).filter(keep) for _ in range(len(columns))])
    return Corrections(kept.select(list(CELLS)), kept.get_column(ROW), held)


def _file_cells(
    raw: pl.DataFrame,
    contacts: pl.DataFrame,
    writable: pl.DataFrame,
    positions: pl.DataFrame,
    merge_plan: pl.DataFrame,
    validation: pl.DataFrame,
    fmt: CrmFormat,
    file_name: str,
    settings: WritebackSettings,
) -> list[pl.DataFrame]:
    """The corrections of one export file (`positions`: the kept contacts with their rows)."""
    mine = positions.filter(pl.col("source_file") == file_name)
    if mine.height == 0:
        return []
    # Each field's changes of this file's kept contacts, with their rows: one join for all.
    changed = writable.join(mine.select("contact_id", ROW), on="contact_id", how="inner")
    by_field = changed.partition_by("field", as_dict=True, include_key=False)
    parts = []
    for name in settings.fields:
        columns = [c for c in fmt.source_columns(name) if c in raw.columns]
        if not columns:
            continue
        rules = by_field.get((name,), _NO_RULES)
        parts.append(_field_cells(raw, contacts, rules, name, columns, file_name))
        if name == "email" and settings.email_suggestions:
            parts.append(_typo_cells(raw, mine, validation, columns))
    if settings.golden_record:
        parts.append(_golden_cells(raw, mine, merge_plan, fmt, settings))
    return parts


_NO_RULES = pl.DataFrame(schema={"contact_id": pl.String(), "rule": pl.String(), ROW: pl.UInt32})


def _field_cells(
    raw: pl.DataFrame,
    contacts: pl.DataFrame,
    rules: pl.DataFrame,
    field: str,
    columns: list[str],
    file_name: str,
) -> pl.DataFrame:
    """Corrections of one field in one file: the column the value came from, and the others'.

    `rules` are the field's normalization changes of the file's kept contacts (contact_id, rule,
    row): only rows the cleaning changed can hold a correction, so only those are looked at.
    """
    at = rules.get_column(ROW)
    blank = [_is_blank(pl.col(c)) for c in columns]
    which, before = _first_filled(columns)
    other = pl.coalesce(  # the format's first other column of the field that is empty
        [pl.when(b & (which != c)).then(pl.lit(c)) for c, b in zip(columns, blank, strict=True)]
    )
    located = (
        raw.select(columns)
        .gather(at)
        .select(which.alias("column"), before.alias("before"), other.alias("other_column"))
    )
    extra = [pl.col(_OTHERS[field]).list.first().alias("second")] if field in _OTHERS else []
    if field == "phone":  # E.164 has no room for an extension: the cell would lose it
        extra.append(pl.col("phone_extension").is_null().alias("whole"))
    cleaned = contacts.select(pl.col(field).alias("after"), *extra).gather(at)
    joined = (
        pl.concat([rules, located, cleaned], how="horizontal")
        .filter(pl.col("column").is_not_null())
        .with_columns(pl.lit(file_name).alias("source_file"))
    )
    sure = _sure(field, pl.col("rule")) & (pl.col("whole") if field == "phone" else True)
    single = joined.filter(sure & pl.col("after").is_not_null())
    cells = [single.select(ROW, "contact_id", "source_file", "column", "rule", "before", "after")]
    if field in _SEVERAL:
        several = joined.filter(
            (pl.col("rule") == _SEVERAL[field])
            & (pl.col("whole") if field == "phone" else True)
            & pl.col("after").is_not_null()
            & pl.col("second").is_not_null()
            & pl.col("other_column").is_not_null()
        )
        cells.append(several.select(ROW, "contact_id", "source_file", "column", "rule",
                                    "before", "after"))  # fmt: skip
        cells.append(
            several.select(
                ROW,
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
    raw: pl.DataFrame, mine: pl.DataFrame, validation: pl.DataFrame, columns: list[str]
) -> pl.DataFrame:
    """The "did you mean" address, in the column the email came from (`mine`: the file's kept
    contacts with their rows)."""
    suggested = validation.filter(pl.col("email_suggestion").is_not_null()).select(
        "contact_id", pl.col("email_suggestion").alias("after")
    )
    picked = mine.join(suggested, on="contact_id", how="inner")
    which, before = _first_filled(columns)
    located = raw.select(columns).gather(picked.get_column(ROW))
    located = located.select(which.alias("column"), before.alias("before"))
    return (
        pl.concat([picked, located], how="horizontal")
        .filter(pl.col("column").is_not_null())
        .with_columns(pl.lit("email_typo").alias("rule"), pl.lit("email").alias("field"))
    )


def _golden_cells(
    raw: pl.DataFrame,
    mine: pl.DataFrame,
    merge_plan: pl.DataFrame,
    fmt: CrmFormat,
    settings: WritebackSettings,
) -> pl.DataFrame:
    """A survivor's blanks filled from its cluster: into the format's first column of the field
    (`mine`: the file's kept contacts with their rows)."""
    filled = merge_plan.filter(
        (pl.col("rule") == "filled_from_newest") & pl.col("field").is_in(list(settings.fields))
    )
    targets = {f: c[0] for f in settings.fields if (c := fmt.source_columns(f)) and c[0] in raw}
    if not targets or filled.height == 0:
        return _empty_parts()
    survivors = filled.join(
        mine.select(pl.col("contact_id").alias("survivor_id"), "source_file", ROW),
        on="survivor_id",
        how="inner",
    ).filter(pl.col("field").is_in(list(targets)))
    located = survivors.with_columns(
        pl.col("field").replace_strict(targets, return_dtype=pl.String).alias("column")
    )
    at = located.get_column(ROW).unique()  # only the survivors' rows: few beside a million
    before = (
        raw.select(pl.col("source_file").alias("_raw_file"), *sorted(set(targets.values())))
        .gather(at)
        .with_columns(at)
        # a contact without a raw row: what its CRM fields hold is unknown, so nothing is filled
        .filter(pl.col("_raw_file").is_not_null())
        .drop("_raw_file")
        .unpivot(index=[ROW], variable_name="column", value_name="before")
    )
    return (
        located.join(before, on=[ROW, "column"], how="inner")
        .filter(_is_blank(pl.col("before")))
        .select(
            ROW,
            pl.col("survivor_id").alias("contact_id"),
            "source_file",
            "column",
            "field",
            pl.lit("golden_record").alias("rule"),
            "before",
            pl.col("value").alias("after"),
        )
    )


def _kept_cells(found: pl.DataFrame, first: pl.Series, raw: pl.DataFrame) -> tuple[pl.Series, int]:
    """Which cells to keep: the first correction of each cell (`first`), leaving out every
    contact that has a formula-like value in any column its format's files would carry (the
    update and undo files then never hold one); and how many contacts were left out. The
    export's columns are looked at one at a time."""
    columns = found.get_column("column").unique().sort().to_list()
    at = found.get_column(ROW).unique()  # the same rows with or without the later cells
    risky = pl.repeat(False, at.len(), eager=True)
    for name in (c for c in columns if c in raw.columns):
        cells = raw.get_column(name).gather(at).cast(pl.String).fill_null("")
        risky = risky | cells.str.contains(_FORMULA)
    unsafe_after = found.filter(first & pl.col("after").str.contains(_FORMULA)).get_column(ROW)
    held = pl.concat([at.filter(risky), unsafe_after]).unique()
    keep = found.select(first & ~pl.col(ROW).is_in(held.implode())).to_series()
    return keep, held.len()


def _first_per_cell(found: pl.DataFrame) -> pl.Series:
    """True on the first correction of each (contact, column): as `unique(keep="first")`, on one
    integer per cell rather than a string pair (a quarter of a second at a million cells)."""
    names = found.get_column("column").unique().sort().to_list()
    if not names:
        return pl.Series(dtype=pl.Boolean)
    code = pl.col("column").replace_strict(names, list(range(len(names))), return_dtype=pl.UInt64)
    return found.select(
        (pl.col(ROW).cast(pl.UInt64) * len(names) + code).is_first_distinct()
    ).to_series()


def _is_blank(cell: pl.Expr) -> pl.Expr:
    """An export cell with no value: null, empty or only spaces (any dtype, read as text)."""
    return cell.cast(pl.String).str.strip_chars().fill_null("") == ""


def _first_filled(columns: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """The first of `columns` holding a value (its name), and that value."""
    blank = [_is_blank(pl.col(c)) for c in columns]
    which = pl.coalesce([pl.when(~b).then(pl.lit(c)) for c, b in zip(columns, blank, strict=True)])
    value = pl.coalesce([pl.when(~b).then(pl.col(c)) for c, b in zip(columns, blank, strict=True)])
    return which, value


def _schema_parts(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col(ROW).cast(pl.UInt32),
                        *(pl.col(name).cast(dtype) for name, dtype in CELLS.items()))  # fmt: skip


def _empty_parts() -> pl.DataFrame:
    return pl.DataFrame(schema={ROW: pl.UInt32(), **CELLS})
