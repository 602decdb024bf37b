"""The code location: the hygiene assets with their checks; the monthly and the screening job; two
schedules; sensors for new exports, new lists to screen and notifications.

Each asset's module holds the asset and its checks. Runs execute in process and the instance
(dagster_home/dagster.yaml) runs one at a time per code location, because DuckDB allows a single
writer; backfills from the UI honour both.
"""

import dagster as dg

from assets import (
    crm_import_files,
    duplicate_clusters,
    hygiene_report,
    normalized_contacts,
    prune_list,
    raw_contacts,
    validation_results,
)
from assets.notifications import monthly_summary_notification, run_failure_notification
from assets.resources import HygieneResource
from assets.schedules import monthly_hygiene_job, monthly_schedule, quarterly_schedule
from assets.screening import new_screening_files_sensor, screening_job
from assets.sensors import new_exports_sensor

# In the order of the graph: raw export to prune list, then the files and the report.
ASSET_MODULES = [
    raw_contacts,
    normalized_contacts,
    duplicate_clusters,
    validation_results,
    prune_list,
    crm_import_files,
    hygiene_report,
]

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(ASSET_MODULES),
    asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
    jobs=[monthly_hygiene_job, screening_job],
    schedules=[monthly_schedule, quarterly_schedule],
    sensors=[
        new_exports_sensor,
        new_screening_files_sensor,
        monthly_summary_notification,
        run_failure_notification,
    ],
    resources={"hygiene": HygieneResource()},
    executor=dg.in_process_executor,
)
