"""One job in another language or abbreviation is one job title; a shared level is not evidence.

Records of one person that differ only by a translated or abbreviated job title (KAM / Key
Account Manager, CEO / Διευθύνων Σύμβουλος) and a known diminutive (Mado / Madeleine, Hanneke /
Johanna) are one person; colleagues whose titles only share a function and seniority stay two.
Each hard-negative test pairs its look-alikes with a true duplicate that needs the same rule,
so it fails both when the rule is missing and when it lets everything through. All people and
companies are invented.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from hygiene_pipeline.dedupe.find import find_duplicate_clusters
from tests.builders import blank_contact, blank_contacts_frame

SNAPSHOT = dt.date(2026, 11, 1)


def contact(contact_id: str, **fields: object) -> dict[str, object]:
    return blank_contact(SNAPSHOT, contact_id, **fields)


def matched(*rows: dict[str, object]) -> pl.DataFrame:
    return find_duplicate_clusters(blank_contacts_frame(*rows))


def clusters(result: pl.DataFrame) -> set[frozenset[str]]:
    grouped = result.group_by("cluster_id").agg(pl.col("contact_id"))
    return {frozenset(ids) for ids in grouped.get_column("contact_id").to_list()}


def evidence(result: pl.DataFrame, contact_id: str) -> str:
    return result.filter(pl.col("contact_id") == contact_id).get_column("match_evidence").item()


# --- one person, the title translated or abbreviated ------------------------------------------


def test_an_abbreviated_title_lets_a_short_form_on_the_switchboard_join_the_full_name():
    # Anneke is Anna's or Johanna's: a short form that needs the same job beside it.
    office = {"company": "Brouwer Logistiek B.V.", "phone": "+31104440000",
              "phone_type": "fixed_line"}  # fmt: skip
    result = matched(
        contact("v1", first_name="Johanna", last_name="de Vries", job_title="Key Account Manager",
                **office),
        contact("v2", first_name="Anneke", last_name="de Vries", job_title="KAM", **office),
    )  # fmt: skip
    assert clusters(result) == {frozenset({"v1", "v2"})}
    assert "title=same_role" in evidence(result, "v2")


def test_one_job_in_greek_french_german_and_dutch_is_one_job_title():
    result = matched(
        # Greek script and its ELOT transliteration; Γιώργος is Georgios
        contact("g1", first_name="Γιώργος", last_name="Παπαδόπουλος",
                job_title="Διευθύνων Σύμβουλος", company="Θεσσαλία Πληροφορική Α.Ε."),
        contact("g2", first_name="Georgios", last_name="Papadopoulos", job_title="CEO",
                company="Thessalia Pliroforiki A.E."),
        # a Swiss insurer's French and German exports; Mado is Madeleine
        contact("s1", first_name="Madeleine", last_name="Roux", job_title="Responsable marketing",
                company="Alpenblick Versicherungen AG"),
        contact("s2", first_name="Mado", last_name="Roux", job_title="Marketingleiterin",
                company="Alpenblick Versicherungen AG"),
        # Dutch and English; Jaap is Jacobus
        contact("d1", first_name="Jacobus", last_name="Smit", job_title="Verkoopmanager",
                company="Kempenaar Installatietechniek B.V."),
        contact("d2", first_name="Jaap", last_name="Smit", job_title="Sales Manager",
                company="Kempenaar Installatietechniek BV"),
        # Greek CFO; Νίκος is Nikolaos
        contact("c1", first_name="Νίκος", last_name="Αντωνίου",
                job_title="Οικονομικός Διευθυντής", company="Ερμής Εμπορική Α.Ε."),
        contact("c2", first_name="Nikolaos", last_name="Antoniou", job_title="CFO",
                company="Ermis Emporiki A.E."),
    )  # fmt: skip
    assert clusters(result) == {
        frozenset({"g1", "g2"}),
        frozenset({"s1", "s2"}),
        frozenset({"d1", "d2"}),
        frozenset({"c1", "c2"}),
    }


def test_a_buyer_in_two_languages_is_one_job_and_a_head_of_purchasing_another():
    firm = {"first_name": "Bram", "last_name": "Hendriks", "company": "Zuiderhaven Logistiek"}
    other = {"first_name": "Hanneke", "last_name": "Mulder", "company": "Duinrand Transport"}
    result = matched(
        # an Inkoper is no manager: not the Hoofd Inkoop of the same name
        contact("b1", job_title="Inkoper", **firm),
        contact("b2", job_title="Einkäufer", **firm),
        contact("b3", job_title="Hoofd Inkoop", **firm),
        # Hanneke is Johanna; a Responsable Achats runs purchasing, like a Hoofd Inkoop
        contact("h1", job_title="Responsable Achats", **other),
        contact("h2", job_title="Hoofd Inkoop", **{**other, "first_name": "Johanna"}),
    )
    assert clusters(result) == {frozenset({"b1", "b2"}), frozenset({"h1", "h2"})}


def test_titles_of_one_function_and_seniority_do_not_contradict_one_person():
    # "Sales Manager Benelux" names no role of the table, but it is a sales manager too
    firm = {"first_name": "Dirk", "last_name": "Bakker", "company": "Drukkerij Zeeland"}
    result = matched(
        contact("l1", job_title="Sales Manager Benelux", **firm),
        contact("l2", job_title="Verkoopmanager", **firm),
    )
    assert clusters(result) == {frozenset({"l1", "l2"})}


# --- two people: a shared function and seniority is no evidence ---------------------------------


def test_a_short_form_beside_another_title_of_the_same_level_stays_apart():
    # Kris may be Kristof or Kristien: only the same job, not the same level, settles it.
    firm = {"last_name": "Janssens", "company": "Havenbedrijf Noord B.V."}
    other = {"last_name": "Peeters", "company": "Van Dijk Bouw B.V."}
    found = clusters(
        matched(
            contact("k1", first_name="Kris", job_title="Sales Manager DACH", **firm),
            contact("k2", first_name="Kristof", job_title="Area Sales Manager", **firm),
            # the true duplicate: one role, abbreviated
            contact("p1", first_name="Kris", job_title="KAM", **other),
            contact("p2", first_name="Kristof", job_title="Key-Account-Manager", **other),
        )
    )
    assert found == {frozenset({"p1", "p2"})}


def test_namesakes_with_two_known_jobs_of_one_level_stay_apart():
    # Sales Manager and Key Account Manager are both sales managers, but two jobs.
    firm = {"first_name": "Eva", "last_name": "Jansen", "company": "Nordlicht Maschinenbau GmbH"}
    other = {"first_name": "Eva", "last_name": "Jansen", "company": "Elbufer Maschinenbau GmbH"}
    found = clusters(
        matched(
            contact("n1", job_title="Sales Manager", **firm),
            contact("n2", job_title="Key Account Manager", **firm),
            contact("n3", job_title="Marketing Manager", **firm),  # another function
            # the true duplicate: one job in German and English
            contact("e1", job_title="Vertriebsleiterin", **other),
            contact("e2", job_title="Sales Manager", **other),
        )
    )
    assert found == {frozenset({"e1", "e2"})}


def test_two_account_managers_with_other_first_names_stay_apart():
    firm = {"last_name": "Visser", "company": "Eetcafé De Blauwe Reiger", "phone": "+31505551234",
            "phone_type": "fixed_line"}  # fmt: skip
    found = clusters(
        matched(
            contact("a1", first_name="Sanne", job_title="Account Manager", **firm),
            contact("a2", first_name="Sander", job_title="Accountmanager", **firm),
            contact("a3", first_name="Femke", job_title="KAM", **firm),
            # the true duplicate on the same switchboard: Hanneke is Johanna
            contact("a4", first_name="Johanna", job_title="Key Account Manager", **firm),
            contact("a5", first_name="Hanneke", job_title="KAM", **firm),
        )
    )
    assert found == {frozenset({"a4", "a5"})}


def test_a_diminutive_that_is_also_a_name_of_its_own_needs_the_same_job():
    # Karin and Anneke are names of their own too: at home, without a job, they stay apart
    # from Catharina and Johanna; at work with one job in two languages they join.
    home = {"last_name": "Bos", "phone": "+31505550000", "phone_type": "fixed_line"}
    office = {"last_name": "Meijer", "company": "Brouwer Techniek B.V.", "phone": "+31104021740",
              "phone_type": "fixed_line"}  # fmt: skip
    found = clusters(
        matched(
            contact("h1", first_name="Catharina", **home),
            contact("h2", first_name="Karin", **home),
            contact("h3", first_name="Johanna", **home),
            contact("h4", first_name="Anneke", **home),
            contact("w1", first_name="Catharina", job_title="Office Manager", **office),
            contact("w2", first_name="Karin", job_title="Kantoormanager", **office),
        )
    )
    assert found == {frozenset({"w1", "w2"})}


# --- normalization: one role, one function and seniority ----------------------------------------

ROLES = {
    "account_manager": ["KAM", "Key Account Manager", "Accountmanager", "Key-Account-Manager"],
    "buyer": ["Inkoper", "Einkäufer", "Acheteur", "Comprador"],
    "head_of_procurement": ["Responsable Achats", "Purchasing Manager", "Head of Procurement",
                            "Hoofd Inkoop", "Einkaufsleiter"],
    "ceo": ["CEO", "Geschäftsführer", "GESCHAEFTSFUEHRER", "Directeur Général",
            "Algemeen directeur", "Διευθύνων Σύμβουλος", "ΔΙΕΥΘΎΝΩΝ ΣΎΜΒΟΥΛΟΣ",
            "Amministratore delegato", "Consejero delegado"],
    "cfo": ["CFO", "Financieel directeur", "Directeur financier", "Finanzvorstand",
            "Direttore finanziario", "Οικονομικός Διευθυντής"],
    "marketing_manager": ["Marketing Manager", "Marketingmanager", "Responsable marketing",
                          "Responsabile marketing"],
    "sales_manager": ["Sales Manager", "Verkoopmanager", "Vertriebsleiter", "Jefe de ventas"],
    "office_manager": ["Office Manager", "Kantoormanager", "Büroleiterin"],
    "hr_manager": ["HR Manager", "HR-manager", "Personalleiter", "DRH",
                   "Responsabile risorse umane"],
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(ROLES))
def test_one_role_in_every_language_has_one_function_and_seniority(role):
    from hygiene_pipeline.normalize.job_titles import (
        job_function_expr,
        job_role_expr,
        job_seniority_expr,
    )

    titles = pl.DataFrame({"title": ROLES[role]}).select(
        role=job_role_expr(pl.col("title")),
        level=pl.concat_str(
            job_function_expr(pl.col("title")).fill_null("-"),
            job_seniority_expr(pl.col("title")).fill_null("-"),
            separator="/",
        ),
    )
    assert titles.get_column("role").to_list() == [role] * len(ROLES[role])
    assert titles.get_column("level").n_unique() == 1


def test_the_buyer_is_no_manager_and_head_of_procurement_stays_head():
    from hygiene_pipeline.normalize.job_titles import job_function_expr, job_seniority_expr

    frame = pl.DataFrame({"title": ["Inkoper", "Hoofd Inkoop", "Key Account Manager DACH"]})
    title = pl.col("title")
    levels = frame.select(job_function_expr(title).alias("f"), job_seniority_expr(title).alias("s"))
    assert levels.rows() == [("procurement", None), ("procurement", "head"), ("sales", "manager")]


def test_the_titles_file_is_checked_and_its_errors_name_the_key():
    from hygiene_pipeline.normalize.job_titles import JobTitlesError, parse_title_knowledge

    def data(**changes: object) -> dict[str, object]:
        base: dict[str, object] = {
            "roles": {"ceo": {"function": "executive", "seniority": "c_level",
                              "titles": ["CEO"]}},
            "seniority": {"c_level": {"words": ["ceo"]}},
            "function": {"executive": {"words": ["ceo"]}},
            "acronyms": ["ceo"],
            "small_words": ["of"],
        }  # fmt: skip
        return {**base, **changes}

    assert parse_title_knowledge(data(), "t.yaml").roles["ceo"].seniority == "c_level"
    role = {"function": "exec", "seniority": "c_level", "titles": ["CEO"]}
    with pytest.raises(JobTitlesError, match=r"roles\.ceo\.function: 'exec'"):
        parse_title_knowledge(data(roles={"ceo": role}), "t.yaml")
    twice = {"ceo": {**role, "function": "executive"}, "boss": {**role, "function": None}}
    with pytest.raises(JobTitlesError, match=r"roles\.boss\.titles: 'CEO' is also .*roles\.ceo"):
        parse_title_knowledge(data(roles=twice), "t.yaml")
    with pytest.raises(JobTitlesError, match=r"seniority\.c_level\.words: pattern 'ce\(o'"):
        parse_title_knowledge(data(seniority={"c_level": {"words": ["ce(o"]}}), "t.yaml")
    with pytest.raises(JobTitlesError, match=r"seniority\.c_level\.middle: unknown key"):
        parse_title_knowledge(data(seniority={"c_level": {"middle": ["ceo"]}}), "t.yaml")
    with pytest.raises(JobTitlesError, match=r"missing sections \['acronyms'\]"):
        parse_title_knowledge({k: v for k, v in data().items() if k != "acronyms"}, "t.yaml")
