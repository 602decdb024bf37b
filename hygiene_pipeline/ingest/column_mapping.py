"""User column mappings: YAML files that teach the pipeline any other spreadsheet.

A mapping names the headers that identify the file, its record-id column and which headers hold
each canonical field; fields it does not name are still read from the headers the spreadsheet
dictionary knows. With `base:` it adjusts a built-in CRM format instead (typically to set an
`id_prefix` when two CRMs' record ids overlap, or to name a custom column). Mappings live in
`column_mappings/` beside `exports/` and are read once per run; a mistake in one fails the month
with the file and key named.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from hygiene_pipeline.ingest.formats import DATE_ORDERS, SOURCE_FIELDS, CrmFormat
from hygiene_pipeline.ingest.header_dictionary import format_names, system_of_format

MAPPINGS_FOLDER = "column_mappings"
_KEYS = {"system", "base", "match", "id_column", "id_prefix", "date_order", "fields", "constants"}
_MATCH_KEYS = {"headers", "files"}
_CONSTANT_FIELDS = ("lifecycle_stage", "lead_status", "lead_source", "country", "owner")


class ColumnMappingError(ValueError):
    """A column-mapping file that cannot be used; the message names the file and the key."""


def load_mappings(folder: Path) -> list[CrmFormat]:
    """Every `*.yaml` / `*.yml` mapping in `folder`, in name order; none when it does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    paths = sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in (".yaml", ".yml") and not path.name.startswith(".")
    )
    return [load_mapping(path) for path in paths]


def load_mapping(path: Path) -> CrmFormat:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as error:
        raise ColumnMappingError(f"column mapping {path.name} is not valid YAML: {error}") from None
    return mapping_from_document(document, path.name)


def mapping_from_document(document: Any, source: str) -> CrmFormat:
    """Validate one parsed mapping and turn it into a format."""
    if not isinstance(document, dict):
        raise ColumnMappingError(f"column mapping {source}: expected a mapping of keys at the top")
    _refuse_unknown(document, _KEYS, source, "top-level key")
    base = _base_format(document.get("base"), source)
    match = document.get("match") or {}
    if not isinstance(match, dict):
        raise ColumnMappingError(f"column mapping {source}: `match` must hold `headers`/`files`")
    _refuse_unknown(match, _MATCH_KEYS, source, "key under `match`")
    headers = _names(match.get("headers"), source, "match.headers")
    fields = _fields(document.get("fields") or {}, source)
    id_column = document.get("id_column")
    if base is None:
        if not id_column:
            raise ColumnMappingError(f"column mapping {source}: `id_column` is required")
        if not fields.get("email") and not fields.get("phone"):
            raise ColumnMappingError(
                f"column mapping {source}: map at least `email` or `phone` under `fields`"
            )
    if id_column is not None and not isinstance(id_column, str):
        raise ColumnMappingError(f"column mapping {source}: `id_column` must be one header name")
    id_columns = (id_column,) if id_column else ()
    signature = tuple(headers)
    if not signature and base is None:
        signature = id_columns
    date_order = str(document.get("date_order", "auto"))
    if date_order not in DATE_ORDERS:
        raise ColumnMappingError(
            f"column mapping {source}: `date_order` must be one of {list(DATE_ORDERS)}"
        )
    constants = document.get("constants") or {}
    if not isinstance(constants, dict):
        raise ColumnMappingError(f"column mapping {source}: `constants` must map field: value")
    _refuse_unknown(constants, set(_CONSTANT_FIELDS), source, "field under `constants`")
    files = match.get("files")
    if files is not None and not isinstance(files, str):
        raise ColumnMappingError(f"column mapping {source}: `match.files` must be one pattern")
    stem = Path(source).stem
    return CrmFormat(
        name=f"mapping:{stem}",
        system=str(document.get("system") or (system_of_format(base) if base else "spreadsheet")),
        id_columns=id_columns,
        signature=signature,
        fields=fields,
        constants={k: str(v) for k, v in constants.items()},
        id_prefix=str(document.get("id_prefix") or ""),
        file_pattern=files,
        date_order=date_order,
        defined_in=source,
        base=base,
    )


def _base_format(base: Any, source: str) -> str | None:
    if base is None:
        return None
    if base not in format_names():
        raise ColumnMappingError(
            f"column mapping {source}: unknown `base` {base!r}; use one of {list(format_names())}"
        )
    return str(base)


def _fields(fields: Any, source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(fields, dict):
        raise ColumnMappingError(f"column mapping {source}: `fields` must map field: header(s)")
    _refuse_unknown(fields, set(SOURCE_FIELDS), source, "field under `fields`")
    return {key: _names(value, source, f"fields.{key}") for key, value in fields.items()}


def _names(value: Any, source: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ColumnMappingError(f"column mapping {source}: `{key}` must be a header or a list of them")


def _refuse_unknown(document: dict, allowed: set[str], source: str, what: str) -> None:
    unknown = sorted(str(key) for key in document if key not in allowed)
    if unknown:
        raise ColumnMappingError(
            f"column mapping {source}: unknown {what} {unknown}; allowed: {sorted(allowed)}"
        )
