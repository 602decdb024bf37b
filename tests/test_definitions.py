"""The code location loads, its graph is the documented one, its schedules pick the right month."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import dagster as dg

from assets.definitions import defs
from assets.schedules import quarterly_schedule
from tests.builders import EXPECTED_UPSTREAM

PROJECT = Path(__file__).resolve().parent.parent
ASSETS = ["raw_contacts", "normalized_contacts", "duplicate_clusters", "validation_results",
          "prune_list", "crm_import_files", "hygiene_report"]  # fmt: skip


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_the_graph_is_raw_to_prune_list_and_every_asset_is_monthly():
    graph = defs.resolve_asset_graph()
    upstream = {key.path[-1]: {p.path[-1] for p in graph.get(key).parent_keys}
                for key in graph.get_all_asset_keys()}  # fmt: skip
    assert upstream == EXPECTED_UPSTREAM
    self_dep = graph.get(dg.AssetKey("prune_list")).partition_mappings[dg.AssetKey("prune_list")]
    assert self_dep.start_offset == self_dep.end_offset == -1
    for key in graph.get_all_asset_keys():
        partitions = graph.get(key).partitions_def
        assert isinstance(partitions, dg.MonthlyPartitionsDefinition)
        assert partitions.start.strftime("%Y-%m-%d") == "2024-01-01"


def test_each_asset_lives_in_the_module_named_after_it():
    for name in ASSETS:
        tree = ast.parse((PROJECT / "assets" / f"{name}.py").read_text())
        functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
        assert name in functions


def test_monthly_schedule_is_on_and_requests_the_month_just_ended():
    schedule = defs.resolve_schedule_def("monthly_hygiene_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 1, 3, 0))
    requests = schedule.evaluate_tick(context).run_requests
    assert [request.partition_key for request in requests] == ["2026-10-01"]


def test_quarterly_schedule_is_off_and_requests_the_quarters_last_month():
    schedule = defs.resolve_schedule_def("quarterly_hygiene_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 3 1 1,4,7,10 *"
    for moment, expected in [(datetime(2026, 10, 1, 3), "2026-09-01"),
                             (datetime(2027, 1, 1, 3), "2026-12-01")]:  # fmt: skip
        request = quarterly_schedule(dg.build_schedule_context(scheduled_execution_time=moment))
        assert request.partition_key == expected
