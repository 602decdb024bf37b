"""A real `dagster dev` (webserver and daemon) on 127.0.0.1 for tests, with a temporary instance.

Started in its own process group (setsid) and stopped by group: a plain background start ignored
SIGTERM here. Talks to the webserver's GraphQL endpoint, as the UI does.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
_UNFINISHED = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "MANAGED", "CANCELING")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DagsterServer:
    url: str
    home: Path
    env: dict[str, str]

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        if answer.get("errors"):
            raise RuntimeError(f"GraphQL errors: {answer['errors']}")
        return answer["data"]

    def job_backfill(self, *selection: str, timeout: float = 300) -> None:
        """Queue a backfill of the monthly job as a user types it (`--from A --to B`, or
        `--partitions P`); the daemon launches its runs. A CLI error fails the test."""
        done = subprocess.run(
            [sys.executable, "-m", "dagster", "job", "backfill", "-w", "workspace.yaml",
             "-j", "monthly_hygiene_job", *selection, "--noprompt"],
            cwd=PROJECT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"job backfill failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")

    def runs(self) -> list[dict]:
        data = self.graphql(
            "{ runsOrError(limit: 200) { ... on Runs { results { runId status "
            "tags { key value } } } } }"
        )
        return data["runsOrError"]["results"]

    def wait_for_runs(self, count: int, timeout: float = 600) -> list[dict]:
        """Wait until at least `count` runs exist and none is queued, starting or running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self.runs()
            busy = [r for r in runs if r["status"] in _UNFINISHED]
            if len(runs) >= count and not busy:
                return runs
            time.sleep(2)
        raise TimeoutError(f"runs did not finish in {timeout} s: {self.runs()}")


@contextlib.contextmanager
def dagster_dev(
    data_dir: Path,
    home: Path,
    extra_env: dict[str, str],
    *,
    instance_yaml: str | None = None,
    stopped_sensors: Sequence[str] = ("new_exports_sensor",),
) -> Iterator[DagsterServer]:
    """`dagster dev` over `data_dir`, with the project's dagster.yaml in a fresh `home`.

    `instance_yaml`, when given, is written as the instance's dagster.yaml instead (for example
    an instance stored in PostgreSQL). `stopped_sensors` are stopped in the instance before the
    daemon starts: the exports sensor would otherwise launch a run for every month by itself and
    mix its runs with the ones a test launches.
    """
    home.mkdir(parents=True, exist_ok=True)
    if instance_yaml is None:
        shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    else:
        (home / "dagster.yaml").write_text(instance_yaml)
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "HYGIENE_DATA_DIR": str(data_dir),
           **extra_env}  # fmt: skip
    for sensor in stopped_sensors:
        stopped = subprocess.run(
            [sys.executable, "-m", "dagster", "sensor", "stop", sensor, "-w", "workspace.yaml"],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if stopped.returncode != 0:
            raise RuntimeError(f"could not stop {sensor}: {stopped.stderr[-2000:]}")
    log = (home / "dagster-dev.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    server = DagsterServer(f"http://127.0.0.1:{port}", home, env)
    try:

        def answers() -> None:
            with urllib.request.urlopen(f"{server.url}/server_info", timeout=2):
                pass

        wait_until_up(answers, OSError, process, home / "dagster-dev.log", timeout=120)
        yield server
    finally:
        stop_process_group(process, signal.SIGTERM)
        log.close()


def wait_until_up(
    probe: Callable[[], None],
    errors: type[Exception] | tuple[type[Exception], ...],
    process: subprocess.Popen,
    log: Path,
    *,
    timeout: float,
) -> None:
    """Call `probe` until it stops raising `errors`; a server that exits or stays silent past
    `timeout` fails the test with the end of its log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            probe()
            return
        except errors:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{process.args[:4]} did not start: " + log.read_text(errors="replace")[-3000:]
                ) from None
            time.sleep(0.5)


def stop_process_group(process: subprocess.Popen, first: signal.Signals) -> None:
    """Send `first` to a server started with start_new_session, then SIGKILL after 30 s: a
    server's children (daemon, code servers, run workers) go with it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, first)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
