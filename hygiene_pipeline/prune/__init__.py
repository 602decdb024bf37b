"""Stage 4, prune: clusters and verdicts in, a prune list under the user's policy out.

Takes `normalized_contacts`, `duplicate_clusters`, `validation_results` and earlier months.
Gives `prune_list` (delete, merge, quarantine, re_engage, each with its reasons),
`suppression_list` (keyed hashes of people never to re-import) and `erased_contacts`.

`month.prune_month` is the entry point; `policy` reads `prune_policy.yaml`, `rules` decides,
`safety` holds the checks that stop a dangerous list, `erasure` and `suppression` keep GDPR
requests.
"""
