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
from collections.abc import Iterator
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
def dagster_dev(data_dir: Path, home: Path, extra_env: dict[str, str]) -> Iterator[DagsterServer]:
    """`dagster dev` over `data_dir`, with the project's dagster.yaml in a fresh `home`."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "HYGIENE_DATA_DIR": str(data_dir),
           **extra_env}  # fmt: skip
    log = (home / "dagster-dev.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    server = DagsterServer(f"http://127.0.0.1:{port}", home, env)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/server_info", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "dagster dev did not start: "
                        + (home / "dagster-dev.log").read_text()[-3000:]
                    ) from None
                time.sleep(1)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()
