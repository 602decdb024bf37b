"""Stage 5, report: every stage of the month in, the data owner's report out.

Takes the stored tables of this month and the ones before. Gives `reports/YYYY-MM.html` (audit,
health score and trend, prune counts) and the summary the sample run prints.

`monthly_report.build_report` is the entry point; `health_score` computes the score and decay.
"""
