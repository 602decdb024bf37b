"""A process that ran a step skips the garbage collections at exit (assets.process_exit)."""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

SCRIPT = """
import atexit, gc, sys
# Registered first, so it runs last (atexit runs last in, first out): what the exit sees. The
# count at start is not always 0 (CPython 3.12 starts with some objects frozen).
at_start = gc.get_freeze_count()
atexit.register(lambda: print("frozen" if gc.get_freeze_count() > at_start else "not frozen"))
from assets.resources import HygieneResource, in_one_session

@in_one_session
def step(hygiene):
    return "ran"

if sys.argv[2] == "steps":
    hygiene = HygieneResource(data_dir=sys.argv[1])
    print(step(hygiene=hygiene), step(hygiene=hygiene))
"""


@pytest.mark.parametrize(
    ("steps", "printed"), [("steps", ["ran ran", "frozen"]), ("none", ["not frozen"])]
)
def test_the_heap_is_frozen_at_exit_only_in_a_process_that_ran_steps(tmp_path, steps, printed):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), steps],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == printed
