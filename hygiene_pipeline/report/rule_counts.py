"""Consent, retention, job changes and lead status: what the validation and prune rules found.

Counts only, never a person. Each is a `Section` with its tables when the month's data can tell,
and otherwise a line saying why not (the export has no such column, the table does not exist
yet), so "0" is only ever shown where 0 is the answer. Months stored before these rules existed
lack their issues, reasons and tables; they read as "not in this export", never as an error.
"""

from __future__ import annotations

from datetime import date

from hygiene_pipeline.report.sections import Section, Table, percent
from hygiene_pipeline.schema import PRUNE_ACTIONS
from hygiene_pipeline.store import HygieneStore

JOB_CHANGE_KINDS = {
    "company_changed": "moved to another company",
    "domain_changed": "email domain changed (company renamed or moved)",
    "work_to_personal": "work address replaced by a personal one",
}
COMPANY_PAIRS = 10  # most common before -> after pairs listed
_STAGES = {"normalized_contacts", "validation_results", "prune_list"}
_NOT_YET = "Not in this data yet: the month has no validation or prune list."


def rule_sections(store: HygieneStore, snapshot: date) -> tuple[Section, ...]:
    """The four sections, in the order the report shows them."""
    tables = set(store.tables())
    return (
        consent_section(store, snapshot, tables),
        retention_section(store, snapshot, tables),
        job_changes_section(store, snapshot, tables),
        lead_status_section(store, snapshot, tables),
    )


def _reason_by_action(store: HygieneStore, snapshot: date, reason: str) -> dict[str, int]:
    """Prune rows of the month whose reasons include the rule `reason`, per action."""
    rows = store.query(
        "SELECT action, count(*) AS n FROM prune_list WHERE snapshot = $1 AND "
        "len(list_filter(reasons, lambda r: regexp_extract(r, '^([^:]+)', 1) = $2)) > 0 "
        "GROUP BY action",
        [snapshot, reason],
    )
    found = dict(rows.iter_rows())
    return {action: int(found.get(action, 0)) for action in PRUNE_ACTIONS}


def _actions_table(counts: dict[str, int], caption: str) -> Table:
    rows = tuple((action, str(n)) for action, n in counts.items() if n)
    return Table(("action", "contacts"), (*rows, ("total", str(sum(counts.values())))),
                 caption=caption)  # fmt: skip


def consent_section(store: HygieneStore, snapshot: date, tables: set[str]) -> Section:
    intro = (
        "Contacts the CRM holds no legal basis for processing for (validation issue "
        "no_legal_basis): marketing to them needs consent or a documented legitimate interest."
    )
    if not tables >= _STAGES:
        return Section("consent", "Consent", intro, note=_NOT_YET)
    columns = set(store.columns("normalized_contacts"))
    with_basis = "count(n.legal_basis)" if "legal_basis" in columns else "0"
    cannot_tell = (
        "count(*) FILTER (WHERE coalesce(list_contains(n.unknown_fields, 'legal_basis'), false))"
        if "unknown_fields" in columns
        else "0"
    )
    no_basis = "coalesce(list_contains(v.issues, 'no_legal_basis'), false)"
    counts = store.query(
        f"""
        SELECT count(*) AS contacts,
          count(*) FILTER (WHERE {no_basis}) AS no_basis,
          count(*) FILTER (WHERE {no_basis} AND p.contact_id IS NOT NULL) AS no_basis_pruned,
          {with_basis} AS with_basis,
          {cannot_tell} AS cannot_tell
        FROM validation_results AS v
        LEFT JOIN normalized_contacts AS n
          ON n.snapshot = v.snapshot AND n.contact_id = v.contact_id
        LEFT JOIN (SELECT DISTINCT snapshot, contact_id FROM prune_list) AS p
          ON p.snapshot = v.snapshot AND p.contact_id = v.contact_id
        WHERE v.snapshot = $1
        """,
        [snapshot],
    ).row(0, named=True)
    if not counts["with_basis"] and not counts["no_basis"]:
        return Section("consent", "Consent", intro, note=(
            "Not in this export: no file of this month has a legal basis column (HubSpot: "
            "\"Legal basis for processing contact's data\"; a Pipedrive marketing status counts "
            "as consent), so consent cannot be audited."
        ))  # fmt: skip
    share = counts["no_basis"] / counts["contacts"] if counts["contacts"] else None
    rows = [
        ("no legal basis", str(counts["no_basis"]), percent(share)),
        ("of which on the prune list", str(counts["no_basis_pruned"]), "–"),
        ("with a legal basis", str(counts["with_basis"]), "–"),
    ]
    if counts["cannot_tell"]:
        rows.append(("in a file without a legal basis column", str(counts["cannot_tell"]), "–"))
    table = Table(("contacts", "count", "share"), tuple(rows))
    return Section("consent", "Consent", intro, (table,))


def retention_section(store: HygieneStore, snapshot: date, tables: set[str]) -> Section:
    intro = (
        "Contacts kept longer than the team's retention period with no engagement and no "
        "protected stage (prune reason retention_expired; GDPR storage limitation)."
    )
    if not tables >= _STAGES:
        return Section("retention", "Retention", intro, note=_NOT_YET)
    counts = _reason_by_action(store, snapshot, "retention_expired")
    if not sum(counts.values()):
        return Section("retention", "Retention", intro, note=(
            "No contact on this month's prune list has the reason retention_expired: none is "
            "past the retention period the prune policy sets, or the policy sets none."
        ))  # fmt: skip
    table = _actions_table(counts, "On the prune list for retention, by action:")
    return Section("retention", "Retention", intro, (table,))


def job_changes_section(store: HygieneStore, snapshot: date, tables: set[str]) -> Section:
    intro = (
        "Contacts whose company or work address changed since the previous stored month: the "
        "person moved on, and the record describes a job they no longer have."
    )
    if "job_changes" not in tables:
        return Section("job-changes", "Job changes", intro, note=(
            "Not in this data: job changes are found by comparing each contact with the "
            "previous stored month (table job_changes), which this database does not have yet."
        ))  # fmt: skip
    kinds = dict(
        store.query(
            "SELECT kind, count(*) FROM job_changes WHERE snapshot = $1 GROUP BY kind", [snapshot]
        ).iter_rows()
    )
    if not kinds:
        return Section("job-changes", "Job changes", intro, note=(
            "No job change found this month (the first stored month has nothing to compare "
            "with)."
        ))  # fmt: skip
    ranked = sorted(kinds.items(), key=lambda pair: (-pair[1], pair[0]))
    by_kind = Table(
        ("change", "contacts"), tuple((JOB_CHANGE_KINDS.get(k, k), str(n)) for k, n in ranked)
    )
    # Companies, or domains where a company is blank; never where the work address went to a
    # personal mailbox (that pair would name a free-mail provider, not a company).
    pairs = store.query(
        """
        SELECT coalesce(before_company, before_domain) AS before,
               coalesce(after_company, after_domain) AS after, count(*) AS n
        FROM job_changes
        WHERE snapshot = $1 AND kind <> 'work_to_personal'
          AND coalesce(before_company, before_domain) IS NOT NULL
          AND coalesce(after_company, after_domain) IS NOT NULL
        GROUP BY ALL ORDER BY n DESC, before, after LIMIT $2
        """,
        [snapshot, COMPANY_PAIRS],
    )
    tables_out = [by_kind]
    if pairs.height:
        rows = tuple((b, a, str(n)) for b, a, n in pairs.iter_rows())
        caption = "Most common moves (company before -> after):"
        tables_out.append(Table(("from", "to", "contacts"), rows, 2, caption))
    return Section("job-changes", "Job changes", intro, tuple(tables_out))


def lead_status_section(store: HygieneStore, snapshot: date, tables: set[str]) -> Section:
    intro = (
        "Leads marked unqualified that have not engaged since (prune reason "
        "unqualified_inactive): sales has said no, and they stay in every list."
    )
    if not tables >= _STAGES:
        return Section("lead-status", "Lead status", intro, note=_NOT_YET)
    with_status = store.query(
        "SELECT count(lead_status) FROM normalized_contacts WHERE snapshot = $1", [snapshot]
    ).item()
    if not with_status:
        return Section("lead-status", "Lead status", intro, note=(
            "Not in this export: no file of this month has a lead status column (HubSpot: "
            "\"Lead Status\"; Salesforce leads: Status)."
        ))  # fmt: skip
    counts = _reason_by_action(store, snapshot, "unqualified_inactive")
    if not sum(counts.values()):
        return Section("lead-status", "Lead status", intro, note=(
            "No contact on this month's prune list has the reason unqualified_inactive."
        ))  # fmt: skip
    statuses = store.query(
        """
        SELECT coalesce(n.lead_status, '(none)') AS status, count(*) AS n
        FROM prune_list AS p
        JOIN normalized_contacts AS n ON n.snapshot = p.snapshot AND n.contact_id = p.contact_id
        WHERE p.snapshot = $1
          AND len(list_filter(p.reasons,
                  lambda r: regexp_extract(r, '^([^:]+)', 1) = 'unqualified_inactive')) > 0
        GROUP BY ALL ORDER BY n DESC, status
        """,
        [snapshot],
    )
    by_status = Table(("lead status", "contacts"),
                      tuple((s, str(n)) for s, n in statuses.iter_rows()),
                      caption="By lead status as exported:")  # fmt: skip
    actions = _actions_table(counts, "On the prune list as unqualified and inactive, by action:")
    return Section("lead-status", "Lead status", intro, (actions, by_status))
