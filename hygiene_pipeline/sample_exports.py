"""Deterministic, realistic and messy HubSpot contact exports of invented people.

No real people: names are random combinations of common first and last names per country,
companies join invented stems with a sector and a legal form, domains are made from those names.
Phone numbers are random digits in ranges libphonenumber calls valid (so a validator's "invalid"
count means something); Ofcom's drama numbers (020 7946 0xxx, 07700 900xxx) appear only among the
planted fake numbers. Nothing is read from the network or from real data; standard library only.

One "all properties" contacts export per month, as HubSpot writes it::

    python -m hygiene_pipeline.sample_exports --out data/exports \
        [--people 1500] [--seed 20261001] [--months 2026-08 2026-09 2026-10] [--truth PATH]

writes ``<out>/<month>/hubspot-contacts-<month>.csv``. Odd calendar months are saved the way Excel
on a European locale saves them (``;``, UTF-8 with BOM, CRLF); even months are plain UTF-8 ``,``
with LF. ``people`` is the number of invented persons in the first month (originals plus hard
negatives); duplicates, role accounts, disposable addresses and test records come on top (about
+9% rows).

The same population evolves across the months: 2-4% new records, activity moving forward, stage
changes, new unsubscribes and bounces, deleted records; nothing is dated after the export moment
(the month's last day, 17:00). Planted messiness is recorded in the *truth* (`TruthRow`, one per
record id ever exported): the invented person it belongs to, its kind (original, duplicate,
hard_negative, role_account, disposable, test_junk), ";"-joined tags of what was planted, the
related record (a duplicate's original, a hard negative's look-alike) and the first and last month
it was exported. The truth is never written into the exports folder (the pipeline reads every file
there): use `build_sample_exports(...).truth`, `sample_truth(...)` or `write_truth(path, ...)`.

Same arguments, same bytes: randomness comes only from `random.Random` seeded with strings derived
from the seed (sha512 seeding, independent of PYTHONHASHSEED), and no set is ever iterated.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import random
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

HEADER: tuple[str, ...] = (
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Mobile Phone Number",
    "Company Name",
    "Job Title",
    "Contact owner",
    "Create Date",
    "Last Modified Date",
    "Lifecycle Stage",
    "Lead Status",
    "Last Activity Date",
    "Original Source",
    "Marketing emails bounced",
    "Email hard bounce reason",
    "Unsubscribed from all email",
    "Country/Region",
)
DATE_COLUMNS = ("Create Date", "Last Modified Date", "Last Activity Date")
DATE_FORMAT = "%Y-%m-%d %H:%M"

DEFAULT_MONTHS: tuple[str, ...] = ("2026-08", "2026-09", "2026-10")
DEFAULT_PEOPLE = 1500
DEFAULT_SEED = 20261001

TRUTH_HEADER: tuple[str, ...] = (
    "record_id",
    "person_id",
    "kind",
    "tags",
    "related_record_id",
    "first_month",
    "last_month",
)
TRUTH_KINDS = ("original", "duplicate", "hard_negative", "role_account", "disposable", "test_junk")

LIFECYCLE_STAGES = (
    "Subscriber",
    "Lead",
    "Marketing Qualified Lead",
    "Sales Qualified Lead",
    "Opportunity",
    "Customer",
    "Evangelist",
    "Other",
)
EARLIEST = datetime(2016, 1, 4, 9, 0)
EXPORT_TIME = (17, 0)  # each month is exported on its last day at 17:00

# ---------------------------------------------------------------------------------------------
# Reference data (all names are common given names and surnames; the combinations are random)
# ---------------------------------------------------------------------------------------------

COUNTRY_WEIGHTS: dict[str, int] = {"NL": 30, "DE": 22, "BE": 12, "FR": 14, "GB": 14, "GR": 8}

# (first name, gender, nicknames)
FIRST_NAMES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "nl": [
        ("Jan", "m", ()),
        ("Pieter", "m", ("Piet",)),
        ("Johannes", "m", ("Hans", "Johan")),
        ("Willem", "m", ("Wim",)),
        ("Hendrik", "m", ("Henk",)),
        ("Cornelis", "m", ("Kees",)),
        ("Jacobus", "m", ("Koos", "Jaap")),
        ("Gerrit", "m", ("Gert",)),
        ("Daan", "m", ()),
        ("Sem", "m", ()),
        ("Lucas", "m", ("Luuk",)),
        ("Thijs", "m", ()),
        ("Bram", "m", ()),
        ("Ruben", "m", ()),
        ("Jeroen", "m", ()),
        ("Maarten", "m", ()),
        ("Sjoerd", "m", ()),
        ("Dirk", "m", ()),
        ("Sanne", "f", ()),
        ("Anouk", "f", ()),
        ("Lotte", "f", ()),
        ("Femke", "f", ()),
        ("Marieke", "f", ()),
        ("Eva", "f", ()),
        ("Emma", "f", ()),
        ("Sophie", "f", ()),
        ("Johanna", "f", ("Hanneke", "Jo")),
        ("Margaretha", "f", ("Greet", "Margriet")),
        ("Elisabeth", "f", ("Els", "Lies")),
        ("Maria", "f", ("Mies", "Ria")),
        ("Inge", "f", ()),
        ("Esther", "f", ()),
        ("Anna", "f", ()),
        ("Wilhelmina", "f", ("Wilma", "Mien")),
    ],
    "be_nl": [
        ("Lucas", "m", ("Luc",)),
        ("Arthur", "m", ()),
        ("Noah", "m", ()),
        ("Wout", "m", ()),
        ("Pieter", "m", ("Piet",)),
        ("Thomas", "m", ("Tom",)),
        ("Kristof", "m", ("Kris",)),
        ("Dirk", "m", ()),
        ("Geert", "m", ()),
        ("Jozef", "m", ("Jef", "Jos")),
        ("Bart", "m", ()),
        ("Stijn", "m", ()),
        ("Olivia", "f", ()),
        ("Louise", "f", ()),
        ("Elise", "f", ()),
        ("Lotte", "f", ()),
        ("Sofie", "f", ()),
        ("Els", "f", ()),
        ("An", "f", ()),
        ("Katrien", "f", ("Trien",)),
        ("Annelies", "f", ("Lies",)),
        ("Veerle", "f", ()),
        ("Hilde", "f", ()),
    ],
    "be_fr": [
        ("Louis", "m", ()),
        ("Julien", "m", ()),
        ("Maxime", "m", ("Max",)),
        ("Nicolas", "m", ("Nico",)),
        ("Olivier", "m", ()),
        ("Christophe", "m", ("Chris",)),
        ("Philippe", "m", ("Phil",)),
        ("Benoît", "m", ()),
        ("Marie", "f", ()),
        ("Camille", "f", ()),
        ("Nathalie", "f", ()),
        ("Charlotte", "f", ("Charlie",)),
        ("Isabelle", "f", ("Isa",)),
        ("Aurélie", "f", ()),
        ("Céline", "f", ()),
        ("Françoise", "f", ()),
    ],
    "de": [
        ("Johannes", "m", ("Hans",)),
        ("Wolfgang", "m", ("Wolf",)),
        ("Michael", "m", ("Micha",)),
        ("Thomas", "m", ("Tom",)),
        ("Andreas", "m", ("Andi",)),
        ("Stefan", "m", ()),
        ("Klaus", "m", ()),
        ("Jürgen", "m", ()),
        ("Jörg", "m", ()),
        ("Uwe", "m", ()),
        ("Lukas", "m", ()),
        ("Felix", "m", ()),
        ("Maximilian", "m", ("Max",)),
        ("Alexander", "m", ("Alex",)),
        ("Friedrich", "m", ("Fritz",)),
        ("Wilhelm", "m", ("Willi",)),
        ("Tobias", "m", ("Tobi",)),
        ("Katharina", "f", ("Kathi", "Katja")),
        ("Sabine", "f", ()),
        ("Ursula", "f", ("Uschi",)),
        ("Monika", "f", ()),
        ("Petra", "f", ()),
        ("Anna", "f", ()),
        ("Lena", "f", ()),
        ("Julia", "f", ("Jule",)),
        ("Sophie", "f", ()),
        ("Christine", "f", ("Tina",)),
        ("Susanne", "f", ("Susi",)),
        ("Birgit", "f", ()),
        ("Gabriele", "f", ("Gabi",)),
        ("Elisabeth", "f", ("Liesel",)),
        ("Anne", "f", ()),
    ],
    "fr": [
        ("Jean", "m", ()),
        ("Pierre", "m", ()),
        ("Michel", "m", ()),
        ("Philippe", "m", ("Phil",)),
        ("Alain", "m", ()),
        ("Nicolas", "m", ("Nico",)),
        ("François", "m", ()),
        ("Frédéric", "m", ("Fred",)),
        ("Stéphane", "m", ("Steph",)),
        ("Sébastien", "m", ("Seb",)),
        ("Jérôme", "m", ()),
        ("Hugo", "m", ()),
        ("Léo", "m", ()),
        ("Christophe", "m", ("Chris",)),
        ("Jean-Luc", "m", ()),
        ("Marie", "f", ()),
        ("Nathalie", "f", ()),
        ("Isabelle", "f", ("Isa",)),
        ("Sylvie", "f", ()),
        ("Catherine", "f", ("Cathy",)),
        ("Hélène", "f", ()),
        ("Céline", "f", ()),
        ("Sandrine", "f", ()),
        ("Camille", "f", ()),
        ("Chloé", "f", ()),
        ("Léa", "f", ()),
        ("Manon", "f", ()),
        ("Élodie", "f", ()),
        ("Anaïs", "f", ()),
        ("Marie-Claire", "f", ()),
        ("Anne-Sophie", "f", ()),
        ("Valérie", "f", ("Val",)),
        ("Jeanne", "f", ()),
    ],
    "gb": [
        ("James", "m", ("Jim", "Jamie")),
        ("John", "m", ("Johnny",)),
        ("Robert", "m", ("Bob", "Rob", "Bobby")),
        ("William", "m", ("Bill", "Will")),
        ("David", "m", ("Dave",)),
        ("Richard", "m", ("Rick", "Richie")),
        ("Thomas", "m", ("Tom", "Tommy")),
        ("Michael", "m", ("Mike",)),
        ("Daniel", "m", ("Dan", "Danny")),
        ("Christopher", "m", ("Chris",)),
        ("Oliver", "m", ("Ollie",)),
        ("Harry", "m", ()),
        ("George", "m", ()),
        ("Edward", "m", ("Ed", "Ted")),
        ("Andrew", "m", ("Andy",)),
        ("Elizabeth", "f", ("Liz", "Beth", "Lizzie")),
        ("Margaret", "f", ("Maggie", "Peggy")),
        ("Catherine", "f", ("Kate", "Cathy")),
        ("Sarah", "f", ()),
        ("Emma", "f", ()),
        ("Charlotte", "f", ("Lottie",)),
        ("Olivia", "f", ("Liv",)),
        ("Amelia", "f", ("Millie",)),
        ("Sophie", "f", ()),
        ("Rebecca", "f", ("Becky",)),
        ("Jennifer", "f", ("Jen", "Jenny")),
        ("Victoria", "f", ("Vicky", "Tori")),
        ("Susan", "f", ("Sue",)),
        ("Patricia", "f", ("Pat", "Trish")),
    ],
}

# Greek: (Greek script, Latin transliteration, gender, ((nickname, transliteration), ...))
GREEK_FIRST_NAMES: list[tuple[str, str, str, tuple[tuple[str, str], ...]]] = [
    ("Γεώργιος", "Georgios", "m", (("Γιώργος", "Giorgos"),)),
    ("Γιώργος", "Giorgos", "m", ()),
    ("Ιωάννης", "Ioannis", "m", (("Γιάννης", "Giannis"),)),
    ("Γιάννης", "Giannis", "m", ()),
    ("Κωνσταντίνος", "Konstantinos", "m", (("Κώστας", "Kostas"),)),
    ("Δημήτριος", "Dimitrios", "m", (("Δημήτρης", "Dimitris"), ("Μήτσος", "Mitsos"))),
    ("Νικόλαος", "Nikolaos", "m", (("Νίκος", "Nikos"),)),
    ("Νίκος", "Nikos", "m", ()),
    ("Παναγιώτης", "Panagiotis", "m", (("Πάνος", "Panos"), ("Τάκης", "Takis"))),
    ("Βασίλειος", "Vasileios", "m", (("Βασίλης", "Vasilis"),)),
    ("Χρήστος", "Christos", "m", ()),
    ("Αθανάσιος", "Athanasios", "m", (("Θανάσης", "Thanasis"),)),
    ("Μιχάλης", "Michalis", "m", ()),
    ("Ευάγγελος", "Evangelos", "m", (("Βαγγέλης", "Vangelis"),)),
    ("Μαρία", "Maria", "f", ()),
    ("Ελένη", "Eleni", "f", (("Λένα", "Lena"),)),
    ("Αικατερίνη", "Aikaterini", "f", (("Κατερίνα", "Katerina"),)),
    ("Βασιλική", "Vasiliki", "f", (("Βάσω", "Vaso"), ("Βίκυ", "Viky"))),
    ("Σοφία", "Sofia", "f", ()),
    ("Αγγελική", "Angeliki", "f", (("Κική", "Kiki"),)),
    ("Γεωργία", "Georgia", "f", (("Γωγώ", "Gogo"),)),
    ("Δήμητρα", "Dimitra", "f", ()),
    ("Κωνσταντίνα", "Konstantina", "f", (("Ντίνα", "Ntina"),)),
    ("Παρασκευή", "Paraskevi", "f", (("Βούλα", "Voula"), ("Εύη", "Evi"))),
    ("Χριστίνα", "Christina", "f", ()),
]

LAST_NAMES: dict[str, list[str]] = {
    "nl": [
        "de Vries", "van der Berg", "van den Broek", "Jansen", "de Jong", "Bakker", "Visser",
        "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
        "van Dijk", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
        "de Graaf", "van der Meer", "Kok", "Jacobs", "de Haan", "Vermeulen", "van der Linden",
        "Willems", "Hoekstra", "Koster", "Prins", "van Beek", "Janssen", "van Vliet", "Post",
        "Kuipers", "Veenstra",
    ],
    "be_nl": [
        "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
        "Wouters", "De Smet", "Vermeulen", "Van den Bossche", "De Backer", "Hermans", "Michiels",
        "Van Damme", "Verstraeten", "Claessens", "De Clercq", "Van de Velde", "Desmet", "Aerts",
        "Coppens", "Cools",
    ],
    "be_fr": [
        "Dubois", "Lambert", "Dupont", "Martin", "Leclercq", "Lemaire", "Renard", "Simon",
        "Laurent", "Dumont", "Lejeune", "Mathieu", "Collard", "Gérard", "Denis", "François",
    ],
    "de": [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
        "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
        "Groß", "Köhler", "Weiß", "Jäger", "Lehmann", "Krause", "Vogel", "von der Heide",
    ],
    "fr": [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
        "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont",
        "Lambert", "Bonnet", "Faure", "Rousseau", "Blanc", "Guérin", "Chevalier", "Lemoine",
        "Gauthier", "Perrin", "Mathieu", "Clément", "Lacroix", "Duchêne",
    ],
    "gb": [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
        "Wood", "Jackson", "Clarke", "O'Brien", "McDonald", "O'Connor", "MacLeod", "McKenzie",
        "Fitzgerald", "Hughes", "Edwards", "Patel", "Khan", "Murphy", "Lloyd-Davies", "Ahmed",
        "Kaur",
    ],
}  # fmt: skip

# Greek surnames are gendered: (male, female, male Latin, female Latin)
GREEK_LAST_NAMES: list[tuple[str, str, str, str]] = [
    ("Παπαδόπουλος", "Παπαδοπούλου", "Papadopoulos", "Papadopoulou"),
    ("Παπαδάκης", "Παπαδάκη", "Papadakis", "Papadaki"),
    ("Βασιλείου", "Βασιλείου", "Vasileiou", "Vasileiou"),
    ("Νικολάου", "Νικολάου", "Nikolaou", "Nikolaou"),
    ("Γεωργίου", "Γεωργίου", "Georgiou", "Georgiou"),
    ("Κωνσταντίνου", "Κωνσταντίνου", "Konstantinou", "Konstantinou"),
    ("Ιωάννου", "Ιωάννου", "Ioannou", "Ioannou"),
    ("Οικονόμου", "Οικονόμου", "Oikonomou", "Oikonomou"),
    ("Παππάς", "Παππά", "Pappas", "Pappa"),
    ("Μακρής", "Μακρή", "Makris", "Makri"),
    ("Δημητρίου", "Δημητρίου", "Dimitriou", "Dimitriou"),
    ("Αντωνίου", "Αντωνίου", "Antoniou", "Antoniou"),
    ("Χατζηδάκης", "Χατζηδάκη", "Chatzidakis", "Chatzidaki"),
    ("Καραγιάννης", "Καραγιάννη", "Karagiannis", "Karagianni"),
    ("Λαμπράκης", "Λαμπράκη", "Lambrakis", "Lambraki"),
    ("Αθανασίου", "Αθανασίου", "Athanasiou", "Athanasiou"),
    ("Πετρόπουλος", "Πετροπούλου", "Petropoulos", "Petropoulou"),
    ("Κωνσταντινίδης", "Κωνσταντινίδου", "Konstantinidis", "Konstantinidou"),
    ("Αλεξίου", "Αλεξίου", "Alexiou", "Alexiou"),
    ("Σταματόπουλος", "Σταματοπούλου", "Stamatopoulos", "Stamatopoulou"),
]

# Surname spellings people really confuse; other typos are made by `_typo`.
SURNAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "Jansen": ("Janssen", "Jansens"),
    "Janssen": ("Jansen",),
    "Janssens": ("Jansens", "Janssen"),
    "de Vries": ("de Vriess", "Vries"),
    "van der Berg": ("van den Berg", "vd Berg", "v.d. Berg", "Van der Berg"),
    "van den Broek": ("v.d. Broek", "van de Broek", "Van den Broek"),
    "van der Meer": ("vd Meer", "van de Meer"),
    "Meijer": ("Meyer", "Meier"),
    "Hendriks": ("Hendrikx", "Hendricks"),
    "Dijkstra": ("Dykstra",),
    "Peeters": ("Peters", "Peters"),
    "De Smet": ("Desmet", "de Smet"),
    "Müller": ("Mueller", "Muller", "Müler"),
    "Schäfer": ("Schaefer", "Schafer"),
    "Groß": ("Gross", "Gross"),
    "Schmidt": ("Schmitt", "Schmid"),
    "Meyer": ("Meier", "Maier"),
    "Weiß": ("Weiss",),
    "Krüger": ("Krueger",),
    "Lefèvre": ("Lefevre", "Lefebvre"),
    "Lefebvre": ("Lefèvre", "Lefevbre"),
    "Guérin": ("Guerin",),
    "O'Brien": ("OBrien", "O Brien", "O\u2019Brien"),
    "O'Connor": ("OConnor", "O\u2019Connor", "O'Conner"),
    "McDonald": ("Mcdonald", "MacDonald", "Mc Donald"),
    "MacLeod": ("McLeod", "Macleod"),
    "Smith": ("Smyth",),
    "Thompson": ("Thomson",),
    "Παπαδόπουλος": ("Παπαδοπουλος",),
    "Παπαδοπούλου": ("Παπαδοπουλου",),
}

# Different real surnames that look alike: two colleagues can carry them (hard negatives).
RELATED_SURNAMES: dict[str, tuple[str, ...]] = {
    "Jansen": ("Janssen",), "Janssen": ("Jansen",), "Janssens": ("Jansens",),
    "Meijer": ("Meyer", "Meier"), "Meyer": ("Meier", "Maier"), "Hendriks": ("Hendricks",),
    "Peeters": ("Peters",), "Peters": ("Peeters",), "Schmidt": ("Schmitt", "Schmid"),
    "Lefèvre": ("Lefebvre",), "Lefebvre": ("Lefèvre",), "Smith": ("Smyth",),
    "Thompson": ("Thomson",), "Mertens": ("Martens",), "Wouters": ("Wauters",),
    "Smit": ("Smits",), "Smits": ("Smit",), "Weber": ("Webber",), "Fischer": ("Fisher",),
    "Schulz": ("Schultz",), "Hoffmann": ("Hofmann",), "Hofmann": ("Hoffmann",),
    "Simon": ("Simons",), "de Jong": ("de Jonge",), "Bakker": ("Backer",),
    "Dekker": ("Decker",), "de Wit": ("de Witt",), "Davies": ("Davis",),
    "Clarke": ("Clark",), "Mulder": ("Mulders",), "Claes": ("Claessens",),
    "Παπαδάκης": ("Παπαδάκος",), "Papadakis": ("Papadakos",),
}  # fmt: skip

# First names that are different people, not nicknames (colleague hard negatives).
SIMILAR_FIRST_NAMES: dict[str, str] = {
    "Anna": "Anne", "Anne": "Anna", "Marie": "Maria", "Maria": "Marie", "Thomas": "Tobias",
    "Tobias": "Thomas", "Lukas": "Lucas", "Lucas": "Lukas", "Julia": "Julie", "Jean": "Jeanne",
    "Jeanne": "Jean", "Michel": "Michèle", "Louis": "Louise", "Louise": "Louis",
    "Christine": "Christina", "Sanne": "Sandra", "Jan": "Jaap", "Pieter": "Peter",
    "Sophie": "Sofie", "Sofie": "Sophie", "Sarah": "Sara", "Camille": "Camilla", "Léa": "Léo",
    "Léo": "Léa", "Stefan": "Stephan", "Klaus": "Claus", "Daniel": "Daniela", "Emma": "Emmy",
    "Lena": "Lina", "Elise": "Eline", "Daan": "Dean", "Bram": "Brian", "Julien": "Julian",
    "Ελένη": "Ελένα", "Μαρία": "Μαρίνα", "Σοφία": "Σοφή", "Eleni": "Elena",
}  # fmt: skip

COMPANY_STEMS: dict[str, list[tuple[str, str]]] = {
    "NL": [
        ("Brouwer", "brouwer"), ("Lindeveld", "lindeveld"), ("Zuiderhaven", "zuiderhaven"),
        ("De Graaf", "degraaf"), ("Hoekstra", "hoekstra"), ("Noordkade", "noordkade"),
        ("Polderzicht", "polderzicht"), ("Van Dijk", "vandijk"), ("Duinrand", "duinrand"),
        ("Kempenaar", "kempenaar"), ("Veenhoven", "veenhoven"), ("Eikenhorst", "eikenhorst"),
        ("Dekker", "dekker"), ("Wadzicht", "wadzicht"), ("Hofstede", "hofstede"),
    ],
    "BE": [
        ("Van Damme", "vandamme"), ("Scheldeland", "scheldeland"), ("Leieoever", "leieoever"),
        ("Mertens", "mertens"), ("Kempenland", "kempenland"), ("Mosane", "mosane"),
        ("Durbuy Valley", "durbuyvalley"), ("Goossens", "goossens"), ("Zennebrug", "zennebrug"),
        ("Lemaire", "lemaire"),
    ],
    "DE": [
        ("Schäfer", "schaefer"), ("Nordlicht", "nordlicht"), ("Rheinblick", "rheinblick"),
        ("Hartmann", "hartmann"), ("Alpenwerk", "alpenwerk"), ("Elbufer", "elbufer"),
        ("Lindenhof", "lindenhof"), ("Krüger", "krueger"), ("Weserland", "weserland"),
        ("Sonnenfeld", "sonnenfeld"), ("Groß", "gross"), ("Auental", "auental"),
    ],
    "FR": [
        ("Lefèvre", "lefevre"), ("Bellerive", "bellerive"), ("Clairval", "clairval"),
        ("Roussel", "roussel"), ("Montfleury", "montfleury"), ("Vauclair", "vauclair"),
        ("Beaulieu", "beaulieu"), ("Garonne", "garonne"), ("Saint-Aubin", "saint-aubin"),
        ("Val d'Orge", "valdorge"),
    ],
    "GR": [
        ("Αιγαίο", "aigaio"), ("Ιόνιο", "ionio"), ("Πήγασος", "pigasos"), ("Ερμής", "ermis"),
        ("Θεσσαλία", "thessalia"), ("Ακρόπολις", "akropolis"), ("Κυκλάδες", "kyklades"),
    ],
    "GB": [
        ("Thornbury", "thornbury"), ("Ashcombe", "ashcombe"), ("Kingsmere", "kingsmere"),
        ("Redbrook", "redbrook"), ("Whitmore", "whitmore"), ("Oakfield", "oakfield"),
        ("Brackenridge", "brackenridge"), ("Stoneleigh", "stoneleigh"), ("Millbrook", "millbrook"),
        ("Hartwell", "hartwell"),
    ],
}  # fmt: skip
GREEK_LATIN_STEMS = [("Olympos", "olympos"), ("Kyma", "kyma"), ("Delfini", "delfini")]

COMPANY_SECTORS: dict[str, list[tuple[str, str]]] = {
    "NL": [
        ("Logistiek", "logistiek"), ("Installatietechniek", "installatie"), ("Bouw", "bouw"),
        ("Software", "software"), ("Advies", "advies"), ("Vastgoed", "vastgoed"),
        ("Techniek", "techniek"), ("Transport", "transport"), ("Groep", "groep"),
    ],
    "BE": [
        ("Transport", "transport"), ("Bouw", "bouw"), ("Consulting", "consulting"),
        ("Logistics", "logistics"), ("Construction", "construction"), ("Services", "services"),
    ],
    "DE": [
        ("Maschinenbau", "maschinenbau"), ("Logistik", "logistik"), ("Software", "software"),
        ("Elektrotechnik", "elektrotechnik"), ("Beratung", "beratung"),
        ("Medizintechnik", "medizintechnik"), ("Immobilien", "immobilien"),
        ("Verpackung", "verpackung"),
    ],
    "FR": [
        ("Conseil", "conseil"), ("Emballages", "emballages"), ("Logistique", "logistique"),
        ("Informatique", "informatique"), ("Bâtiment", "batiment"), ("Énergie", "energie"),
        ("Distribution", "distribution"),
    ],
    "GR": [
        ("Ναυτιλιακή", "naftiliaki"), ("Λογιστική", "logistiki"), ("Τεχνική", "techniki"),
        ("Εμπορική", "emporiki"), ("Τρόφιμα", "trofima"), ("Πληροφορική", "pliroforiki"),
    ],
    "GB": [
        ("Analytics", "analytics"), ("Logistics", "logistics"), ("Consulting", "consulting"),
        ("Engineering", "engineering"), ("Software", "software"), ("Property", "property"),
        ("Healthcare", "healthcare"), ("Marketing", "marketing"),
    ],
}  # fmt: skip
GREEK_LATIN_SECTORS = [("Foods", "foods"), ("Shipping", "shipping"), ("Trading", "trading")]

LEGAL_FORMS: dict[str, list[tuple[str, int]]] = {
    "NL": [("B.V.", 85), ("N.V.", 5), ("", 10)],
    "BE": [("N.V.", 35), ("B.V.", 30), ("S.A.", 20), ("SRL", 15)],
    "DE": [("GmbH", 65), ("GmbH & Co. KG", 22), ("AG", 13)],
    "FR": [("SAS", 45), ("SARL", 35), ("S.A.", 20)],
    "GR": [("Α.Ε.", 80), ("Ι.Κ.Ε.", 20)],
    "GB": [("Ltd", 90), ("PLC", 4), ("", 6)],
}
TLDS: dict[str, list[tuple[str, int]]] = {
    "NL": [("nl", 90), ("com", 6), ("eu", 4)],
    "BE": [("be", 88), ("eu", 6), ("com", 6)],
    "DE": [("de", 92), ("com", 5), ("eu", 3)],
    "FR": [("fr", 88), ("com", 8), ("eu", 4)],
    "GR": [("gr", 75), ("com.gr", 15), ("com", 10)],
    "GB": [("co.uk", 75), ("com", 20), ("io", 5)],
}
# Hand-made companies whose names exercise CSV quoting (comma, double quotes).
SPECIAL_COMPANIES: list[tuple[str, str, str, str, str, str]] = [
    # country, full name, base, legal form, domain, email pattern
    ("NL", "Smit, Jansen & Partners B.V.", "Smit, Jansen & Partners", "B.V.",
     "smitjansen.nl", "f.last"),
    ("NL", 'Eetcafé "De Blauwe Reiger"', 'Eetcafé "De Blauwe Reiger"', "",
     "deblauwereiger.nl", "first"),
    ("FR", 'Boulangerie "Les Trois Épis" SARL', 'Boulangerie "Les Trois Épis"', "SARL",
     "lestroisepis.fr", "first"),
]  # fmt: skip
EMAIL_PATTERNS = [
    ("first.last", 45), ("f.last", 20), ("first", 8), ("flast", 12), ("firstl", 5),
    ("first_last", 5), ("last", 5),
]  # fmt: skip

FREE_MAIL: dict[str, list[tuple[str, int]]] = {
    "NL": [("gmail.com", 34), ("hotmail.com", 20), ("outlook.com", 10), ("ziggo.nl", 16),
           ("kpnmail.nl", 12), ("live.nl", 8)],
    "BE": [("gmail.com", 35), ("hotmail.com", 15), ("telenet.be", 25), ("skynet.be", 15),
           ("outlook.com", 10)],
    "DE": [("gmail.com", 25), ("gmx.de", 30), ("web.de", 30), ("t-online.de", 10),
           ("outlook.com", 5)],
    "FR": [("gmail.com", 30), ("orange.fr", 25), ("free.fr", 15), ("laposte.net", 10),
           ("hotmail.fr", 10), ("outlook.com", 10)],
    "GR": [("gmail.com", 45), ("otenet.gr", 25), ("yahoo.gr", 15), ("hotmail.com", 15)],
    "GB": [("gmail.com", 35), ("btinternet.com", 20), ("hotmail.co.uk", 15),
           ("outlook.com", 15), ("yahoo.co.uk", 15)],
}  # fmt: skip
TYPO_DOMAINS: dict[str, tuple[str, ...]] = {
    "gmail.com": ("gmial.com", "gmail.con", "gmai.com", "gnail.com"),
    "hotmail.com": ("hotmial.com", "hotmail.con", "hotmal.com"),
    "outlook.com": ("outlok.com", "outlook.con"),
    "hotmail.co.uk": ("hotmial.co.uk", "hotmail.co"),
    "hotmail.fr": ("hotmial.fr",),
    "yahoo.co.uk": ("yaho.co.uk",),
}
DISPOSABLE_DOMAINS = ("mailinator.com", "yopmail.com", "guerrillamail.com", "sharklasers.com")
ROLE_LOCALS: dict[str, tuple[str, ...]] = {
    "NL": ("info", "sales", "administratie", "receptie", "facturen"),
    "BE": ("info", "sales", "boekhouding", "contact"),
    "DE": ("info", "kontakt", "vertrieb", "buchhaltung"),
    "FR": ("contact", "info", "commercial", "compta"),
    "GR": ("info", "sales", "logistirio"),
    "GB": ("info", "sales", "hello", "accounts", "enquiries"),
}
JUNK_RECORDS: list[tuple[str, str, str, str]] = [
    # first, last, email, phone
    ("Test", "Test", "test@test.com", ""),
    ("asdf", "asdf", "asdf@asdf.com", ""),
    ("Test", "Contact", "test@example.com", ""),
    ("John", "Doe", "john.doe@example.com", ""),
    ("x", "x", "", "0000000000"),
    ("qwerty", "qwerty", "qwerty@qwerty.qw", ""),
    ("TEST", "DO NOT USE", "test+hubspot@example.org", ""),
    ("aaa", "aaa", "aaa@aaa.aaa", "1234567890"),
    ("Test", "Formulier", "formtest@example.nl", ""),
    ("", "", "x@x.x", ""),
    ("Dummy", "Dummy", "dummy@example.de", "1111111111"),
    ("asdf", "", "asdf@example.com", ""),
]
PLACEHOLDER_PHONES = (
    "0000000000", "1234567890", "555-0100", "1111111111", "9999999999", "000-0000000",
    "0000 000000", "123456", "+31 000000000",
)  # fmt: skip
# Ofcom's drama numbers, typed into forms by British contacts who will not give their own.
UK_DRAMA_PHONES = ("020 7946 0018", "07700 900461", "0161 496 0754", "+44 7700 900123")
HARD_BOUNCE_REASONS = (
    "550 5.1.1 The email account that you tried to reach does not exist. Please try "
    "double-checking the recipient's email address for typos or unnecessary spaces.",
    "550 5.1.1 <{email}>: Recipient address rejected: User unknown in virtual mailbox table",
    "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    "550 5.5.0 Requested action not taken: mailbox unavailable",
    "552 5.2.2 The email account that you tried to reach is over quota.",
    "554 5.7.1 Message rejected: spam content detected",
)
DNS_BOUNCE_REASON = "DNS Error: Domain name not found"

OWNERS: dict[str, tuple[str, ...]] = {
    "NL": ("Sanne Verhoeven", "Joost Kramer"),
    "BE": ("Pieter Claes", "Joost Kramer"),
    "DE": ("Lisa Hoffmann", "Jonas Brandt"),
    "FR": ("Claire Fontaine", "Marc Lemaire"),
    "GR": ("Dimitra Alexiou",),
    "GB": ("Oliver Bennett", "Claire Fontaine"),
}
ALL_OWNERS = (
    "Sanne Verhoeven", "Joost Kramer", "Pieter Claes", "Lisa Hoffmann", "Jonas Brandt",
    "Claire Fontaine", "Marc Lemaire", "Dimitra Alexiou", "Oliver Bennett",
)  # fmt: skip

COUNTRY_LABELS: dict[str, list[tuple[str, int]]] = {
    "nl": [("Netherlands", 45), ("Nederland", 22), ("NL", 10), ("The Netherlands", 6),
           ("Holland", 2), ("", 15)],
    "be_nl": [("Belgium", 42), ("België", 38), ("", 20)],
    "be_fr": [("Belgium", 42), ("Belgique", 38), ("", 20)],
    "de": [("Germany", 50), ("Deutschland", 33), ("", 17)],
    "fr": [("France", 85), ("", 15)],
    "gr": [("Greece", 55), ("Ελλάδα", 25), ("", 20)],
    "gb": [("United Kingdom", 55), ("UK", 28), ("", 17)],
}  # fmt: skip

JOB_TITLES: dict[str, tuple[str, ...]] = {
    "nl": ("Directeur", "Eigenaar", "Inkoper", "Office Manager", "Operationeel Manager",
           "Hoofd Inkoop", "Accountmanager", "Projectleider", "Financieel Directeur",
           "Marketing Manager", "HR Adviseur", "Teamleider Logistiek", "CEO", "IT Manager"),
    "be_nl": ("Zaakvoerder", "Aankoper", "Sales Manager", "Office Manager", "Projectleider",
              "Financieel Directeur", "CEO", "Logistiek Manager"),
    "be_fr": ("Gérant", "Responsable achats", "Directeur commercial", "Office Manager",
              "Chef de projet", "CEO", "Comptable"),
    "de": ("Geschäftsführer", "Einkaufsleiter", "Leiter Vertrieb", "Head of Marketing",
           "IT-Leiter", "Assistenz der Geschäftsführung", "Buchhaltung", "Key Account Manager",
           "CTO", "Prokurist", "Projektmanager"),
    "fr": ("Directeur général", "Responsable achats", "Directeur commercial", "Chef de projet",
           "Assistante de direction", "DAF", "Responsable marketing", "Gérant",
           "Ingénieur commercial", "DSI"),
    "gr": ("Διευθυντής Πωλήσεων", "Υπεύθυνος Προμηθειών", "Λογιστής", "Γενικός Διευθυντής",
           "Sales Manager", "Marketing Manager", "CEO", "IT Manager"),
    "gb": ("Managing Director", "Operations Manager", "Procurement Lead", "Head of Finance",
           "Office Manager", "Sales Director", "Marketing Executive", "CTO", "Account Manager",
           "Facilities Manager"),
}  # fmt: skip
SELF_EMPLOYED_TITLES: dict[str, tuple[str, ...]] = {
    "nl": ("Eigenaar", "ZZP'er", "Freelancer", "Student"),
    "be_nl": ("Zelfstandige", "Freelancer", "Student"),
    "be_fr": ("Indépendant", "Freelance", "Étudiant"),
    "de": ("Selbstständig", "Freelancer", "Student"),
    "fr": ("Indépendant", "Auto-entrepreneur", "Freelance", "Étudiant"),
    "gr": ("Ελεύθερος επαγγελματίας", "Freelancer", "Φοιτητής"),
    "gb": ("Self-employed", "Freelance consultant", "Student", "Sole trader"),
}
EMOJI = ("🌷", "🚀", "⭐", "😊", "☀️", "🎉", "💼")

LEAD_STATUS: dict[str, list[tuple[str, int]]] = {
    "Subscriber": [("", 85), ("New", 15)],
    "Lead": [("New", 30), ("Open", 20), ("Attempted to Contact", 20), ("Unqualified", 15),
             ("Bad Timing", 5), ("", 10)],
    "Marketing Qualified Lead": [("Open", 30), ("In Progress", 25), ("Attempted to Contact", 25),
                                 ("New", 10), ("", 10)],
    "Sales Qualified Lead": [("In Progress", 35), ("Connected", 35), ("Open Deal", 20), ("", 10)],
    "Opportunity": [("Open Deal", 60), ("Connected", 25), ("In Progress", 15)],
    "Customer": [("Connected", 40), ("", 50), ("Open Deal", 10)],
    "Evangelist": [("Connected", 50), ("", 50)],
    "Other": [("Unqualified", 40), ("", 60)],
}  # fmt: skip
LIFECYCLE_WEIGHTS = {
    "company": [("Subscriber", 10), ("Lead", 32), ("Marketing Qualified Lead", 12),
                ("Sales Qualified Lead", 8), ("Opportunity", 7), ("Customer", 22),
                ("Evangelist", 3), ("Other", 6)],
    "private": [("Subscriber", 40), ("Lead", 35), ("Marketing Qualified Lead", 8),
                ("Sales Qualified Lead", 3), ("Opportunity", 2), ("Customer", 8),
                ("Evangelist", 1), ("Other", 3)],
}  # fmt: skip
SOURCES = {
    "company": [("Organic Search", 20), ("Paid Search", 10), ("Email Marketing", 8),
                ("Social Media", 8), ("Referrals", 14), ("Direct Traffic", 12),
                ("Offline Sources", 18), ("Paid Social", 4), ("", 6)],
    "private": [("Organic Search", 22), ("Paid Search", 12), ("Email Marketing", 10),
                ("Social Media", 14), ("Referrals", 6), ("Direct Traffic", 12),
                ("Offline Sources", 6), ("Paid Social", 12), ("", 6)],
    "form": [("Organic Search", 30), ("Paid Search", 15), ("Social Media", 10),
             ("Paid Social", 20), ("Direct Traffic", 15), ("Email Marketing", 5), ("", 5)],
}  # fmt: skip
NEXT_STAGE = {
    "Subscriber": "Lead",
    "Lead": "Marketing Qualified Lead",
    "Marketing Qualified Lead": "Sales Qualified Lead",
    "Sales Qualified Lead": "Opportunity",
    "Opportunity": "Customer",
}

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _pick(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights)[0]


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """Deterministic weighted sampling without replacement (Efraimidis-Spirakis)."""
    keyed = []
    for index, (item, weight) in enumerate(zip(items, weights, strict=True)):
        draw = rng.random()
        if weight > 0:
            keyed.append((draw ** (1.0 / weight), index, item))
    keyed.sort(key=lambda entry: (-entry[0], entry[1]))
    return [entry[2] for entry in keyed[:k]]


def _ascii(text: str, german: bool = False) -> str:
    if german:
        for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
            text = text.replace(umlaut, spelled).replace(umlaut.upper(), spelled.capitalize())
    text = text.replace("ß", "ss").replace("\u2019", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _local_part(text: str, german: bool = False) -> str:
    folded = _ascii(text, german).lower()
    return "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch == "-"))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


GREEK_DIGRAPHS = (("ου", "ou"), ("αι", "ai"), ("ει", "ei"), ("οι", "oi"), ("μπ", "mp"),
                  ("ντ", "nt"), ("γκ", "gk"), ("αυ", "av"), ("ευ", "ev"))  # fmt: skip
GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
                         ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x",
                          "o", "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o"],
                         strict=True))  # fmt: skip


def _greek_to_latin(text: str) -> str:
    """A rough ELOT-style transliteration, enough for invented email addresses."""
    lowered = _strip_accents(text).lower()
    for greek, latin in GREEK_DIGRAPHS:
        lowered = lowered.replace(greek, latin)
    latin = "".join(GREEK_LETTERS.get(ch, ch) for ch in lowered)
    return " ".join(word.capitalize() for word in latin.split(" "))


def _fmt(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime(DATE_FORMAT)


def _parse_month(month: str) -> tuple[int, int]:
    try:
        year, mon = (int(part) for part in month.split("-"))
    except ValueError as exc:
        raise ValueError(f"month must look like 2026-08, got {month!r}") from exc
    if len(month) != 7 or not 1 <= mon <= 12:
        raise ValueError(f"month must look like 2026-08, got {month!r}")
    return year, mon


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first moment and its last minute (``YYYY-MM-<last> 23:59``)."""
    year, mon = _parse_month(month)
    last_day = calendar.monthrange(year, mon)[1]
    return datetime(year, mon, 1), datetime(year, mon, last_day, 23, 59)


def export_moment(month: str) -> datetime:
    """When the month's export is taken: its last day at 17:00. Nothing is dated later."""
    year, mon = _parse_month(month)
    return datetime(year, mon, calendar.monthrange(year, mon)[1], *EXPORT_TIME)


def _months_back(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    year, mon = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, mon + 1)[1])
    return moment.replace(year=year, month=mon + 1, day=day)


def _rand_dt(rng: random.Random, lo: datetime, hi: datetime, office: bool = True) -> datetime:
    """A minute in [lo, hi]; mostly on weekdays during office hours when that fits."""
    lo = lo.replace(second=0, microsecond=0)
    if hi <= lo:
        return lo
    span = int((hi - lo).total_seconds() // 60)
    moment = lo + timedelta(minutes=rng.randint(0, span))
    if office:
        candidate = moment.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        if candidate.weekday() >= 5 and rng.random() < 0.85:
            candidate -= timedelta(days=candidate.weekday() - 4)
        if lo <= candidate <= hi:
            moment = candidate
    return moment


# ---------------------------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------------------------


def _pairs(digits: str, sep: str = " ") -> str:
    return sep.join(digits[i : i + 2] for i in range(0, len(digits), 2))


@dataclass(frozen=True)
class _Phone:
    country: str
    kind: str  # mobile or landline
    area: str  # without trunk prefix
    sub: str

    def styles(self) -> list[str]:
        a, s = self.area, self.sub
        c, mobile = self.country, self.kind == "mobile"
        if c == "NL":
            if mobile:
                return [f"06-{s}", f"06 {s}", f"06{s}", f"+31 6 {s[:4]} {s[4:]}", f"+316{s}",
                        f"0031 6 {s}", f"+31 (0)6 {s}", f"06 {_pairs(s)}"]  # fmt: skip
            return [f"0{a} {s[:3]} {s[3:]}", f"0{a}-{s}", f"+31 {a} {s[:3]} {s[3:]}",
                    f"0031 {a} {s}", f"+31 (0){a} {s}", f"0{a}{s}"]  # fmt: skip
        if c == "BE":
            grouped = f"{s[:3]} {_pairs(s[3:])}" if len(s) == 7 else _pairs(s)
            dotted = f"{s[:3]}.{_pairs(s[3:], '.')}" if len(s) == 7 else _pairs(s, ".")
            return [f"0{a} {grouped}", f"0{a}/{dotted}", f"+32 {a} {grouped}",
                    f"0032 {a} {grouped}", f"0{a}{s}", f"+32{a}{s}"]  # fmt: skip
        if c == "DE":
            if mobile:
                return [f"0{a} {s}", f"0{a}-{s}", f"+49 {a} {s}", f"+49 (0){a} {s}", f"0{a}{s}",
                        f"0049 {a} {s}", f"0{a} / {s}"]  # fmt: skip
            return [f"0{a} {s}", f"0{a}/{s}", f"+49 (0){a} {s}", f"+49 {a} {s}", f"(0{a}) {s}",
                    f"0{a}-{s}"]  # fmt: skip
        if c == "FR":
            return [f"0{a} {_pairs(s)}", f"0{a}.{_pairs(s, '.')}", f"0{a}{s}",
                    f"+33 {a} {_pairs(s)}", f"+33 (0){a} {_pairs(s)}", f"0033 {a} {_pairs(s)}",
                    f"+33{a}{s}"]  # fmt: skip
        if c == "GR":
            if mobile:
                return [f"{a}{s}", f"{a} {s[:3]} {s[3:]}", f"+30 {a} {s[:3]} {s[3:]}",
                        f"+30{a}{s}", f"0030 {a}{s}", f"+30 {a}{s}"]  # fmt: skip
            return [f"{a} {s}", f"{a}-{s}", f"+30 {a} {s}", f"0030 {a} {s}", f"{a}{s}"]
        # GB: Ofcom drama ranges only
        if mobile:
            return [f"0{a} {s}", f"0{a}{s}", f"+44 {a} {s}", f"+44 (0){a} {s}",
                    f"0044 {a} {s[:3]} {s[3:]}", f"0{a}-{s[:3]}-{s[3:]}"]  # fmt: skip
        cut = 4 if a == "20" else 3
        return [f"0{a} {s[:cut]} {s[cut:]}", f"+44 {a} {s[:cut]} {s[cut:]}",
                f"(0{a}) {s[:cut]} {s[cut:]}", f"+44 (0){a} {s[:cut]} {s[cut:]}",
                f"0{a}{s}"]  # fmt: skip

    def render(self, style: int) -> str:
        options = self.styles()
        return options[style % len(options)]


PHONE_PLANS: dict[tuple[str, str], list[tuple[str, int, str]]] = {
    # (country, kind): [(area without trunk 0, subscriber digits, allowed first digits)]
    # Only ranges libphonenumber calls valid: a real-looking number should validate.
    ("NL", "mobile"): [("6", 8, "12345")],
    ("NL", "landline"): [(a, 7, "23456789") for a in ("20", "10", "30", "70", "40", "50", "24",
                                                      "43", "58")],
    ("BE", "mobile"): [(a, 6, "0123456789") for a in ("470", "471", "472", "473", "475", "476",
                                                      "477", "478", "479", "484", "485", "486",
                                                      "494", "495", "496", "497", "498", "499")],
    ("BE", "landline"): [("2", 7, "2345678"), ("3", 7, "2345678"), ("9", 7, "234"),
                         ("50", 6, "23456789"), ("16", 6, "23456789"), ("15", 6, "23456789"),
                         ("11", 6, "23456789")],
    ("DE", "mobile"): [(a, 8, "0123456789") for a in ("151", "152", "157")]
                      + [(a, 7, "0123456789") for a in ("160", "162", "170", "171", "172", "173",
                                                         "175", "176", "177", "178", "179")],
    ("DE", "landline"): [("30", 7, "23456789"), ("30", 8, "23456789"), ("40", 8, "23456789"),
                         ("89", 8, "23456789"), ("69", 8, "23456789"), ("221", 7, "23456789"),
                         ("211", 7, "23456789"), ("711", 7, "23456789"), ("511", 7, "23456789")],
    ("FR", "mobile"): [("6", 8, "01245678"), ("7", 8, "345678")],
    ("FR", "landline"): [("1", 8, "23456789"), ("2", 8, "1234578"), ("3", 8, "23456789"),
                         ("4", 8, "23456789"), ("5", 8, "1235678")],
    ("GR", "mobile"): [(a, 7, "0123456789") for a in ("690", "693", "694", "695", "697", "698",
                                                      "699")],
    ("GR", "landline"): [("210", 7, "23456789"), ("2310", 6, "23456789"),
                         ("2610", 6, "23456789"), ("2810", 6, "23456789")],
    # GB: not Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx, 0161 496 0xxx); those are
    # fake numbers and appear only among the planted placeholders.
    ("GB", "mobile"): [(a, 6, "123456789") for a in ("7400", "7500", "7711", "7723", "7740",
                                                      "7766", "7781", "7800", "7812", "7825",
                                                      "7850", "7880", "7900", "7930", "7958",
                                                      "7970", "7976")],
    ("GB", "landline"): [("20", 8, "378"), ("161", 7, "2345678"), ("113", 7, "2348"),
                         ("117", 7, "2349"), ("131", 7, "234567"), ("121", 7, "234567")],
}  # fmt: skip
DRAMA_PREFIXES = ("7700900", "2079460", "1614960", "1134960", "1174960", "1314960", "1214960")


def _looks_fake(digits: str) -> bool:
    """Runs like 12345, 5+ equal digits or a drama range: what a validator calls a placeholder."""
    for start in range(len(digits) - 4):
        window = digits[start : start + 5]
        if window in "01234567890" or window in "09876543210" or len(set(window)) == 1:
            return True
    return digits.startswith(DRAMA_PREFIXES)


# ---------------------------------------------------------------------------------------------
# The invented world
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Company:
    name: str
    base: str
    form: str
    country: str
    domain: str
    pattern: str
    switchboard: _Phone
    switchboard_style: int
    weight: float


@dataclass(eq=False)
class _Person:
    pid: str
    country: str
    culture: str
    gender: str
    first: str
    last: str
    first_alt: str = ""  # the other script (Greek people only)
    last_alt: str = ""
    nicks: tuple[tuple[str, str], ...] = ()
    greek_script: bool = False
    surname_index: int = -1  # index into GREEK_LAST_NAMES for Greek people
    company: _Company | None = None
    job_title: str = ""
    email: str = ""
    alt_email: str = ""
    mobile: _Phone | None = None
    landline: _Phone | None = None
    mobile_in_phone: bool = False
    uses_switchboard: bool = False
    phone_style: int = 0

    @property
    def latin_first(self) -> str:
        return self.first_alt if self.greek_script else self.first

    @property
    def latin_last(self) -> str:
        return self.last_alt if self.greek_script else self.last


@dataclass(eq=False)
class _Contact:
    key: int
    person: _Person
    kind: str
    tags: list[str] = field(default_factory=list)
    related: _Contact | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    company: str = ""
    job_title: str = ""
    owner: str = ""
    created: datetime = EARLIEST
    modified: datetime = EARLIEST
    activity: datetime | None = None
    lifecycle: str = "Lead"
    lead_status: str = ""
    source: str = ""
    bounced: int | None = None
    bounce_reason: str = ""
    unsubscribed: str = ""
    country_label: str = ""
    frozen: bool = False  # planted states that must survive every month (protected records)
    deleted: bool = False
    first_month: str = ""
    last_month: str = ""
    record_id: str = ""

    def touch(self, moment: datetime) -> None:
        if moment > self.modified:
            self.modified = moment

    def values(self) -> list[str]:
        return [
            self.first_name,
            self.last_name,
            self.email,
            self.phone,
            self.mobile,
            self.company,
            self.job_title,
            self.owner,
            _fmt(self.created),
            _fmt(self.modified),
            self.lifecycle,
            self.lead_status,
            _fmt(self.activity),
            self.source,
            "" if self.bounced is None else str(self.bounced),
            self.bounce_reason,
            self.unsubscribed,
            self.country_label,
        ]


class _World:
    def __init__(self) -> None:
        self.used_emails: set[str] = set()
        self.used_phones: set[tuple[str, str, str]] = set()
        self.companies: list[_Company] = []
        self.staff: set[tuple[str, str, str]] = set()  # (domain, first, last) per company
        self.contacts: list[_Contact] = []
        self.placeholders = 0  # placeholder phones handed out
        self.junk = 0  # test records made
        self._next_person = 0
        self._next_key = 0

    def person_id(self) -> str:
        self._next_person += 1
        return f"P{self._next_person:05d}"

    def key(self) -> int:
        self._next_key += 1
        return self._next_key

    def claim_email(self, email: str) -> bool:
        lowered = email.lower()
        if lowered in self.used_emails:
            return False
        self.used_emails.add(lowered)
        return True

    def phone(self, rng: random.Random, country: str, kind: str, round_end: bool = False) -> _Phone:
        plan = PHONE_PLANS[(country, kind)]
        while True:
            area, length, leads = rng.choice(plan)
            digits = [rng.choice(leads)] + [str(rng.randint(0, 9)) for _ in range(length - 1)]
            if round_end:  # company switchboards often end in 00
                digits[-2:] = ["0", "0"]
            sub = "".join(digits)
            if (country, area, sub) not in self.used_phones and not _looks_fake(area + sub):
                self.used_phones.add((country, area, sub))
                return _Phone(country, kind, area, sub)


def _culture(rng: random.Random, country: str) -> str:
    if country == "BE":
        return "be_nl" if rng.random() < 0.6 else "be_fr"
    return country.lower()


def _make_companies(world: _World, rng: random.Random, total: int) -> None:
    weight_sum = sum(COUNTRY_WEIGHTS.values())
    used_domains: set[str] = set()
    for country, name, base, form, domain, pattern in SPECIAL_COMPANIES:
        phone = world.phone(rng, country, "landline", round_end=True)
        world.companies.append(
            _Company(name, base, form, country, domain, pattern, phone, rng.randint(0, 9), 0.6)
        )
        used_domains.add(domain)
    for country, share in COUNTRY_WEIGHTS.items():
        count = max(3, round(total * share / weight_sum))
        combos = [(st, se) for st in COMPANY_STEMS[country] for se in COMPANY_SECTORS[country]]
        if country == "GR":
            combos += [(st, se) for st in GREEK_LATIN_STEMS for se in GREEK_LATIN_SECTORS]
        rng.shuffle(combos)
        used_stems: list[str] = []
        made = 0
        for (stem, stem_slug), (sector, sector_slug) in combos:
            if made >= count:
                break
            if used_stems.count(stem) >= 2:
                continue
            latin_greek = country == "GR" and stem_slug in {s for _, s in GREEK_LATIN_STEMS}
            form = "S.A." if latin_greek else _pick(rng, LEGAL_FORMS[country])
            base = f"{stem} {sector}"
            if country == "FR" and rng.random() < 0.4:
                base = f"{sector} {stem}"
            name = f"{base} {form}".strip()
            tld = _pick(rng, TLDS[country])
            shape = rng.random()
            if shape < 0.55:
                domain = f"{stem_slug}-{sector_slug}.{tld}"
            elif shape < 0.8:
                domain = f"{stem_slug}{sector_slug}.{tld}"
            else:
                domain = f"{stem_slug}.{tld}"
            if domain in used_domains:
                domain = f"{stem_slug}-{sector_slug}.{tld}"
            if domain in used_domains:
                continue
            used_domains.add(domain)
            used_stems.append(stem)
            pattern = _pick(rng, EMAIL_PATTERNS)
            phone = world.phone(rng, country, "landline", round_end=rng.random() < 0.5)
            weight = rng.uniform(0.5, 1.5) / (made + 1) ** 0.8
            world.companies.append(
                _Company(
                    name, base, form, country, domain, pattern, phone, rng.randint(0, 9), weight
                )
            )
            made += 1


def _names(
    rng: random.Random, culture: str, gender: str | None = None
) -> tuple[str, str, str, str, tuple[tuple[str, str], ...], bool, int, str]:
    """(first, last, first_alt, last_alt, nicknames, greek_script, surname_index, gender)."""
    if culture == "gr":
        pool = [e for e in GREEK_FIRST_NAMES if gender is None or e[2] == gender]
        first_gr, first_lat, gender, nicks = rng.choice(pool)
        index = rng.randrange(len(GREEK_LAST_NAMES))
        male_gr, female_gr, male_lat, female_lat = GREEK_LAST_NAMES[index]
        last_gr, last_lat = (male_gr, male_lat) if gender == "m" else (female_gr, female_lat)
        if rng.random() < 0.65:
            return first_gr, last_gr, first_lat, last_lat, nicks, True, index, gender
        latin_nicks = tuple((lat, gr) for gr, lat in nicks)
        return first_lat, last_lat, first_gr, last_gr, latin_nicks, False, index, gender
    pool_first = [e for e in FIRST_NAMES[culture] if gender is None or e[1] == gender]
    first, gender, nicknames = rng.choice(pool_first)
    last = rng.choice(LAST_NAMES[culture])
    return first, last, "", "", tuple((n, "") for n in nicknames), False, -1, gender


def _email_local(person: _Person, pattern: str, rng: random.Random) -> str:
    german = person.culture == "de"
    first = _local_part(person.latin_first, german)
    last = _local_part(person.latin_last, german)
    year = rng.randint(1955, 2004)
    return {
        "first.last": f"{first}.{last}",
        "f.last": f"{first[:1]}.{last}",
        "first": first,
        "flast": f"{first[:1]}{last}",
        "firstl": f"{first}{last[:1]}",
        "first_last": f"{first}_{last}",
        "last": last,
        "firstlast": f"{first}{last}",
        "first.last.yy": f"{first}.{last}{year % 100:02d}",
        "firstNN": f"{first}{rng.randint(1, 99)}",
        "last.first": f"{last}.{first}",
        "firstlastyyyy": f"{first}{last}{year}",
        "flastNN": f"{first[:1]}{last}{rng.randint(1, 99)}",
    }[pattern]


FREE_PATTERNS = [
    ("first.last", 30), ("firstlast", 15), ("first.last.yy", 12), ("f.last", 8), ("firstNN", 8),
    ("last.first", 5), ("first_last", 7), ("firstlastyyyy", 8), ("flastNN", 7),
]  # fmt: skip


def _free_email(world: _World, rng: random.Random, person: _Person, domain: str = "") -> str:
    domain = domain or _pick(rng, FREE_MAIL[person.country])
    for attempt in range(30):
        local = _email_local(person, _pick(rng, FREE_PATTERNS), rng)
        if attempt > 3:
            local += str(rng.randint(2, 999))
        email = f"{local}@{domain}"
        if world.claim_email(email):
            return email
    raise RuntimeError("could not invent a unique free-mail address")  # pragma: no cover


def _work_email(world: _World, rng: random.Random, person: _Person, company: _Company) -> str:
    patterns = [company.pattern, "first.last", "firstl", "first_last"]
    for attempt in range(30):
        pattern = patterns[attempt] if attempt < len(patterns) else "first.last"
        local = _email_local(person, pattern, rng)
        if attempt >= len(patterns):
            local += str(attempt - len(patterns) + 2)
        email = f"{local}@{company.domain}"
        if world.claim_email(email):
            return email
    raise RuntimeError("could not invent a unique work address")  # pragma: no cover


def _pick_company(rng: random.Random, world: _World, country: str) -> _Company:
    pool = [c for c in world.companies if c.country == country]
    return rng.choices(pool, weights=[c.weight for c in pool])[0]


def _new_person(
    world: _World,
    rng: random.Random,
    country: str | None = None,
    *,
    culture: str | None = None,
    names: tuple | None = None,
    company: _Company | str | None = "auto",
) -> _Person:
    country = country or _pick(rng, list(COUNTRY_WEIGHTS.items()))
    culture = culture or _culture(rng, country)
    first, last, first_alt, last_alt, nicks, greek, surname_index, gender = names or _names(
        rng, culture
    )
    person = _Person(
        pid=world.person_id(),
        country=country,
        culture=culture,
        gender=gender,
        first=first,
        last=last,
        first_alt=first_alt,
        last_alt=last_alt,
        nicks=nicks,
        greek_script=greek,
        surname_index=surname_index,
    )
    if company == "auto":
        company = _pick_company(rng, world, country) if rng.random() < 0.68 else None
    person.company = company if isinstance(company, _Company) else None
    if person.company is not None:
        staff_key = (person.company.domain, first.lower(), last.lower())
        if staff_key in world.staff:  # no accidental namesakes within one company
            person.company = None
        else:
            world.staff.add(staff_key)
    if person.company is not None:
        person.email = _work_email(world, rng, person, person.company)
        person.job_title = rng.choice(JOB_TITLES[culture]) if rng.random() < 0.85 else ""
        person.uses_switchboard = rng.random() < 0.35
        if rng.random() < 0.25:
            person.landline = world.phone(rng, country, "landline")
    else:
        person.email = _free_email(world, rng, person)
        if rng.random() < 0.3:
            person.job_title = rng.choice(SELF_EMPLOYED_TITLES[culture])
        if rng.random() < 0.25:
            person.landline = world.phone(rng, country, "landline")
    if rng.random() < 0.75:
        person.mobile = world.phone(rng, country, "mobile")
    person.mobile_in_phone = rng.random() < 0.4
    person.phone_style = rng.randrange(8)
    return person


def _alt_email(world: _World, rng: random.Random, person: _Person) -> str:
    if not person.alt_email:
        person.alt_email = _free_email(world, rng, person)
    return person.alt_email


def _render_phones(person: _Person, style: int) -> tuple[str, str]:
    phone = mobile = ""
    if person.mobile is not None:
        if person.mobile_in_phone:
            phone = person.mobile.render(style)
        else:
            mobile = person.mobile.render(style)
    if person.landline is not None:
        if phone:
            mobile, phone = phone, ""
        phone = person.landline.render(style)
    if not phone and person.company is not None and person.uses_switchboard:
        phone = person.company.switchboard.render(person.company.switchboard_style)
    return phone, mobile


def _owner(rng: random.Random, country: str, lifecycle: str) -> str:
    if rng.random() < (0.3 if lifecycle == "Subscriber" else 0.045):
        return ""
    if rng.random() < 0.85:
        return rng.choice(OWNERS[country])
    return rng.choice(ALL_OWNERS)


def _email_flags(rng: random.Random, c: _Contact) -> None:
    c.unsubscribed = "" if not c.email or rng.random() < 0.2 else "false"
    c.bounced = 0 if c.email and rng.random() < 0.15 else None


def _set_engagement(
    rng: random.Random, c: _Contact, engagement: str, month_start: datetime, export_at: datetime
) -> None:
    created = c.created
    cutoff = _months_back(month_start, 12) - timedelta(days=1)  # older than this: stale
    if engagement == "stale" and created > cutoff - timedelta(days=30):
        engagement = "warm"
    if engagement == "warm" and created > export_at - timedelta(days=100):
        engagement = "active"
    if engagement == "active":
        c.activity = _rand_dt(rng, max(created, export_at - timedelta(days=90)), export_at)
    elif engagement == "warm":
        lo = max(created, export_at - timedelta(days=355))
        c.activity = _rand_dt(rng, lo, export_at - timedelta(days=91))
    elif engagement == "stale":
        c.activity = _rand_dt(rng, created, cutoff - timedelta(days=20))
    else:
        c.activity = None
    if engagement == "stale":
        assert c.activity is not None
        c.modified = _rand_dt(rng, c.activity, min(c.activity + timedelta(days=30), cutoff))
    elif engagement == "never":
        if rng.random() < 0.7:
            c.modified = _rand_dt(rng, created, min(created + timedelta(days=10), export_at))
        else:
            c.modified = _rand_dt(rng, created, export_at)
    else:
        assert c.activity is not None
        c.modified = _rand_dt(rng, c.activity, min(c.activity + timedelta(days=20), export_at))
        if rng.random() < 0.25:
            c.modified = _rand_dt(rng, c.modified, export_at)
    c.modified = max(c.modified, created)


def _engagement_for(
    rng: random.Random, created: datetime, export_at: datetime, lifecycle: str
) -> str:
    age = (export_at - created).days
    if age < 90:
        return _pick(rng, [("active", 70), ("never", 30)])
    if age < 400:
        return _pick(rng, [("active", 45), ("warm", 40), ("never", 15)])
    if lifecycle in ("Customer", "Opportunity", "Sales Qualified Lead", "Evangelist"):
        return _pick(rng, [("active", 55), ("warm", 30), ("stale", 12), ("never", 3)])
    return _pick(rng, [("active", 33), ("warm", 30), ("stale", 24), ("never", 13)])


def _contact(
    world: _World,
    rng: random.Random,
    person: _Person,
    created: datetime,
    month_start: datetime,
    export_at: datetime,
    kind: str = "original",
    *,
    lifecycle: str = "",
    source: str = "",
    engagement: str = "",
) -> _Contact:
    c = _Contact(key=world.key(), person=person, kind=kind)
    c.first_name, c.last_name = person.first, person.last
    c.email = person.email
    c.phone, c.mobile = _render_phones(person, person.phone_style)
    c.company = person.company.name if person.company else ""
    c.job_title = person.job_title
    group = "company" if person.company else "private"
    c.lifecycle = lifecycle or _pick(rng, LIFECYCLE_WEIGHTS[group])
    c.lead_status = _pick(rng, LEAD_STATUS[c.lifecycle])
    c.owner = _owner(rng, person.country, c.lifecycle)
    c.source = source or _pick(rng, SOURCES[group])
    c.country_label = _pick(rng, COUNTRY_LABELS[person.culture])
    c.created = created
    _set_engagement(
        rng,
        c,
        engagement or _engagement_for(rng, created, export_at, c.lifecycle),
        month_start,
        export_at,
    )
    _email_flags(rng, c)
    world.contacts.append(c)
    return c


# ---------------------------------------------------------------------------------------------
# Planted messiness
# ---------------------------------------------------------------------------------------------


def _typo(rng: random.Random, name: str) -> str:
    if name in SURNAME_VARIANTS:
        return rng.choice(SURNAME_VARIANTS[name])
    words = name.split(" ")
    word = words[-1]
    for _ in range(20):
        op = rng.randrange(3)
        i = rng.randrange(1, max(2, len(word) - 1))
        if op == 0:
            candidate = word[:i] + word[i] + word[i:]  # doubled letter
        elif op == 1 and len(word) > 4:
            candidate = word[:i] + word[i + 1 :]  # dropped letter
        elif i + 1 < len(word):
            candidate = word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
        else:
            continue
        if candidate != word:
            return " ".join([*words[:-1], candidate])
    return name + name[-1]


def _name_variant(rng: random.Random, person: _Person, variant: str) -> tuple[str, str] | None:
    first, last = person.first, person.last
    if variant == "typo_last":
        return first, _typo(rng, last)
    if variant == "nickname" and person.nicks:
        return rng.choice(person.nicks)[0], last
    if variant == "upper":
        return first.upper(), last.upper()
    if variant == "lower":
        return first.lower(), last.lower()
    if variant == "swapped":
        return last, first
    if variant == "initial":
        return f"{first[0]}.", last
    if variant == "accents" and (_strip_accents(first + last) != first + last):
        return _strip_accents(first), _strip_accents(last)
    if variant == "transliterated" and person.first_alt:
        return person.first_alt, person.last_alt
    if variant == "same":
        return first, last
    return None


def _company_variant(rng: random.Random, company: _Company) -> str:
    options = [company.base, company.name.lower(), company.name.replace(".", "")]
    if company.form:
        options.append(f"{company.base}, {company.form}")
    variant = rng.choice(options)
    return variant if variant != company.name else company.base


def _duplicate(
    world: _World,
    rng: random.Random,
    original: _Contact,
    created: datetime,
    month_start: datetime,
    export_at: datetime,
) -> _Contact:
    """A second record of the same person: a re-import, a form fill, a card scanned at a fair."""
    person = original.person
    name_variants = [("typo_last", 20), ("nickname", 25), ("upper", 7), ("lower", 6),
                     ("swapped", 6), ("initial", 5), ("accents", 12), ("transliterated", 35),
                     ("same", 12)]  # fmt: skip
    applicable = [(v, w) for v, w in name_variants if _name_variant(rng, person, v) is not None]
    variant = _pick(rng, applicable)
    names = _name_variant(rng, person, variant)
    assert names is not None
    email_variant = _pick(
        rng, [("same", 24), ("upper", 12), ("trailing_space", 10), ("mailto", 6),
              ("other_email", 30), ("blank", 18)],
    )  # fmt: skip
    has_phone = person.mobile is not None or person.landline is not None
    if not has_phone and person.company is None:  # the address is the only thing to match on
        email_variant = _pick(rng, [("same", 40), ("upper", 25), ("trailing_space", 20),
                                    ("mailto", 15)])  # fmt: skip
    email_kept = email_variant not in ("other_email", "blank")
    phone_variant = _pick(rng, [("reformat", 55), ("same", 20), ("blank", 25)])
    if not email_kept and has_phone:
        phone_variant = "reformat" if rng.random() < 0.75 else "same"
    lifecycle = _pick(
        rng, [("Subscriber", 30), ("Lead", 45), ("Marketing Qualified Lead", 10), ("Other", 5),
              (original.lifecycle, 10)],
    )  # fmt: skip
    source = _pick(
        rng, [("Offline Sources", 35), ("Organic Search", 15), ("Direct Traffic", 10),
              ("Paid Social", 10), ("Email Marketing", 10), ("Social Media", 10),
              ("Referrals", 5), ("", 5)],
    )  # fmt: skip
    engagement = "never" if rng.random() < 0.5 else ""
    c = _contact(world, rng, person, created, month_start, export_at, "duplicate",
                 lifecycle=lifecycle, source=source, engagement=engagement)  # fmt: skip
    c.related = original
    c.first_name, c.last_name = names
    email = person.email
    if email_variant == "upper":
        email = email.upper() if rng.random() < 0.5 else email.title()
    elif email_variant == "trailing_space":
        email = email + " " if rng.random() < 0.7 else " " + email
    elif email_variant == "mailto":
        email = "mailto:" + email
    elif email_variant == "other_email":
        email = _alt_email(world, rng, person)
    elif email_variant == "blank":
        email = ""
    c.email = email
    if phone_variant == "blank":
        c.phone = c.mobile = ""
    elif phone_variant == "reformat":
        style = person.phone_style + rng.randint(1, 5)
        c.phone, c.mobile = _render_phones(person, style)
        if rng.random() < 0.3 and c.mobile and not c.phone:
            c.phone, c.mobile = c.mobile, ""  # typed the mobile into "Phone Number"
    if person.company is not None:
        roll = rng.random()
        if roll < 0.3:
            c.company = _company_variant(rng, person.company)
        elif roll < 0.45 and (email_kept or has_phone):
            c.company = ""
    if rng.random() < 0.4:
        c.job_title = ""
    owner_roll = rng.random()
    if owner_roll < 0.5:
        c.owner = original.owner
    elif owner_roll < 0.7:
        c.owner = ""
    _email_flags(rng, c)
    c.tags += ["duplicate", f"dup:name_{variant}", f"dup:email_{email_variant}"]
    c.tags.append(f"dup:phone_{phone_variant}" if has_phone else "dup:phone_none")
    return c


def _hard_negative(
    world: _World,
    rng: random.Random,
    original: _Contact,
    flavour: str,
    created: datetime,
    month_start: datetime,
    export_at: datetime,
) -> _Contact | None:
    """A different person who looks like `original`: namesake, family member or colleague."""
    src = original.person
    if flavour == "namesake":
        names = (src.first, src.last, src.first_alt, src.last_alt, src.nicks, src.greek_script,
                 src.surname_index, src.gender)  # fmt: skip
        others = [c for c in world.companies if c.country == src.country and c is not src.company]
        company = rng.choice(others) if others and rng.random() < 0.7 else None
        person = _new_person(world, rng, src.country, culture=src.culture, names=names,
                             company=company)  # fmt: skip
    elif flavour == "family":
        if src.company is not None or (src.landline is None and original.tags):
            return None  # keep planted phone states (placeholders, no phone) as they are
        gender = "f" if src.gender == "m" else "m"
        for _ in range(20):
            names = _names(rng, src.culture, gender if rng.random() < 0.7 else None)
            if names[0] != src.first and names[0] not in [n for n, _ in src.nicks]:
                break
        first, _, first_alt, _, nicks, _, _, gender = names
        last, last_alt = src.last, src.last_alt
        if src.culture == "gr":
            male_gr, female_gr, male_lat, female_lat = GREEK_LAST_NAMES[src.surname_index]
            greek = (male_gr, female_gr)[gender == "f"]
            latin = (male_lat, female_lat)[gender == "f"]
            last, last_alt = (greek, latin) if src.greek_script else (latin, greek)
            if src.greek_script != names[5]:  # write the first name in the family's script
                first, first_alt = names[2], names[0]
                nicks = tuple((b, a) for a, b in names[4])
        names = (first, last, first_alt, last_alt, nicks, src.greek_script, src.surname_index,
                 gender)  # fmt: skip
        person = _new_person(world, rng, src.country, culture=src.culture, names=names,
                             company=None)  # fmt: skip
        if src.landline is None:
            src.landline = world.phone(rng, src.country, "landline")
            original.phone, original.mobile = _render_phones(src, src.phone_style)
        person.landline = src.landline  # the shared home phone
        person.phone_style = src.phone_style + rng.randint(0, 2)
        if person.mobile is not None and person.mobile_in_phone:
            person.mobile_in_phone = False
        domain = src.email.split("@")[-1] if "@" in src.email else ""
        if rng.random() < 0.6 and domain:
            world.used_emails.discard(person.email.lower())
            person.email = _free_email(world, rng, person, domain)
    else:  # colleague
        if src.company is None:
            return None
        similar = SIMILAR_FIRST_NAMES.get(src.first)
        other_last = RELATED_SURNAMES.get(src.last)
        if similar and (not other_last or rng.random() < 0.5):
            first, last = similar, src.last
        elif other_last:
            first, last = src.first, rng.choice(other_last)
        else:  # a sibling or spouse in the same firm (Greek surnames are gendered: skip)
            first, last = _names(rng, src.culture)[0], src.last
            if src.culture == "gr" or first == src.first:
                return None
        first_alt, last_alt = src.first_alt, src.last_alt
        if src.greek_script:  # the Latin spelling feeds the email address
            first_alt, last_alt = _greek_to_latin(first), _greek_to_latin(last)
        names = (first, last, first_alt, last_alt, (), src.greek_script, src.surname_index,
                 src.gender)  # fmt: skip
        person = _new_person(world, rng, src.country, culture=src.culture, names=names,
                             company=src.company)  # fmt: skip
        person.uses_switchboard = True
    c = _contact(world, rng, person, created, month_start, export_at, "hard_negative")
    c.related = original
    c.tags += ["hard_negative", f"hard_negative:{flavour}"]
    original.tags.append(f"hard_negative_of:{flavour}")
    return c


def _role_account(
    world: _World, rng: random.Random, created: datetime, month_start: datetime,
    export_at: datetime,
) -> _Contact:  # fmt: skip
    for _ in range(100):
        company = rng.choice(world.companies)
        free = [f"{local}@{company.domain}" for local in ROLE_LOCALS[company.country]]
        free = [email for email in free if email not in world.used_emails]
        if free:
            break
    person = _new_person(world, rng, company.country, company=company)
    world.used_emails.discard(person.email.lower())
    person.email = rng.choice(free)
    world.claim_email(person.email)
    person.mobile = None
    person.uses_switchboard = True
    c = _contact(
        world,
        rng,
        person,
        created,
        month_start,
        export_at,
        "role_account",
        lifecycle=_pick(rng, [("Lead", 50), ("Subscriber", 25), ("Customer", 25)]),
    )
    roll = rng.random()
    if roll < 0.35:
        c.first_name = c.last_name = ""
    elif roll < 0.5:
        c.first_name = person.email.split("@")[0].capitalize()
        c.last_name = ""
    c.tags.append("role")
    return c


def _disposable(
    world: _World, rng: random.Random, created: datetime, month_start: datetime,
    export_at: datetime,
) -> _Contact:  # fmt: skip
    person = _new_person(world, rng, company=None)
    world.used_emails.discard(person.email.lower())
    person.email = _free_email(world, rng, person, rng.choice(DISPOSABLE_DOMAINS))
    person.landline = None
    if rng.random() < 0.6:
        person.mobile = None
    c = _contact(world, rng, person, created, month_start, export_at, "disposable",
                 lifecycle=_pick(rng, [("Subscriber", 60), ("Lead", 40)]),
                 source=_pick(rng, SOURCES["form"]), engagement="never")  # fmt: skip
    c.owner = ""
    c.tags.append("disposable")
    return c


def _junk(
    world: _World, rng: random.Random, created: datetime, month_start: datetime,
    export_at: datetime,
) -> _Contact:  # fmt: skip
    first, last, email, phone = JUNK_RECORDS[world.junk % len(JUNK_RECORDS)]
    rounds = world.junk // len(JUNK_RECORDS)
    if rounds and email:  # another round of test records: test2@test.com, ...
        email = email.replace("@", f"{rounds + 1}@", 1)
    world.junk += 1
    country = rng.choice(list(COUNTRY_WEIGHTS))
    person = _Person(world.person_id(), country, _culture(rng, country), "x", first, last)
    person.email = email
    world.claim_email(email)
    c = _contact(world, rng, person, created, month_start, export_at, "test_junk",
                 lifecycle=_pick(rng, [("Subscriber", 50), ("Lead", 40), ("Other", 10)]),
                 source=_pick(rng, [("Direct Traffic", 50), ("Offline Sources", 30), ("", 20)]),
                 engagement="never")  # fmt: skip
    c.phone, c.mobile = phone, ""
    c.owner = rng.choice(["", "", rng.choice(ALL_OWNERS)])
    c.country_label = ""
    c.tags.append("junk")
    return c


def _bad_email(rng: random.Random, email: str, typo: int = -1) -> tuple[str, str]:
    """A broken address; `typo` >= 0 picks that entry of the domain's typos (cycled)."""
    local, domain = email.split("@")
    if typo >= 0 and domain in TYPO_DOMAINS:
        typos = TYPO_DOMAINS[domain]
        return f"{local}@{typos[typo % len(typos)]}", "typo_domain"
    kinds = [("missing_at", 15), ("double_dot", 15), ("space", 10), ("comma", 10),
             ("missing_tld", 10)]  # fmt: skip
    kind = _pick(rng, kinds)
    if kind == "missing_at":
        return local + rng.choice(["", ".", " "]) + domain, kind
    if kind == "double_dot":
        if "." in local:
            return f"{local.replace('.', '..', 1)}@{domain}", kind
        return f"{local}@{domain.replace('.', '..', 1)}", kind
    if kind == "space":
        cut = max(1, len(local) // 2)
        return f"{local[:cut]} {local[cut:]}@{domain}", kind
    if kind == "comma":
        return f"{local}@{domain[::-1].replace('.', ',', 1)[::-1]}", kind
    return f"{local}@{domain.split('.')[0]}", kind


def _hard_bounce(rng: random.Random, c: _Contact) -> None:
    clean = c.email.strip().removeprefix("mailto:").lower()
    domain = clean.split("@")[-1]
    typo = any(domain in typos for typos in TYPO_DOMAINS.values())
    reason = DNS_BOUNCE_REASON if typo and rng.random() < 0.7 else rng.choice(HARD_BOUNCE_REASONS)
    c.bounce_reason = reason.replace("{email}", clean)
    c.bounced = (c.bounced or 0) + (1 if rng.random() < 0.8 else 2)


def _plant_base_messiness(world: _World, rng: random.Random, people: int, originals: list) -> None:
    """Damage some original records the way real CRMs get damaged."""

    def count(share: float) -> int:
        return max(1, round(people * share))

    untouched = [c for c in originals if not c.frozen]

    def take(pool: list[_Contact], n: int) -> list[_Contact]:
        chosen = rng.sample(pool, max(0, min(n, len(pool))))
        for c in chosen:
            if c in untouched:
                untouched.remove(c)
        return chosen

    linked = {id(c.related) for c in world.contacts if c.related is not None}
    free = [c for c in untouched if id(c) not in linked and c.email]
    typo_able = [c for c in free if c.email.split("@")[-1] in TYPO_DOMAINS]
    chosen: list[_Contact] = []
    for domain in ("gmail.com", "gmail.com", "hotmail.com", "outlook.com"):  # the classics first
        pool = [c for c in typo_able if c.email.endswith("@" + domain) and c not in chosen]
        chosen += take(pool, 1)
    chosen += take([c for c in typo_able if c not in chosen], count(0.012) - len(chosen))
    typo_counts: dict[str, int] = {}
    for c in chosen:
        domain = c.email.split("@")[-1]
        typo_counts[domain] = typo_counts.get(domain, -1) + 1
        c.email, kind = _bad_email(rng, c.email, typo=typo_counts[domain])
        c.tags.append(f"bad_email:{kind}")
        if rng.random() < 0.4:
            _hard_bounce(rng, c)
    free = [c for c in untouched if id(c) not in linked and c.email]
    for c in take(free, count(0.018)):
        c.email, kind = _bad_email(rng, c.email)
        c.tags.append(f"bad_email:{kind}")
    free = [c for c in untouched if id(c) not in linked]
    for c in take(free, count(0.02)):
        c.email = c.phone = c.mobile = ""
        c.unsubscribed, c.bounced = "", None
        c.tags.append("no_email_no_phone")
    for c in take([c for c in untouched if c.phone or c.mobile], count(0.015)):
        if c.person.country == "GB" and world.placeholders % 2:
            c.phone = UK_DRAMA_PHONES[world.placeholders // 2 % len(UK_DRAMA_PHONES)]
        else:
            c.phone = PLACEHOLDER_PHONES[world.placeholders % len(PLACEHOLDER_PHONES)]
        world.placeholders += 1
        c.mobile = "" if rng.random() < 0.7 else c.mobile
        c.tags.append("placeholder_phone")
    for c in take(untouched, count(0.012)):
        roll = rng.random()
        if roll < 0.4:
            c.first_name = " " + c.first_name
        elif roll < 0.7:
            c.last_name = c.last_name + " "
        else:
            c.first_name, c.last_name = c.first_name + "  ", " " + c.last_name
        c.tags.append("name:spaces")
    for c in take(untouched, count(0.005)):
        emoji = rng.choice(EMOJI)
        c.first_name = (
            f"{c.first_name} {emoji}" if rng.random() < 0.7 else f"{emoji} {c.first_name}"
        )
        c.tags.append("name:emoji")
    for c in take(untouched, count(0.008)):
        c.first_name, c.last_name = c.first_name.upper(), c.last_name.upper()
        c.tags.append("name:upper")
    for c in take(untouched, count(0.008)):
        c.first_name, c.last_name = c.first_name.lower(), c.last_name.lower()
        c.tags.append("name:lower")
    quoted = [c for c in untouched if c.person.culture == "gb" and c.person.nicks]
    for c in take(quoted, 2):
        c.first_name = f'{c.first_name} "{c.person.nicks[0][0]}"'
        c.tags.append("name:quoted_nickname")
    for c in take([c for c in untouched if c.person.company], count(0.06)):
        assert c.person.company is not None
        c.company = _company_variant(rng, c.person.company)
        c.tags.append("company:variant")
    for c in take([c for c in untouched if "@" in c.email], count(0.03)):
        local, domain = c.email.split("@")
        c.email = f"{local.title()}@{domain}" if rng.random() < 0.6 else c.email.upper()
        c.tags.append("email:mixed_case")
    # Email states: unsubscribes, hard and soft bounces.
    emailable = [c for c in originals if c.email and not c.bounce_reason]
    for c in rng.sample(emailable, min(len(emailable), count(0.06))):
        c.unsubscribed = "true"
    for c in rng.sample(emailable, min(len(emailable), count(0.018))):
        _hard_bounce(rng, c)
    for c in rng.sample(emailable, min(len(emailable), count(0.025))):
        if not c.bounce_reason:
            c.bounced = rng.randint(1, 6)


def _plant_protected(
    rng: random.Random, originals: list[_Contact], month_start: datetime, people: int
) -> None:
    """Customers and opportunities in states that a careless prune would delete."""
    cutoff = _months_back(month_start, 12) - timedelta(days=1)
    scale = max(1, round(people / 500))

    def pool(stage: str) -> list[_Contact]:
        return [c for c in originals if c.lifecycle == stage and c.email and not c.tags
                and not c.frozen and c.created < cutoff - timedelta(days=200)]  # fmt: skip

    plan = [("Customer", "stale", 3), ("Customer", "hard_bounce", 2), ("Customer", "unsub", 1),
            ("Opportunity", "stale", 1), ("Opportunity", "hard_bounce", 1),
            ("Customer", "never_engaged", 1)]  # fmt: skip
    for stage, state, n in plan:
        candidates = pool(stage)
        for c in rng.sample(candidates, min(len(candidates), n * scale)):
            if state == "stale":
                c.activity = _rand_dt(rng, c.created, cutoff - timedelta(days=60))
                c.modified = _rand_dt(rng, c.activity, min(c.activity + timedelta(days=20), cutoff))
            elif state == "never_engaged":
                c.activity = None
                c.modified = _rand_dt(rng, c.created, c.created + timedelta(days=5))
            elif state == "hard_bounce":
                _hard_bounce(rng, c)
            else:
                c.unsubscribed = "true"
            c.frozen = True
            c.tags.append(f"protected:{stage.lower()}_{state}")


# ---------------------------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------------------------


def _base_population(world: _World, seed: int, people: int, month: str) -> None:
    rng = random.Random(f"{seed}:base")
    month_start, _ = month_bounds(month)
    export_at = export_moment(month)
    _make_companies(world, rng, max(12, people // 11))
    n_negatives = max(1, round(people * 0.01))
    n_regular = max(1, people - 3 * n_negatives)
    batches = sorted(
        _rand_dt(rng, EARLIEST, export_at - timedelta(days=60))
        for _ in range(max(3, people // 180))
    )
    years = list(range(EARLIEST.year, export_at.year + 1))
    year_weights = [1 + 0.45 * (year - EARLIEST.year) for year in years]
    originals: list[_Contact] = []
    for index in range(n_regular):
        person = _new_person(world, rng)
        source = ""
        if index % 33 == 0:  # a few percent were created in the export month itself
            created = _rand_dt(rng, month_start, export_at)
        elif rng.random() < 0.17:
            created, source = rng.choice(batches), "Offline Sources"
        else:
            year = rng.choices(years, weights=year_weights)[0]
            created = _rand_dt(rng, max(EARLIEST, datetime(year, 1, 1)),
                               min(export_at, datetime(year, 12, 31, 23, 59)))  # fmt: skip
        originals.append(_contact(world, rng, person, created, month_start, export_at,
                                  source=source))  # fmt: skip

    def later(c: _Contact) -> datetime:
        return _rand_dt(rng, c.created + timedelta(hours=2), export_at)

    # Hard negatives: namesakes elsewhere, family sharing a home phone, colleagues alike.
    for flavour in ("namesake", "family", "colleague"):
        made = 0
        for original in rng.sample(originals, len(originals)):
            if made >= n_negatives:
                break
            if original.related is not None or original.tags:
                continue
            c = _hard_negative(world, rng, original, flavour, later(original), month_start,
                               export_at)  # fmt: skip
            if c is not None:
                made += 1
    # Duplicates: ~5.5% of people have a second record, some of them a third.
    candidates = [c for c in originals if not c.tags]
    for original in rng.sample(candidates, min(len(candidates), round(people * 0.055))):
        first_dup = _duplicate(world, rng, original, later(original), month_start, export_at)
        if rng.random() < 0.18:
            _duplicate(world, rng, original, later(first_dup), month_start, export_at)
    for _ in range(max(1, round(people * 0.012))):
        _role_account(world, rng, _rand_dt(rng, EARLIEST, export_at), month_start, export_at)
    for _ in range(max(1, round(people * 0.008))):
        created = _rand_dt(rng, export_at - timedelta(days=900), export_at)
        _disposable(world, rng, created, month_start, export_at)
    for _ in range(max(3, round(people * 0.007))):
        _junk(world, rng, _rand_dt(rng, EARLIEST, export_at), month_start, export_at)
    _plant_protected(rng, originals, month_start, people)
    _plant_base_messiness(world, rng, people, originals)


def _evolve(world: _World, seed: int, month: str) -> None:
    """One month of CRM life: deletions, activity, stage changes, opt-outs, bounces, new records."""
    rng = random.Random(f"{seed}:month:{month}")
    month_start, _ = month_bounds(month)
    export_at = export_moment(month)
    live = [c for c in world.contacts if not c.deleted]

    # Deleted in the CRM: test records, merged duplicates, a few stale contacts.
    def deletion_weight(c: _Contact) -> float:
        if c.frozen:
            return 0.0
        if c.kind == "test_junk":
            return 25.0
        if c.kind in ("duplicate", "disposable"):
            return 3.0
        if c.activity is None or c.activity < _months_back(month_start, 12):
            return 2.0
        return 1.0

    n_delete = max(1, round(len(live) * rng.uniform(0.004, 0.009)))
    for c in _weighted_sample(rng, live, [deletion_weight(c) for c in live], n_delete):
        c.deleted = True
    live = [c for c in live if not c.deleted]

    for c in live:
        if c.frozen:
            continue
        if c.activity is None:
            p = 0.3 if c.created > month_start - timedelta(days=60) else 0.012
        else:
            age = (month_start - c.activity).days
            p = 0.45 if age < 90 else 0.12 if age < 365 else 0.02
        if rng.random() < p:
            c.activity = _rand_dt(rng, max(month_start, c.created), export_at)
            c.touch(_rand_dt(rng, c.activity, min(c.activity + timedelta(days=3), export_at)))
        dormant = c.activity is None or c.activity < _months_back(month_start, 12)
        calm = 0.15 if dormant else 1.0  # nobody works on dormant contacts
        if rng.random() < 0.06 * calm:
            c.touch(_rand_dt(rng, max(month_start, c.modified), export_at))
        if c.lifecycle in NEXT_STAGE and rng.random() < 0.02 * calm:
            c.lifecycle = NEXT_STAGE[c.lifecycle]
            c.lead_status = _pick(rng, LEAD_STATUS[c.lifecycle])
            c.touch(_rand_dt(rng, max(month_start, c.modified), export_at))
        elif rng.random() < 0.03 * calm:
            c.lead_status = _pick(rng, LEAD_STATUS[c.lifecycle])
            c.touch(_rand_dt(rng, max(month_start, c.modified), export_at))
        if c.owner and rng.random() < 0.01 * calm:
            c.owner = rng.choice([o for o in ALL_OWNERS if o != c.owner])
            c.touch(_rand_dt(rng, max(month_start, c.modified), export_at))
        if c.email and c.unsubscribed != "true" and rng.random() < 0.005:
            c.unsubscribed = "true"
            c.touch(_rand_dt(rng, max(month_start, c.modified), export_at))
            c.tags.append(f"unsubscribed_in:{month}")
        if c.email and not c.bounce_reason:
            if "bad_email:typo_domain" in c.tags:
                p = 0.25  # the domain does not exist: the next send bounces
            elif any(tag.startswith("bad_email") for tag in c.tags):
                p = 0.0  # HubSpot does not send to a malformed address
            else:
                p = 0.003
            if rng.random() < p:
                _hard_bounce(rng, c)
                c.touch(_rand_dt(rng, max(month_start, c.modified), export_at))
                c.tags.append(f"hard_bounce_in:{month}")
            elif rng.random() < 0.004:
                c.bounced = (c.bounced or 0) + 1
                c.touch(_rand_dt(rng, max(month_start, c.modified), export_at))

    # New records: 2-4% of the live base.
    n_new = round(len(live) * rng.uniform(0.02, 0.04))
    originals = [c for c in live if c.kind == "original"]
    plain = [c for c in originals if not c.tags]
    for _ in range(n_new):
        created = _rand_dt(rng, month_start, export_at, office=rng.random() < 0.8)
        roll = rng.random()
        if roll < 0.72:
            person = _new_person(world, rng)
            _contact(world, rng, person, created, month_start, export_at,
                     lifecycle=_pick(rng, [("Subscriber", 35), ("Lead", 50),
                                           ("Marketing Qualified Lead", 15)]),
                     source=_pick(rng, SOURCES["form"]))  # fmt: skip
        elif roll < 0.86:
            original = rng.choice(originals)
            _duplicate(world, rng, original, max(created, original.created + timedelta(hours=1)),
                       month_start, export_at)  # fmt: skip
        elif roll < 0.92:
            for _ in range(10):
                original = rng.choice(plain)
                flavour = rng.choice(["namesake", "family", "colleague"])
                made = _hard_negative(world, rng, original, flavour, created, month_start,
                                      export_at)  # fmt: skip
                if made is not None:
                    break
        elif roll < 0.96:
            _disposable(world, rng, created, month_start, export_at)
        elif roll < 0.98:
            _role_account(world, rng, created, month_start, export_at)
        else:
            _junk(world, rng, created, month_start, export_at)


def _assign_record_ids(world: _World, seed: int) -> None:
    """Numeric ids that grow with the create date, like HubSpot's; 7-8 digits before 2022."""
    rng = random.Random(f"{seed}:ids")
    small, large = 1_204_000 + rng.randrange(1000), 51_300_000_000 + rng.randrange(10**6)
    for c in sorted(world.contacts, key=lambda c: (c.created, c.key)):
        if c.created.year < 2022:
            small += rng.randint(1, 60_000)
            c.record_id = str(small)
        else:
            large += rng.randint(1, 2_000_000)
            c.record_id = str(large)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TruthRow:
    """Who a record really is. Records of one invented person share `person_id`."""

    record_id: str
    person_id: str
    kind: str  # one of TRUTH_KINDS
    tags: str  # ";"-joined planted facts, e.g. "duplicate;dup:name_nickname;dup:email_mailto"
    related_record_id: str  # duplicate: the original; hard_negative: the look-alike; else ""
    first_month: str  # first month whose export holds the record
    last_month: str  # last month whose export holds it (earlier than the last: deleted)


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    encoding: str  # "utf-8" or "utf-8-sig" (with BOM)
    line_terminator: str


PLAIN = CsvFormat(",", "utf-8", "\n")
EXCEL_EUROPE = CsvFormat(";", "utf-8-sig", "\r\n")


def export_format(month: str) -> CsvFormat:
    """Odd calendar months come from Excel on a European locale; even months are plain CSV."""
    return EXCEL_EUROPE if _parse_month(month)[1] % 2 == 1 else PLAIN


def export_path(out_dir: Path, month: str) -> Path:
    return Path(out_dir) / month / f"hubspot-contacts-{month}.csv"


@dataclass(frozen=True)
class SampleExports:
    months: tuple[str, ...]
    rows: dict[str, list[tuple[str, ...]]]  # month -> data rows in file order (with Record ID)
    truth: list[TruthRow]

    def render(self, month: str) -> bytes:
        fmt = export_format(month)
        buffer = io.StringIO(newline="")
        writer = csv.writer(
            buffer,
            delimiter=fmt.delimiter,
            lineterminator=fmt.line_terminator,
            quoting=csv.QUOTE_MINIMAL,
        )
        writer.writerow(HEADER)
        writer.writerows(self.rows[month])
        return buffer.getvalue().encode(fmt.encoding)


def _check_months(months: Sequence[str]) -> tuple[str, ...]:
    if not months:
        raise ValueError("at least one month is needed")
    for month in months:
        _parse_month(month)
    ordered = tuple(months)
    if list(ordered) != sorted(set(ordered)):
        raise ValueError(f"months must be unique and ascending, got {list(months)}")
    return ordered


def build_sample_exports(
    months: Sequence[str] = DEFAULT_MONTHS, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED
) -> SampleExports:
    """Simulate the CRM month by month; return every month's rows and the truth."""
    ordered = _check_months(months)
    if people < 50:
        raise ValueError("people must be at least 50")
    world = _World()
    _base_population(world, seed, people, ordered[0])
    snapshots: dict[str, list[tuple[_Contact, list[str]]]] = {}
    for index, month in enumerate(ordered):
        if index:
            _evolve(world, seed, month)
        live = [c for c in world.contacts if not c.deleted]
        for c in live:
            c.first_month = c.first_month or month
            c.last_month = month
        snapshots[month] = [(c, c.values()) for c in live]
    _assign_record_ids(world, seed)
    rows: dict[str, list[tuple[str, ...]]] = {}
    for month, snapshot in snapshots.items():
        snapshot.sort(key=lambda item: (item[0].created, item[0].key), reverse=True)
        rows[month] = [(c.record_id, *values) for c, values in snapshot]
    truth = [
        TruthRow(
            record_id=c.record_id,
            person_id=c.person.pid,
            kind=c.kind,
            tags=";".join(c.tags),
            related_record_id=c.related.record_id if c.related is not None else "",
            first_month=c.first_month,
            last_month=c.last_month,
        )
        for c in sorted(world.contacts, key=lambda c: int(c.record_id))
    ]
    return SampleExports(ordered, rows, truth)


def write_sample_exports(
    out_dir: Path,
    months: Sequence[str] = DEFAULT_MONTHS,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
) -> list[Path]:
    """Write one export per month under `out_dir`; return the paths in month order."""
    sample = build_sample_exports(months, people, seed)
    return _write_exports(sample, Path(out_dir))


def _write_exports(sample: SampleExports, out_dir: Path) -> list[Path]:
    paths = []
    for month in sample.months:
        path = export_path(out_dir, month)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample.render(month))
        paths.append(path)
    return paths


def sample_truth(
    months: Sequence[str] = DEFAULT_MONTHS, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED
) -> list[TruthRow]:
    """The truth for the exports the same arguments produce."""
    return build_sample_exports(months, people, seed).truth


def render_truth(truth: Sequence[TruthRow]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRUTH_HEADER)
    for row in truth:
        writer.writerow([getattr(row, name) for name in TRUTH_HEADER])
    return buffer.getvalue().encode("utf-8")


def write_truth(
    path: Path,
    months: Sequence[str] = DEFAULT_MONTHS,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    *,
    exports_dir: Path | None = None,
    truth: Sequence[TruthRow] | None = None,
) -> Path:
    """Write the truth CSV (TRUTH_HEADER columns). Refuses a path inside `exports_dir`."""
    path = Path(path)
    if exports_dir is not None and path.resolve().is_relative_to(Path(exports_dir).resolve()):
        raise ValueError(f"the truth must not live inside the exports folder {exports_dir}")
    rows = truth if truth is not None else sample_truth(months, people, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_truth(rows))
    return path


def read_truth(path: Path) -> list[TruthRow]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [TruthRow(**row) for row in csv.DictReader(handle)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hygiene_pipeline.sample_exports",
        description="Write deterministic, messy HubSpot contact exports of invented people.",
    )
    parser.add_argument("--out", type=Path, default=Path("data/exports"), help="exports folder")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--months", nargs="+", default=list(DEFAULT_MONTHS), metavar="YYYY-MM")
    parser.add_argument(
        "--truth", type=Path, default=None, help="also write the truth CSV here (not in --out)"
    )
    args = parser.parse_args(argv)
    try:
        sample = build_sample_exports(args.months, args.people, args.seed)
        if args.truth is not None:
            write_truth(args.truth, exports_dir=args.out, truth=sample.truth)
    except ValueError as exc:
        parser.error(str(exc))
    for path, month in zip(_write_exports(sample, args.out), sample.months, strict=True):
        print(f"{path}: {len(sample.rows[month])} contacts")
    if args.truth is not None:
        print(f"{args.truth}: {len(sample.truth)} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
