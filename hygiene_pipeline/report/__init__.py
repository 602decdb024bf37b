"""Stage 5, report: every stage of the month in, the data owner's report out.

Takes the stored tables of this month and the ones before, and `health.yaml` (required fields,
weights). Gives `reports/YYYY-MM.html` (the health score beside the share fine as it is, its
trend, the audit, quality by owner, source and CRM, the property usage audit, consent,
retention, job changes, lead status, prune counts) and the summary the sample run prints.

`monthly_report.build_report` is the entry point; `health_settings` reads health.yaml,
`health_score` computes the score, "fine as it is" and decay, `group_quality` the score per
group, `property_audit` the columns, `rule_counts` the rules' sections, and `sections` renders
a section once for both the HTML file and the Markdown metadata. `notify` writes and sends the
month's summary and the failure alerts (counts and names only).
"""
