"""The hygiene engine: plain Python over polars and DuckDB, no Dagster import.

One package per stage, in the order of the asset graph:

    ingest -> normalize -> dedupe, validate -> prune -> report, crm_files

A stage imports only earlier stages and the shared modules at the top (`store`, `schema`,
`months`, `masking`); each stage's `__init__` says what it takes and gives.
"""
