"""The code location: the hygiene assets, one job, two schedules, one resource.

Runs execute in process and the instance (dagster_home/dagster.yaml) runs one at a time per code
location, because DuckDB allows a single writer; backfills from the UI honour both.
"""

import dagster as dg

from assets.checks import ALL_CHECKS
from assets.crm_import_files import crm_import_files
from assets.duplicate_clusters import duplicate_clusters
from assets.hygiene_report import hygiene_report
from assets.normalized_contacts import normalized_contacts
from assets.prune_list import prune_list
from assets.raw_contacts import every_export_row_accounted_for, raw_contacts
from assets.resources import HygieneResource
from assets.schedules import monthly_hygiene_job, monthly_schedule, quarterly_schedule
from assets.sensors import new_exports_sensor
from assets.validation_results import validation_results

defs = dg.Definitions(
    assets=[
        raw_contacts,
        normalized_contacts,
        duplicate_clusters,
        validation_results,
        prune_list,
        crm_import_files,
        hygiene_report,
    ],
    asset_checks=[every_export_row_accounted_for, *ALL_CHECKS],
    jobs=[monthly_hygiene_job],
    schedules=[monthly_schedule, quarterly_schedule],
    sensors=[new_exports_sensor],
    resources={"hygiene": HygieneResource()},
    executor=dg.in_process_executor,
)
