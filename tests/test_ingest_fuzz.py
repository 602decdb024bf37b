"""Random bytes as exports (atheris-style, driven by Hypothesis): a clear error or every row kept.

Whatever bytes land in the exports folder, ingest either loads them with every data line accounted
for (loaded + rejected = data lines) or fails with one of the documented, actionable errors:
never an unhandled exception from a parser deep inside.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory, gettempdir

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from hygiene_pipeline.ingest.formats import AmbiguousMappingError, UnknownExportFormatError
from hygiene_pipeline.ingest.limits import IngestLimits
from hygiene_pipeline.ingest.month_exports import ExportError, read_month

OCT = date(2026, 10, 1)
DOCUMENTED = (ExportError, UnknownExportFormatError, AmbiguousMappingError)
HEADERS = [b"Record ID,First Name,Last Name,Email\n", b"Id;FirstName;LastName;Email;Company\r\n",
           b"Person - ID\tPerson - Name\tPerson - Email - Work\n"]  # fmt: skip
set_hypothesis_home_dir(Path(gettempdir()) / "crm-hygiene-hypothesis")
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def _ingest(data: bytes, suffix: str = ".csv") -> None:
    """Workbooks go through the parsing child as in a run (a parser crash on garbage must be a
    refusal); CSVs are parsed in this process, three times faster over hundreds of examples."""
    limits = IngestLimits(isolate_parsing=suffix == ".xlsx")
    with TemporaryDirectory() as scratch:
        folder = Path(scratch) / "2026-10"
        folder.mkdir()
        (folder / f"export{suffix}").write_bytes(data)
        try:
            month = read_month(Path(scratch), OCT, limits=limits)
        except DOCUMENTED as error:
            assert str(error).strip(), "an error must say what to fix"
            return
        for fact in month.files:
            assert fact.loaded_rows + fact.rejected_rows == fact.data_lines
        assert month.raw.height + month.rejected.height == sum(f.data_lines for f in month.files)


@FUZZ
@given(st.binary(max_size=4000))
def test_any_bytes_as_a_csv_give_a_clear_error_or_full_accounting(data):
    _ingest(data)


@FUZZ
@given(header=st.sampled_from(HEADERS), body=st.binary(max_size=4000))
def test_random_bytes_under_a_real_header_lose_no_line(header, body):
    _ingest(header + body)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_workbook_give_a_clear_error(data):
    _ingest(data, ".xlsx")
