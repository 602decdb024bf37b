"""Stage 1, ingest: the month's export files in, the untouched backup out.

Takes the files in `exports/YYYY-MM/` (CSV, TSV, TXT, XLSX from HubSpot, Salesforce, Pipedrive or
a mapped spreadsheet). Gives `raw_contacts` (every source column verbatim), `rejected_rows` (every
record that could not be loaded, with its reason) and `export_files` (how each file was read).

`month_exports.read_month` is the entry point; `formats` recognises the CRM from the header row,
`column_mapping` reads user mappings, `csv_reader`/`xlsx_reader` parse, `watch` fingerprints the
folders for the sensor, `row_accounting` proves no row was lost.
"""
