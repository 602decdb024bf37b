"""The hygiene engine: plain Python over polars and DuckDB, no Dagster import.

raw export -> ingest -> normalize -> dedupe / validate -> prune; each stage is a module whose main
function takes and returns polars frames, so it can be tested and reused without Dagster.
"""
