"""The code location loads, its graph is the documented one, its schedules pick the right month."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg

from assets.definitions import defs
from assets.schedules import monthly_schedule, quarterly_schedule
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


def test_each_asset_lives_in_the_module_named_after_it_with_its_checks():
    for name in ASSETS:
        tree = ast.parse((PROJECT / "assets" / f"{name}.py").read_text())
        functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
        assert name in functions
    # Every check is written in its asset's module and runs in the asset's own step.
    assert not defs.asset_checks
    graph = defs.resolve_asset_graph()
    for name in ASSETS:
        module = importlib.import_module(f"assets.{name}")
        written = {spec.name for spec in module._checks.specs}
        written |= set(getattr(module, "_CHECKS", ()))  # prune_list's in-line safety checks
        run = {key.name for key in graph.get_check_keys_for_assets({dg.AssetKey(name)})}
        assert written == run, name
        assert all(check.__module__ == module.__name__ for _, check in module._checks.checks)


def _dg(*args: str) -> subprocess.CompletedProcess:
    """The `dg` CLI of this venv, run from the project root as a user would."""
    dg_cli = Path(sys.executable).parent / "dg"
    return subprocess.run(
        [str(dg_cli), *args], cwd=PROJECT, capture_output=True, text=True, timeout=180
    )


def test_dg_check_defs_passes():
    result = _dg("check", "defs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_dg_list_defs_shows_the_graph_the_checks_and_the_automation():
    result = _dg("list", "defs", "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert {asset["asset_key"] for asset in listed["assets"]} == set(ASSETS)
    checked = {check["asset_key"] for check in listed["asset_checks"]}
    assert checked == set(ASSETS)
    assert {s["name"] for s in listed["schedules"]} == {
        "monthly_hygiene_schedule",
        "quarterly_hygiene_schedule",
    }
    assert {s["name"] for s in listed["sensors"]} == {
        "new_exports_sensor",
        "new_screening_files_sensor",
        "monthly_summary_notification",
        "run_failure_notification",
    }
    assert {j["name"] for j in listed["jobs"]} >= {"monthly_hygiene_job", "screening_job"}


def test_monthly_schedule_is_on_and_requests_the_month_just_ended():
    schedule = defs.resolve_schedule_def("monthly_hygiene_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 1, 3, 0))
    request = monthly_schedule(context)
    assert (request.partition_key, request.run_key) == ("2026-10-01", "2026-10-01")
    assert schedule.cron_schedule == "0 3 1 * *"


def test_quarterly_schedule_is_off_and_requests_the_quarters_last_month():
    schedule = defs.resolve_schedule_def("quarterly_hygiene_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 3 1 1,4,7,10 *"
    for moment, expected in [(datetime(2026, 10, 1, 3), "2026-09-01"),
                             (datetime(2027, 1, 1, 3), "2026-12-01")]:  # fmt: skip
        request = quarterly_schedule(dg.build_schedule_context(scheduled_execution_time=moment))
        assert request.partition_key == expected
