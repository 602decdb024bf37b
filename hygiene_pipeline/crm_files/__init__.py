"""Stage 5, CRM files: the prune list in, files the CRM's own importer takes out.

Takes `prune_list` and `export_files`. Gives `out/YYYY-MM/<format>-<action>.csv` per export
format (`action_files.write_crm_files`).
"""
