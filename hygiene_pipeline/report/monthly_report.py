"""The monthly hygiene report: the audit a data owner asks for, the health trend, the prune counts.

Beside the score, the share of contacts fine as they are; the audit broken down by owner, lead
source, source drill-down and CRM; how each exported property is used (and which are junk); and
what the consent, retention, job change and lead status rules found. Written as one
self-contained HTML file (inline CSS, the chart as inline SVG, no script, nothing fetched), so it
can be mailed or opened from disk. Counts only: no person's data is in it (owners are named: they
are the team's own people). Every text that reaches the HTML is escaped, because reasons and
values may quote what a CRM export said.
"""

from __future__ import annotations

import base64
import html
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.report.group_quality import (
    DIMENSIONS,
    GroupQuality,
    quality_by_group,
    top_problems,
)
from hygiene_pipeline.report.health_score import health_trend
from hygiene_pipeline.report.health_settings import PROBLEMS, REQUIRABLE, HealthSettings
from hygiene_pipeline.report.property_audit import (
    LOW_CARDINALITY,
    MIN_CONTACTS_PER_VALUE,
    RARELY_FILLED,
    PropertyAudit,
    audit_properties,
)
from hygiene_pipeline.report.rule_counts import rule_sections
from hygiene_pipeline.report.sections import Section, Table, escape, md_cell, percent
from hygiene_pipeline.schema import PRUNE_ACTIONS
from hygiene_pipeline.store import HygieneStore

_AUDIT_SQL = """
SELECT
  count(*) AS contacts,
  count(*) FILTER (WHERE email_status = 'missing') AS no_email,
  count(*) FILTER (WHERE email_status = 'invalid') AS invalid_email,
  count(*) FILTER (WHERE phone_status = 'placeholder') AS fake_phone,
  count(*) FILTER (WHERE phone_status = 'invalid') AS invalid_phone,
  count(*) FILTER (WHERE list_contains(issues, 'missing_owner')) AS no_owner,
  count(*) FILTER (WHERE list_contains(issues, 'missing_source')) AS no_source,
  count(*) FILTER (WHERE list_contains(issues, 'missing_phone')) AS no_phone,
  count(*) FILTER (WHERE list_contains(issues, 'missing_company')) AS no_company,
  count(*) FILTER (WHERE list_contains(issues, 'stale')) AS stale,
  count(*) FILTER (WHERE list_contains(issues, 'bounced_but_marketable')) AS bounced_marketable,
  count(*) FILTER (WHERE list_contains(issues, 'unsubscribed')) AS unsubscribed,
  count(*) FILTER (WHERE list_contains(email_reasons, 'role_account')) AS role,
  count(*) FILTER (WHERE list_contains(email_reasons, 'disposable')) AS disposable,
  count(*) FILTER (WHERE list_contains(email_reasons, 'free_mail')) AS free_mail,
  count(*) FILTER (WHERE list_contains(issues, 'test_record')) AS test_record,
  count(*) FILTER (WHERE list_contains(issues, 'created_by_sales_tool')) AS sales_tool,
  count(*) FILTER (WHERE list_contains(issues, 'purchased_list')) AS purchased
FROM validation_results
WHERE snapshot = $1
"""

# (column of _AUDIT_SQL, what the data owner reads, the score's problem), in the audit's order.
_AUDIT_LINES = (
    ("no_email", "Contacts without email", "missing_email"),
    ("invalid_email", "Invalid email (syntax, or the domain takes no mail)", "invalid_email"),
    ("fake_phone", "Fake phone (placeholder such as 0000000000)", "bad_phone"),
    ("invalid_phone", "Invalid phone", "bad_phone"),
    ("no_phone", "No phone", "missing_phone"),
    ("no_company", "No company name", "missing_company"),
    ("no_owner", "No owner", "missing_owner"),
    ("no_source", "No original source", "missing_source"),
    ("stale", "Not updated for 12+ months", "stale"),
    ("bounced_marketable", "Bounced or invalid, but still marketable (not unsubscribed)",
     "bounced_but_marketable"),
    ("unsubscribed", "Unsubscribed from all email", None),
    ("role", "Role address (info@, sales@ ...)", None),
    ("disposable", "Disposable address", None),
    ("free_mail", "Free-mail address (information, not a risk)", None),
    ("test_record", "Test or junk record", "test_record"),
    ("sales_tool", "Created by a sales tool (sales extension, BCC)", "created_by_sales_tool"),
    ("purchased", "From a purchased list", "purchased_list"),
)  # fmt: skip


@dataclass(frozen=True)
class AuditLine:
    label: str
    count: int
    share: float | None  # of the month's contacts; None where a share means nothing
    problem: str | None = None  # the score's problem (health_settings.PROBLEMS) it counts


@dataclass(frozen=True)
class HygieneReport:
    snapshot: date
    contacts: int
    audit: tuple[AuditLine, ...]
    trend: pl.DataFrame  # health_score.health_trend up to this month
    actions: dict[str, int]  # every PRUNE_ACTIONS key
    reasons: pl.DataFrame  # reason, one count column per action, total
    # Corrections written to the update files (crm_updates): field, rule, cells, contacts.
    corrections: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_CORRECTIONS))
    settings: HealthSettings = field(default_factory=HealthSettings)
    properties: PropertyAudit = field(default_factory=lambda: PropertyAudit((), ()))
    groups: tuple[GroupQuality, ...] = ()
    # Consent, retention, job changes, lead status (rule_counts), in the report's order.
    rule_sections: tuple[Section, ...] = ()

    def _month(self, column: str) -> float | int | None:
        row = self.trend.filter(pl.col("snapshot") == self.snapshot)
        return row[column][0] if row.height else None

    @property
    def score(self) -> float | None:
        return self._month("score")

    @property
    def decay_rate(self) -> float | None:
        return self._month("decay_rate")

    @property
    def fine_contacts(self) -> int:
        """Contacts the prune list keeps that have no counted problem: fine as they are."""
        return int(self._month("fine_contacts") or 0)

    @property
    def pruned_contacts(self) -> int:
        return int(self._month("pruned_contacts") or 0)

    @property
    def fine_share(self) -> float | None:
        return _share(self.fine_contacts, self.contacts)

    @property
    def pruned_share(self) -> float | None:
        return _share(self.pruned_contacts, self.contacts)

    @property
    def kept_with_problems(self) -> int:
        return self.contacts - self.fine_contacts - self.pruned_contacts


def build_report(
    store: HygieneStore, snapshot: date, settings: HealthSettings | None = None
) -> HygieneReport:
    """Everything the report shows, read from the stored tables of `snapshot` and before.

    `settings` (health.yaml: required fields, weights) default to the shipped ones.
    """
    settings = settings or HealthSettings()
    counts = store.query(_AUDIT_SQL, [snapshot]).row(0, named=True)
    contacts = int(counts["contacts"])
    audit = [AuditLine(label, int(counts[key]), _share(counts[key], contacts), problem)
             for key, label, problem in _AUDIT_LINES]  # fmt: skip
    clusters = store.query(
        "SELECT count(DISTINCT cluster_id) AS clusters, "
        "count(*) FILTER (WHERE NOT is_survivor) AS to_merge "
        "FROM duplicate_clusters WHERE snapshot = $1",
        [snapshot],
    ).row(0, named=True)
    to_merge = int(clusters["to_merge"])
    audit += [
        AuditLine("Duplicate clusters (records of one person)", int(clusters["clusters"]), None),
        AuditLine("Duplicates to merge into a survivor", to_merge, _share(to_merge, contacts),
                  "duplicate"),
    ]  # fmt: skip
    return HygieneReport(
        snapshot=snapshot,
        contacts=contacts,
        audit=tuple(audit),
        trend=health_trend(store, snapshot, settings),
        actions=_action_counts(store, snapshot),
        reasons=_reason_counts(store, snapshot),
        corrections=_correction_counts(store, snapshot),
        settings=settings,
        properties=audit_properties(store, snapshot),
        groups=quality_by_group(store, snapshot, settings),
        rule_sections=rule_sections(store, snapshot),
    )


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _action_counts(store: HygieneStore, snapshot: date) -> dict[str, int]:
    found = dict(
        store.query(
            "SELECT action, count(*) FROM prune_list WHERE snapshot = $1 GROUP BY action",
            [snapshot],
        ).iter_rows()
    )
    return {action: int(found.get(action, 0)) for action in PRUNE_ACTIONS}


_CORRECTIONS = {"field": pl.String, "rule": pl.String, "cells": pl.Int64, "contacts": pl.Int64}


def _correction_counts(store: HygieneStore, snapshot: date) -> pl.DataFrame:
    """Per field and rule, the cells the update files change and the contacts they touch."""
    if "crm_updates" not in store.tables():
        return pl.DataFrame(schema=_CORRECTIONS)
    return store.query(
        "SELECT field, rule, count(*) AS cells, count(DISTINCT contact_id) AS contacts "
        "FROM crm_updates WHERE snapshot = $1 GROUP BY ALL ORDER BY cells DESC, field, rule",
        [snapshot],
    ).cast(_CORRECTIONS)


def _reason_counts(store: HygieneStore, snapshot: date) -> pl.DataFrame:
    """Per reason (the rule's name, without its evidence): how many rows per action carry it."""
    pairs = store.query(
        "SELECT regexp_extract(reason, '^([^:]+)', 1) AS reason, action FROM "
        "(SELECT unnest(reasons) AS reason, action FROM prune_list WHERE snapshot = $1)",
        [snapshot],
    )
    columns = [pl.col("action").eq(action).sum().alias(action) for action in PRUNE_ACTIONS]
    return (
        pairs.group_by("reason")
        .agg(*columns, pl.len().alias("total"))
        .with_columns(pl.col(action).cast(pl.Int64) for action in PRUNE_ACTIONS)
        .with_columns(pl.col("total").cast(pl.Int64))
        .sort(["total", "reason"], descending=[True, False])
    )


# ---- Tables and sections, shared by the HTML file and the asset's Markdown metadata ----


def _points(report: HygieneReport, problem: str | None) -> str:
    """What a problem costs: its weight in points, and whether its field is required."""
    if problem is None:
        return "–"
    points = f"{report.settings.weight(problem):g} pts"
    return f"{points} · required" if report.settings.is_required_problem(problem) else points


def audit_table(report: HygieneReport) -> Table:
    rows = tuple((line.label, str(line.count), percent(line.share), _points(report, line.problem))
                 for line in report.audit)  # fmt: skip
    return Table(("audit", "contacts", "share", "in the score"), rows, numeric_until=3)


def trend_table(report: HygieneReport) -> Table:
    rows = tuple(
        (
            f"{r['snapshot']:%Y-%m}",
            str(r["contacts"]),
            f"{r['score']:.1f}",
            percent(_share(r["fine_contacts"], r["contacts"])),
            percent(_share(r["pruned_contacts"], r["contacts"])),
            percent(r["decay_rate"]),
        )
        for r in report.trend.iter_rows(named=True)
    )
    header = ("month", "contacts", "health score", "fine as it is", "on the prune list",
              "decay rate")  # fmt: skip
    return Table(header, rows)


def headline_text(report: HygieneReport) -> str:
    """The score and the share fine as it is in one sentence, so neither is read alone."""
    score = "–" if report.score is None else f"{report.score:.1f}"
    return (
        f"Health score {score} / 100 · fine as it is {percent(report.fine_share)} "
        f"({report.fine_contacts} of {report.contacts} contacts kept with no counted problem) · "
        f"kept with a counted problem {percent(_share(report.kept_with_problems, report.contacts))}"
        f" ({report.kept_with_problems}) · on the prune list {percent(report.pruned_share)} "
        f"({report.pruned_contacts})"
    )


def property_sections(report: HygieneReport) -> tuple[Section, Section]:
    """Junk properties (never or rarely filled, free text typed many ways), then every column."""
    audit = report.properties
    intro = (
        "Properties nobody fills, and free-text properties typed many ways for few meanings: "
        "candidates to hide, delete or turn into a dropdown in the CRM."
    )
    if not audit.columns:
        note = "Not in this data: no raw export is stored for this month."
        return (Section("junk-properties", "Junk properties", intro, note=note),
                Section("property-audit", "Property usage", "", note=note))  # fmt: skip
    body: list[Table | str] = []
    if audit.never_filled:
        rows = tuple((c.column, ", ".join(c.systems), str(c.rows)) for c in audit.never_filled)
        caption = "Never filled: no row of the files that have the column holds a value."
        body.append(Table(("column", "CRM", "rows"), rows, 2, caption))
    else:
        body.append("Never filled: none; every exported column holds a value somewhere.")
    if audit.rarely_filled:
        rows = tuple((c.column, c.field or "(not read)", str(c.filled), percent(c.fill_rate))
                     for c in audit.rarely_filled)  # fmt: skip
        caption = f"Rarely filled (under {RARELY_FILLED:.0%} of rows):"
        body.append(Table(("column", "read as", "filled", "fill rate"), rows, 2, caption))
    if audit.variants:
        rows = tuple(
            (v.field, ", ".join(v.columns), v.suggestion, str(v.filled), str(v.texts),
             str(v.meanings), str(v.unclassified))
            for v in audit.variants
        )  # fmt: skip
        header = ("field", "column", "suggestion", "contacts", "distinct texts", "meanings",
                  "no known meaning")  # fmt: skip
        caption = (
            "Free text typed many ways: distinct texts against the meanings the pipeline reads "
            "in them (a job title's function and seniority, a country's ISO code):"
        )
        body.append(Table(header, rows, 3, caption))
    junk = Section("junk-properties", "Junk properties", intro, tuple(body))
    usage_rows = tuple(
        (
            c.column,
            c.field or "(not read)",
            ", ".join(c.systems),
            percent(c.fill_rate),
            str(c.filled),
            str(c.distinct),
            _top_values_text(c.top_values, c.withheld),
        )
        for c in audit.columns
    )
    header = ("column", "read as", "CRM", "fill rate", "filled", "distinct", "top values")
    usage_intro = (
        "Every exported column: the share of rows that fill it, its distinct values, and the "
        f"most common values of columns that are not personal, have at most {LOW_CARDINALITY} "
        f"values, each value held by {MIN_CONTACTS_PER_VALUE}+ contacts."
    )
    usage = Section("property-audit", "Property usage", usage_intro,
                    (Table(header, usage_rows, 3, numeric_until=6),))  # fmt: skip
    return junk, usage


def _top_values_text(values: tuple[tuple[str, int], ...], withheld: str | None) -> str:
    if values:
        return " · ".join(f"{value} ({count})" for value, count in values)
    return f"not shown: {withheld}" if withheld else "–"


_GROUP_NOTES = {
    "source_detail": (
        "Not in this export: no file of this month has HubSpot's Original Source Drill-Down 1, "
        "which tells contacts created by the sales extension, typed in the CRM by hand, or "
        "imported."
    ),
}


def group_sections(report: HygieneReport) -> tuple[Section, ...]:
    """One section per dimension (owner, lead source, source drill-down, CRM), worst first."""
    found = {group.dimension: group for group in report.groups}
    sections = []
    for dimension, (title, _) in DIMENSIONS.items():
        key = "quality-by-" + {"source_system": "crm"}.get(dimension, dimension).replace("_", "-")
        intro = (
            "Worst first: the health score with this month's weights, the share fine as it is "
            "and on the prune list, and the most common counted problems, per group. Groups "
            f"under {report.settings.min_group_size} contacts are pooled in one row."
        )
        if dimension == "owner":
            intro += " Owners are named: they are the team's own people."
        group = found.get(dimension)
        if group is None or not group.available:
            note = _GROUP_NOTES.get(dimension, "Not in this data: no contact has a value.")
            sections.append(Section(key, title, intro, note=note))
            continue
        rows = tuple(
            (
                row["label"],
                str(row["contacts"]),
                f"{row['score']:.1f}",
                percent(row["fine_share"]),
                percent(row["pruned_share"]),
                " · ".join(f"{label} {share:.0%}" for label, share in
                           top_problems(row, report.settings)) or "–",
            )
            for row in group.groups.iter_rows(named=True)
        )  # fmt: skip
        header = ("group", "contacts", "health score", "fine as it is", "on the prune list",
                  "most common problems")  # fmt: skip
        sections.append(Section(key, title, intro, (Table(header, rows, numeric_until=5),)))
    return tuple(sections)


def report_sections(report: HygieneReport) -> tuple[Section, ...]:
    """The sections past the audit, in the report's order."""
    return (*group_sections(report), *property_sections(report), *report.rule_sections)


# ---- Markdown, for the asset's metadata ----


def audit_markdown(report: HygieneReport) -> str:
    return audit_table(report).markdown()


def trend_markdown(report: HygieneReport) -> str:
    return trend_table(report).markdown()


def headline_markdown(report: HygieneReport) -> str:
    return md_cell(headline_text(report))


def sections_markdown(report: HygieneReport) -> dict[str, str]:
    """Metadata key (the section's id with _) -> the section as Markdown."""
    return {s.key.replace("-", "_"): s.markdown() for s in report_sections(report)}


def prune_markdown(report: HygieneReport) -> str:
    head = "| reason | " + " | ".join(PRUNE_ACTIONS) + " | total |"
    lines = [head, "| --- |" + " ---: |" * (len(PRUNE_ACTIONS) + 1)]
    lines.append("| **all rows (by action)** | "
                 + " | ".join(str(report.actions[a]) for a in PRUNE_ACTIONS)
                 + f" | {sum(report.actions.values())} |")  # fmt: skip
    for row in report.reasons.iter_rows(named=True):
        counts = " | ".join(str(row[action]) for action in PRUNE_ACTIONS)
        lines.append(f"| {row['reason']} | {counts} | {row['total']} |")
    return "\n".join(lines)


def corrections_markdown(report: HygieneReport) -> str:
    lines = ["| field | rule | cells | contacts |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {f} | {r} | {c} | {n} |" for f, r, c, n in report.corrections.iter_rows()]
    return "\n".join(lines)


def chart_markdown(report: HygieneReport) -> str:
    """The trend chart as a Markdown image (an SVG data URI: the Dagster UI renders it inline)."""
    data = base64.b64encode(trend_svg(report.trend).encode("utf-8")).decode("ascii")
    return f"![Health score by month](data:image/svg+xml;base64,{data})"


# ---- The chart ----

_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM, _INSET = 640, 260, 56, 24, 36, 56, 36
_SCORE, _FINE = "#2f6fde", "#1f8a4c"


def _axis_floor(values: list[float]) -> int:
    """The y axis starts at a multiple of 10 below the lowest value, so small moves show."""
    lowest = min(values, default=0.0)
    return max(0, int((lowest - 5) // 10 * 10))


def trend_svg(trend: pl.DataFrame) -> str:
    """A line chart per month of the health score and the % fine as it is (axis up to 100), the
    decay rate under each month."""
    rows = list(trend.iter_rows(named=True))
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    fine = [100 * row["fine_contacts"] / row["contacts"] if row["contacts"] else None
            for row in rows]  # fmt: skip
    floor = _axis_floor([row["score"] for row in rows] + [f for f in fine if f is not None])

    def x(index: int) -> float:  # inset from the axis, so labels never cover the ticks
        inner = plot_w - 2 * _INSET
        return _LEFT + _INSET + (inner / 2 if len(rows) == 1 else inner * index / (len(rows) - 1))

    def y(score: float) -> float:
        return _TOP + plot_h * (1 - (score - floor) / (100 - floor))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img" aria-label="Health score by month" '
        'font-family="Liberation Sans, Arial, sans-serif" font-size="12">',
        "<title>Health score by month</title>",
        f'<rect width="{_W}" height="{_H}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="16" fill="{_SCORE}">● health score (0-100)</text>',
        f'<text x="{_LEFT + 170}" y="16" fill="{_FINE}">■ fine as it is (% of contacts)</text>',
    ]
    for step in range(5):
        tick = floor + (100 - floor) * step / 4
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="#e3e6ea"/>')  # fmt: skip
        parts.append(f'<text x="{_LEFT - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'fill="#5f6b7a">{tick:g}</text>')  # fmt: skip
    points = " ".join(f"{x(i):.1f},{y(row['score']):.1f}" for i, row in enumerate(rows))
    fine_points = " ".join(f"{x(i):.1f},{y(f):.1f}" for i, f in enumerate(fine) if f is not None)
    if len(rows) > 1:
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{_SCORE}" stroke-width="2.5"/>'
        )
        parts.append(f'<polyline points="{fine_points}" fill="none" stroke="{_FINE}" '
                     'stroke-width="2" stroke-dasharray="6 4"/>')  # fmt: skip
    for i, row in enumerate(rows):
        px, py = x(i), y(row["score"])
        decay = "decay –" if row["decay_rate"] is None else f"decay {row['decay_rate']:.1%}"
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{_SCORE}"/>',
            f'<text x="{px:.1f}" y="{py - 10:.1f}" text-anchor="middle" font-weight="bold" '
            f'fill="#1d2b3a">{row["score"]:.1f}</text>',
            f'<text x="{px:.1f}" y="{_H - _BOTTOM + 18}" text-anchor="middle" '
            f'fill="#1d2b3a">{row["snapshot"]:%Y-%m}</text>',
            f'<text x="{px:.1f}" y="{_H - _BOTTOM + 34}" text-anchor="middle" '
            f'fill="#5f6b7a">{html.escape(decay)}</text>',
        ]
        if fine[i] is not None:
            fy = y(fine[i])
            parts += [
                f'<rect x="{px - 4:.1f}" y="{fy - 4:.1f}" width="8" height="8" fill="{_FINE}"/>',
                f'<text x="{px:.1f}" y="{fy + 18:.1f}" text-anchor="middle" fill="{_FINE}">'
                f"{fine[i]:.1f}%</text>",
            ]
    if not rows:
        parts.append(f'<text x="{_W / 2}" y="{_H / 2}" text-anchor="middle">no months yet</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ---- The HTML file ----

_CSS = """
body{font-family:"Liberation Sans",Arial,sans-serif;color:#1d2b3a;margin:2rem auto;max-width:64rem;
padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.score{font-size:3rem;font-weight:bold;color:#2f6fde}.muted{color:#5f6b7a}
.fine{color:#1f8a4c}.note{color:#5f6b7a;font-style:italic}
.headline{display:flex;gap:3rem;align-items:flex-end;flex-wrap:wrap}
.bar{display:flex;height:1.1rem;max-width:40rem;margin:.8rem 0 .3rem;border-radius:3px;
overflow:hidden}.bar span{display:block;height:100%}
.b-fine{background:#1f8a4c}.b-kept{background:#e0a526}.b-pruned{background:#c8453b}
table{border-collapse:collapse;margin:.5rem 0}th,td{border-bottom:1px solid #e3e6ea;
padding:.3rem .8rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
"""


def _headline_html(report: HygieneReport) -> str:
    """Score and "fine as it is" side by side, and the bar of fine / kept with problems / pruned."""
    score = "–" if report.score is None else f"{report.score:.1f}"
    kept = _share(report.kept_with_problems, report.contacts)
    parts = (
        ("b-fine", "#1f8a4c", "fine as it is", report.fine_contacts, report.fine_share),
        ("b-kept", "#e0a526", "kept with a counted problem", report.kept_with_problems, kept),
        ("b-pruned", "#c8453b", "on the prune list", report.pruned_contacts, report.pruned_share),
    )
    bar = "".join(f'<span class="{css}" style="width:{100 * (share or 0):.2f}%"></span>'
                  for css, _, _, _, share in parts)  # fmt: skip
    legend = " &middot; ".join(
        f'<span style="color:{color}">■</span> {label} {count} ({escape(percent(share))})'
        for _, color, label, count, share in parts
    )
    counted = ", ".join(PROBLEMS[p].label for p in report.settings.counted)
    return "\n".join([
        '<div class="headline">',
        f'<div><span class="score" id="health-score">{escape(score)}</span> / 100<br>'
        '<span class="muted">health score: the weighted problems</span></div>',
        f'<div><span class="score fine" id="fine-as-is">{escape(percent(report.fine_share))}'
        f'</span><br><span class="muted">fine as it is: {report.fine_contacts} of '
        f"{report.contacts} contacts</span></div>",
        "</div>",
        f'<div class="bar" role="img" aria-label="{escape(headline_text(report))}">{bar}</div>',
        f'<p id="headline">{legend} &middot; decay rate {escape(percent(report.decay_rate))}</p>',
        '<p class="muted">The score takes off points for each problem in proportion to how many '
        "contacts have it, so many small problems cost little; \"fine as it is\" counts the "
        "contacts the prune list keeps that have none of the counted problems "
        f"({escape(counted)}).</p>",
    ])  # fmt: skip


def _settings_html(report: HygieneReport) -> str:
    settings = report.settings
    weights = ", ".join(f"{PROBLEMS[p].label} {w:g}" for p, w in settings.weights.items() if w)
    required = ", ".join(settings.required) or "none"
    optional = ", ".join(f for f in REQUIRABLE if f not in settings.required) or "none"
    return (
        "<p>100 minus, for each problem, its weight times the share of this month's contacts "
        f"that have it. Weights (sum 100): {escape(weights)}. Required fields: {escape(required)} "
        f"(reported, not required: {escape(optional)}). Settings: {escape(settings.source)} "
        "(edit $HYGIENE_DATA_DIR/health.yaml to choose the required fields and the weights). "
        "Fine as it is: kept by the prune list, no weighted problem and no required field "
        "missing. The decay rate is the share of contacts present in the previous stored month "
        "that were fine then and are stale or have an invalid email now.</p>"
    )


def render_html(report: HygieneReport) -> str:
    """The whole report as one HTML document; every interpolated text is escaped."""
    month = f"{report.snapshot:%Y-%m}"
    action_rows = tuple((action, str(count)) for action, count in report.actions.items())
    reason_rows = tuple((row["reason"], *(str(row[a]) for a in PRUNE_ACTIONS), str(row["total"]))
                        for row in report.reasons.iter_rows(named=True))  # fmt: skip
    correction_rows = tuple((f, r, str(c), str(n)) for f, r, c, n in report.corrections.iter_rows())
    body = [
        f"<h1>CRM hygiene report {escape(month)}</h1>",
        f'<p class="muted">{report.contacts} contacts in this month\'s export.</p>',
        "<h2>Health score</h2>",
        _headline_html(report),
        f'<figure id="trend-chart">{trend_svg(report.trend)}</figure>',
        trend_table(report).html(),
        '<h2 id="audit">Audit</h2>',
        audit_table(report).html(),
        '<p class="muted">Exports carry no "marketing contact" status, so an unsubscribed contact '
        "that is still marketable cannot be seen here; unsubscribed contacts are listed as "
        "such and deleted from the CRM by the prune list.</p>",
        *(section.html() for section in report_sections(report)),
        '<h2 id="prune">Prune list</h2>',
        Table(("action", "contacts"), action_rows).html(),
        "<p>Per reason (a contact counts once for every rule that matched):</p>",
        Table(("reason", *PRUNE_ACTIONS, "total"), reason_rows).html(),
        '<h2 id="corrections">Corrections for the CRM</h2>',
        "<p>Cells the update files change (out/YYYY-MM/&lt;format&gt;-updates.csv; the undo "
        "files restore them), per field and rule:</p>",
        Table(("field", "rule", "cells", "contacts"), correction_rows, numeric_from=2).html(),
        '<h2 id="how">How the score is computed</h2>',
        _settings_html(report),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>CRM hygiene report {escape(month)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_report(report: HygieneReport, reports_dir: Path) -> Path:
    """Write `reports_dir/YYYY-MM.html`, owner-only, replacing any earlier version atomically."""
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = reports_dir / f"{report.snapshot:%Y-%m}.html"
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".html", dir=reports_dir)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp creates it 0600
            out.write(render_html(report))
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
