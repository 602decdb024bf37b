"""Stage 5, CRM files: the prune list and the corrections in, files the CRM's importer takes out.

Takes `prune_list`, `normalized_contacts`, `normalization_changes`, `merge_plan`,
`validation_results`, `raw_contacts` and `export_files`. Gives, per export format, in
`out/YYYY-MM/`: the action files (`action_files`), the update and undo files with the
corrections under the export's own headers (`updates` finds them, `update_files` shapes them,
`writeback_settings` says which fields), and a status for every contact; and the `crm_updates`
table, cell by cell. `month_files` runs the month end to end: read, build, write.
"""
