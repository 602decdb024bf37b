"""Per-CRM reading of source values: dates per column, booleans, opt-outs, the bounce model."""

from __future__ import annotations

import logging
from datetime import date, datetime

import polars as pl
import pytest

from hygiene_pipeline.ingest.formats import CrmFormat
from hygiene_pipeline.normalize.dates import numeric_date_order
from hygiene_pipeline.normalize.source_fields import (
    MissingColumnMappingError,
    lifecycle_stage,
    source_fields,
)

OCT = date(2026, 10, 1)
MAPPED = CrmFormat(
    name="mapping:klanten",
    system="spreadsheet",
    id_columns=("Nr",),
    signature=("Nr",),
    fields={"created_at": ("Datum",), "unsubscribed": ("Afgemeld",), "bounced": ("Bounce",),
            "bounce_type": ("Soort",), "bounce_reason": ("Reden",), "full_name": ("Naam",)},
)  # fmt: skip


def _raw(rows: list[dict[str, str]], *, system: str = "spreadsheet", file: str = "k.csv"):
    return pl.DataFrame(rows).with_columns(
        pl.lit(OCT).alias("snapshot"),
        pl.col(next(iter(rows[0]))).alias("contact_id"),
        pl.lit(file).alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("source_row"),
        pl.lit(system).alias("source_system"),
    )


def _mapped(rows: list[dict[str, str]], fmt: CrmFormat = MAPPED) -> pl.DataFrame:
    return source_fields(_raw(rows), {"k.csv": fmt})


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["03/02/2025", "25/12/2025"], "day_first"),  # 25 cannot be a month
        (["03/02/2025", "12/25/2025 4:05 PM"], "month_first"),
        (["03/02/2025", "04.05.2026"], "ambiguous"),
        (["25/12/2025", "12/25/2025"], "conflicting"),
        (["2025-02-03", ""], "none"),
    ],
)
def test_the_order_of_numeric_dates_is_what_the_columns_values_prove(values, order):
    assert numeric_date_order(pl.Series(values)) == order


def test_day_first_or_month_first_is_decided_per_column():
    rows = [{"Nr": "1", "Datum": "03/02/2025"}, {"Nr": "2", "Datum": "12/25/2025"}]
    assert _mapped(rows)["created_at"].to_list() == [datetime(2025, 3, 2), datetime(2025, 12, 25)]
    rows = [{"Nr": "1", "Datum": "03/02/2025"}, {"Nr": "2", "Datum": "25/12/2025 17:30"}]
    assert _mapped(rows)["created_at"].to_list() == [
        datetime(2025, 2, 3), datetime(2025, 12, 25, 17, 30)]  # fmt: skip


def test_an_ambiguous_column_is_read_day_first_with_a_warning_naming_file_and_column(caplog):
    rows = [{"Nr": "1", "Datum": "03/02/2025"}, {"Nr": "2", "Datum": "04/05/2026"}]
    with caplog.at_level(logging.WARNING, logger="hygiene_pipeline.normalize.source_fields"):
        fields = _mapped(rows)
    assert fields["created_at"].to_list() == [datetime(2025, 2, 3), datetime(2026, 5, 4)]
    [record] = caplog.records
    assert "k.csv" in record.getMessage() and "'Datum'" in record.getMessage()
    assert "03/02" not in record.getMessage()  # values never reach the log
    month_first = CrmFormat(**{**MAPPED.__dict__, "date_order": "month_first"})
    assert _mapped(rows, month_first)["created_at"][0] == datetime(2025, 3, 2)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Ja", True), ("nee", False), ("Oui", True), ("NON", False), ("true", True), ("0", False),
     ("Yes", True), ("wahr", True), ("", False), ("misschien", False)],
)  # fmt: skip
def test_booleans_as_crms_write_them(typed, expected):
    assert _mapped([{"Nr": "1", "Afgemeld": typed}])["unsubscribed"][0] is expected


@pytest.mark.parametrize(
    ("bounced", "kind", "reason", "expected"),
    [
        ("", "", "", ("none", None)),
        ("3", "", "", ("soft", None)),  # a bounce count
        ("Ja", "", "550 5.1.1 user unknown", ("hard", "550 5.1.1 user unknown")),
        ("true", "", "452 4.2.2 mailbox full", ("soft", "452 4.2.2 mailbox full")),
        ("2026-09-14", "", "", ("soft", None)),  # a bounce date
        ("", "Hard", "", ("hard", None)),
        ("", "", "Mailbox does not exist", ("hard", "Mailbox does not exist")),  # reason alone
        ("Nee", "", "550 old bounce, since fixed", ("none", None)),  # the flag says no
    ],
)
def test_bounce_evidence_becomes_none_soft_or_hard_with_its_reason(bounced, kind, reason, expected):
    row = {"Nr": "1", "Bounce": bounced, "Soort": kind, "Reden": reason}
    fields = _mapped([row])
    assert (fields["bounce"][0], fields["bounce_reason"][0]) == expected


def test_pipedrive_labels_and_marketing_status():
    assert lifecycle_stage("Customer, Hot lead") == "customer"
    assert lifecycle_stage("Warm lead") == "lead"
    assert lifecycle_stage("Marketing Qualified Lead") == "marketingqualifiedlead"
    assert lifecycle_stage("Partner") == "other"
    raw = _raw(
        [{"Person - ID": "7", "Person - Name": "Lotte  de Wit", "Person - Marketing status":
          "Unsubscribed", "Person - Labels": "Cold lead"},
         {"Person - ID": "8", "Person - Name": "Bram", "Person - Marketing status": "No consent",
          "Person - Labels": ""}],
        system="pipedrive",
    )  # fmt: skip
    fields = source_fields(raw)  # a built-in format: found without export_files
    assert fields["first_name"].to_list() == ["Lotte", "Bram"]
    assert fields["last_name"].to_list() == ["de Wit", None]
    assert fields["unsubscribed"].to_list() == [True, False]  # no consent is not an opt-out
    assert fields["lifecycle_stage"].to_list() == ["lead", None]


def test_salesforce_api_dates_with_offsets_are_utc():
    raw = _raw(
        [{"Id": "0035g1", "LastName": "Huber", "AccountId": "0015g1",
          "CreatedDate": "2026-10-30T16:59:00.000+0200", "LastActivityDate": "2026-10-30"}],
        system="salesforce",
    )  # fmt: skip
    fields = source_fields(raw)
    assert fields["created_at"][0] == datetime(2026, 10, 30, 14, 59)
    assert fields["last_activity_at"][0] == datetime(2026, 10, 30)


def test_mapped_rows_without_their_mapping_fail_with_what_to_pass():
    with pytest.raises(MissingColumnMappingError, match=r"k\.csv.*export_files"):
        source_fields(_raw([{"Nr": "1", "Datum": ""}]))


def test_each_date_shape_is_tried_only_where_the_earlier_ones_failed_with_the_same_result():
    """parse_datetimes tries the shapes in turn on what is left; a coalesce of every shape over
    every value (the rule it must equal) gives the same dates, nulls and order."""
    from hygiene_pipeline.normalize.dates import _shapes, parse_datetimes

    values = pl.Series(
        "created",
        ["2026-10-30 16:59", "2026-10-30T16:59:00.000Z", "2026-10-30T18:59:00+0200",
         "30/10/2026", "10/30/2026 4:59 PM", "30.10.2026 16:59:07", "1793293140000",
         "2026-10-30", None, "", "not a date", "31/02/2026", "2026-13-01", " 01-02-2026 ",
         "2026-10-30T16:59", "2026-10-30 16:59:07.123", "12:00", "1793293140"],
    )  # fmt: skip
    for day_first in (True, False):
        every_shape = pl.coalesce(_shapes(pl.col("created"), day_first=day_first))
        expected = values.to_frame().select(every_shape)
        staged = parse_datetimes(values, day_first=day_first)
        assert staged.name == "created"
        assert staged.dtype == pl.Datetime("us")
        assert staged.to_list() == expected.to_series().to_list()
    assert parse_datetimes(values, day_first=True)[0] == datetime(2026, 10, 30, 16, 59)
    assert parse_datetimes(values, day_first=True)[2] == datetime(2026, 10, 30, 16, 59)
    assert parse_datetimes(pl.Series("x", [], dtype=pl.String), day_first=True).len() == 0
