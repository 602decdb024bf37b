"""Duplicate detection on small, realistic European contact sets (all names invented)."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.dedupe.find import (
    DedupeConfig,
    find_duplicate_clusters,
    find_duplicate_clusters_with_stats,
)
from hygiene_pipeline.dedupe.keys import with_matching_keys
from tests.builders import blank_contact, blank_contacts_frame

SNAPSHOT = dt.date(2026, 11, 1)


def contact(contact_id: str, **fields: object) -> dict[str, object]:
    return blank_contact(SNAPSHOT, contact_id, **fields)


def frame(*rows: dict[str, object]) -> pl.DataFrame:
    return blank_contacts_frame(*rows)


def clusters(result: pl.DataFrame) -> set[frozenset[str]]:
    grouped = result.group_by("cluster_id").agg(pl.col("contact_id"))
    return {frozenset(ids) for ids in grouped.get_column("contact_id").to_list()}


def evidence(result: pl.DataFrame, contact_id: str) -> str:
    return result.filter(pl.col("contact_id") == contact_id).item(0, "match_evidence")


def survivor(result: pl.DataFrame) -> str:
    return result.filter(pl.col("is_survivor")).item(0, "contact_id")


# --- contract -------------------------------------------------------------------------------


def test_output_follows_the_contract():
    result = find_duplicate_clusters(
        frame(
            contact("c2", first_name="Jan", last_name="Jansen", email="jan.jansen@bouwkamp.nl"),
            contact("c1", first_name="Jan", last_name="Jansen", email="jan.jansen@bouwkamp.nl"),
            contact("c3", first_name="Sanne", last_name="Bakker", email="sanne@bakkerij-oost.nl"),
        )
    )
    assert result.schema == pl.Schema(schema.DUPLICATE_CLUSTERS)
    assert result.get_column("contact_id").to_list() == ["c1", "c2"]
    assert result.get_column("cluster_id").to_list() == ["dup-c1", "dup-c1"]
    assert result.get_column("snapshot").to_list() == [SNAPSHOT, SNAPSHOT]
    assert result.get_column("is_survivor").sum() == 1
    assert all(0.0 <= score <= 1.0 for score in result.get_column("score").to_list())
    assert evidence(result, "c1") == "rule=email;email=same;first=1.00;last=1.00"


def test_empty_and_no_duplicates_give_typed_empty_frames():
    empty = find_duplicate_clusters(pl.DataFrame(schema=schema.NORMALIZED_CONTACTS))
    assert empty.schema == pl.Schema(schema.DUPLICATE_CLUSTERS)
    assert empty.height == 0
    single = find_duplicate_clusters(frame(contact("c1", first_name="Eva", email="eva@lind.se")))
    assert single.height == 0
    assert single.schema == pl.Schema(schema.DUPLICATE_CLUSTERS)
    _, stats = find_duplicate_clusters_with_stats(frame())
    assert stats["skipped_blocks"] == 0
    assert stats["blocks"]["email"]["blocks"] == 0


def test_each_snapshot_is_deduplicated_on_its_own():
    later = dt.date(2026, 12, 1)
    rows = [
        contact("c1", first_name="Jan", last_name="Jansen", email="jan.jansen@bouwkamp.nl"),
        contact("c2", first_name="Jan", last_name="Jansen", email="jan.jansen@bouwkamp.nl"),
        contact("c1", first_name="Jan", last_name="Jansen", email="jan.jansen@bouwkamp.nl"),
        contact("c3", first_name="Eva", last_name="Lind", email="eva@lind.se"),
    ]
    rows[2]["snapshot"] = later
    result, stats = find_duplicate_clusters_with_stats(frame(*rows))
    assert result.select("snapshot", "contact_id").rows() == [(SNAPSHOT, "c1"), (SNAPSHOT, "c2")]
    assert stats["snapshots"] == 2


def test_missing_input_column_fails_loudly():
    with pytest.raises(ValueError, match="phone_type"):
        find_duplicate_clusters(frame(contact("c1")).drop("phone_type"))


# --- true duplicates ------------------------------------------------------------------------


def test_same_email_in_other_case_with_a_surname_typo():
    result = find_duplicate_clusters(
        frame(
            contact(
                "h1",
                first_name="Maarten",
                last_name="Jansen",
                email="m.jansen@houtwerf-advies.nl",
                company="Houtwerf Advies B.V.",
            ),
            contact(
                "h2", first_name="Maarten", last_name="Janssen", email="M.Jansen@Houtwerf-Advies.nl"
            ),
        )
    )
    assert clusters(result) == {frozenset({"h1", "h2"})}
    # the shared mailbox spells Jansen: the Janssen on record h2 is a typo
    assert evidence(result, "h2") == "rule=email;email=same;first=1.00;last=1.00;names=from_email"


def test_german_umlaut_and_ae_oe_ue_spellings_with_the_same_mobile():
    result = find_duplicate_clusters(
        frame(
            contact(
                "g1",
                first_name="Jürgen",
                last_name="Müller",
                phone="+4915187304216",
                phone_type="mobile",
                company="Müller Gerüstbau GmbH",
            ),
            contact(
                "g2",
                first_name="Juergen",
                last_name="Mueller",
                phone="+4915187304216",
                phone_type="mobile",
            ),
        )
    )
    assert clusters(result) == {frozenset({"g1", "g2"})}
    assert "rule=phone" in evidence(result, "g1")
    assert "first=1.00;last=1.00" in evidence(result, "g1")


def test_french_accents_and_company_legal_form_ignored():
    result = find_duplicate_clusters(
        frame(
            contact(
                "f1",
                first_name="Hélène",
                last_name="Lefèvre",
                company="Atelier Dupré SARL",
                email="helene.lefevre@orange.fr",
            ),
            contact("f2", first_name="Helene", last_name="Lefevre", company="ATELIER DUPRE"),
        )
    )
    assert clusters(result) == {frozenset({"f1", "f2"})}
    assert evidence(result, "f1") == "rule=name;company=same;first=1.00;last=1.00"


def test_dutch_particles_in_either_name_field():
    result = find_duplicate_clusters(
        frame(
            contact("d1", first_name="Sanne", last_name="de Vries", phone="+31638175294"),
            contact("d2", first_name="Sanne", last_name="Vries", phone="+31638175294"),
            contact("d3", first_name="Sanne de", last_name="Vries", phone="+31638175294"),
            contact(
                "d4", first_name="Pieter", last_name="van der Berg", email="pvdberg@polderbouw.nl"
            ),
            contact(
                "d5", first_name="Pieter", last_name="Van Der Berg", email="pvdberg@polderbouw.nl"
            ),
        )
    )
    assert clusters(result) == {frozenset({"d1", "d2", "d3"}), frozenset({"d4", "d5"})}


def test_swapped_first_and_last_name():
    result = find_duplicate_clusters(
        frame(
            contact(
                "s1",
                first_name="Lotte",
                last_name="Hendriks",
                phone="+31687153942",
                phone_type="mobile",
            ),
            contact(
                "s2",
                first_name="Hendriks",
                last_name="Lotte",
                phone="+31687153942",
                phone_type="mobile",
            ),
        )
    )
    assert clusters(result) == {frozenset({"s1", "s2"})}
    assert evidence(result, "s1").endswith("first=1.00;last=1.00;names=swapped")


def test_blank_name_is_no_evidence_either_way():
    result = find_duplicate_clusters(
        frame(
            contact("b1", first_name="Camille", last_name="Moreau", email="c.moreau@vignoble.fr"),
            contact("b2", email="c.moreau@vignoble.fr"),
            contact("b3", first_name="Camille", email="c.moreau@vignoble.fr"),
        )
    )
    assert clusters(result) == {frozenset({"b1", "b2", "b3"})}
    assert "last=blank" in evidence(result, "b3")


def test_personal_email_local_part_at_another_domain_corroborates():
    result = find_duplicate_clusters(
        frame(
            contact("p1", first_name="Ines", last_name="Kowalczyk", email="ineskow1984@gmail.com"),
            contact("p2", first_name="Ines", last_name="Kowalczyk", email="ineskow1984@web.de"),
        )
    )
    assert clusters(result) == {frozenset({"p1", "p2"})}
    assert "email_local=same" in evidence(result, "p1")


def test_greek_names_do_not_crash_and_still_match_on_email():
    result = find_duplicate_clusters(
        frame(
            contact(
                "e1", first_name="Γιώργος", last_name="Παπαδόπουλος", email="gp@elaiourgeio.gr"
            ),
            contact(
                "e2", first_name="ΓΙΩΡΓΟΣ", last_name="ΠΑΠΑΔΟΠΟΥΛΟΣ", email="gp@elaiourgeio.gr"
            ),
            contact("e3", first_name="Νίκος", last_name="Οικονόμου", email="nikos@limani.gr"),
        )
    )
    assert clusters(result) == {frozenset({"e1", "e2"})}


# --- hard negatives -------------------------------------------------------------------------


def test_namesakes_at_different_companies_stay_apart():
    result = find_duplicate_clusters(
        frame(
            contact(
                "n1",
                first_name="Jan",
                last_name="Jansen",
                email="jan.jansen@kaasmakerij-zuid.nl",
                company="Kaasmakerij Zuid",
                phone="+31201110001",
                phone_type="fixed_line",
            ),
            contact(
                "n2",
                first_name="Jan",
                last_name="Jansen",
                email="jan.jansen@dijkstra-logistiek.nl",
                company="Dijkstra Logistiek",
                phone="+31302220002",
                phone_type="fixed_line",
            ),
            contact("n3", first_name="Jan", last_name="Jansen", email="jan.jansen@gmail.com"),
            contact("n4", first_name="Jan", last_name="Jansen", email="jan.jansen@hotmail.com"),
            contact(
                "n5", first_name="Jürgen", last_name="Müller", email="juergen.mueller@gmail.com"
            ),
            contact("n6", first_name="Jürgen", last_name="Müller", email="j.mueller@web.de"),
            contact("n7", first_name="Jürgen", last_name="Müller", email="j.mueller@gmx.de"),
        )
    )
    assert result.height == 0


def test_family_members_sharing_a_home_phone_stay_apart():
    result = find_duplicate_clusters(
        frame(
            contact(
                "v1",
                first_name="Jan",
                last_name="de Vries",
                phone="+31505551234",
                phone_type="fixed_line",
            ),
            contact(
                "v2",
                first_name="Anna",
                last_name="de Vries",
                phone="+31505551234",
                phone_type="fixed_line",
            ),
            contact(
                "v3",
                first_name="Sophie",
                last_name="Dubois",
                phone="+33142001122",
                email="famille.dubois@orange.fr",
            ),
            contact(
                "v4",
                first_name="Marc",
                last_name="Dubois",
                phone="+33142001122",
                email="famille.dubois@orange.fr",
            ),
        )
    )
    assert result.height == 0


def test_colleagues_with_similar_names_sharing_domain_and_switchboard_stay_apart():
    office = {"phone": "+31104440000", "phone_type": "fixed_line", "job_title": "Accountmanager"}
    result = find_duplicate_clusters(
        frame(
            contact(
                "k1",
                first_name="Pieter",
                last_name="Jansen",
                company="Havenbedrijf Noord B.V.",
                email="pieter.jansen@havennoord.nl",
                **office,
            ),
            contact(
                "k2",
                first_name="Peter",
                last_name="Jansen",
                company="Havenbedrijf Noord BV",
                email="peter.jansen@havennoord.nl",
                **office,
            ),
            contact(
                "k3",
                first_name="Marie",
                last_name="Dubois",
                company="Havenbedrijf Noord B.V.",
                email="marie.dubois@havennoord.nl",
                phone="+31104440000",
            ),
            contact(
                "k4",
                first_name="Maria",
                last_name="Dubois",
                company="Havenbedrijf Noord B.V.",
                email="maria.dubois@havennoord.nl",
                phone="+31104440000",
            ),
            # identical names, but nothing personal agrees: could be two people, stays apart
            contact(
                "k5",
                first_name="Daan",
                last_name="Visser",
                company="Havenbedrijf Noord B.V.",
                email="daan.visser@havennoord.nl",
                phone="+31104440000",
            ),
            contact(
                "k6",
                first_name="Daan",
                last_name="Visser",
                company="Havenbedrijf Noord B.V.",
                email="d.visser@havennoord.nl",
                phone="+31104440000",
            ),
        )
    )
    assert result.height == 0


def _two_mailboxes(**personal: object) -> pl.DataFrame:
    office = {"first_name": "Daan", "last_name": "Visser", "company": "Havenbedrijf Noord B.V."}
    return frame(
        contact("m1", email="daan.visser@havennoord.nl", **office, **personal),
        contact("m2", email="d.visser@havennoord.nl", **office, **personal),
    )


def test_colleague_guard_yields_to_identical_names_and_the_same_mobile():
    result = find_duplicate_clusters(_two_mailboxes(phone="+31612940371", phone_type="mobile"))
    assert clusters(result) == {frozenset({"m1", "m2"})}
    assert "domain=same" in evidence(result, "m1")


def test_two_mailboxes_with_one_name_and_job_title_are_not_proof():
    # A job title is shared by many people (two "Hoofd Inkoop" in one group): not personal.
    result = find_duplicate_clusters(
        _two_mailboxes(phone="+31104440000", phone_type="fixed_line", job_title="Hoofd Inkoop")
    )
    assert result.height == 0


def test_a_name_running_on_past_another_is_a_different_name():
    result = find_duplicate_clusters(
        frame(
            contact(
                "t1",
                first_name="Jan",
                last_name="Peters",
                company="Drukkerij Zeeland",
                email="jpeters@ziggo.nl",
            ),
            contact(
                "t2",
                first_name="Jan",
                last_name="Petersen",
                company="Drukkerij Zeeland",
                email="jan.p@kpnmail.nl",
            ),
            contact("t3", first_name="Marie", last_name="Lambert", phone="+32470123456"),
            contact("t4", first_name="Marieke", last_name="Lambert", phone="+32470123456"),
        )
    )
    assert result.height == 0


def test_shared_role_mailbox_does_not_merge_different_people():
    result = find_duplicate_clusters(
        frame(
            contact("r1", first_name="Jan", last_name="Smit", email="info@smit-installatie.nl"),
            contact("r2", first_name="Femke", last_name="Smit", email="info@smit-installatie.nl"),
        )
    )
    assert result.height == 0


def test_name_spelled_email_local_and_placeholder_company_do_not_corroborate():
    result = find_duplicate_clusters(
        frame(
            contact(
                "q1",
                first_name="Lotte",
                last_name="Visser",
                email="lotte.visser@gmail.com",
                company="n/a",
            ),
            contact(
                "q2",
                first_name="Lotte",
                last_name="Visser",
                email="lotte.visser@outlook.com",
                company="N.A.",
            ),
            contact("q3", first_name="Bram", last_name="Kok", email="bram.kok2@gmail.com"),
            contact("q4", first_name="Bram", last_name="Kok", email="bram.kok2@outlook.com"),
        )
    )
    assert result.height == 0


def test_oversized_block_is_skipped_and_counted():
    placeholder = {"phone": "+31600000001", "phone_type": "mobile"}
    rows = [contact(f"x{i}", first_name="Jan", last_name="Jansen", **placeholder) for i in range(6)]
    result, stats = find_duplicate_clusters_with_stats(frame(*rows), DedupeConfig(block_cap=5))
    assert result.height == 0
    assert stats["skipped_blocks"] == 1
    assert stats["blocks"]["phone"] == {"blocks": 1, "skipped_blocks": 1, "skipped_block_rows": 6}
    with_room, _ = find_duplicate_clusters_with_stats(frame(*rows), DedupeConfig(block_cap=6))
    assert clusters(with_room) == {frozenset(f"x{i}" for i in range(6))}


# --- clustering -----------------------------------------------------------------------------


def _chain() -> list[dict[str, object]]:
    """A~B same email, C~D same email; B~C only by the same name + the same company."""
    return [
        contact(
            "A",
            first_name="Jan",
            last_name="Jansen",
            email="jan.jansen@bouwkamp.nl",
            company="Bouwkamp",
        ),
        contact(
            "B",
            first_name="Jan",
            last_name="Jansen",
            email="jan.jansen@bouwkamp.nl",
            company="Tulpenhof",
        ),
        contact(
            "C",
            first_name="Jan",
            last_name="Jansen",
            email="jjansen@tulpenhof.nl",
            company="Tulpenhof",
        ),
        contact("D", first_name="Jan", last_name="Jansen", email="jjansen@tulpenhof.nl"),
    ]


def test_weak_link_between_two_strong_pairs_does_not_chain():
    chain = _chain()
    # The weak link is a real match on its own ...
    alone = find_duplicate_clusters(frame(chain[1], chain[2]))
    assert clusters(alone) == {frozenset({"B", "C"})}
    assert "rule=name" in evidence(alone, "B")
    # ... but it cannot join two groups: no cluster of four.
    result, stats = find_duplicate_clusters_with_stats(frame(*chain))
    assert clusters(result) == {frozenset({"A", "B"}), frozenset({"C", "D"})}
    assert stats["refused_weak_links"] == 1
    assert result.get_column("cluster_id").unique().sort().to_list() == ["dup-A", "dup-C"]


def test_a_record_joins_a_pair_it_matches_one_member_of():
    chain = _chain()
    result = find_duplicate_clusters(frame(*chain[:3]))
    assert clusters(result) == {frozenset({"A", "B", "C"})}
    # each member reports its best link inside its cluster
    assert "rule=email" in evidence(result, "B")
    assert "rule=name" in evidence(result, "C")


def test_oversized_cluster_is_capped():
    rows = [
        contact(f"o{i:02d}", first_name="Emma", last_name="Smit", email="emma@smitadvies.nl")
        for i in range(12)
    ]
    result, stats = find_duplicate_clusters_with_stats(frame(*rows))
    sizes = sorted(result.group_by("cluster_id").len().get_column("len").to_list())
    assert sizes == [2, 10]
    assert stats["refused_oversized"] > 0


def test_cluster_ids_and_output_do_not_depend_on_row_order():
    rows = [
        *_chain(),
        contact("g1", first_name="Jürgen", last_name="Müller", phone="+4915187304216"),
        contact("g2", first_name="Juergen", last_name="Mueller", phone="+4915187304216"),
        contact(
            "g3",
            first_name="Jürgen",
            last_name="Müller",
            email="jm@gerustbau.de",
            phone="+4915187304216",
        ),
        contact("s1", first_name="Lotte", last_name="Hendriks", email="lotte@hendriks.be"),
        contact("s2", first_name="Hendriks", last_name="Lotte", email="lotte@hendriks.be"),
        contact("z1", first_name="Noah", last_name="Peeters", email="noah@peeters.be"),
    ]
    expected = find_duplicate_clusters(frame(*rows))
    assert expected.height == 9
    for seed in range(5):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert find_duplicate_clusters(frame(*shuffled)).equals(expected)


# --- survivor rules -------------------------------------------------------------------------


def _pair(first: dict[str, object], second: dict[str, object]) -> pl.DataFrame:
    same = {"first_name": "Chloé", "last_name": "Lambert", "email": "chloe@lambert-design.fr"}
    return frame(contact("L2", **same, **first), contact("L1", **same, **second))


def test_survivor_most_complete_record_first():
    result = find_duplicate_clusters(
        _pair(
            {"company": "Lambert Design", "owner": "sales-7", "last_activity_at": None},
            {"last_activity_at": dt.datetime(2026, 10, 1)},
        )
    )
    assert survivor(result) == "L2"


def test_survivor_then_most_recent_activity():
    result = find_duplicate_clusters(
        _pair(
            {"last_activity_at": dt.datetime(2026, 10, 1), "created_at": dt.datetime(2024, 1, 1)},
            {"last_activity_at": dt.datetime(2025, 3, 1), "created_at": dt.datetime(2019, 1, 1)},
        )
    )
    assert survivor(result) == "L2"


def test_survivor_then_oldest_created():
    result = find_duplicate_clusters(
        _pair({"created_at": dt.datetime(2019, 5, 1)}, {"created_at": dt.datetime(2021, 5, 1)})
    )
    assert survivor(result) == "L2"


def test_survivor_then_smallest_contact_id():
    result = find_duplicate_clusters(_pair({}, {}))
    assert survivor(result) == "L1"
    assert result.filter(pl.col("is_survivor")).height == 1


# --- short forms and mailboxes ----------------------------------------------------------------


def test_european_and_greek_diminutives_and_short_forms_match_like_the_full_name():
    result = find_duplicate_clusters(
        frame(
            contact("d1", first_name="Cornelis", last_name="Bakker", phone="+31619482736",
                    phone_type="mobile"),
            contact("d2", first_name="Kees", last_name="Bakker", phone="+31619482736",
                    phone_type="mobile"),
            contact("d3", first_name="Ιωάννης", last_name="Παπαδάκης",
                    email="i.papadakis@otenet.gr"),
            contact("d4", first_name="Giannis", last_name="Papadakis",
                    email="I.Papadakis@otenet.gr"),
            # a short form cut from the name (Jo: Johanna or Johannes) beside one address
            contact("d5", first_name="Johanna", last_name="de Haan", email="jdehaan@kpnmail.nl"),
            contact("d6", first_name="Jo", last_name="de Haan", email="jdehaan@kpnmail.nl"),
        )
    )  # fmt: skip
    expected = {frozenset({"d1", "d2"}), frozenset({"d3", "d4"}), frozenset({"d5", "d6"})}
    assert clusters(result) == expected
    assert "first=nickname" in evidence(result, "d2")


def test_an_initial_is_settled_by_the_records_own_mailbox():
    home = {"last_name": "Faure", "phone": "+33479872336", "phone_type": "fixed_line"}
    people = [
        ("f1", "Céline", "celine.faure80@orange.fr"),
        ("f2", "C.", "celine.faure@outlook.com"),
        ("f3", "Claude", None),  # C. could be Claude too, but not by the mailbox
    ]
    result = find_duplicate_clusters(
        frame(
            *(contact(key, first_name=first, email=email, **home) for key, first, email in people)
        )
    )
    assert clusters(result) == {frozenset({"f1", "f2"})}
    assert evidence(result, "f2").endswith("first=1.00;last=1.00;names=from_email")


# --- identifiers (DedupeConfig.identifiers, none in CRM exports) -------------------------------


def _register(**config: object) -> pl.DataFrame:
    def person(contact_id: str, first: str, **ids: str) -> dict[str, object]:
        return {**contact(contact_id, first_name=first, last_name="Toseland"), **ids}

    rows = [
        # one person, given name replaced: national id and birth date agree, the address not
        person("r1", "liam", ssid="4439847", dob="19100830", postcode="4702"),
        person("r2", "abby", ssid="4439847", dob="19100830", postcode="2877"),
        # twins: one birth date and one address, two ids and two names
        person("r3", "noah", ssid="1234567", dob="19990101", postcode="2600"),
        person("r4", "mia", ssid="7654321", dob="19990101", postcode="2600"),
    ]
    contacts = pl.DataFrame(rows).with_columns(pl.col("snapshot").cast(pl.Date))
    return find_duplicate_clusters(
        contacts, DedupeConfig(identifiers=("ssid", "dob", "postcode"), **config)
    )


def test_a_unique_identifier_with_another_one_and_the_surname_is_one_person():
    assert _register().height == 0  # without knowing which identifier is a person's own
    result = _register(unique_identifiers=("ssid",))
    assert clusters(result) == {frozenset({"r1", "r2"})}  # the twins stay two
    assert "rule=identifiers;ssid=same;dob=same" in evidence(result, "r1")
    with pytest.raises(ValueError, match="unique_identifiers"):
        _register(unique_identifiers=("passport",))


def test_matching_keys_come_from_normalizations_functions_when_missing():
    rows = frame(
        contact("k1", first_name="Γιάννης", last_name="Παπαδάκης", company="Πήγασος Α.Ε.",
                email="g.papadakis@pigasos.gr"),
        contact("k2", first_name="Ioannis", last_name="Papadakis", company="Pigasos AE",
                email="G.Papadakis@pigasos.gr"),
    )  # fmt: skip
    assert find_duplicate_clusters_with_stats(rows)[1]["matching_keys_from"] == "computed"
    keyed = with_matching_keys(rows)
    assert keyed.get_column("first_name_canonical").to_list() == ["ioannis", "ioannis"]
    assert keyed.get_column("company_key").to_list() == ["pigasos", "pigasos"]
    assert keyed.get_column("company_domain").to_list() == ["pigasos.gr", "pigasos.gr"]
    assert find_duplicate_clusters_with_stats(keyed)[1]["matching_keys_from"] == "input"
