"""Matching keys: transliteration, phonetic codes and nickname-canonical first names."""

from __future__ import annotations

import polars as pl
import pytest

from hygiene_pipeline.normalize.matching_keys import (
    ascii_series,
    canonical_first_name,
    diminutive_groups,
    diminutive_table,
    european_diminutives,
    name_keys,
    phonetic,
    to_ascii,
)


@pytest.mark.parametrize(
    ("name", "expanded", "stripped"),
    [
        ("Γιώργος", "giorgos", "giorgos"),
        ("Παπαδόπουλος", "papadopoulos", "papadopoulos"),  # ου -> ou, not oy
        ("Ευάγγελος", "evangelos", "evangelos"),  # ευ before a voiced letter -> ev, γγ -> ng
        ("Ευθυμίου", "efthymiou", "efthymiou"),  # ευ before θ (voiceless) -> ef
        ("Μπακογιάννης", "bakogiannis", "bakogiannis"),  # μπ at the start -> b
        ("Ντόκα", "doka", "doka"),
        ("Иванова", "ivanova", "ivanova"),
        ("Müller", "mueller", "muller"),
        ("Schäfer-Öztürk", "schaefer-oeztuerk", "schafer-ozturk"),
        ("Strauß", "strauss", "strauss"),
        ("Łukasz Øster", "lukasz oster", "lukasz oster"),
        ("Hélène", "helene", "helene"),
        ("  van der   BERG ", "van der berg", "van der berg"),
        ("🎉", None, None),
    ],
)
def test_ascii_keys_in_both_umlaut_forms(name, expanded, stripped):
    assert to_ascii(name) == expanded
    assert to_ascii(name, "strip") == stripped


def test_mueller_meets_both_mueller_and_muller_through_its_two_forms():
    typed = ["Müller", "Mueller", "Muller"]
    expanded = [to_ascii(name) for name in typed]
    stripped = [to_ascii(name, "strip") for name in typed]
    assert expanded[0] == expanded[1]  # Müller ~ Mueller
    assert stripped[0] == stripped[2]  # Müller ~ Muller
    assert expanded[1] != expanded[2]  # without an umlaut there is no evidence either way


def test_ascii_series_matches_the_per_value_function_and_keeps_nulls():
    values = pl.Series(["Jansen", "JANSEN", "Γιώργος", None, "Jürgen", "Jürgen"])
    assert ascii_series(values).to_list() == [
        "jansen", "jansen", "giorgos", None, "juergen", "juergen",
    ]  # fmt: skip
    assert ascii_series(values, "strip").to_list()[4] == "jurgen"


@pytest.mark.parametrize(
    ("nickname", "formal"),
    [("bob", "robert"), ("bill", "william"), ("liz", "elizabeth"), ("jim", "james"),
     ("kate", "katherine"), ("peggy", "margaret"), ("dick", "richard"), ("mike", "michael")],
)  # fmt: skip
def test_nicknames_and_formal_names_share_one_canonical_both_ways(nickname, formal):
    assert canonical_first_name(nickname) == formal
    assert canonical_first_name(formal) == formal


@pytest.mark.parametrize("name", ["jan", "anna", "maria", "joost", "sanne", "marieke", "luuk"])
def test_european_given_names_stay_themselves(name):
    assert canonical_first_name(name) == name


@pytest.mark.parametrize(
    ("short", "full"),
    [("Kees", "Cornelis"), ("Wim", "Willem"), ("Jaap", "Jacobus"), ("Piet", "Pieter"),
     ("Jule", "Julia"), ("Sepp", "Josef"), ("Käthe", "Katharina"), ("Kathe", "Katharina"),
     ("Paco", "Francisco"), ("Zé", "José"), ("Peppe", "Giuseppe"), ("Lasse", "Lars"),
     ("Kasia", "Katarzyna"), ("Gosia", "Małgorzata"), ("Γιάννης", "Ιωάννης"),
     ("Giannis", "Ioannis"), ("Γιάννης", "Ioannis"), ("Κώστας", "Konstantinos"),
     ("Γωγώ", "Γεωργία"), ("Vasilis", "Βασίλειος")],
)  # fmt: skip
def test_european_diminutives_share_the_full_names_canonical(short, full):
    # Greek in Greek script or in its ELOT transliteration, umlauts typed or not.
    assert canonical_first_name(to_ascii(short)) == canonical_first_name(to_ascii(full))


def test_a_full_name_in_the_table_is_not_turned_into_its_english_cousin():
    # the English data set would say william; Bill and Wim must not become one name by it
    assert canonical_first_name("willem") == "willem"
    assert canonical_first_name("wim") == "willem"
    assert canonical_first_name("bill") == "william"


@pytest.mark.parametrize("form", ["jo", "cor", "andi", "uli", "conny", "nando", "popi", "voula"])
def test_ambiguous_diminutives_stay_themselves(form):
    # Jo: Johannes or Johanna; Cor: Cornelis or Cornelia; Πόπη: Καλλιόπη or Πολυξένη
    assert european_diminutives()[form] is None
    assert canonical_first_name(form) == form
    assert len(diminutive_groups()[form]) == 2


def test_diminutive_table_refuses_chains_and_bad_shapes():
    with pytest.raises(ValueError, match="listed as forms of another name: \\['johan'\\]"):
        diminutive_table({"nl": {"johannes": ["johan"], "johan": ["joop"]}}, "t.yaml")
    with pytest.raises(ValueError, match="forms must be a list"):
        diminutive_table({"nl": {"willem": "wim"}}, "t.yaml")
    with pytest.raises(ValueError, match="expected languages"):
        diminutive_table(["willem"], "t.yaml")
    table, groups = diminutive_table({"nl": {"johannes": ["jo"]}, "de": {"johanna": ["jo"]}}, "t")
    assert table == {"johannes": "johannes", "johanna": "johanna", "jo": None}
    assert groups["jo"] == {"johannes", "johanna"}


def test_phonetic_key_lets_spelling_variants_meet():
    assert phonetic("meyer") == phonetic("mayer")
    assert phonetic("jansen") == phonetic("janssen")
    assert phonetic("peeters") == phonetic("pieters")
    assert phonetic("philips") == phonetic("filips")
    assert phonetic("mueller") == phonetic("muller")
    assert phonetic("van der berg") == phonetic("vanderberg")
    assert phonetic("jansen") != phonetic("peeters")
    assert phonetic(None) is None


def test_name_keys_let_greek_and_latin_spellings_meet():
    keys = name_keys(
        pl.Series(["Γιώργος", "Giorgos", "Bob", "Robert"]),
        pl.Series(["Παπαδόπουλος", "Papadopoulos", "Hendricks", "HENDRICKS"]),
    )
    rows = keys.rows()
    assert rows[0] == rows[1] == ("giorgos", "papadopoulos", "georgios", "PPTPLS")
    assert rows[2][2:] == rows[3][2:] == ("robert", "HNTRKS")
