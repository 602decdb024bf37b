"""A process that ran pipeline steps skips the interpreter's garbage collections at exit.

When a run's process ends, Python tears its modules down and collects garbage between the stages.
After a month's `dagster asset materialize` those collections took 0.6-0.9 s (py-spy, issue 18),
5% of the 100k benchmark month, for nothing: the operating system takes the memory back. So the
first step of a process registers `gc.freeze` to run at exit, which moves every object out of the
collector's reach. Nothing a run leaves waits for a collection: each step closes its DuckDB
connection (`HygieneStore.session`), writers close their files, and Dagster stores every event as
it happens. (Python does not promise to finalize the objects still alive at exit either.)
"""

import atexit
import functools
import gc


@functools.cache
def skip_collections_at_exit() -> None:
    """Register the freeze once per process; every step calls this."""
    atexit.register(gc.freeze)
