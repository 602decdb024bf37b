"""Reference tables of the invented CRM besides people's names: countries, companies, email
domains, junk records, bounce reasons, owners, country labels, job titles and HubSpot field values.
"""

from __future__ import annotations

COUNTRY_WEIGHTS: dict[str, int] = {"NL": 30, "DE": 22, "BE": 12, "FR": 14, "GB": 14, "GR": 8}

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
# Address patterns at free-mail providers (work addresses follow the company's pattern).
FREE_PATTERNS = [
    ("first.last", 30), ("firstlast", 15), ("first.last.yy", 12), ("f.last", 8), ("firstNN", 8),
    ("last.first", 5), ("first_last", 7), ("firstlastyyyy", 8), ("flastNN", 7),
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

# HubSpot's Original Source Drill-Down 1 for "Offline Sources": who or what created the record.
SOURCE_DETAILS = [("CRM_UI", 40), ("IMPORT", 35), ("EXTENSION", 15), ("INTEGRATION", 10)]
# HubSpot's "Legal basis for processing contact's data" (its own labels); blank: none recorded.
LEGAL_BASES = {
    "prospect": [("Legitimate interest – prospect/lead", 55),
                 ("Freely given consent from contact", 25), ("", 20)],
    "customer": [("Legitimate interest – existing customer", 60),
                 ("Performance of a contract", 30), ("", 10)],
}  # fmt: skip
