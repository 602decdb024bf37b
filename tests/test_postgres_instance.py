"""A backfill against a Dagster instance stored in a real PostgreSQL server, with the daemon.

The first step past one machine (docs/scaling.md): the same code location, with the instance's
runs, event logs and schedules in PostgreSQL (dagster-postgres) instead of SQLite files under
DAGSTER_HOME, and the same run queue (one run of the code location at a time: DuckDB has one
writer). The test starts its own server from Debian's postgresql package (scripts/test.sh installs
it) on a free 127.0.0.1 port, in a temporary data directory, as the `postgres` user when the tests
run as root. Without the server binaries the test fails: CI must run it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
import pytest
import yaml

from hygiene_pipeline.sample_exports import write_sample_exports
from tests.dagster_server import (
    PROJECT,
    dagster_dev,
    free_port,
    stop_process_group,
    wait_until_up,
)

MONTHS = ["2026-08", "2026-09", "2026-10"]
ASSETS = ["raw_contacts", "normalized_contacts", "duplicate_clusters", "validation_results",
          "prune_list", "crm_import_files", "hygiene_report"]  # fmt: skip

# The instance's dagster.yaml, as shown in docs/scaling.md: storage in PostgreSQL (the password,
# host and port from the environment), and the project's run queue (dagster_home/dagster.yaml).
INSTANCE_YAML = """\
storage:
  postgres:
    postgres_db:
      hostname:
        env: DAGSTER_PG_HOST
      port:
        env: DAGSTER_PG_PORT
      db_name: dagster
      username: dagster
      password:
        env: DAGSTER_PG_PASSWORD
      # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; dagster-postgres brings psycopg2.
      scheme: postgresql+psycopg2
concurrency:
  runs:
    max_concurrent_runs: 4
    tag_concurrency_limits:
      - key: "dagster/code_location"
        value:
          applyLimitPerUniqueValue: true
        limit: 1
telemetry:
  enabled: false
"""


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    password: str
    db_name: str

    def connect(self, db_name: str | None = None):
        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            dbname=db_name or self.db_name, connect_timeout=5,
        )  # fmt: skip


def _server_binaries() -> Path:
    """The newest /usr/lib/postgresql/N/bin with initdb and postgres (Debian's layout)."""
    versions = []
    lib = Path("/usr/lib/postgresql")
    if lib.is_dir():
        for entry in lib.iterdir():
            binaries = entry / "bin"
            if entry.name.isdigit() and all(
                (binaries / tool).is_file() for tool in ("initdb", "postgres")
            ):
                versions.append((int(entry.name), binaries))
    if not versions:
        pytest.fail(
            "PostgreSQL server binaries (initdb, postgres) not found under "
            "/usr/lib/postgresql/<version>/bin: install Debian's postgresql package "
            "(`apt-get install -y postgresql`; scripts/test.sh does it)",
            pytrace=False,
        )
    return max(versions)[1]


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A throwaway PostgreSQL server on 127.0.0.1 with a password-protected `dagster` database."""
    binaries = _server_binaries()
    root = Path(tempfile.mkdtemp(prefix="hygiene-pg-"))  # not under pytest's root-only tmp dir
    as_user: dict = {}
    if os.geteuid() == 0:  # the server refuses to run as root
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("no `postgres` user: install Debian's postgresql package", pytrace=False)
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
    password = secrets.token_hex(16)
    pwfile = root / "password"
    pwfile.write_text(password + "\n")
    if as_user:
        os.chown(pwfile, as_user["user"], as_user["group"])
    data = root / "data"
    init = subprocess.run(
        [binaries / "initdb", "-D", data, "-U", "dagster", f"--pwfile={pwfile}", "-E", "UTF8",
         "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, **as_user,
    )  # fmt: skip
    pwfile.unlink()
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stdout[-2000:]}{init.stderr[-2000:]}")
    port = free_port()
    log_path = root / "postgres.log"
    log = log_path.open("wb")
    # A throwaway server: no fsync. Unix sockets stay in the temp dir, TCP only on 127.0.0.1.
    process = subprocess.Popen(
        [binaries / "postgres", "-D", data, "-p", str(port), "-k", root,
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
         "-c", "full_page_writes=off", "-c", "max_connections=100"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        **as_user,
    )  # fmt: skip
    server = Postgres("127.0.0.1", port, "dagster", password, "dagster")
    try:

        def create_database() -> None:
            with contextlib.closing(server.connect("postgres")) as con:
                con.autocommit = True
                with con.cursor() as cur:
                    cur.execute("CREATE DATABASE dagster")

        wait_until_up(create_database, psycopg2.OperationalError, process, log_path, timeout=60)
        yield server
    finally:
        # SIGINT is PostgreSQL's fast shutdown; the whole process group goes, backends included.
        stop_process_group(process, signal.SIGINT)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _query(server: Postgres, sql: str, params: tuple = ()) -> list[tuple]:
    with contextlib.closing(server.connect()) as con, con.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_backfill_on_an_instance_stored_in_postgresql(tmp_path):
    write_sample_exports(tmp_path / "exports", MONTHS, people=50, seed=21)
    # The generated months never apply their own prune lists, so deletions pile up past the 30%
    # ceiling; that check has its own tests, this one is about the instance.
    (tmp_path / "prune_policy.yaml").write_text("max_delete_share: 1.0\n")
    home = tmp_path / "dagster_home"
    with postgres_server() as pg:
        env = {"HYGIENE_NAMESERVERS": "off", "HYGIENE_SUPPRESSION_KEY": "postgres-test-key-0123456",
               "DAGSTER_PG_HOST": pg.host, "DAGSTER_PG_PORT": str(pg.port),
               "DAGSTER_PG_PASSWORD": pg.password}  # fmt: skip
        with dagster_dev(tmp_path, home, env, instance_yaml=INSTANCE_YAML) as server:
            server.job_backfill("--from", f"{MONTHS[0]}-01", "--to", f"{MONTHS[-1]}-01")
            runs = server.wait_for_runs(len(MONTHS), timeout=240)
            assert {run["status"] for run in runs} == {"SUCCESS"}, runs
            log = (home / "dagster-dev.log").read_text(errors="replace")
            assert "Could not set lock" not in log and "is locked" not in log

        # Dagster is stopped: what it recorded is in PostgreSQL, not in SQLite files in its home.
        assert not [p for p in home.rglob("*") if p.suffix == ".db" or p.name.endswith(".sqlite")]
        rows = _query(
            pg,
            "SELECT partition, status, backfill_id, start_time, end_time FROM runs "
            "WHERE pipeline_name = %s ORDER BY start_time",
            ("monthly_hygiene_job",),
        )
        assert sorted(row[0] for row in rows) == [f"{m}-01" for m in MONTHS]
        assert {row[1] for row in rows} == {"SUCCESS"}
        backfill_ids = {row[2] for row in rows}
        assert len(backfill_ids) == 1 and None not in backfill_ids, rows
        # The run queue on PostgreSQL still lets one run of the code location go at a time.
        for earlier, later in itertools.pairwise(rows):
            assert later[3] >= earlier[4], f"runs overlapped: {rows}"
        (backfill_id,) = backfill_ids
        ((status,),) = _query(pg, "SELECT status FROM bulk_actions WHERE key = %s", (backfill_id,))
        assert status in ("COMPLETED", "COMPLETED_SUCCESS")
        materialized = _query(
            pg,
            "SELECT asset_key, count(DISTINCT run_id) FROM event_logs "
            "WHERE dagster_event_type = 'ASSET_MATERIALIZATION' GROUP BY asset_key",
        )
        assert {re.sub(r'[\["\]]', "", key): n for key, n in materialized} == {
            name: len(MONTHS) for name in ASSETS
        }
        # The CLI only queued a backfill (bulk_actions); the daemon's backfill and run-queue
        # loops made and launched the runs, and their heartbeats are in the same database.
        daemons = {row[0] for row in _query(pg, "SELECT daemon_type FROM daemon_heartbeats")}
        assert {"BACKFILL", "QUEUED_RUN_COORDINATOR"} <= daemons, daemons
        # Schedule and sensor state too: the stopped sensor is a row in PostgreSQL.
        assert _query(
            pg, "SELECT status FROM instigators WHERE instigator_body LIKE %s",
            ('%"new_exports_sensor"%',),
        ) == [("STOPPED",)]  # fmt: skip

    with duckdb.connect(str(tmp_path / "hygiene.duckdb"), read_only=True) as con:
        stored = [str(r[0])[:7] for r in con.execute(
            "SELECT DISTINCT snapshot FROM prune_list ORDER BY 1").fetchall()]  # fmt: skip
    assert stored == MONTHS


def test_postgres_instance_keeps_the_projects_run_queue():
    project = yaml.safe_load((PROJECT / "dagster_home" / "dagster.yaml").read_text())
    assert yaml.safe_load(INSTANCE_YAML)["concurrency"] == project["concurrency"]


def test_scaling_doc_shows_the_tested_instance_yaml():
    assert INSTANCE_YAML in (PROJECT / "docs" / "scaling.md").read_text()
