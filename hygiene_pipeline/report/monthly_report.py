"""The monthly hygiene report: the audit a data owner asks for, the health trend, the prune counts.

Written as one self-contained HTML file (inline CSS, the chart as inline SVG, no script, nothing
fetched), so it can be mailed or opened from disk. Counts only: no person's data is in it. Every
text that reaches the HTML is escaped, because reasons may quote what a CRM export said.
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

from hygiene_pipeline.report.health_score import WEIGHTS, health_trend
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
  count(*) FILTER (WHERE list_contains(issues, 'stale')) AS stale,
  count(*) FILTER (WHERE list_contains(issues, 'bounced_but_marketable')) AS bounced_marketable,
  count(*) FILTER (WHERE list_contains(issues, 'unsubscribed')) AS unsubscribed,
  count(*) FILTER (WHERE list_contains(email_reasons, 'role_account')) AS role,
  count(*) FILTER (WHERE list_contains(email_reasons, 'disposable')) AS disposable,
  count(*) FILTER (WHERE list_contains(email_reasons, 'free_mail')) AS free_mail,
  count(*) FILTER (WHERE list_contains(issues, 'test_record')) AS test_record
FROM validation_results
WHERE snapshot = $1
"""

# (column of _AUDIT_SQL, what the data owner reads), in the order of the audit.
_AUDIT_LINES = (
    ("no_email", "Contacts without email"),
    ("invalid_email", "Invalid email (syntax, or the domain takes no mail)"),
    ("fake_phone", "Fake phone (placeholder such as 0000000000)"),
    ("invalid_phone", "Invalid phone"),
    ("no_owner", "No owner"),
    ("no_source", "No original source"),
    ("stale", "Not updated for 12+ months"),
    ("bounced_marketable", "Bounced or invalid, but still marketable (not unsubscribed)"),
    ("unsubscribed", "Unsubscribed from all email"),
    ("role", "Role address (info@, sales@ ...)"),
    ("disposable", "Disposable address"),
    ("free_mail", "Free-mail address (information, not a risk)"),
    ("test_record", "Test or junk record"),
)


@dataclass(frozen=True)
class AuditLine:
    label: str
    count: int
    share: float | None  # of the month's contacts; None where a share means nothing


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

    @property
    def score(self) -> float | None:
        row = self.trend.filter(pl.col("snapshot") == self.snapshot)
        return row["score"][0] if row.height else None

    @property
    def decay_rate(self) -> float | None:
        row = self.trend.filter(pl.col("snapshot") == self.snapshot)
        return row["decay_rate"][0] if row.height else None


def build_report(store: HygieneStore, snapshot: date) -> HygieneReport:
    """Everything the report shows, read from the stored tables of `snapshot` and before."""
    counts = store.query(_AUDIT_SQL, [snapshot]).row(0, named=True)
    contacts = int(counts["contacts"])
    audit = [AuditLine(label, int(counts[key]), _share(counts[key], contacts))
             for key, label in _AUDIT_LINES]  # fmt: skip
    clusters = store.query(
        "SELECT count(DISTINCT cluster_id) AS clusters, "
        "count(*) FILTER (WHERE NOT is_survivor) AS to_merge "
        "FROM duplicate_clusters WHERE snapshot = $1",
        [snapshot],
    ).row(0, named=True)
    to_merge = int(clusters["to_merge"])
    audit += [
        AuditLine("Duplicate clusters (records of one person)", int(clusters["clusters"]), None),
        AuditLine("Duplicates to merge into a survivor", to_merge, _share(to_merge, contacts)),
    ]
    return HygieneReport(
        snapshot=snapshot,
        contacts=contacts,
        audit=tuple(audit),
        trend=health_trend(store, snapshot),
        actions=_action_counts(store, snapshot),
        reasons=_reason_counts(store, snapshot),
        corrections=_correction_counts(store, snapshot),
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


# ---- Markdown, for the asset's metadata ----


def audit_markdown(report: HygieneReport) -> str:
    lines = ["| audit | contacts | share |", "| --- | ---: | ---: |"]
    lines += [f"| {line.label} | {line.count} | {_percent(line.share)} |" for line in report.audit]
    return "\n".join(lines)


def trend_markdown(report: HygieneReport) -> str:
    lines = ["| month | contacts | health score | decay rate |", "| --- | ---: | ---: | ---: |"]
    for row in report.trend.iter_rows(named=True):
        lines.append(
            f"| {row['snapshot']:%Y-%m} | {row['contacts']} | {row['score']:.1f} | "
            f"{_percent(row['decay_rate'])} |"
        )
    return "\n".join(lines)


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


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


# ---- The chart ----

_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM, _INSET = 640, 260, 56, 24, 36, 56, 36


def _axis_floor(scores: list[float]) -> int:
    """The y axis starts at a multiple of 10 below the lowest score, so small moves show."""
    lowest = min(scores, default=0.0)
    return max(0, int((lowest - 5) // 10 * 10))


def trend_svg(trend: pl.DataFrame) -> str:
    """A line chart of the health score per month (axis up to 100), the decay rate under each."""
    rows = list(trend.iter_rows(named=True))
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    floor = _axis_floor([row["score"] for row in rows])

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
        f'<text x="{_LEFT}" y="16" fill="#5f6b7a">health score (0-100)</text>',
    ]
    for step in range(5):
        tick = floor + (100 - floor) * step / 4
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="#e3e6ea"/>')  # fmt: skip
        parts.append(f'<text x="{_LEFT - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'fill="#5f6b7a">{tick:g}</text>')  # fmt: skip
    points = " ".join(f"{x(i):.1f},{y(row['score']):.1f}" for i, row in enumerate(rows))
    if len(rows) > 1:
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#2f6fde" stroke-width="2.5"/>'
        )
    for i, row in enumerate(rows):
        px, py = x(i), y(row["score"])
        decay = "decay –" if row["decay_rate"] is None else f"decay {row['decay_rate']:.1%}"
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#2f6fde"/>',
            f'<text x="{px:.1f}" y="{py - 10:.1f}" text-anchor="middle" font-weight="bold" '
            f'fill="#1d2b3a">{row["score"]:.1f}</text>',
            f'<text x="{px:.1f}" y="{_H - _BOTTOM + 18}" text-anchor="middle" '
            f'fill="#1d2b3a">{row["snapshot"]:%Y-%m}</text>',
            f'<text x="{px:.1f}" y="{_H - _BOTTOM + 34}" text-anchor="middle" '
            f'fill="#5f6b7a">{html.escape(decay)}</text>',
        ]
    if not rows:
        parts.append(f'<text x="{_W / 2}" y="{_H / 2}" text-anchor="middle">no months yet</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ---- The HTML file ----

_CSS = """
body{font-family:"Liberation Sans",Arial,sans-serif;color:#1d2b3a;margin:2rem auto;max-width:60rem;
padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.score{font-size:3rem;font-weight:bold;color:#2f6fde}.muted{color:#5f6b7a}
table{border-collapse:collapse;margin:.5rem 0}th,td{border-bottom:1px solid #e3e6ea;
padding:.3rem .8rem;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
"""


def render_html(report: HygieneReport) -> str:
    """The whole report as one HTML document; every interpolated text is escaped."""
    month = f"{report.snapshot:%Y-%m}"
    score = "–" if report.score is None else f"{report.score:.1f}"
    audit_rows = [[line.label, str(line.count), _percent(line.share)] for line in report.audit]
    trend_rows = [
        [
            f"{r['snapshot']:%Y-%m}",
            str(r["contacts"]),
            f"{r['score']:.1f}",
            _percent(r["decay_rate"]),
        ]
        for r in report.trend.iter_rows(named=True)
    ]
    action_rows = [[action, str(count)] for action, count in report.actions.items()]
    reason_rows = [[row["reason"], *(str(row[a]) for a in PRUNE_ACTIONS), str(row["total"])]
                   for row in report.reasons.iter_rows(named=True)]  # fmt: skip
    weights = ", ".join(f"{name.replace('_', ' ')} {weight}" for name, weight in WEIGHTS.items())
    body = [
        f"<h1>CRM hygiene report {_e(month)}</h1>",
        f'<p class="muted">{report.contacts} contacts in this month\'s export.</p>',
        f'<h2>Health score</h2><p><span class="score" id="health-score">{_e(score)}</span> / 100'
        f" &middot; decay rate {_e(_percent(report.decay_rate))}</p>",
        f'<figure id="trend-chart">{trend_svg(report.trend)}</figure>',
        _table(["month", "contacts", "health score", "decay rate"], trend_rows, numeric_from=1),
        '<h2 id="audit">Audit</h2>',
        _table(["finding", "contacts", "share"], audit_rows, numeric_from=1),
        '<p class="muted">Exports carry no "marketing contact" status, so an unsubscribed contact '
        "that is still marketable cannot be seen here; unsubscribed contacts are listed as "
        "such and deleted from the CRM by the prune list.</p>",
        '<h2 id="prune">Prune list</h2>',
        _table(["action", "contacts"], action_rows, numeric_from=1),
        "<p>Per reason (a contact counts once for every rule that matched):</p>",
        _table(["reason", *PRUNE_ACTIONS, "total"], reason_rows, numeric_from=1),
        '<h2 id="corrections">Corrections for the CRM</h2>',
        "<p>Cells the update files change (out/YYYY-MM/&lt;format&gt;-updates.csv; the undo "
        "files restore them), per field and rule:</p>",
        _table(
            ["field", "rule", "cells", "contacts"],
            [[f, r, str(c), str(n)] for f, r, c, n in report.corrections.iter_rows()],
            numeric_from=2,
        ),
        "<h2>How the score is computed</h2>",
        "<p>100 minus, for each problem, its weight times the share of this month's contacts "
        f"that have it. Weights (sum 100): {_e(weights)}. The decay rate is the share of "
        "contacts present in the previous stored month that were fine then and are stale or have "
        "an invalid email now.</p>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>CRM hygiene report {_e(month)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(header: list[str], rows: list[list[str]], *, numeric_from: int) -> str:
    def cells(tag: str, values: list[str]) -> str:
        return "".join(
            f"<{tag}{' class=n' if i >= numeric_from else ''}>{_e(v)}</{tag}>"
            for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"


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
