"""The hard cases a data steward would check, end to end through normalize_contacts.

Each case is one HubSpot row (only the columns it is about) and the normalized values it must
give. Names in Dutch, German, French, Greek, Russian, Irish/Scottish English and Spanish; broken
emails; phones from NL, FR, DE, GR, GB and BE in national and international forms; legal forms.
Every person, company and domain is invented.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from hygiene_pipeline.normalize.contacts import normalize_contacts

OCT = date(2026, 10, 1)

# (case id, HubSpot cells, expected normalized values)
CASES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    # --- Names: case, particles, prefixes, scripts, symbols ---
    ("nl-particles-caps", {"First Name": "JOOST", "Last Name": "VAN DER BERG"},
     {"first_name": "Joost", "last_name": "van der Berg", "last_name_ascii": "van der berg"}),
    ("nl-particle-lower", {"First Name": "sanne", "Last Name": "de vries"},
     {"first_name": "Sanne", "last_name": "de Vries"}),
    ("nl-tussenvoegsel-t", {"First Name": "Pieter", "Last Name": "van 't Hek"},
     {"first_name": "Pieter", "last_name": "van 't Hek"}),
    ("fr-apostrophe-particle", {"First Name": "CHARLES", "Last Name": "D'ARTAGNAN"},
     {"first_name": "Charles", "last_name": "d'Artagnan", "last_name_ascii": "d'artagnan"}),
    ("ie-o-prefix", {"First Name": "siobhan", "Last Name": "o'brien"},
     {"first_name": "Siobhan", "last_name": "O'Brien"}),
    ("sc-mc-prefix", {"First Name": "EWAN", "Last Name": "MCDONALD"},
     {"last_name": "McDonald", "last_name_phonetic": "MKTNLT"}),
    ("pt-mac-not-prefix", {"First Name": "rui", "Last Name": "MACHADO"},
     {"first_name": "Rui", "last_name": "Machado"}),
    ("en-mac-not-prefix", {"First Name": "LUCY", "Last Name": "MACEY"},
     {"last_name": "Macey"}),
    ("mixed-case-kept", {"First Name": "Ruud", "Last Name": "DeWaal"},
     {"last_name": "DeWaal"}),
    ("fr-hyphenated-accents", {"First Name": "HÉLÈNE-MARIE", "Last Name": "LEFÈVRE-DURAND"},
     {"first_name": "Hélène-Marie", "last_name": "Lefèvre-Durand",
      "first_name_ascii": "helene-marie", "last_name_ascii": "lefevre-durand"}),
    ("de-umlaut-expanded", {"First Name": "jürgen", "Last Name": "MÜLLER"},
     {"first_name": "Jürgen", "last_name": "Müller", "first_name_ascii": "juergen",
      "last_name_ascii": "mueller", "last_name_phonetic": "MLR"}),
    ("de-eszett", {"First Name": "Dörte", "Last Name": "Strauß"},
     {"last_name": "Strauß", "last_name_ascii": "strauss", "first_name_ascii": "doerte"}),
    ("de-von-hyphen", {"First Name": "ANNA", "Last Name": "VON DER LEYEN-SCHMIDT"},
     {"last_name": "von der Leyen-Schmidt"}),
    ("gr-caps", {"First Name": "ΓΙΏΡΓΟΣ", "Last Name": "ΠΑΠΑΔΌΠΟΥΛΟΣ"},
     {"first_name": "Γιώργος", "last_name": "Παπαδόπουλος", "first_name_ascii": "giorgos",
      "last_name_ascii": "papadopoulos"}),
    ("gr-digraphs", {"First Name": "Ευάγγελος", "Last Name": "Μπακογιάννης"},
     {"first_name_ascii": "evangelos", "last_name_ascii": "bakogiannis"}),
    ("gr-lower", {"First Name": "ελένη", "Last Name": "ντόκα"},
     {"first_name": "Ελένη", "last_name": "Ντόκα", "last_name_ascii": "doka"}),
    ("ru-cyrillic-caps", {"First Name": "НАТАЛЬЯ", "Last Name": "ИВАНОВА"},
     {"first_name": "Наталья", "last_name": "Иванова", "last_name_ascii": "ivanova"}),
    ("emoji-and-spaces", {"First Name": "  Jean   Pierre 🎉 ", "Last Name": "Moreau ⭐"},
     {"first_name": "Jean Pierre", "last_name": "Moreau"}),
    ("flag-emoji", {"First Name": "Femke 🇳🇱", "Last Name": "Bakker"},
     {"first_name": "Femke"}),
    ("es-particles", {"First Name": "MARÍA JOSÉ", "Last Name": "DE LA CRUZ"},
     {"first_name": "María José", "last_name": "de la Cruz", "first_name_ascii": "maria jose"}),
    # --- Titles, suffixes, full names in one field ---
    ("title-dr-first", {"First Name": "Dr. Maarten", "Last Name": "Visser"},
     {"salutation": "Dr.", "first_name": "Maarten", "last_name": "Visser"}),
    ("title-mevr", {"First Name": "Mevr. Ingrid", "Last Name": "Smit"},
     {"salutation": "Mevr.", "first_name": "Ingrid"}),
    ("title-prof-dr-caps", {"First Name": "PROF. DR. KLAUS", "Last Name": "WEBER"},
     {"salutation": "Prof. Dr.", "first_name": "Klaus", "last_name": "Weber"}),
    ("title-greek", {"First Name": "κος Νίκος", "Last Name": "Αλεξίου"},
     {"salutation": "Κος", "first_name": "Νίκος", "last_name_ascii": "alexiou"}),
    ("suffix-jr", {"First Name": "Thomas", "Last Name": "Whitfield Jr."},
     {"last_name": "Whitfield", "name_suffix": "Jr."}),
    ("suffix-iii-caps", {"First Name": "EDWARD", "Last Name": "HARTLEY III"},
     {"last_name": "Hartley", "name_suffix": "III"}),
    ("full-name-in-first", {"First Name": "Dr. Jan van der Berg Jr.", "Last Name": ""},
     {"salutation": "Dr.", "first_name": "Jan", "last_name": "van der Berg",
      "name_suffix": "Jr."}),
    ("full-name-last-comma-first", {"First Name": "Janssens, Wouter", "Last Name": ""},
     {"first_name": "Wouter", "last_name": "Janssens"}),
    ("given-name-dean-kept", {"First Name": "Dean", "Last Name": "Fairbanks"},
     {"salutation": None, "first_name": "Dean"}),
    # --- Nickname-canonical first names ---
    ("nickname-bob", {"First Name": "Bob", "Last Name": "Hendricks"},
     {"first_name": "Bob", "first_name_canonical": "robert"}),
    ("nickname-robert", {"First Name": "ROBERT", "Last Name": "Hendricks"},
     {"first_name_canonical": "robert"}),
    ("nickname-bill", {"First Name": "Bill", "Last Name": "Carver"},
     {"first_name_canonical": "william"}),
    ("given-name-jan-kept", {"First Name": "Jan", "Last Name": "Peeters"},
     {"first_name_canonical": "jan"}),
    # --- Emails ---
    ("email-mailto-dot", {"Email": "mailto:Helene.Lefevre@Atelier-Lumiere.fr. "},
     {"email": "helene.lefevre@atelier-lumiere.fr", "email_others": []}),
    ("email-display-name", {"Email": '"de Vries, Sanne" <Sanne.deVries@Brouwer-Logistiek.NL>'},
     {"email": "sanne.devries@brouwer-logistiek.nl", "email_domain": "brouwer-logistiek.nl",
      "company_domain": "brouwer-logistiek.nl"}),
    ("email-angle-only", {"Email": "<k.weber@weber-maschinen.de>"},
     {"email": "k.weber@weber-maschinen.de"}),
    ("email-several", {"Email": "a.moreau@orange.fr; Anne.Moreau@Cabinet-Moreau.fr, "
                                "a.moreau@orange.fr"},
     {"email": "a.moreau@orange.fr", "email_others": ["anne.moreau@cabinet-moreau.fr"],
      "email_domain": "orange.fr", "company_domain": None}),
    ("email-slash-separated", {"Email": "j.smit@gmail.com / jsmit@smit-bouw.nl"},
     {"email": "j.smit@gmail.com", "email_others": ["jsmit@smit-bouw.nl"]}),
    ("email-idn-punycode", {"Email": "INFO@XN--BCKEREI-SCHFER-5HBK.DE"},
     {"email": "info@bäckerei-schäfer.de", "email_domain": "bäckerei-schäfer.de"}),
    ("email-idn-unicode", {"Email": "Lena@Bäckerei-Schäfer.DE"},
     {"email": "lena@bäckerei-schäfer.de"}),
    ("email-greek-company", {"Email": "n.alexiou@kataskeves-vorra.gr"},
     {"company_domain": "kataskeves-vorra.gr"}),
    ("email-broken-kept-visible", {"Email": "piet jansen@jansen-bv.nl"},
     {"email": "piet jansen@jansen-bv.nl"}),
    ("email-missing-at-kept", {"Email": "piet.jansen.jansen-bv.nl"},
     {"email": "piet.jansen.jansen-bv.nl", "email_domain": None}),
    ("email-free-mail-no-company", {"Email": "d.schaefer@web.de"},
     {"email_domain": "web.de", "company_domain": None}),
    # --- Phones ---
    ("phone-nl-mobile-national", {"Phone Number": "06-12345678", "Country/Region": "NL"},
     {"phone": "+31612345678", "phone_type": "mobile"}),
    ("phone-nl-fixed-intl-0", {"Phone Number": "+31 (0)20 794 6001", "Country/Region": "DE"},
     {"phone": "+31207946001", "phone_type": "fixed_line"}),
    ("phone-fr-national", {"Phone Number": "01 42 68 53 00", "Country/Region": "France"},
     {"phone": "+33142685300", "phone_type": "fixed_line"}),
    ("phone-fr-mobile-00", {"Phone Number": "0033 6 12 34 56 78", "Country/Region": ""},
     {"phone": "+33612345678", "phone_type": "mobile"}),
    ("phone-de-slash", {"Phone Number": "030/1234567", "Country/Region": "Deutschland"},
     {"phone": "+49301234567", "phone_type": "fixed_line"}),
    ("phone-de-mobile-intl", {"Phone Number": "+49 151 23456789", "Country/Region": "NL"},
     {"phone": "+4915123456789", "phone_type": "mobile"}),
    ("phone-gr-fixed", {"Phone Number": "210 1234567", "Country/Region": "Ελλάδα"},
     {"phone": "+302101234567", "phone_type": "fixed_line"}),
    ("phone-gr-mobile-intl", {"Phone Number": "+30 691 234 5678", "Country/Region": ""},
     {"phone": "+306912345678", "phone_type": "mobile"}),
    ("phone-gb-fixed-ext", {"Phone Number": "020 7946 0123 ext. 45",
                            "Country/Region": "United Kingdom"},
     {"phone": "+442079460123", "phone_extension": "45"}),
    ("phone-gb-mobile-intl", {"Phone Number": "+44 7911 123456", "Country/Region": ""},
     {"phone": "+447911123456", "phone_type": "mobile"}),
    ("phone-be-mobile", {"Phone Number": "0470 12 34 56", "Country/Region": "Belgique"},
     {"phone": "+32470123456", "phone_type": "mobile"}),
    ("phone-be-fixed-00", {"Phone Number": "0032 2 555 12 34", "Country/Region": "NL"},
     {"phone": "+3225551234", "phone_type": "fixed_line"}),
    ("phone-nl-toestel", {"Phone Number": "020 794 6001 toestel 12", "Country/Region": "NL"},
     {"phone": "+31207946001", "phone_extension": "12"}),
    ("phone-several", {"Phone Number": "06 12 34 56 78 / 020 794 6001", "Country/Region": "NL"},
     {"phone": "+31612345678", "phone_others": ["+31207946001"]}),
    ("phone-region-from-tld", {"Phone Number": "030 1234567", "Email": "k.weber@gmx.de"},
     {"phone": "+49301234567", "country": None}),
    ("phone-invalid", {"Phone Number": "12345", "Country/Region": "NL"},
     {"phone": None, "phone_input": "12345", "phone_others": []}),
    # --- Companies and legal forms ---
    ("company-bv", {"Company Name": "Brouwer Logistiek B.V."},
     {"company": "Brouwer Logistiek B.V.", "company_key": "brouwerlogistiek"}),
    ("company-bv-caps", {"Company Name": "BROUWER  LOGISTIEK BV"},
     {"company": "BROUWER LOGISTIEK BV", "company_key": "brouwerlogistiek"}),
    ("company-nv", {"Company Name": "Vlaamse Staalwerken N.V."},
     {"company_key": "vlaamsestaalwerken"}),
    ("company-gmbh-co-kg", {"Company Name": "Weber Maschinenbau GmbH & Co. KG"},
     {"company_key": "webermaschinenbau"}),
    ("company-sarl-trailing", {"Company Name": "Atelier Lumière SARL"},
     {"company_key": "atelierlumiere"}),
    ("company-sas-leading", {"Company Name": "SAS Moreau Frères"},
     {"company_key": "moreaufreres"}),
    ("company-sa", {"Company Name": "Transportes Lusitanos S.A."},
     {"company_key": "transporteslusitanos"}),
    ("company-ltd", {"Company Name": "Hartley & Sons Ltd."},
     {"company_key": "hartleysons"}),
    ("company-inc", {"Company Name": "Northwind Analytics, Inc."},
     {"company": "Northwind Analytics, Inc.", "company_key": "northwindanalytics"}),
    ("company-ag", {"Company Name": "Alpenblick Versicherungen AG"},
     {"company_key": "alpenblickversicherungen"}),
    ("company-greek-ae", {"Company Name": "Κατασκευές Βορρά Α.Ε."},
     {"company": "Κατασκευές Βορρά Α.Ε.", "company_key": "kataskevesvorra"}),
    ("company-greek-epe", {"Company Name": "Ελαιουργία Κρήτης Ε.Π.Ε."},
     {"company_key": "elaiourgiakritis"}),
    ("company-emoji", {"Company Name": "  Bakkerij 🥐 de Zon , "},
     {"company": "Bakkerij de Zon", "company_key": "bakkerijdezon"}),
    ("company-placeholder", {"Company Name": "n/a"},
     {"company_key": None}),
    # --- Job titles ---
    ("job-vp-sales", {"Job Title": "VP Sales"},
     {"job_title": "VP Sales", "job_function": "sales", "job_seniority": "vp"}),
    ("job-vice-president-of-sales", {"Job Title": "vice president of sales"},
     {"job_title": "Vice President of Sales", "job_function": "sales", "job_seniority": "vp"}),
    ("job-caps-hoofd-inkoop", {"Job Title": "HOOFD INKOOP"},
     {"job_title": "Hoofd Inkoop", "job_function": "procurement", "job_seniority": "head"}),
    ("job-de-geschaeftsfuehrer", {"Job Title": "Geschäftsführer"},
     {"job_function": "executive", "job_seniority": "c_level"}),
    ("job-fr-directeur", {"Job Title": "directeur commercial"},
     {"job_title": "Directeur Commercial", "job_function": "sales",
      "job_seniority": "director"}),
    ("job-gr-director", {"Job Title": "Διευθυντής Πωλήσεων"},
     {"job_function": "sales", "job_seniority": "director"}),
    ("job-senior-engineer", {"Job Title": "senior software engineer"},
     {"job_title": "Senior Software Engineer", "job_function": "it",
      "job_seniority": "senior"}),
    ("job-unknown", {"Job Title": "Beekeeper"},
     {"job_title": "Beekeeper", "job_function": None, "job_seniority": None}),
    # --- Country, lead source, lifecycle ---
    ("country-native-nl", {"Country/Region": "Nederland"}, {"country": "NL"}),
    ("country-greek", {"Country/Region": "Ελλάδα"}, {"country": "GR"}),
    ("country-unknown", {"Country/Region": "Atlantis"}, {"country": None}),
    ("source-hubspot-label", {"Original Source": "Organic Search"},
     {"lead_source": "organic_search"}),
    ("source-dutch-beurs", {"Original Source": "Beurs"}, {"lead_source": "event"}),
    ("source-unknown", {"Original Source": "Carrier pigeon"}, {"lead_source": "other"}),
    ("lifecycle-mql", {"Lifecycle Stage": "Marketing Qualified Lead"},
     {"lifecycle_stage": "marketingqualifiedlead"}),
]  # fmt: skip


def _raw(cases: list[tuple[str, dict[str, str], dict[str, Any]]]) -> pl.DataFrame:
    headers = sorted({header for _, cells, _ in cases for header in cells} | {"Email"})
    rows = [
        {"Record ID": case_id, **{h: cells.get(h, "") for h in headers}}
        for case_id, cells, _ in cases
    ]
    return pl.DataFrame(rows).with_columns(
        pl.lit(OCT).alias("snapshot"),
        pl.col("Record ID").alias("contact_id"),
        pl.lit("hubspot-contacts.csv").alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("source_row"),
        pl.lit("hubspot").alias("source_system"),
    )


@pytest.fixture(scope="module")
def normalized() -> dict[str, dict[str, Any]]:
    contacts = normalize_contacts(_raw(CASES))
    return {row["contact_id"]: row for row in contacts.iter_rows(named=True)}


def test_the_table_is_large_and_covers_every_area():
    prefixes = {case_id.split("-")[0] for case_id, _, _ in CASES}
    assert len(CASES) >= 60
    assert {"nl", "fr", "de", "gr", "ru", "email", "phone", "company", "job"} <= prefixes
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("case_id", "cells", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hard_case(normalized, case_id, cells, expected):
    row = normalized[case_id]
    assert {field: row[field] for field in expected} == expected
