"""Screening a list before it enters the CRM: a job of one op, started by a sensor.

A file dropped in `$HYGIENE_DATA_DIR/screening/` is screened against the latest stored month
(`hygiene_pipeline.screening`): `out/screening/<file>/accept.csv`, `already-in-crm.csv`,
`reject.csv`. Why a job of ops and not an asset: a list is not a month. As an asset it would need
a partitioning of its own, and Dagster refuses `dagster asset materialize --select '*'
--partition YYYY-MM-01` when the selection mixes partitionings: that monthly command must keep
working for the users and scripts that run it. The job sits beside the assets and touches none.
"""

import dagster as dg

from assets.resources import HygieneResource, in_one_session
from assets.sensors import interval_seconds
from hygiene_pipeline.crm_files.action_files import write_file_set
from hygiene_pipeline.dedupe.config import load_dedupe_config
from hygiene_pipeline.ingest.column_mapping import MAPPINGS_FOLDER, load_mappings
from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.ingest.limits import load_limits
from hygiene_pipeline.ingest.month_exports import SUPPORTED_SUFFIXES, is_export_candidate
from hygiene_pipeline.ingest.watch import file_sha256
from hygiene_pipeline.months import month_end
from hygiene_pipeline.prune.suppression import suppression_key
from hygiene_pipeline.screening.screen import latest_month, screen_list
from hygiene_pipeline.validate.dns_cache import with_cache
from hygiene_pipeline.validate.dns_check import DomainChecker

SCREENING_FOLDER = "screening"
INTERVAL_ENV = "HYGIENE_SCREENING_INTERVAL_SECONDS"


class ScreenConfig(dg.Config):
    file: str  # a file name in $HYGIENE_DATA_DIR/screening/


@dg.op(description="Screen one list against the latest stored month; write its three files.")
@in_one_session
def screen_list_file(
    context: dg.OpExecutionContext, config: ScreenConfig, hygiene: HygieneResource
) -> dict:
    folder = hygiene.root / SCREENING_FOLDER
    path = folder / config.file
    if path.parent != folder or not path.is_file():
        raise ExportError(f"{config.file} is not a file in {folder}: drop the list there.")
    store = hygiene.store()
    month = latest_month(store)
    if month is None:
        raise ExportError(
            "no month is stored yet: run a month of exports first, then screen lists against it."
        )
    checker = with_cache(DomainChecker.from_env(hygiene.nameserver_setting), store)
    screening = screen_list(
        path,
        store=store,
        snapshot=month,
        today=month_end(month),
        domain_checker=checker,
        suppression_key=suppression_key(),
        mappings=load_mappings(hygiene.root / MAPPINGS_FOLDER),
        limits=load_limits(hygiene.root),
        dedupe_config=load_dedupe_config(hygiene.root / "dedupe.yaml"),
    )
    out = hygiene.root / "out" / SCREENING_FOLDER / path.stem
    # For the CRM's importer: written as they are (built without a formula-like value).
    counts = write_file_set(
        screening.files(), out, verbatim=frozenset({"accept.csv", "already-in-crm.csv"})
    )
    context.log.info(
        f"screened {config.file} against {month:%Y-%m}: "
        + ", ".join(f"{name} {rows}" for name, rows in counts.items())
    )
    context.add_output_metadata(
        {"file": config.file, "month": month.isoformat(), "folder": str(out), **counts}
    )
    return counts


@dg.job(
    description="Screen a list in screening/ against the latest stored month, before import.",
    tags={"hygiene/kind": "screening"},
)
def screening_job() -> None:
    screen_list_file()


@dg.sensor(
    job=screening_job,
    minimum_interval_seconds=interval_seconds(INTERVAL_ENV, default=60),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Screens every new or changed file in screening/ (a run per file; the run key is the "
        "file's name and content hash, so a file is screened once)."
    ),
)
def new_screening_files_sensor(
    context: dg.SensorEvaluationContext, hygiene: HygieneResource
) -> dg.SensorResult:
    folder = hygiene.root / SCREENING_FOLDER
    if not folder.is_dir():
        return dg.SensorResult(skip_reason=f"no {SCREENING_FOLDER}/ folder in {hygiene.root}")
    requests = []
    for path in sorted(folder.iterdir()):
        if not is_export_candidate(path) or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        fingerprint = file_sha256(path)
        requests.append(
            dg.RunRequest(
                run_key=f"{path.name}:{fingerprint[:16]}",
                run_config={"ops": {"screen_list_file": {"config": {"file": path.name}}}},
                tags={"hygiene/list": path.name},
            )
        )
    return dg.SensorResult(run_requests=requests)
