"""Stage 2, normalize: raw rows in, one canonical contact per raw row out.

Takes `raw_contacts` and `export_files`. Gives `normalized_contacts` (names, emails, E.164 phones,
companies, titles, sources, countries, dates, bounce and opt-out model, the matching keys) and
`normalization_changes` (every change: field, before, after, rule).

`contacts.normalize_with_changes` is the entry point (the asset runs its two halves,
`contact_fields` and `normalize_fields`, to let the raw rows go between them); `source_fields`
reads each CRM's columns into one model, and one module per kind of value cleans it (`names`,
`emails`, `phones`, ...).
The vocabularies and the diminutives table it reads are the YAML files beside it.
"""
