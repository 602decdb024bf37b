"""Masking of personal data in metadata previews: recognisable shape, never the person."""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.metadata import PREVIEW_ROWS, StepTimer, is_personal_column, preview
from hygiene_pipeline.masking import mask_email, mask_name, mask_phone, mask_text
from tests.builders import contacts_frame


def test_an_email_keeps_its_first_letter_and_domain():
    assert mask_email("jan.peeters@example.com") == "j***@example.com"
    assert mask_email(" Anna@Bedrijf.nl ") == "A***@Bedrijf.nl"
    assert mask_email("not-an-address") == "n***"
    assert mask_email("@example.com") == "***@example.com"
    assert mask_email(None) is None and mask_email("") == ""


def test_a_phone_keeps_its_shape_and_last_two_digits():
    assert mask_phone("+31612345678") == "+*********78"
    assert mask_phone("+32 (0)470 12 34 56") == "+** (*)*** ** ** 56"
    assert mask_phone("7") == "7"
    assert mask_phone(None) is None


def test_a_name_keeps_its_initial():
    assert mask_name("Sanne") == "S***"
    assert mask_name("  ") == ""
    assert mask_name(None) is None


def test_addresses_inside_free_text_are_masked():
    text = "550 5.1.1 <jan.peeters@example.com>: user unknown, cc anna@bedrijf.nl"
    assert mask_text(text) == "550 5.1.1 <j***@example.com>: user unknown, cc a***@bedrijf.nl"


def test_columns_are_recognised_by_name_canonical_and_verbatim():
    personal = ["email", "First Name", "Last Name", "Phone Number", "Mobile Phone Number",
                "Contact owner", "owner", "email_suggestion", "phone_input"]  # fmt: skip
    other = ["contact_id", "source_file", "email_status", "phone_status", "email_reasons",
             "Lifecycle Stage", "country"]  # fmt: skip
    assert all(is_personal_column(column) for column in personal)
    assert not any(is_personal_column(column) for column in other)


def test_a_preview_shows_no_personal_data_and_at_most_ten_rows():
    rows = [{"contact_id": f"c{i}", "first_name": "Marieke", "last_name": "<b>Jansen</b>",
             "email": f"marieke.jansen{i}@voorbeeld.nl", "phone": "+31612345678"}
            for i in range(12)]  # fmt: skip
    frame = contacts_frame(date(2026, 10, 1), rows)
    text = preview(frame, ["contact_id", "first_name", "last_name", "email", "phone", "gone"]).value
    lines = text.splitlines()
    assert len(lines) == 2 + PREVIEW_ROWS
    assert lines[0] == "| contact\\_id | first\\_name | last\\_name | email | phone |"
    for needle in ("Marieke", "Jansen", "marieke.jansen", "12345678", "<b>"):
        assert needle not in text
    star = "\\*"
    first = f"| c0 | M{star * 3} | &lt;{star * 3} | m{star * 3}@voorbeeld.nl | +{star * 9}78 |"
    assert first in text


def test_a_preview_of_lists_and_pipes_stays_one_cell():
    frame = pl.DataFrame({"reasons": [["hard_bounce: 550 <x@y.nl> | gone", "suppressed"]]})
    text = preview(frame, ["reasons"]).value
    assert (
        text.splitlines()[2]
        == "| hard\\_bounce: 550 &lt;x\\*\\*\\*@y.nl&gt; \\| gone; suppressed |"
    )


def test_the_step_timer_names_the_slowest_step():
    timer = StepTimer()
    with timer.step("read"):
        pass
    with timer.step("compute"):
        sum(range(200_000))
    metadata = timer.metadata()
    assert metadata["slowest_step"] == "compute"
    assert metadata["slowest_step_s"] >= 0
    assert set(metadata["step_timings_s"].data) == {"read", "compute"}
