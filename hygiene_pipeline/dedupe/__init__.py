"""Stage 3a, dedupe: normalized contacts in, duplicate clusters and a merge plan out.

Takes `normalized_contacts`. Gives `duplicate_clusters` (one row per record in a cluster, one
survivor each, the evidence of the link) and `merge_plan` (the golden record, field by field).

`find.find_duplicate_clusters_with_stats` is the entry point: `keys` (features and blocking),
`name_similarity` and `scoring` (the match rules), `clustering`, `survivors`; `merge_plan` builds
the golden record; `config` reads the user's `dedupe.yaml`.
"""
