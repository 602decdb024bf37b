"""How a file is read: which CRM wrote it, which column holds each field, and how we know.

Order of evidence, strongest first:

1. a user's column mapping (`column_mappings/*.yaml`) wins over every guess;
2. a header the dictionary of the file's CRM knows (`headers/*.yaml`, many languages);
3. the values, where no header matched: a column whose header hints at an email, phone or date
   (`content_hints`) and whose values mostly are one is read as that field. Header and content
   must agree; a column of addresses under a header that says nothing is reported, not read.
   The protection field (lifecycle stage) is never guessed from values.

A file is refused, with the headers seen and the fix, when it has no record-id column, or no email
and no phone column. When a column that decides actions is missing (lifecycle stage, unsubscribe,
bounce), the file still loads and the gap is recorded (`missing`), so later stages act safely.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import polars as pl

from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.ingest.formats import (
    AmbiguousMappingError,
    CrmFormat,
    UnknownExportFormatError,
)
from hygiene_pipeline.ingest.header_dictionary import (
    FormatRule,
    SystemDictionary,
    fold,
    shipped_dictionaries,
)

# Facts that decide actions, and the fields any one of which tells them.
DECISION_FIELDS: dict[str, tuple[str, ...]] = {
    "lifecycle_stage": ("lifecycle_stage",),
    "unsubscribed": ("unsubscribed", "marketing_status"),
    "bounce": ("bounced", "bounce_type", "bounce_reason", "hard_bounce_reason", "invalid_email"),
}
CONTENT_FIELDS = ("email", "phone", "created_at", "updated_at", "last_activity_at")
_SAMPLE = 500  # values looked at per column
_AGREE = 0.8  # share of a column's values that must look like the field
_MOBILE_OFFSET = 1000  # mobile numbers come after landline and work numbers
_EMAIL_LIKE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_PHONE_LIKE = r"^\+?[\d\s().\-/]{6,24}$"
_DATE_LIKE = (
    r"^(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}.*)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    r"( \d{1,2}:\d{2}.*)?|\d{13})$"
)
_LOOKS_LIKE = {
    "email": _EMAIL_LIKE,
    "phone": _PHONE_LIKE,
    "created_at": _DATE_LIKE,
    "updated_at": _DATE_LIKE,
    "last_activity_at": _DATE_LIKE,
}
_ENTITY_SPLIT = re.compile(r"\s+-\s+")


@dataclass(frozen=True)
class FieldSource:
    """One column read as one canonical field, and how it was found."""

    field: str
    column: str
    how: str  # mapping, header, content, or constant (column is then the value)


@dataclass(frozen=True)
class ColumnReading:
    """How one file's columns are read: the format to read it with, and the report."""

    fmt: CrmFormat
    record_id: str | None  # None only for a list read with record_id_optional
    sources: tuple[FieldSource, ...]
    unread: tuple[str, ...]
    missing: tuple[str, ...]  # DECISION_FIELDS keys the file cannot tell
    notes: tuple[str, ...] = ()  # e.g. a column of addresses whose header says nothing

    def sources_json(self) -> str:
        """Per field, the columns and how each was found, for `export_files.field_sources`."""
        grouped: dict[str, list[dict[str, str]]] = {}
        for source in self.sources:
            grouped.setdefault(source.field, []).append(
                {"column": source.column, "how": source.how}
            )
        return json.dumps(grouped, ensure_ascii=False, sort_keys=True)


def recognise(
    headers: Sequence[str],
    rows: pl.DataFrame | None,
    file_name: str,
    mappings: Sequence[CrmFormat] = (),
    *,
    refuse_without_contact_columns: bool = True,
    record_id_optional: bool = False,
) -> ColumnReading:
    """Read a file's header row (and, where headers say nothing, its values).

    With `record_id_optional` (a list to screen, not a CRM export) a file without a record-id
    column is read too: its `record_id` is None.
    """
    headers = list(headers)
    folded = {fold(header) for header in headers}
    mapping = _claiming_mapping(headers, folded, file_name, mappings)
    if mapping is not None and mapping.base is None:
        dictionary, rule = _dictionary("spreadsheet"), None
    else:
        dictionary, rule = _format_for(folded, mapping.base if mapping else None)
        if rule is None and not record_id_optional:
            raise UnknownExportFormatError(unknown_format_message(headers, file_name))
        if rule is None:
            dictionary, rule = _dictionary("spreadsheet"), _dictionary("spreadsheet").formats[0]
    resolved = _resolved(headers, dictionary, mapping)
    if dictionary.system == "spreadsheet":
        _name_beside_its_other_part(resolved)
    record_id = _record_id(headers, rule, mapping, file_name, dictionary, record_id_optional)
    if record_id is not None:
        resolved.pop(record_id, None)
    notes: list[str] = []
    if rows is not None:
        _add_content_guesses(resolved, headers, rows, record_id, notes)
    fmt = _format(rule, dictionary, mapping, record_id, resolved)
    fmt = replace(fmt, missing=_missing(fmt, mapping))
    sources = tuple(
        FieldSource(name, column, how)
        for name, columns in fmt.fields.items()
        for column, how in ((c, resolved[c][1]) for c in columns)
    ) + tuple(FieldSource(name, value, "constant") for name, value in fmt.constants.items())
    reading = ColumnReading(
        fmt=fmt,
        record_id=record_id,
        sources=sources,
        unread=tuple(h for h in headers if h != record_id and h not in resolved),
        missing=fmt.missing or (),
        notes=tuple(notes),
    )
    no_contact = not fmt.source_columns("email") and not fmt.source_columns("phone")
    if no_contact and refuse_without_contact_columns:
        raise ExportError(_no_contact_columns_message(reading, headers, file_name))
    return reading


def missing_decisions(fmt: CrmFormat) -> tuple[str, ...]:
    """The DECISION_FIELDS a file read with `fmt` cannot tell, as recognition recorded them."""
    if fmt.missing is not None:
        return fmt.missing
    return tuple(  # a format stored before recognition recorded it: no column, no constant
        decision
        for decision, fields in DECISION_FIELDS.items()
        if not any(fmt.source_columns(name) or name in fmt.constants for name in fields)
    )


def _missing(fmt: CrmFormat, mapping: CrmFormat | None) -> tuple[str, ...]:
    """No column tells the fact, and no user said it (a mapping's constant).

    A format's own constant is an assumption, not knowledge: "a Salesforce Lead is a lead" is
    false in orgs that sync customers as leads, so it fills the value but protection stays
    unknown until a column or the user says otherwise.
    """
    told = set(mapping.constants) if mapping is not None else set()
    return tuple(
        decision
        for decision, fields in DECISION_FIELDS.items()
        if not any(fmt.source_columns(name) or name in told for name in fields)
    )


def _claiming_mapping(
    headers: list[str], folded: set[str], file_name: str, mappings: Sequence[CrmFormat]
) -> CrmFormat | None:
    claimed = [fmt for fmt in mappings if _mapping_matches(fmt, headers, folded, file_name)]
    if len(claimed) > 1:
        raise AmbiguousMappingError(
            f"{file_name}: the column mappings {[fmt.defined_in for fmt in claimed]} all match "
            "this file. Give them different `match` headers or a `files` pattern."
        )
    return claimed[0] if claimed else None


def _mapping_matches(
    mapping: CrmFormat, headers: list[str], folded: set[str], file_name: str
) -> bool:
    if mapping.signature:
        return mapping.matches(headers, file_name)
    if mapping.base is None or not mapping.matches(headers, file_name):
        return False
    _, rule = _format_for(folded, mapping.base)
    return rule is not None


def _dictionary(system: str) -> SystemDictionary:
    return next(d for d in shipped_dictionaries() if d.system == system)


def _format_for(
    folded: set[str], only: str | None = None
) -> tuple[SystemDictionary, FormatRule | None]:
    """The built-in format these headers fit best, or the spreadsheet fallback's dictionary.

    A format is a candidate when all its `requires` headers are present and one of its
    `identified_by` (if it lists any); among candidates the one with its record-id column and
    the most of its own headers wins, earlier formats on a tie. Folding makes HubSpot's
    "Contact owner" and a Salesforce report's "Contact Owner" one header: the rest decides.
    """
    best: tuple[tuple[int, int, int], SystemDictionary, FormatRule] | None = None
    order = 0
    for dictionary in shipped_dictionaries():
        for rule in dictionary.formats:
            order -= 1
            if (only is not None and rule.name != only) or not rule.recognises(folded):
                continue
            score = (int(bool(set(rule.record_id) & folded)), len(rule.identified_by & folded))
            if best is None or (*score, order) > best[0]:
                best = ((*score, order), dictionary, rule)
    if best is None:
        return _dictionary("spreadsheet"), None
    return best[1], best[2]


def _lookup(header: str, dictionary: SystemDictionary) -> tuple[str, tuple[int, int]] | None:
    """(field, priority) of one header in one system's dictionary, or None."""
    key = fold(header)
    if key in dictionary.fields:
        name, priority = dictionary.fields[key]
        return name, (priority, 0)
    relation, dot, column = header.partition(".")
    if dot and (fold(relation), fold(column)) in dictionary.relationships:
        # A related record's name (Owner.Name) beats an id column (OwnerId) of the same field.
        return dictionary.relationships[(fold(relation), fold(column))], (-1, 0)
    if header.lower().endswith("__c") and key in dictionary.custom_fields:
        name, priority = dictionary.custom_fields[key]
        return name, (priority, 0)
    parts = _ENTITY_SPLIT.split(header.strip())
    entity = dictionary.entity_prefixes.get(fold(parts[0])) if len(parts) > 1 else None
    if entity is None:
        return None
    rest, type_rank = parts[1:], 0
    if len(rest) > 1 and fold(rest[-1]) in dictionary.types:
        type_rank = dictionary.types[fold(rest[-1])] + 1
        rest = rest[:-1]
    base = fold(" - ".join(rest))
    if entity == "organization":
        name = dictionary.organization_fields.get(base)
        return (name, (0, 0)) if name else None
    if base in dictionary.fields:
        name, priority = dictionary.fields[base]
        return name, (priority, type_rank)
    return None


def _resolved(
    headers: list[str], dictionary: SystemDictionary, mapping: CrmFormat | None
) -> dict[str, tuple[str, str, tuple[int, int, int]]]:
    """column -> (field, how, sort key); a mapping's columns first, then the dictionary's."""
    resolved: dict[str, tuple[str, str, tuple[int, int, int]]] = {}
    mapped = set()
    if mapping is not None:
        for name, columns in mapping.fields.items():
            mapped.add(name)
            for rank, column in enumerate(columns):
                if column in headers:
                    resolved[column] = (name, "mapping", (rank, 0, 0))
    for position, header in enumerate(headers):
        if header in resolved:
            continue
        found = _lookup(header, dictionary)
        if found is None:
            continue
        name, (priority, type_rank) = found
        if name == "mobile_phone":
            name, priority = "phone", priority + _MOBILE_OFFSET
        if name in mapped:
            continue  # the mapping said where this field is
        resolved[header] = (name, "header", (priority, type_rank, position))
    return resolved


def _name_beside_its_other_part(
    resolved: dict[str, tuple[str, str, tuple[int, int, int]]],
) -> None:
    """In a hand-kept sheet, "Nom" beside "Prénom" is the surname and "Nome" beside "Cognome"
    the given name: a whole-name heading beside one name part holds the other part."""
    found = {name for name, how, _ in resolved.values() if how == "header"}
    if "full_name" not in found or ("first_name" in found) == ("last_name" in found):
        return
    other = "last_name" if "first_name" in found else "first_name"
    for column, (name, how, key) in list(resolved.items()):
        if name == "full_name" and how == "header":
            resolved[column] = (other, how, key)


def _record_id(
    headers: list[str],
    rule: FormatRule | None,
    mapping: CrmFormat | None,
    file_name: str,
    dictionary: SystemDictionary,
    optional: bool = False,
) -> str | None:
    if mapping is not None and mapping.id_columns:
        found = mapping.id_column(headers)
        if found is None:
            raise ExportError(
                f"{file_name}: the column mapping {mapping.defined_in} names the record-id "
                f"column {' or '.join(repr(c) for c in mapping.id_columns)}, which this file "
                "lacks. Fix `id_column` in the mapping or export the file with that column."
            )
        return found
    by_key = {fold(header): header for header in reversed(headers)}
    assert rule is not None
    found = next((by_key[key] for key in rule.record_id if key in by_key), None)
    if found is not None or optional:
        return found
    if rule.system == "spreadsheet":
        raise UnknownExportFormatError(unknown_format_message(headers, file_name))
    raise ExportError(
        f"{file_name}: recognised as a {rule.name} export but it has no record-id column. "
        "Every contact needs its CRM record id so the cleanup can be applied back: export again "
        f"with the record-id column (see {dictionary.source}, `record_id`, for the names it may "
        "have), or name it in a column mapping."
    )


def _add_content_guesses(
    resolved: dict[str, tuple[str, str, tuple[int, int, int]]],
    headers: list[str],
    rows: pl.DataFrame,
    record_id: str,
    notes: list[str],
) -> None:
    """Fill missing email, phone and date fields from columns whose header and values agree."""
    hints = _content_hints()
    found = {name for name, _, _ in resolved.values()}
    for name in CONTENT_FIELDS:
        if name in found:
            continue
        best: tuple[float, int, str] | None = None
        for position, header in enumerate(headers):
            if header in resolved or header == record_id or header not in rows.columns:
                continue
            share = _share_like(rows.get_column(header), _LOOKS_LIKE[name])
            if share < _AGREE:
                continue
            if not any(hint in fold(header) for hint in hints.get(name, ())):
                if name == "email":
                    notes.append(
                        f"column {header!r} holds email addresses but its header does not say "
                        "so; it was not read (name it in a column mapping to use it)"
                    )
                continue
            if best is None or share > best[0]:
                best = (share, position, header)
        if best is not None:
            resolved[best[2]] = (name, "content", (0, 0, best[1]))


def _share_like(values: pl.Series, pattern: str) -> float:
    sample = values.cast(pl.String).str.strip_chars()
    sample = sample.filter(sample.is_not_null() & (sample != "")).head(_SAMPLE)
    if sample.len() == 0:
        return 0.0
    return float(sample.str.contains(pattern).mean() or 0.0)


def _content_hints() -> dict[str, tuple[str, ...]]:
    hints: dict[str, tuple[str, ...]] = {}
    for dictionary in shipped_dictionaries():
        for name, words in dictionary.content_hints.items():
            hints[name] = hints.get(name, ()) + words
    return hints


def _format(
    rule: FormatRule | None,
    dictionary: SystemDictionary,
    mapping: CrmFormat | None,
    record_id: str | None,
    resolved: Mapping[str, tuple[str, str, tuple[int, int, int]]],
) -> CrmFormat:
    fields: dict[str, list[tuple[tuple[int, int, int], str]]] = {}
    for column, (name, _, key) in resolved.items():
        fields.setdefault(name, []).append((key, column))
    ordered = {name: tuple(c for _, c in sorted(cols)) for name, cols in sorted(fields.items())}
    constants = dict(rule.constants) if rule else {}
    if mapping is not None:
        constants.update(mapping.constants)
        return replace(mapping, id_columns=(record_id,) if record_id else (), fields=ordered,
                       constants=constants, name=mapping.name, system=mapping.system)  # fmt: skip
    assert rule is not None
    return CrmFormat(
        name=rule.name,
        system=rule.system,
        id_columns=(record_id,) if record_id else (),
        signature=(),
        fields=ordered,
        constants=constants,
    )


def unknown_format_message(headers: Sequence[str], file_name: str) -> str:
    return (
        f"{file_name}: the header row matches no supported CRM export and has no record-id "
        f"column. Headers seen: {list(headers)}. Recognised: HubSpot, Salesforce and Pipedrive "
        "exports in English, Dutch, German, French, Spanish, Italian, Portuguese and Greek, and "
        "spreadsheets with a record-id column (ID, Klantnummer, Kundennummer, N° client ...). "
        "For any other spreadsheet, write a column mapping: a YAML file in column_mappings/ "
        "beside exports/ that names the record-id column and which of your headers hold the "
        "email, names, phone and dates (see docs/exports.md, 'Column mappings', and "
        "data/column_mappings/example-spreadsheet.yaml)."
    )


def _no_contact_columns_message(
    reading: ColumnReading, headers: Sequence[str], file_name: str
) -> str:
    hint = f" Also: {'; '.join(reading.notes)}." if reading.notes else ""
    return (
        f"{file_name}: read as a {reading.fmt.name} export, but I could not find an email column "
        f"or a phone column, so no contact in it could be checked or reached. Headers seen: "
        f"{list(headers)}.{hint} Fix: export again with the Email (or Phone) column, or write a "
        "column mapping naming your email and phone columns (docs/exports.md, 'Column "
        "mappings')."
    )


def built_in_format_for(system: str, headers: Sequence[str]) -> CrmFormat | None:
    """The built-in format of `system` these headers fit, for rows read without export_files
    (a database written before export_files existed)."""
    try:
        fmt = recognise(headers, None, "", refuse_without_contact_columns=False).fmt
    except (ExportError, UnknownExportFormatError):
        return None
    return fmt if fmt.system == system else None
