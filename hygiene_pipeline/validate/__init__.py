"""Stage 3b, validate: normalized contacts in, one verdict per contact out.

Takes `normalized_contacts` and the DNS cache. Gives `validation_results` (email_status with its
reasons, phone_status, the contact's issues) and keeps `dns_cache` up to date.

`contacts.validate_contacts` is the entry point; `email_rules` (syntax, role, disposable, typo),
`phone_rules` (placeholders), `dns_check` (MX lookups on one event loop, `dns_wire` reading the
answers), `job_changes` (a contact against its previous month) and `dns_cache` do the work.
"""
