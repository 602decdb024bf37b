"""No email, phone number or name in plain text in Dagster's event logs, run logs or metadata.

A real run of the whole graph on a sample month, with a real instance (DAGSTER_HOME); then every
byte Dagster stored (sqlite event and run storage, compute logs) and everything the run printed is
searched for the sample's personal data and for the suppression key.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

from hygiene_pipeline.normalize.phone_placeholders import placeholder_pattern
from hygiene_pipeline.normalize.phones import to_e164
from hygiene_pipeline.sample_exports import write_sample_exports

PROJECT = Path(__file__).resolve().parent.parent
KEY = "pii-scan-test-key-7f3a9c1e5b"


def _personal_values(export: Path) -> set[str]:
    """Emails, phone numbers (as typed and E.164) and full names of the export's people."""
    found: set[str] = set()
    with export.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            email = row["Email"].strip().lower().removeprefix("mailto:")
            if "@" in email:
                found.add(email)
            for column in ("Phone Number", "Mobile Phone Number"):
                typed = row[column].strip()
                # A placeholder such as 0000000000 is nobody's number (the report names one).
                if len(re.sub(r"\D", "", typed)) >= 8 and not placeholder_pattern(typed):
                    found.add(typed)
                    e164, _ = to_e164(typed, "NL")
                    if e164:
                        found.add(e164)
            first, last = row["First Name"].strip(), row["Last Name"].strip()
            if len(first) > 2 and len(last) > 2:
                found.add(f"{first} {last}")
    return found


def test_a_runs_logs_and_metadata_hold_no_personal_data(tmp_path):
    (exports,) = write_sample_exports(tmp_path / "exports", ["2026-10"], people=200, seed=21)
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**os.environ, "HYGIENE_DATA_DIR": str(tmp_path), "HYGIENE_NAMESERVERS": "off",
           "DAGSTER_HOME": str(home), "HYGIENE_SUPPRESSION_KEY": KEY}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "assets.definitions",
         "--select", "*", "--partition", "2026-10-01"],
        cwd=PROJECT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    stored = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.suffix == ".db" for path in stored)  # the event log was really written
    text = (done.stdout + done.stderr).lower() + "\n".join(
        path.read_bytes().decode("utf-8", "replace").lower() for path in stored
    )
    assert "raw_contacts" in text and "prune_list" in text  # materializations are in there
    personal = _personal_values(exports)
    assert len(personal) > 300
    leaked = sorted(value for value in personal if value.lower() in text)
    assert leaked == []
    assert KEY.lower() not in text
