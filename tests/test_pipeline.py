"""The whole graph on generated exports, two months, real DuckDB and a real DNS server.

Checks the table contract, that every raw row is accounted for in every stage, the safety
invariants of the prune list, and that a rerun of a month changes nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.definitions import defs
from assets.resources import HygieneResource
from hygiene_pipeline import schema
from hygiene_pipeline.sample_exports import write_sample_exports
from tests.dns_server import dnsmasq

PROJECT = Path(__file__).resolve().parent.parent
MONTHS = ["2026-09", "2026-10"]
ASSET_TABLES = {
    "normalized_contacts": schema.NORMALIZED_CONTACTS,
    "duplicate_clusters": schema.DUPLICATE_CLUSTERS,
    "validation_results": schema.VALIDATION_RESULTS,
    "prune_list": schema.PRUNE_LIST,
}
# Company domains that no longer exist: the zone leaves them out, so dnsmasq says NXDOMAIN.
DEAD_DOMAIN_SHARE = 10  # every tenth company domain


TEST_KEY = "integration-test-key-0123456789abcdef"  # a test secret, never a default


@pytest.fixture(scope="module", autouse=True)
def suppression_key():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HYGIENE_SUPPRESSION_KEY", TEST_KEY)
        yield


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hygiene-data")
    write_sample_exports(root / "exports", MONTHS, people=300, seed=11)
    return root


@pytest.fixture(scope="module")
def sample_dns(data_dir: Path):
    """dnsmasq answering MX for the sample's domains but a tenth of the company domains."""
    text = "".join(path.read_text(encoding="utf-8-sig") for path in data_dir.rglob("*.csv"))
    domains = sorted({d.lower().rstrip(".") for d in re.findall(r"@([\w.-]+\.[a-z]{2,})", text)})
    free_mail = {"gmail.com", "hotmail.com", "outlook.com", "gmx.de", "web.de", "orange.fr",
                 "free.fr", "laposte.net", "ziggo.nl", "kpnmail.nl", "telenet.be", "skynet.be",
                 "otenet.gr", "btinternet.com"}  # fmt: skip
    companies = [d for d in domains if d not in free_mail and "gmial" not in d]
    dead = set(companies[::DEAD_DOMAIN_SHARE])
    zone = ["mx-host=gmail.com,mx.gmail.com,10"] + [
        f"mx-host={domain},mx.{domain},10" for domain in domains if domain not in dead
    ]
    with dnsmasq(zone) as address:
        yield address, dead


def _materialize(data_dir: Path, nameservers: str, month: str) -> dg.ExecuteInProcessResult:
    assets = list(defs.assets or [])
    return dg.materialize(
        assets,
        partition_key=f"{month}-01",
        resources={"hygiene": HygieneResource(data_dir=str(data_dir), nameservers=nameservers)},
    )


def _tables(data_dir: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(data_dir / "hygiene.duckdb"), read_only=True) as con:
        names = ["raw_contacts", *ASSET_TABLES]
        return {name: con.execute(f"SELECT * FROM {name}").pl() for name in names}


@pytest.fixture(scope="module")
def materialized(data_dir: Path, sample_dns) -> dict[str, pl.DataFrame]:
    address, _ = sample_dns
    for month in MONTHS:
        assert _materialize(data_dir, address, month).success
    return _tables(data_dir)


def _data_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8-sig").splitlines()) - 1


def test_every_table_has_the_contract_columns_for_both_months(materialized):
    for name, contract in ASSET_TABLES.items():
        table = materialized[name]
        for column, dtype in contract.items():
            assert table.schema[column] == dtype, (name, column)
        assert set(table["snapshot"]) == {date(2026, 9, 1), date(2026, 10, 1)}, name
    raw = materialized["raw_contacts"]
    assert {"snapshot", "contact_id", "source_file", "source_row", "source_system",
            "Record ID", "Email", "Email hard bounce reason"} <= set(raw.columns)  # fmt: skip


def test_every_raw_row_is_accounted_for_in_every_stage(materialized, data_dir):
    raw = materialized["raw_contacts"]
    for month in MONTHS:
        snapshot = date.fromisoformat(f"{month}-01")
        files = list((data_dir / "exports" / month).glob("*.csv"))
        lines = sum(_data_lines(path) for path in files)
        month_raw = raw.filter(pl.col("snapshot") == snapshot)
        assert month_raw.height == lines
        for name in ("normalized_contacts", "validation_results"):
            month_rows = materialized[name].filter(pl.col("snapshot") == snapshot)
            assert sorted(month_rows["contact_id"]) == sorted(month_raw["contact_id"]), name
        for name in ("duplicate_clusters", "prune_list"):
            ids = set(materialized[name].filter(pl.col("snapshot") == snapshot)["contact_id"])
            assert ids <= set(month_raw["contact_id"]), name


def test_raw_values_are_verbatim(materialized, data_dir):
    path = data_dir / "exports" / "2026-10" / "hubspot-contacts-2026-10.csv"
    first_line = path.read_text(encoding="utf-8").splitlines()[1]
    raw = materialized["raw_contacts"].filter(
        (pl.col("snapshot") == date(2026, 10, 1)) & (pl.col("source_row") == 2)
    )
    assert raw["Record ID"][0] == first_line.split(",")[0]


def test_dns_verdicts_reach_the_prune_list(materialized, sample_dns):
    _, dead = sample_dns
    joined = materialized["validation_results"].join(
        materialized["normalized_contacts"], on=["snapshot", "contact_id"]
    )
    domain = pl.col("email").str.split("@").list.last()
    on_dead = joined.filter(domain.is_in(list(dead)))
    assert on_dead.height > 0
    assert set(on_dead["email_status"]) <= {"invalid", "risky"}  # risky: role@dead-domain
    assert "domain_not_found" in set(on_dead["email_reasons"].explode())
    statuses = set(joined["email_status"])
    assert {"valid", "invalid", "risky", "missing"} <= statuses
    assert "unknown" not in statuses  # the DNS server answered everything
    assert set(joined["phone_status"]) == set(schema.PHONE_STATUSES)


def test_prune_list_invariants(materialized):
    prune = materialized["prune_list"]
    contacts = materialized["normalized_contacts"]
    clusters = materialized["duplicate_clusters"]
    assert set(prune["action"]) == set(schema.PRUNE_ACTIONS)
    assert prune.filter(pl.col("reasons").list.len() == 0).height == 0
    protected = prune.join(contacts, on=["snapshot", "contact_id"]).filter(
        pl.col("lifecycle_stage").is_in(["customer", "evangelist", "opportunity"])
    )
    assert protected.height > 0
    assert set(protected["action"]) <= {"quarantine", "merge"}
    merges = prune.filter(pl.col("action") == "merge").join(clusters, on=["snapshot", "contact_id"])
    survivors = clusters.filter(pl.col("is_survivor")).select(
        "snapshot", "cluster_id", pl.col("contact_id").alias("merge_into")
    )
    assert merges.join(survivors, on=["snapshot", "cluster_id", "merge_into"]).height == (
        merges.height
    )
    assert prune.join(survivors, left_on=["snapshot", "contact_id"],
                      right_on=["snapshot", "merge_into"]).filter(
        pl.col("action") == "merge").height == 0  # fmt: skip
    per_cluster = clusters.group_by("snapshot", "cluster_id").agg(pl.col("is_survivor").sum())
    assert set(per_cluster["is_survivor"]) == {1}


def test_a_rerun_of_a_month_changes_nothing(materialized, data_dir, sample_dns):
    address, _ = sample_dns
    assert _materialize(data_dir, address, "2026-10").success
    after = _tables(data_dir)
    for name, before in materialized.items():
        assert after[name].height == before.height, name
        assert after[name].equals(before), name


def test_a_month_without_exports_fails_naming_the_folder(data_dir, sample_dns):
    address, _ = sample_dns
    result = dg.materialize(
        list(defs.assets or []),
        partition_key="2026-07-01",
        resources={"hygiene": HygieneResource(data_dir=str(data_dir), nameservers=address)},
        raise_on_error=False,
    )
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "no export folder for 2026-07" in failure
    assert str(data_dir / "exports" / "2026-07") in failure


def test_the_cli_materializes_a_month_from_a_folder_holding_only_a_hubspot_export(tmp_path):
    exports = tmp_path / "exports"
    write_sample_exports(exports, ["2026-10"], people=120, seed=3)
    env = {**os.environ, "HYGIENE_DATA_DIR": str(tmp_path), "HYGIENE_NAMESERVERS": "off",
           "DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "HYGIENE_SUPPRESSION_KEY": TEST_KEY}  # fmt: skip
    (tmp_path / "dagster_home").mkdir()
    command = [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "assets.definitions",
               "--select", "*", "--partition", "2026-10-01"]  # fmt: skip
    counts = []
    for _ in range(2):  # the second run is a rerun: every count stays the same
        done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        tables = _tables(tmp_path)
        counts.append({name: frame.height for name, frame in tables.items()})
    assert counts[0] == counts[1]
    assert counts[0]["raw_contacts"] == counts[0]["normalized_contacts"]
    assert counts[0]["raw_contacts"] == counts[0]["validation_results"]
    # Network checks off: nothing is condemned for DNS, only for syntax.
    reasons = set(tables["validation_results"]["email_reasons"].explode().drop_nulls())
    assert "domain_not_found" not in reasons
    assert "network_checks_off" in reasons
