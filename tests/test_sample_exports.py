"""The sample HubSpot exports: deterministic, shaped like HubSpot's, messy on purpose."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import phonenumbers
import pytest

from hygiene_pipeline.sample_exports import (
    DEFAULT_MONTHS,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    HEADER,
    SampleExports,
    build_sample_exports,
    export_path,
    main,
    month_bounds,
    read_truth,
    render_truth,
    write_sample_exports,
    write_truth,
)

ROOT = Path(__file__).resolve().parents[1]
MONTHS = list(DEFAULT_MONTHS)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
TYPO_DOMAINS = ("@gmial.com", "@hotmial.com", "@gmail.con", "@outlok.com")
REGION = {
    "Netherlands": "NL", "Nederland": "NL", "NL": "NL", "The Netherlands": "NL", "Holland": "NL",
    "Belgium": "BE", "België": "BE", "Belgique": "BE", "Germany": "DE", "Deutschland": "DE",
    "France": "FR", "Greece": "GR", "Ελλάδα": "GR", "United Kingdom": "GB", "UK": "GB",
}  # fmt: skip


@pytest.fixture(scope="module")
def sample() -> SampleExports:
    return build_sample_exports()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("exports")
    paths = write_sample_exports(out, MONTHS, DEFAULT_PEOPLE, DEFAULT_SEED)
    return {month: path.read_bytes() for month, path in zip(MONTHS, paths, strict=True)}


def parse(raw: bytes) -> list[dict[str, str]]:
    text = raw.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > 5 else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    assert tuple(header) == HEADER
    return [dict(zip(header, row, strict=True)) for row in reader]


@pytest.fixture(scope="module")
def months(written: dict[str, bytes]) -> dict[str, list[dict[str, str]]]:
    return {month: parse(raw) for month, raw in written.items()}


def when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


# --- determinism -----------------------------------------------------------------------------


def test_two_runs_are_byte_identical(tmp_path: Path, written: dict[str, bytes]) -> None:
    paths = write_sample_exports(tmp_path / "again", MONTHS, DEFAULT_PEOPLE, DEFAULT_SEED)
    assert [p.read_bytes() for p in paths] == [written[m] for m in MONTHS]
    assert paths == [export_path(tmp_path / "again", m) for m in MONTHS]
    assert render_truth(build_sample_exports().truth) == render_truth(build_sample_exports().truth)


def test_another_seed_gives_other_people(written: dict[str, bytes]) -> None:
    other = build_sample_exports(MONTHS[:1], DEFAULT_PEOPLE, DEFAULT_SEED + 1)
    assert other.render(MONTHS[0]) != written[MONTHS[0]]


def test_committed_sample_files_are_the_generators_output(written: dict[str, bytes]) -> None:
    for month in MONTHS:
        path = export_path(ROOT / "data" / "exports", month)
        assert path.is_file(), (
            f"{path} is missing: run `python -m hygiene_pipeline.sample_exports --out data/exports`"
        )
        assert path.read_bytes() == written[month], f"{path} is stale: regenerate it"


# --- file shape ------------------------------------------------------------------------------


def test_header_is_hubspots_all_properties_subset(written: dict[str, bytes]) -> None:
    assert HEADER == (
        "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
        "Company Name", "Job Title", "Contact owner", "Create Date", "Last Modified Date",
        "Lifecycle Stage", "Lead Status", "Last Activity Date", "Original Source",
        "Marketing emails bounced", "Email hard bounce reason", "Unsubscribed from all email",
        "Country/Region", "Original Source Drill-Down 1",
        "Legal basis for processing contact's data", "Fax Number",
    )  # fmt: skip
    for month, raw in written.items():
        first_line = raw.decode("utf-8-sig").split("\n", 1)[0].rstrip("\r")
        delimiter = ";" if month == "2026-09" else ","
        assert first_line == delimiter.join(HEADER)
        fax = [line.split(delimiter)[-1] for line in raw.decode("utf-8-sig").splitlines()[1:]]
        assert set(fax) == {""}  # a property nobody fills, for the report's junk-property audit


def test_september_is_european_excel_and_the_others_plain(written: dict[str, bytes]) -> None:
    sept = written["2026-09"]
    assert sept.startswith(b"\xef\xbb\xbf")
    assert sept.count(b"\n") == sept.count(b"\r\n") > 1000
    assert sept.decode("utf-8-sig").split("\r\n", 1)[0] == ";".join(HEADER)
    for month in ("2026-08", "2026-10"):
        raw = written[month]
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert b"\r" not in raw
        raw.decode("utf-8")  # plain UTF-8


def test_fields_are_quoted_like_the_csv_module_does(written: dict[str, bytes]) -> None:
    aug = written["2026-08"].decode()
    sept = written["2026-09"].decode("utf-8-sig")
    assert ',"Smit, Jansen & Partners B.V.",' in aug
    assert ";Smit, Jansen & Partners B.V.;" in sept  # no comma quoting with ';'
    assert '"Eetcafé ""De Blauwe Reiger"""' in aug


def test_row_counts_per_month(months: dict[str, list[dict[str, str]]]) -> None:
    counts = {month: len(rows) for month, rows in months.items()}
    assert 1.05 * DEFAULT_PEOPLE <= counts["2026-08"] <= 1.15 * DEFAULT_PEOPLE
    for before, after in itertools.pairwise(MONTHS):
        old = {row["Record ID"] for row in months[before]}
        new = {row["Record ID"] for row in months[after]}
        added, gone = len(new - old), len(old - new)
        assert 0.02 * len(old) <= added <= 0.045 * len(old), (after, added)
        assert 1 <= gone <= 0.015 * len(old), (after, gone)
        assert counts[before] < counts[after]


def test_record_ids_are_unique_numeric_and_stable(months: dict[str, list[dict[str, str]]]) -> None:
    created: dict[str, str] = {}
    for rows in months.values():
        ids = [row["Record ID"] for row in rows]
        assert len(ids) == len(set(ids))
        assert all(re.fullmatch(r"[1-9]\d{6,10}", rid) for rid in ids)
        for row in rows:
            assert created.setdefault(row["Record ID"], row["Create Date"]) == row["Create Date"]
    lengths = Counter(len(rid) for rid in created)
    assert lengths[7] and lengths[11]


def test_dates_are_hubspot_style_and_never_after_the_month(
    months: dict[str, list[dict[str, str]]],
) -> None:
    for month, rows in months.items():
        _, end = month_bounds(month)
        for row in rows:
            for column in ("Create Date", "Last Modified Date", "Last Activity Date"):
                value = row[column]
                if column == "Last Activity Date" and not value:
                    continue
                assert DATE.match(value), (column, value)
                assert when(value) <= end, (month, column, value)
            assert when(row["Create Date"]) <= when(row["Last Modified Date"])
            if row["Last Activity Date"]:
                activity = when(row["Last Activity Date"])
                assert when(row["Create Date"]) <= activity <= when(row["Last Modified Date"])


def test_labels_are_hubspots(months: dict[str, list[dict[str, str]]]) -> None:
    rows = months["2026-08"]
    stages = {row["Lifecycle Stage"] for row in rows}
    assert stages == {
        "Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity",
        "Customer", "Evangelist", "Other",
    }  # fmt: skip
    sources = {row["Original Source"] for row in rows}
    assert sources <= {
        "Organic Search", "Paid Search", "Email Marketing", "Social Media", "Referrals",
        "Direct Traffic", "Offline Sources", "Paid Social", "",
    }  # fmt: skip
    assert "" in sources
    assert {row["Unsubscribed from all email"] for row in rows} == {"true", "false", ""}
    assert all(re.fullmatch(r"\d*", row["Marketing emails bounced"]) for row in rows)
    countries = {row["Country/Region"] for row in rows}
    typed = {"Netherlands", "Nederland", "NL", "Germany", "Deutschland", "France", "Belgium",
             "België", "Belgique", "Greece", "Ελλάδα", "United Kingdom", "UK", ""}  # fmt: skip
    assert typed <= countries


# --- planted messiness -----------------------------------------------------------------------


def planted_counts(rows: list[dict[str, str]], month: str) -> Counter[str]:
    start, _ = month_bounds(month)
    year_ago = start.replace(year=start.year - 1)
    found: Counter[str] = Counter()
    for row in rows:
        email = row["Email"]
        names = row["First Name"] + " " + row["Last Name"]
        phones = (row["Phone Number"], row["Mobile Phone Number"])
        activity = row["Last Activity Date"]
        checks = {
            "mailto": email.startswith("mailto:"),
            "email_spaces": email != email.strip(),
            "email_upper": email != email.lower(),
            "missing_at": bool(email) and "@" not in email,
            "double_dot": ".." in email,
            "typo_domain": email.endswith(TYPO_DOMAINS),
            "role": email.split("@")[0] in ("info", "sales", "contact", "kontakt", "hello"),
            "disposable": email.endswith(("@mailinator.com", "@yopmail.com")),
            "test_record": email == "test@test.com" or "asdf" in names,
            "unsubscribed": row["Unsubscribed from all email"] == "true",
            "hard_bounce": row["Email hard bounce reason"].startswith("550 5.1.1"),
            "soft_bounce": row["Marketing emails bounced"] not in ("", "0")
            and not row["Email hard bounce reason"],
            "no_email_no_phone": not email and not any(phones),
            "no_owner": not row["Contact owner"],
            "no_source": not row["Original Source"],
            "stale": when(row["Last Modified Date"]) < year_ago
            and (not activity or when(activity) < year_ago),
            "never_engaged_old": not activity and when(row["Create Date"]) < year_ago,
            "stale_customer": row["Lifecycle Stage"] == "Customer"
            and when(row["Last Modified Date"]) < year_ago,
            "bounced_customer": row["Lifecycle Stage"] in ("Customer", "Opportunity")
            and bool(row["Email hard bounce reason"]),
            "name_spaces": any(n != n.strip() for n in (row["First Name"], row["Last Name"])),
            "name_emoji": any(ord(ch) > 0x2600 and not ch.isalpha() for ch in names),
            "name_upper": names.isupper() and len(names) > 4,
            "greek": any("\u0370" <= ch <= "\u03ff" for ch in names),
            "particle": " van der " in f" {row['Last Name']} " or "de Vries" in names,
            "accent": any(ch in names for ch in "éèêëöüäßÉ"),
            "apostrophe": "O'" in names,
            "placeholder_phone": any(p in ("0000000000", "1234567890", "555-0100") for p in phones),
            "intl_phone": any(p.startswith(("+31 6", "0032 ", "+49 (0)", "+33 ")) for p in phones),
            "legal_form": row["Company Name"].endswith(("B.V.", "GmbH", "SARL", "Α.Ε.", "Ltd")),
            "no_legal_basis": not row["Legal basis for processing contact's data"],
            "created_in_crm": row["Original Source Drill-Down 1"] in ("CRM_UI", "EXTENSION"),
        }
        found.update(name for name, hit in checks.items() if hit)
    return found


def test_planted_categories_are_present_every_month(
    months: dict[str, list[dict[str, str]]],
) -> None:
    minimum = {"stale": 150, "unsubscribed": 60, "no_owner": 80, "no_source": 40, "greek": 60}
    for month, rows in months.items():
        found = planted_counts(rows, month)
        for category in (
            "mailto", "email_spaces", "email_upper", "missing_at", "double_dot", "typo_domain",
            "role", "disposable", "test_record", "unsubscribed", "hard_bounce", "soft_bounce",
            "no_email_no_phone", "no_owner", "no_source", "stale", "never_engaged_old",
            "stale_customer", "bounced_customer", "name_spaces", "name_emoji", "name_upper",
            "greek", "particle", "accent", "apostrophe", "placeholder_phone", "intl_phone",
            "legal_form", "no_legal_basis", "created_in_crm",
        ):  # fmt: skip
            assert found[category] >= minimum.get(category, 1), (month, category, found)
        assert found["stale"] < 0.4 * len(rows)


def test_each_typo_domain_of_the_brief_appears(written: dict[str, bytes]) -> None:
    text = written["2026-08"].decode()
    for domain in TYPO_DOMAINS:
        assert domain in text


def test_real_looking_phones_are_valid_numbers(
    sample: SampleExports, months: dict[str, list[dict[str, str]]]
) -> None:
    """Only planted fakes may fail libphonenumber, so validation counts mean something."""
    tags = {row.record_id: row.tags for row in sample.truth}
    checked = 0
    for row in months["2026-08"]:
        region = REGION.get(row["Country/Region"])
        if not region or "placeholder_phone" in tags[row["Record ID"]]:
            continue
        if tags[row["Record ID"]] == "junk":
            continue
        for phone in (row["Phone Number"], row["Mobile Phone Number"]):
            if phone:
                checked += 1
                number = phonenumbers.parse(phone, region)
                assert phonenumbers.is_valid_number(number), (phone, region)
    assert checked > 1000


# --- month drift -----------------------------------------------------------------------------


def test_months_drift_like_a_real_crm(months: dict[str, list[dict[str, str]]]) -> None:
    for before, after in itertools.pairwise(MONTHS):
        old = {row["Record ID"]: row for row in months[before]}
        moved = unsubscribed = bounced = 0
        start, _ = month_bounds(after)
        for row in months[after]:
            prev = old.get(row["Record ID"])
            if prev is None:
                assert when(row["Create Date"]) >= start  # new records are created this month
                continue
            moved += row["Last Activity Date"] > prev["Last Activity Date"]
            unsubscribed += (
                row["Unsubscribed from all email"] == "true"
                and prev["Unsubscribed from all email"] != "true"
            )
            bounced += (
                bool(row["Email hard bounce reason"]) and not prev["Email hard bounce reason"]
            )
            assert row["Last Modified Date"] >= prev["Last Modified Date"]
        assert moved > 0.1 * len(old), (after, moved)
        assert unsubscribed >= 1 and bounced >= 1, (after, unsubscribed, bounced)


# --- truth -----------------------------------------------------------------------------------


def test_truth_covers_every_record_and_links_duplicates(
    sample: SampleExports, months: dict[str, list[dict[str, str]]]
) -> None:
    truth = {row.record_id: row for row in sample.truth}
    assert len(truth) == len(sample.truth)
    for month, rows in months.items():
        for row in rows:
            entry = truth[row["Record ID"]]
            assert entry.first_month <= month <= entry.last_month
    kinds = Counter(row.kind for row in sample.truth)
    assert kinds["duplicate"] >= 0.05 * DEFAULT_PEOPLE
    assert kinds["hard_negative"] >= 0.025 * DEFAULT_PEOPLE
    for row in sample.truth:
        related = truth.get(row.related_record_id)
        if row.kind == "duplicate":
            assert related is not None and related.person_id == row.person_id
            assert related.kind == "original"
        elif row.kind == "hard_negative":
            assert related is not None and related.person_id != row.person_id
        else:
            assert related is None
    persons = Counter(row.person_id for row in sample.truth)
    assert max(persons.values()) <= 4
    assert sum(1 for n in persons.values() if n > 1) >= 0.05 * DEFAULT_PEOPLE
    tags = Counter(tag.split(":")[0] for row in sample.truth for tag in row.tags.split(";"))
    for tag in ("duplicate", "hard_negative", "bad_email", "role", "disposable", "junk",
                "no_email_no_phone", "placeholder_phone", "protected"):  # fmt: skip
        assert tags[tag] >= 1, tag


def test_duplicates_of_one_person_look_alike_in_the_export(
    sample: SampleExports, months: dict[str, list[dict[str, str]]]
) -> None:
    """Every planted duplicate shares an email, a phone or a company with its original."""
    rows = {row["Record ID"]: row for month_rows in months.values() for row in month_rows}

    def digits(text: str) -> str:
        return re.sub(r"\D", "", text)[-7:]

    for entry in sample.truth:
        if entry.kind != "duplicate":
            continue
        dup, original = rows[entry.record_id], rows[entry.related_record_id]
        email = dup["Email"].strip().lower().removeprefix("mailto:")
        phones = {digits(p) for p in (original["Phone Number"], original["Mobile Phone Number"])}
        shared = (
            (email and email == original["Email"].strip().lower())
            or any(
                digits(p) in phones for p in (dup["Phone Number"], dup["Mobile Phone Number"]) if p
            )
            or (dup["Company Name"] and original["Company Name"])
            or dup["Last Name"].lower() == original["Last Name"].lower()
        )
        assert shared, (dup, original)


def test_truth_is_written_outside_the_exports_folder(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    with pytest.raises(ValueError, match="exports folder"):
        write_truth(exports / "truth.csv", MONTHS[:1], 100, 1, exports_dir=exports)
    path = write_truth(tmp_path / "truth" / "truth.csv", MONTHS[:1], 100, 1, exports_dir=exports)
    assert read_truth(path) == build_sample_exports(MONTHS[:1], 100, 1).truth
    assert not exports.exists()


# --- CLI and arguments -----------------------------------------------------------------------


def test_cli_writes_one_file_per_month(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "exports"
    argv = ["--out", str(out), "--people", "200", "--seed", "7", "--months", "2026-10", "2026-11"]
    assert main([*argv, "--truth", str(tmp_path / "truth.csv")]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "2026-10/hubspot-contacts-2026-10.csv",
        "2026-11/hubspot-contacts-2026-11.csv",
    ]
    assert export_path(out, "2026-11").read_bytes().startswith(b"\xef\xbb\xbf")  # odd month
    assert (tmp_path / "truth.csv").is_file()
    assert "2026-11" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*argv, "--truth", str(out / "truth.csv")])


@pytest.mark.parametrize("bad", [["2026-09", "2026-08"], ["2026-13"], ["2026-8"], []])
def test_bad_months_are_refused(bad: list[str]) -> None:
    with pytest.raises(ValueError):
        build_sample_exports(bad, 100, 1)
