"""Hard negatives: different people who look alike must stay apart (all names invented).

Each case pairs the look-alikes with the true duplicate the guard must still let through, so a
test fails both when the guard is missing and when it blocks everything.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.dedupe import find_duplicate_clusters

SNAPSHOT = dt.date(2026, 11, 1)


def contact(contact_id: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(schema.NORMALIZED_CONTACTS)
    row.update(snapshot=SNAPSHOT, contact_id=contact_id, unsubscribed=False)
    row.update(fields)
    return row


def clusters(*rows: dict[str, object]) -> set[frozenset[str]]:
    result = find_duplicate_clusters(pl.DataFrame(list(rows), schema=schema.NORMALIZED_CONTACTS))
    grouped = result.group_by("cluster_id").agg(pl.col("contact_id"))
    return {frozenset(ids) for ids in grouped.get_column("contact_id").to_list()}


# --- namesakes at different companies -----------------------------------------------------------


def test_namesakes_with_name_spelled_addresses_at_different_companies_stay_apart():
    found = clusters(
        contact("a1", first_name="Femke", last_name="de Wit", company="Brouwer Techniek B.V.",
                email="femke.dewit@brouwertechniek.nl", phone="+31619506344", phone_type="mobile"),
        contact("a2", first_name="Femke", last_name="de Wit", company="Zuiderhaven Logistiek",
                email="femke.dewit@zuiderhaven.nl", phone="+31654810225", phone_type="mobile"),
        contact("a3", first_name="Inge", last_name="van der Berg", company="Duinrand Transport",
                email="ivanderberg@duinrandtransport.nl"),
        contact("a4", first_name="Inge", last_name="van der Berg", company="Van Dijk Bouw B.V.",
                email="ivanderberg@vandijk.nl"),
        # the true duplicate: the same personal address at two providers (a year in it)
        contact("a5", first_name="Femke", last_name="de Wit", email="fdewit1987@gmail.com"),
        contact("a6", first_name="Femke", last_name="De Wit", email="fdewit1987@hotmail.com"),
    )  # fmt: skip
    assert found == {frozenset({"a5", "a6"})}


def test_greek_namesakes_in_two_scripts_at_different_companies_stay_apart():
    # The address spells the name in another transliteration (lambraki, ELOT gives lampraki):
    # still the name, so not personal evidence.
    found = clusters(
        contact("g1", first_name="Σοφία", last_name="Λαμπράκη", company="Θεσσαλία Πληροφορική Α.Ε.",
                email="sofia.lambraki@thessalia.gr", phone="+306954588345", phone_type="mobile"),
        contact("g2", first_name="Sofia", last_name="Lambraki", company="Ερμής Εμπορική Α.Ε.",
                email="sofia.lambraki@ermis-emporiki.gr", phone="+302810965900",
                phone_type="fixed_line"),
        contact("g3", first_name="Μαρία", last_name="Λαμπράκη", email="m.lambraki@gmail.com"),
        contact("g4", first_name="Maria", last_name="Lambraki", email="m.lambraki@yahoo.gr"),
        # the true duplicate: one mobile, Greek and Latin spellings of one name
        contact("g5", first_name="Νίκος", last_name="Καραγιάννης", phone="+306991919574",
                phone_type="mobile"),
        contact("g6", first_name="Nikos", last_name="Karagiannis", phone="+306991919574",
                phone_type="mobile", email="nikos.karagiannis@otenet.gr"),
    )  # fmt: skip
    assert found == {frozenset({"g5", "g6"})}


# --- family members sharing a home phone --------------------------------------------------------


def test_family_members_on_one_landline_stay_apart_even_with_similar_first_names():
    home = {"phone": "+302106394511", "phone_type": "fixed_line"}
    found = clusters(
        # Greek siblings: the first names differ by their gendered ending only
        contact("h1", first_name="Κωνσταντίνος", last_name="Αντωνίου", **home),
        contact("h2", first_name="Κωνσταντίνα", last_name="Αντωνίου", **home),
        # a Dutch household, mother and son with one initial
        contact("h3", first_name="Marieke", last_name="de Boer", phone="+31505551234",
                phone_type="fixed_line"),
        contact("h4", first_name="Maarten", last_name="de Boer", phone="+31505551234",
                phone_type="fixed_line"),
        # the true duplicate on a landline: the same name, accents aside
        contact("h5", first_name="Hélène", last_name="Faure", phone="+33479872336",
                phone_type="fixed_line"),
        contact("h6", first_name="Helene", last_name="Faure", phone="+33479872336",
                phone_type="fixed_line"),
    )  # fmt: skip
    assert found == {frozenset({"h5", "h6"})}


def test_a_family_address_shared_by_two_people_stays_apart():
    shared = {"email": "familie.schneider@t-online.de", "phone": "+492119766940"}
    found = clusters(
        contact("f1", first_name="Ursula", last_name="Schneider", **shared),
        contact("f2", first_name="Klaus", last_name="Schneider", **shared),
    )
    assert found == set()


# --- colleagues at one company ------------------------------------------------------------------


def test_colleagues_with_near_identical_names_on_domain_and_switchboard_stay_apart():
    office = {"company": "Elbufer Maschinenbau GmbH & Co. KG", "phone": "+493053611000",
              "phone_type": "fixed_line", "job_title": "Geschäftsführer"}  # fmt: skip
    found = clusters(
        contact("c1", first_name="Tobias", last_name="Hofmann",
                email="tobias.hofmann@elbufermaschinenbau.de", **office),
        contact("c2", first_name="Tobias", last_name="Hoffmann",
                email="tobias.hoffmann@elbufermaschinenbau.de", **office),
        contact("c3", first_name="Anne", last_name="Krause",
                email="anne.krause@elbufermaschinenbau.de", **office),
        contact("c4", first_name="Anna", last_name="Krause",
                email="anna.krause@elbufermaschinenbau.de", **office),
        # the company alone with a one-letter difference: Jansen / Janssen, no address at all
        contact("c5", first_name="Dirk", last_name="Jansen", company="Eetcafé De Blauwe Reiger"),
        contact("c6", first_name="Dirk", last_name="Janssen", company="Eetcafé De Blauwe Reiger"),
    )  # fmt: skip
    assert found == set()


def test_two_mailboxes_with_one_name_and_title_are_two_people_unless_the_mobile_agrees():
    office = {"company": "Ionio Naftiliaki IKE", "job_title": "Λογιστής"}
    found = clusters(
        contact("m1", first_name="Athanasios", last_name="Dimitriou",
                email="athanasios.dimitriou@ionio-naftiliaki.gr", **office),
        contact("m2", first_name="Αθανάσιος", last_name="Δημητρίου",
                email="athanasiosd@ionio-naftiliaki.gr", **office),
        contact("m3", first_name="Giannis", last_name="Stamatopoulos", phone="+306984029179",
                phone_type="mobile", email="giannis.stamatopoulos@ionio-naftiliaki.gr", **office),
        contact("m4", first_name="Γιάννης", last_name="Σταματόπουλος", phone="+306984029179",
                phone_type="mobile", email="g.stamatopoulos@ionio-naftiliaki.gr", **office),
    )  # fmt: skip
    assert found == {frozenset({"m3", "m4"})}


# --- placeholders ---------------------------------------------------------------------------------


def test_a_placeholder_phone_is_no_evidence():
    drama = {"phone": "+442079460018", "phone_type": "fixed_line"}  # Ofcom's drama range
    found = clusters(
        contact("p1", first_name="John", last_name="Jackson", email="j.jackson@hotmail.co.uk",
                **drama),
        contact("p2", first_name="John", last_name="Jackson", company="Hartwell Engineering Ltd",
                email="john.jackson@hartwellengineering.co.uk", **drama),
    )  # fmt: skip
    assert found == set()
