"""The two side tables ingest writes beside raw_contacts, in the same transaction.

`rejected_rows`: every data record that could not be loaded, whole, with why. `export_files`: one
row per file with what was detected and the row accounting that the blocking asset check verifies
(loaded_rows + rejected_rows = data_lines), or, for a file that was refused, why.
"""

from __future__ import annotations

import polars as pl

REJECTED_ROWS: dict[str, pl.DataType] = {
    "snapshot": pl.Date(),
    "source_file": pl.String(),
    "line": pl.Int64(),  # the file line the record starts on (1 = header line); sheet row in .xlsx
    "source_row": pl.Int64(),  # spreadsheet row, as in raw_contacts: header is row 1
    "contact_id": pl.String(),  # the record id when one could be read (duplicates), else null
    "source_system": pl.String(),
    "reason": pl.String(),
    "raw_text": pl.String(),  # the record as in the file; undecodable bytes written as \xNN
}

EXPORT_FILES: dict[str, pl.DataType] = {
    "snapshot": pl.Date(),
    "source_file": pl.String(),
    "source_system": pl.String(),
    "format": pl.String(),  # hubspot, salesforce-lead, ..., mapping:<name>
    "encoding": pl.String(),  # utf-8, utf-8-sig, cp1252, latin-1, xlsx
    "delimiter": pl.String(),  # null for .xlsx
    "reader": pl.String(),  # fast, filtered, row-by-row, xlsx
    "data_lines": pl.Int64(),  # records below the header
    "loaded_rows": pl.Int64(),  # rows in raw_contacts
    "rejected_rows": pl.Int64(),  # rows in rejected_rows
    "fingerprint": pl.String(),  # sha256 of the file's bytes
    "column_mapping": pl.String(),  # JSON: how the file's columns map (CrmFormat.to_json)
    # How each field was found: JSON {field: [{column, how: mapping|header|content|constant}]}.
    "field_sources": pl.String(),
    "unread_columns": pl.List(pl.String()),  # source columns no field reads
    # Facts that decide actions the file cannot tell: lifecycle_stage, unsubscribed, bounce.
    "missing_fields": pl.List(pl.String()),
    # loaded, or refused (then `refusal` says why, and only source_file is set besides).
    "status": pl.String(),
    "refusal": pl.String(),
}
