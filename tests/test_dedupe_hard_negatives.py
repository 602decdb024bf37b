"""Hard negatives: different people who look alike must stay apart (all names invented).

Each case pairs the look-alikes with the true duplicate the guard must still let through, so a
test fails both when the guard is missing and when it blocks everything.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from hygiene_pipeline.dedupe.find import find_duplicate_clusters
from tests.builders import blank_contact, blank_contacts_frame

SNAPSHOT = dt.date(2026, 11, 1)


def contact(contact_id: str, **fields: object) -> dict[str, object]:
    return blank_contact(SNAPSHOT, contact_id, **fields)


def clusters(*rows: dict[str, object]) -> set[frozenset[str]]:
    result = find_duplicate_clusters(blank_contacts_frame(*rows))
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


def test_an_address_shared_by_two_people_stays_apart():
    family = {"email": "familie.schneider@t-online.de", "phone": "+492119766940"}
    # an assistant at her manager's address keeps her own name: the mailbox settles no name
    office = {"email": "pieter.jansen@havennoord.nl", "company": "Havenbedrijf Noord"}
    found = clusters(
        contact("f1", first_name="Ursula", last_name="Schneider", **family),
        contact("f2", first_name="Klaus", last_name="Schneider", **family),
        contact("a1", first_name="Pieter", last_name="Jansen", **office),
        contact("a2", first_name="Anna", last_name="Jansen", **office),
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


# --- short forms: nicknames, initials, ambiguous diminutives ------------------------------------


def household(key: str, last_name: str, phone: str, *first_names: str) -> list[dict[str, object]]:
    """Records key1, key2 ... of one family on one landline."""
    home = {"last_name": last_name, "phone": phone, "phone_type": "fixed_line"}
    return [
        contact(f"{key}{number}", first_name=first, **home)
        for number, first in enumerate(first_names, start=1)
    ]


def test_an_initial_on_a_family_landline_joins_only_the_one_name_it_can_stand_for():
    found = clusters(
        *household("s", "Hartmann", "+492119766940", "Stefan", "Sabine", "S."),  # S.: either
        *household("m", "de Boer", "+31505551234", "Maarten", "Els", "M"),  # M.: only Maarten
    )
    assert found == {frozenset({"m1", "m3"})}


def test_a_known_nickname_on_a_landline_is_one_person_an_ambiguous_one_is_not():
    found = clusters(
        *household("w", "de Vries", "+31505550000", "Willem", "Wim"),
        # Jo is Johannes or Johanna: with both in the house it stays apart from each
        *household("j", "Bakker", "+31505559999", "Johannes", "Johanna", "Jo"),
    )
    assert found == {frozenset({"w1", "w2"})}


def test_spellings_of_similar_names_are_not_nicknames_for_colleagues():
    # Klaus / Claus and Anne / Anna share a canonical name but sound alike: two colleagues can
    # carry them, so the company alone does not make them one (a pet name such as Uschi would).
    firm = {"company": "Nordlicht Maschinenbau GmbH"}
    found = clusters(
        contact("s1", first_name="Klaus", last_name="Koch", **firm),
        contact("s2", first_name="Claus", last_name="Koch", **firm),
        contact("s3", first_name="Anne", last_name="Weiß", **firm),
        contact("s4", first_name="Anna", last_name="Weiß", **firm),
        contact("s5", first_name="Ursula", last_name="Schwarz", **firm),
        contact("s6", first_name="Uschi", last_name="Schwarz", **firm),
    )
    assert found == {frozenset({"s5", "s6"})}


# --- colleagues: surname typos, namesakes, two mailboxes ----------------------------------------


def test_a_surname_one_letter_off_at_one_company_needs_the_records_own_mailbox_to_settle_it():
    firm = {"company": "Kempenaar Installatietechniek B.V.", "job_title": "Teamleider"}
    found = clusters(
        # colleagues: Jansen and Janssen, no mailbox that says otherwise
        contact("t1", first_name="Dirk", last_name="Jansen", **firm),
        contact("t2", first_name="Dirk", last_name="Janssen", email="dirk.janssen@ziggo.nl",
                **firm),
        # a typo: the record's own address spells Kuipers
        contact("t3", first_name="Inge", last_name="Kuipers", **firm),
        contact("t4", first_name="Inge", last_name="Kuipesr", email="kuipers.inge@ziggo.nl",
                **firm),
        # a typo: two neighbouring letters swapped make no other surname
        contact("t5", first_name="Jacobus", last_name="Smits", **firm),
        contact("t6", first_name="Jacobus", last_name="Simts", **firm),
    )  # fmt: skip
    assert found == {frozenset({"t3", "t4"}), frozenset({"t5", "t6"})}


def test_swapped_letters_in_a_first_name_are_another_name_and_jjansen_is_no_first_name():
    found = clusters(
        # Ian and Ina on one landline: a household, not a typo
        *household("h", "Evans", "+441612281398", "Ian", "Ina"),
        # jjansen@ spells J. and Jansen, not Jan: J. may still be Jan or Joost
        *household("j", "Jansen", "+31104021740", "Jan", "Joost"),
        contact("j3", first_name="J.", last_name="Jansen", email="jjansen1978@ziggo.nl",
                phone="+31104021740", phone_type="fixed_line"),
    )  # fmt: skip
    assert found == set()


def test_namesakes_at_one_company_with_other_job_titles_stay_apart():
    firm = {"company": "Ιόνιο Ναυτιλιακή Ι.Κ.Ε."}
    found = clusters(
        contact("k1", first_name="Ιωάννης", last_name="Κωνσταντίνου", job_title="Λογιστής", **firm),
        contact("k2", first_name="Ioannis", last_name="Konstantinou", job_title="IT Manager",
                **firm),
        contact("k3", first_name="Nikolaos", last_name="Georgiou", job_title="Λογιστής", **firm),
        contact("k4", first_name="Νίκος", last_name="Γεωργίου", job_title="Λογιστής", **firm),
    )  # fmt: skip
    assert found == {frozenset({"k3", "k4"})}


def test_a_third_record_cannot_bridge_two_mailboxes_at_one_company():
    firm = {"company": "Akropolis Pliroforiki A.E."}
    found = clusters(
        contact("b1", first_name="Athanasios", last_name="Dimitriou",
                email="athanasios.dimitriou@akropolis.gr", **firm),
        contact("b2", first_name="Athanasios", last_name="Dimitriou",
                email="athanasiosd@akropolis.gr", phone="+306996147052", phone_type="mobile",
                **firm),
        # b2's second record (same mobile) also looks like b1 by name and company alone
        contact("b3", first_name="Athanasios", last_name="Dimitriou",
                email="athanasios.dimitriou@gmail.com", phone="+306996147052",
                phone_type="mobile", **firm),
    )  # fmt: skip
    assert found == {frozenset({"b2", "b3"})}
