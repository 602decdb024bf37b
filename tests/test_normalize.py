"""Normalization of HubSpot rows: what a careful human would have typed, raw values untouched."""

from __future__ import annotations

import random
from datetime import date, datetime

import phonenumbers
import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.normalize.contacts import normalize_contacts
from hygiene_pipeline.normalize.countries import country_code
from hygiene_pipeline.normalize.names import clean_name
from hygiene_pipeline.normalize.phones import parse_phone_cell, phone_cells, to_e164

OCT = date(2026, 10, 1)


def _raw(rows: list[dict[str, str]]) -> pl.DataFrame:
    """A raw_contacts month as ingest writes it: lineage columns plus HubSpot's own headers."""
    frame = pl.DataFrame(rows).with_columns(
        pl.lit(OCT).alias("snapshot"),
        pl.col("Record ID").alias("contact_id"),
        pl.lit("hubspot-contacts.csv").alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("source_row"),
        pl.lit("hubspot").alias("source_system"),
    )
    return frame


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("VAN DER BERG", "van der Berg"),
        ("de vries", "de Vries"),
        ("O'BRIEN", "O'Brien"),
        ("mcdonald", "McDonald"),
        ("machado", "Machado"),
        ("MACEY", "Macey"),
        ("D'ARTAGNAN", "d'Artagnan"),
        ("hélène-marie", "Hélène-Marie"),
        ("ΓΙΏΡΓΟΣ", "Γιώργος"),
        ("παπαδόπουλος", "Παπαδόπουλος"),
        ("ИВАНОВА", "Иванова"),
        ("VON DER LEYEN-SCHMIDT", "von der Leyen-Schmidt"),
        ("  Jean   Pierre 🎉 ", "Jean Pierre"),
        ("DeVries", "DeVries"),  # mixed case was typed on purpose
        ("Schäfer", "Schäfer"),
        ("⭐ Anke", "Anke"),
        ("   ", None),
    ],
)
def test_names_are_cased_like_a_careful_human(typed, expected):
    assert clean_name(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Nederland", "NL"), ("the Netherlands", "NL"), ("België", "BE"), ("Belgique", "BE"),
     ("Deutschland", "DE"), ("Ελλάδα", "GR"), ("UK", "GB"), ("United Kingdom", "GB"),
     ("fr", "FR"), ("France", "FR"), ("Atlantis", None), ("", None)],
)  # fmt: skip
def test_countries_become_iso_codes(typed, expected):
    assert country_code(typed) == expected


@pytest.mark.parametrize(
    ("typed", "region", "e164", "kind"),
    [
        ("06-12345678", "NL", "+31612345678", "mobile"),
        ("+31 6 1234 5678", "DE", "+31612345678", "mobile"),
        ("0032 470 12 34 56", "NL", "+32470123456", "mobile"),
        ("01 42 68 53 00", "FR", "+33142685300", "fixed_line"),
        ("+49 (0)30 1234567", "DE", "+49301234567", "fixed_line"),
        ("210 1234567", "GR", "+302101234567", "fixed_line"),
        ("020 7946 0123", "GB", "+442079460123", "fixed_line"),
        ("12345", "NL", None, None),
        ("n/a", "NL", None, None),
    ],
)
def test_phones_become_e164_with_the_contacts_country(typed, region, e164, kind):
    assert to_e164(typed, region) == (e164, kind)


def test_hubspot_rows_become_canonical_contacts():
    raw = _raw(
        [
            {
                "Record ID": "1001", "First Name": " HÉLÈNE ", "Last Name": "lefèvre",
                "Email": "mailto:Helene.Lefevre@Atelier-Lumiere.fr. ", "Phone Number": "",
                "Mobile Phone Number": "06 12 34 56 78", "Company Name": " Atelier  Lumière SARL",
                "Contact owner": "", "Create Date": "2025-03-02 09:15",
                "Last Modified Date": "2026-10-12 17:40", "Lifecycle Stage": "Customer",
                "Last Activity Date": "", "Original Source": "Offline Sources",
                "Marketing emails bounced": "2", "Email hard bounce reason": "",
                "Unsubscribed from all email": "true", "Country/Region": "France",
            },
            {
                "Record ID": "1002", "First Name": "joost", "Last Name": "VAN DER BERG",
                "Email": "", "Phone Number": "+31 20 794 6001", "Mobile Phone Number": "",
                "Company Name": "", "Contact owner": "Jan Peeters",
                "Create Date": "2024-11-20", "Last Modified Date": "1730000000000",
                "Lifecycle Stage": "Marketing Qualified Lead", "Last Activity Date": "garbage",
                "Original Source": "", "Marketing emails bounced": "",
                "Email hard bounce reason": "550 5.1.1 mailbox does not exist",
                "Unsubscribed from all email": "", "Country/Region": "",
            },
        ]
    )  # fmt: skip
    contacts = normalize_contacts(raw)
    assert contacts.schema == pl.Schema(schema.NORMALIZED_CONTACTS)
    first, second = contacts.iter_rows(named=True)
    assert (first["first_name"], first["last_name"]) == ("Hélène", "Lefèvre")
    assert first["email"] == "helene.lefevre@atelier-lumiere.fr"
    assert first["phone_input"] == "06 12 34 56 78"  # Phone Number blank: the mobile is used
    assert (first["phone"], first["phone_type"]) == ("+33612345678", "mobile")
    assert first["company"] == "Atelier Lumière SARL"
    assert first["owner"] is None
    assert first["lifecycle_stage"] == "customer"
    assert first["country"] == "FR"
    assert first["created_at"] == datetime(2025, 3, 2, 9, 15)
    assert first["last_activity_at"] is None
    assert first["unsubscribed"] is True
    assert (first["bounce"], first["bounce_reason"]) == ("soft", None)

    assert (second["first_name"], second["last_name"]) == ("Joost", "van der Berg")
    assert second["email"] is None
    assert second["phone"] == "+31207946001"  # no country: the default region NL
    assert second["lifecycle_stage"] == "marketingqualifiedlead"
    assert second["created_at"] == datetime(2024, 11, 20)
    assert second["updated_at"] == datetime(2024, 10, 27, 3, 33, 20)  # epoch milliseconds
    assert second["last_activity_at"] is None  # unparseable dates are not guessed
    assert second["unsubscribed"] is False
    assert (second["bounce"], second["bounce_reason"]) == (
        "hard",
        "550 5.1.1 mailbox does not exist",
    )
    # The raw frame is never modified.
    assert raw["First Name"].to_list()[0] == " HÉLÈNE "


def test_one_normalized_row_per_raw_row_in_order_even_with_repeated_values():
    rows = [
        {"Record ID": str(i), "First Name": name, "Last Name": "JANSEN", "Email": ""}
        for i, name in enumerate(["PIET", "piet", "PIET", "Anna", None, "PIET"], start=1)
    ]
    contacts = normalize_contacts(_raw(rows))
    assert contacts["contact_id"].to_list() == ["1", "2", "3", "4", "5", "6"]
    assert contacts["first_name"].to_list() == ["Piet", "Piet", "Piet", "Anna", None, "Piet"]
    assert contacts["last_name"].to_list() == ["Jansen"] * 6
    assert contacts["source_row"].to_list() == [2, 3, 4, 5, 6, 7]


def test_an_empty_month_normalizes_to_a_typed_empty_table():
    empty = _raw([{"Record ID": "1"}]).head(0)
    assert normalize_contacts(empty).schema == pl.Schema(schema.NORMALIZED_CONTACTS)


def test_without_a_country_a_national_phone_is_read_in_the_email_tlds_country():
    raw = _raw(
        [
            {"Record ID": "1", "Email": "d.schaefer@web.de", "Phone Number": "030 1234567",
             "Country/Region": ""},
            {"Record ID": "2", "Email": "a.moreau@orange.fr", "Phone Number": "01 42 68 53 00",
             "Country/Region": ""},
            {"Record ID": "3", "Email": "j.smit@gmail.com", "Phone Number": "020 794 6001",
             "Country/Region": ""},  # .com names no country: the default region (NL)
        ]
    )  # fmt: skip
    contacts = normalize_contacts(raw)
    assert contacts["phone"].to_list() == ["+49301234567", "+33142685300", "+31207946001"]
    assert contacts["country"].to_list() == [None, None, None]  # a guess is not a fact


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        ("+31 6 1234 5678 / 020 794 6001", "NL",
         ("+31612345678", "mobile", None, ["+31207946001"])),
        ("06 12 34 56 78, 01 42 68 53 00", "FR",
         ("+33612345678", "mobile", None, ["+33142685300"])),
        ("+44 20 7946 0123 ext. 45", "GB", ("+442079460123", "fixed_line", "45", [])),
        ("030 1234567 Durchwahl 89", "DE", ("+49301234567", "fixed_line", "89", [])),
        ("tel: +30 210 123 4567", "NL", ("+302101234567", "fixed_line", None, [])),
        ("31612345678", "NL", ("+31612345678", "mobile", None, [])),  # country code without +
        ("n/a", "NL", (None, None, None, [])),
    ],
)  # fmt: skip
def test_a_phone_cell_gives_its_first_number_its_extension_and_the_others(typed, region, expected):
    cells = phone_cells(pl.Series([typed]), pl.Series([region]))
    assert cells.row(0) == expected


def _random_phone_texts(count: int, seed: int) -> list[tuple[str, str]]:
    """Numbers as people type them: national, +CC, 00CC, +CC (0), odd lengths and separators."""
    rng = random.Random(seed)
    regions = ["NL", "FR", "DE", "GR", "GB", "BE", "IT", "AT", "CH", "IE", "ES", "US", "LU"]
    out = []
    for _ in range(count):
        region = rng.choice(regions)
        code = str(phonenumbers.country_code_for_region(region))
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 12)))
        digits = rng.choice(["6", "2", "1", "7", "3", "9", "4", "8"]) + digits
        form = rng.randint(0, 5)
        text = [f"0{digits}", f"+{code} {digits}", f"00{code}{digits}", f"+{code} (0){digits}",
                digits, f"+{code}0{digits}"][form]  # fmt: skip
        separator = rng.choice(["", " ", "-", ".", "/"])
        if separator:
            split = rng.randint(2, max(2, len(text) - 3))
            text = text[:split] + separator + text[split:]
        out.append((text, rng.choice([region, rng.choice(regions)])))
    return out


def test_the_vectorized_phone_path_agrees_with_libphonenumber_on_thousands_of_numbers():
    cases = _random_phone_texts(4000, seed=20261122)
    texts, regions = zip(*cases, strict=True)
    fast = phone_cells(pl.Series(texts), pl.Series(regions))
    disagreements = []
    for (text, region), (phone, kind, extension, others) in zip(
        cases, fast.iter_rows(), strict=True
    ):
        cell = parse_phone_cell(text, region)
        if (cell.e164, cell.kind, cell.extension, list(cell.others)) != (
            phone,
            kind,
            extension,
            others,
        ):
            disagreements.append((text, region, phone, cell.e164))
    valid = fast.get_column("phone").drop_nulls().len()
    assert disagreements == []
    assert valid > 500 and len(cases) - valid > 500  # both outcomes are well represented
