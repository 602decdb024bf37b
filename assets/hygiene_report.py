"""hygiene_report: the month's audit, health score trend and prune counts, as an HTML file."""

from datetime import date

import dagster as dg

from assets.check_helpers import ERROR, AssetChecks, readable_by_others
from assets.crm_import_files import crm_import_files
from assets.duplicate_clusters import duplicate_clusters
from assets.metadata import StepTimer
from assets.partitions import monthly_partitions, snapshot_of
from assets.prune_list import prune_list
from assets.resources import HygieneResource, in_one_session
from assets.validation_results import validation_results
from hygiene_pipeline.months import folder_name
from hygiene_pipeline.report import monthly_report as hygiene_report_engine
from hygiene_pipeline.report.health_settings import load_health_settings

REPORTS_FOLDER = "reports"  # under HYGIENE_DATA_DIR, beside exports/ and out/


# ---- Checks: evaluated in the asset's own step, after its write ----
_checks = AssetChecks("hygiene_report")


@_checks.add(
    description=(
        "The month's report file exists, is owner-only, and shows the health score beside the "
        "share fine as it is, and the trend chart."
    ),
)
def report_file_written(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    path = hygiene.root / REPORTS_FOLDER / f"{folder_name(snapshot)}.html"
    problems = []
    if not path.exists():
        problems.append(f"{path} does not exist")
    else:
        if readable_by_others(path):
            problems.append(f"{path} is readable by others (the audit is for the data owner)")
        text = path.read_text(encoding="utf-8")
        needed = ('id="health-score"', 'id="fine-as-is"', 'id="trend-chart"')
        if not all(marker in text for marker in needed):
            problems.append(f"{path} lacks the health score, the share fine as it is or the chart")
    return dg.AssetCheckResult(
        passed=not problems,
        severity=ERROR,
        description="report written" if not problems else "; ".join(problems),
        metadata={"path": dg.MetadataValue.path(str(path))},
    )


@dg.asset(
    check_specs=_checks.specs,
    partitions_def=monthly_partitions,
    deps=[prune_list, validation_results, duplicate_clusters, crm_import_files],
    group_name="hygiene",
    kinds={"html", "duckdb"},
    owners=["team:marketing-ops"],
    description=(
        "The report a data owner reads: the health score (0-100, weights and required fields "
        "from health.yaml) beside the share of contacts fine as they are, their trend over every "
        "stored month with the decay rate; an audit (no email, fake or invalid phones, no phone, "
        "no company, no owner, no source, stale, bounced but marketable, role/disposable/free "
        "addresses, duplicate clusters); quality by owner, lead source, source drill-down and "
        "CRM; the property usage audit (junk properties); consent, retention, job changes and "
        "lead status; the prune list's counts per action and reason. Written as one "
        "self-contained, owner-only file `reports/YYYY-MM.html`; counts only, no personal data."
    ),
)
@in_one_session
def hygiene_report(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    timer = StepTimer()
    with timer.step("read"):
        settings = load_health_settings(hygiene.root)  # a mistake fails the run, naming the key
        report = hygiene_report_engine.build_report(hygiene.store(), snapshot, settings)
    with timer.step("write"):
        path = hygiene_report_engine.write_report(report, hygiene.root / REPORTS_FOLDER)
    context.log.info(f"report written to {path}")
    return dg.MaterializeResult(
        check_results=_checks.results(hygiene, snapshot),
        metadata={
            "health_score": dg.MetadataValue.float(report.score or 0.0),
            # The first stored month has nothing to decay from: no number rather than a fake 0.
            **(
                {}
                if report.decay_rate is None
                else {"decay_rate": dg.MetadataValue.float(round(report.decay_rate, 4))}
            ),
            # Beside the score: the share the prune list keeps with no counted problem.
            "fine_as_is": dg.MetadataValue.float(round(report.fine_share or 0.0, 4)),
            "headline": dg.MetadataValue.md(hygiene_report_engine.headline_markdown(report)),
            "contacts": report.contacts,
            "health_settings": dg.MetadataValue.json(report.settings.describe()),
            "audit": dg.MetadataValue.md(hygiene_report_engine.audit_markdown(report)),
            "trend_chart": dg.MetadataValue.md(hygiene_report_engine.chart_markdown(report)),
            "trend": dg.MetadataValue.md(hygiene_report_engine.trend_markdown(report)),
            "prune_counts": dg.MetadataValue.md(hygiene_report_engine.prune_markdown(report)),
            "corrections": dg.MetadataValue.md(hygiene_report_engine.corrections_markdown(report)),
            # quality_by_owner/_lead_source/_source_detail/_crm, junk_properties, property_audit,
            # consent, retention, job_changes, lead_status
            **{
                key: dg.MetadataValue.md(text)
                for key, text in hygiene_report_engine.sections_markdown(report).items()
            },
            "report_path": dg.MetadataValue.path(str(path)),
            **timer.metadata(),
        },
    )
