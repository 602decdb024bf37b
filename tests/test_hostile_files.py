"""Hostile and broken files: one enormous line is rejected, not loaded, with bounded memory."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date

import pytest

from hygiene_pipeline.ingest.bounded_read import read_bounded
from hygiene_pipeline.ingest.month_exports import ExportError, read_month

OCT = date(2026, 10, 1)
HEADER = b"Record ID,First Name,Last Name,Email\n"
ROWS = [b"1001,Anouk,Visser,anouk.visser@ziggo.nl\n", b"1002,Sven,de Graaf,sven@ziggo.nl\n"]


def test_overlong_lines_become_placeholders_and_the_rest_is_kept_byte_for_byte(tmp_path):
    path = tmp_path / "x.csv"
    original = HEADER + ROWS[0] + b"9," + b"A" * 500 + b"\n" + ROWS[1] + b"B" * 300
    path.write_bytes(original)
    bounded = read_bounded(path, max_line_bytes=200)
    assert bounded.fingerprint == hashlib.sha256(original).hexdigest()
    lines = bounded.data.split(b"\n")
    assert (
        lines[0] + b"\n" == HEADER and lines[1] + b"\n" == ROWS[0] and lines[3] + b"\n" == ROWS[1]
    )
    assert [(o.line, o.size, o.head[:4]) for o in bounded.overlong] == [
        (3, 502, b"9,AA"),
        (5, 300, b"BBBB"),  # the last line, without a line break
    ]
    assert bounded.overlong_in(lines[2].decode()) == bounded.overlong[0]
    assert bounded.overlong_in("1001,Anouk") is None


def test_an_enormous_line_is_one_rejected_row_and_the_others_load(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    huge = b"1003,Huge," + b"x" * (5 * 1024 * 1024) + b",huge@ziggo.nl\n"
    (folder / "export.csv").write_bytes(HEADER + ROWS[0] + huge + ROWS[1])
    month = read_month(tmp_path, OCT)
    assert month.raw["contact_id"].to_list() == ["1001", "1002"]
    (rejected,) = month.rejected.iter_rows(named=True)
    assert rejected["line"] == 3 and rejected["source_row"] == 3
    assert rejected["reason"].startswith("line of 5,242,904 bytes, longer than the 4,194,304")
    assert rejected["raw_text"].startswith("1003,Huge,xxx") and len(rejected["raw_text"]) < 1100
    (file,) = month.files_frame().iter_rows(named=True)
    assert (file["data_lines"], file["loaded_rows"], file["rejected_rows"]) == (3, 2, 1)


def test_a_header_line_of_megabytes_is_refused_as_not_a_csv(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    (folder / "binary.csv").write_bytes(b"\x89PNG" + b"\x01" * (5 * 1024 * 1024))
    with pytest.raises(ExportError, match="header line is 5,242,884 bytes long"):
        read_month(tmp_path, OCT)


_MEASURE = """
import resource, sys
from datetime import date
from pathlib import Path
from hygiene_pipeline.ingest.month_exports import read_month
month = read_month(Path(sys.argv[1]), date(2026, 10, 1))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(month.raw.height, month.rejected.height, peak)
"""


def test_a_two_gigabyte_file_with_one_enormous_line_reads_in_bounded_memory(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    block = b"y" * (1 << 20)
    with (folder / "export.csv").open("wb") as handle:
        handle.write(HEADER + ROWS[0] + b"1003,Huge,")
        for _ in range(2048):  # 2 GiB on one line
            handle.write(block)
        handle.write(b"\n" + ROWS[1])
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    loaded, rejected, peak_mib = map(int, done.stdout.split())
    assert (loaded, rejected) == (2, 1)
    assert peak_mib < 512, f"peak {peak_mib} MiB for a 2 GiB file"  # 70-190 MiB measured
    print(f"2 GiB file with one enormous line: peak {peak_mib} MiB")
