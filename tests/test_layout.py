"""The tree shows the pipeline, and stays that way.

The engine never imports Dagster or the Dagster layer; a stage package imports only earlier
stages and the shared modules at the top, never a later stage; every stage says what it takes and
gives. A reader who follows the asset graph finds each stage in the package named after it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "hygiene_pipeline"
SHARED = {"store", "schema", "months", "masking"}
# Each stage, with the stages it may import: the order of the asset graph.
EARLIER: dict[str, set[str]] = {
    "ingest": set(),
    "normalize": {"ingest"},
    "dedupe": {"ingest", "normalize"},
    "validate": {"ingest", "normalize"},
    "prune": {"ingest", "normalize", "dedupe", "validate"},
    "report": {"ingest", "normalize", "dedupe", "validate", "prune"},
    "crm_files": {"ingest", "normalize", "dedupe", "validate", "prune"},
    # Screening a list before import runs the month's stages on it and writes CRM files.
    "screening": {"ingest", "normalize", "dedupe", "validate", "prune", "crm_files"},
}
# The sample generator is a tool beside the pipeline: it writes exports, it reads none of it.
TOOLS = {"sample_exports"}


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, at the top or inside a function."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "hygiene_pipeline":  # from hygiene_pipeline import schema
                names += [f"hygiene_pipeline.{alias.name}" for alias in node.names]
            else:
                names.append(node.module)
    return names


def _engine_part(module: str) -> str | None:
    """The stage package or shared module a `hygiene_pipeline...` import names."""
    parts = module.split(".")
    return parts[1] if parts[0] == "hygiene_pipeline" and len(parts) > 1 else None


def test_the_top_of_the_engine_is_the_stages_the_shared_modules_and_the_tools():
    packages = {path.name for path in ENGINE.iterdir() if (path / "__init__.py").exists()}
    modules = {path.stem for path in ENGINE.glob("*.py")} - {"__init__"}
    assert packages == set(EARLIER) | TOOLS
    assert modules == SHARED


def test_the_engine_never_imports_dagster_or_the_dagster_layer():
    for path in ENGINE.rglob("*.py"):
        for name in _imports(path):
            assert name.split(".")[0] not in ("dagster", "assets"), f"{path} imports {name}"


@pytest.mark.parametrize("stage", sorted(EARLIER))
def test_a_stage_imports_only_earlier_stages_and_shared_modules(stage: str):
    allowed = EARLIER[stage] | {stage} | SHARED
    for path in (ENGINE / stage).rglob("*.py"):
        for name in _imports(path):
            part = _engine_part(name)
            assert part is None or part in allowed, (
                f"{path.relative_to(ENGINE.parent)} imports {name}: stage {stage} may use "
                f"only {sorted(allowed)}"
            )


def test_shared_modules_import_no_stage():
    for module in SHARED:
        for name in _imports(ENGINE / f"{module}.py"):
            part = _engine_part(name)
            assert part is None or part in SHARED, f"{module}.py imports {name}"


@pytest.mark.parametrize("stage", sorted(EARLIER))
def test_every_stage_says_what_it_takes_and_gives(stage: str):
    docstring = ast.get_docstring(ast.parse((ENGINE / stage / "__init__.py").read_text()))
    assert docstring and "Takes" in docstring and "Gives" in docstring
