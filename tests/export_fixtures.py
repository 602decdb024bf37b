"""Small, realistic CRM exports of invented Europeans, written as each CRM and Excel write them.

Every name, company and address is made up. Headers follow the real exports
(shared notes, crm-facts.md): HubSpot all-properties and default view, Salesforce Contact and Lead
data exports (API names) and report exports (labels), Pipedrive person exports, and a Dutch
spreadsheet read through data/column_mappings/example-spreadsheet.yaml.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE_MAPPING = PROJECT / "data" / "column_mappings" / "example-spreadsheet.yaml"

HUBSPOT_ALL = (
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Company Name", "Job Title", "Contact owner", "Create Date", "Last Modified Date",
    "Lifecycle Stage", "Lead Status", "Last Activity Date", "Original Source",
    "Marketing emails bounced", "Email hard bounce reason", "Invalid email address",
    "Unsubscribed from all email", "Country/Region",
)  # fmt: skip
HUBSPOT_ALL_ROWS = [
    ("1001", "  Hélène ", "LEFÈVRE", "Helene.Lefevre@atelier-lumiere.fr ", "01 42 68 53 00", "",
     "Atelier Lumière SARL", "Gérante", "Camille Dubois", "2025-03-02 09:15", "2026-10-12 17:40",
     "Customer", "", "2026-10-02 10:00", "Offline Sources", "", "", "false", "false", "France"),
    ("1002", "joost", "van der berg", "joost@brouwer-logistiek.nl", "", "06-12345678",
     "Brouwer Logistiek B.V.", "Inkoper", "", "2024-11-20 14:02", "2026-09-01 08:00", "Lead",
     "New", "", "Organic Search", "2", "", "false", "false", "Nederland"),
    ("1003", "Dörte", "Schäfer", "d.schaefer@schaefer-soehne.de", "030 1234567", "",
     "Schäfer & Söhne GmbH", "", "Jan Peeters", "2026-01-05 08:00", "2026-10-30 16:59",
     "Subscriber", "", "", "Email Marketing", "1", "550 5.1.1 mailbox does not exist", "true",
     "true", "Deutschland"),
]  # fmt: skip
HUBSPOT_DEFAULT_VIEW = ("Record ID", "First Name", "Last Name", "Email", "Phone Number",
                        "Contact owner", "Last Activity Date", "Lead Status", "Create Date",
                        "Associated Company")  # fmt: skip
HUBSPOT_DEFAULT_ROWS = [
    ("2001", "Γιώργος", "Παπαδόπουλος", "g.papadopoulos@otenet.gr", "210 1234567", "Eleni Nikolaou",
     "2026-10-30 11:00", "Open", "2025-06-01 09:00", "Nikolaou Shipping"),
]  # fmt: skip

SALESFORCE_CONTACT = ("Id", "AccountId", "FirstName", "LastName", "Email", "Phone", "MobilePhone",
                      "Title", "OwnerId", "LeadSource", "HasOptedOutOfEmail", "DoNotCall",
                      "IsEmailBounced", "EmailBouncedDate", "EmailBouncedReason",
                      "LastActivityDate", "CreatedDate", "LastModifiedDate",
                      "MailingCountry")  # fmt: skip
SALESFORCE_CONTACT_ROWS = [
    ("0035g00000AbCdEAA1", "0015g00000XyZaBAA1", "Margarethe", "Huber", "m.huber@alpenholz.at",
     "+43 1 5123456", "", "Einkauf", "0055g000001OwNrAAA", "Web", "false", "false", "true",
     "2026-09-14T08:12:00.000Z", "550 5.1.1 <m.huber@alpenholz.at>: Recipient address rejected",
     "2026-09-30", "2024-02-11T10:03:00.000Z", "2026-10-01T07:00:00.000+0000", "Austria"),
    ("0035g00000AbCdFAA1", "0015g00000XyZaBAA1", "Luca", "Bianchi", "luca.bianchi@ferraro.it",
     "", "+39 347 1234567", "CEO", "0055g000001OwNrAAA", "Partner Referral", "true", "false",
     "true", "2026-10-02T09:00:00.000Z", "452 4.2.2 Mailbox full", "2026-10-20",
     "2023-05-01T12:00:00.000Z", "2026-10-21T10:30:00.000Z", "Italy"),
]  # fmt: skip
SALESFORCE_LEAD = ("Id", "FirstName", "LastName", "Company", "Title", "Email", "Phone", "Status",
                   "LeadSource", "HasOptedOutOfEmail", "IsEmailBounced", "EmailBouncedReason",
                   "IsConverted", "ConvertedContactId", "CreatedDate", "LastModifiedDate",
                   "LastActivityDate", "Country", "OwnerId")  # fmt: skip
SALESFORCE_LEAD_ROWS = [
    ("00Q5g00000LeAdAAA1", "Ingrid", "Johansson", "Nordlys Design AB", "Designer",
     "ingrid@nordlys-design.se", "+46 8 123 456 78", "Working - Contacted", "Trade Show", "0",
     "0", "", "false", "", "2026-08-01T09:00:00.000Z", "2026-10-05T09:00:00.000Z", "", "Sweden",
     "0055g000001OwNrAAA"),
]  # fmt: skip
SALESFORCE_CONTACT_REPORT = ("Contact ID", "First Name", "Last Name", "Account Name", "Title",
                             "Email", "Phone", "Mobile", "Contact Owner", "Lead Source",
                             "Email Opt Out", "Email Bounced Reason", "Email Bounced Date",
                             "Mailing Country", "Created Date", "Last Activity")  # fmt: skip
SALESFORCE_CONTACT_REPORT_ROWS = [
    ("0035g00000RePoRAA1", "Søren", "Kierkegaard-Holm", "Holm & Co ApS", "Indkøber",
     "soren@holm-co.dk", "+45 33 12 34 56", "", "Mette Larsen", "Web", "1", "", "", "Denmark",
     "14/03/2025", "25/10/2026"),
    ("0035g00000RePoSAA1", "Aino", "Virtanen", "Järvi Oy", "", "aino.virtanen@jarvi.fi", "",
     "+358 40 1234567", "Mette Larsen", "", "0", "", "", "Finland", "02/11/2025", "03/10/2026"),
]  # fmt: skip
SALESFORCE_LEAD_REPORT = ("Lead ID", "First Name", "Last Name", "Company / Account", "Email",
                          "Lead Status", "Lead Owner", "Created Date")  # fmt: skip
SALESFORCE_LEAD_REPORT_ROWS = [
    ("00Q5g00000RePoLAA1", "Tomasz", "Wiśniewski", "Wisła Logistyka Sp. z o.o.",
     "t.wisniewski@wisla-logistyka.pl", "Open - Not Contacted", "Anna Kowalska", "10/30/2026"),
]  # fmt: skip
PIPEDRIVE = ("Person - ID", "Person - Name", "Person - First name", "Person - Last name",
             "Person - Organization", "Person - Email - Work", "Person - Email - Home",
             "Person - Phone - Work", "Person - Phone - Mobile", "Person - Labels",
             "Person - Owner", "Person - Marketing status", "Person - Last activity date",
             "Person - Add time", "Person - Update time")  # fmt: skip
PIPEDRIVE_ROWS = [
    ("17", "Lotte de Wit", "Lotte", "de Wit", "Tulpenhof B.V.", "", "lotte.dewit@ziggo.nl", "",
     "06 98765432", "Customer, Hot lead", "Pieter Jansen", "Unsubscribed", "2026-10-15",
     "2025-01-10 10:11:12", "2026-10-15 09:00:00"),
    ("18", "Bram Peeters", "", "", "Peeters Bouw BV", "bram@peeters-bouw.be", "",
     "+32 3 123 45 67", "", "Warm lead", "Pieter Jansen", "Subscribed", "", "2026-02-01 08:00:00",
     "2026-02-01 08:00:00"),
]  # fmt: skip
# The example mapping's Dutch spreadsheet.
SPREADSHEET = ("Klantnummer", "Voornaam", "Achternaam", "E-mailadres", "Mobiel", "Telefoon",
               "Bedrijf", "Functie", "Fase", "Land", "Aangemaakt op", "Laatste contact",
               "Afgemeld", "Bounced", "Bounce reden")  # fmt: skip
SPREADSHEET_ROWS = [
    ("K-0001", "Sanne", "Bakker", "sanne@bakkerij-bakker.nl", "06 11223344", "",
     "Bakkerij Bakker", "Eigenaar", "Klant", "Nederland", "03-02-2025", "28-10-2026 14:05", "Nee",
     "Nee", ""),
    ("K-0002", "Wouter", "Visser", "w.visser@visser-metaal.nl", "", "010 1234567",
     "Visser Metaal", "", "Lead", "Nederland", "11-01-2025", "", "Ja", "Ja",
     "550 5.1.1 user unknown"),
]  # fmt: skip


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    sep: str = ",",
    encoding: str = "utf-8",
    newline: str = "\n",
) -> bytes:
    """The file as the CSV writer of a CRM or Excel writes it (quotes only where needed)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], **dialect) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(header, rows, **dialect))
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A workbook as Excel saves it: text cells, and real dates for datetime values."""
    import xlsxwriter  # a dev dependency: only tests write workbooks

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Contacten")
    date_format = workbook.add_format({"num_format": "dd-mm-yyyy hh:mm"})
    sheet.write_row(0, 0, header)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if hasattr(value, "year"):
                sheet.write_datetime(row_number, column, value, date_format)
            elif value not in ("", None):
                sheet.write_string(row_number, column, str(value))
    workbook.close()
    return path
