"""What kind of mailbox an address is: a consumer provider's, or a shared role box.

Facts about an address, not verdicts: normalize derives `company_domain` (the email domain unless
free-mail), duplicate detection ignores role boxes as evidence, validation reports both kinds, and
the typo suggestion corrects towards the providers listed here.
"""

from __future__ import annotations

import re

# Local parts that reach a function or a team, not a person (compared without a +tag).
ROLE_ACCOUNTS: tuple[str, ...] = (
    "info", "sales", "admin", "administrator", "support", "contact", "office", "hello",
    "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "billing", "invoice",
    "invoices", "accounts", "accounting", "finance", "marketing", "team", "jobs", "careers",
    "hr", "recruitment", "postmaster", "webmaster", "hostmaster", "abuse", "security",
    "privacy", "newsletter", "service", "customerservice", "help", "helpdesk", "enquiries",
    "orders", "reception", "press", "legal", "mail", "root", "staff",
    # Dutch, German, French, Italian and Greek offices use their own words.
    "verkoop", "klantenservice", "administratie", "secretariaat", "boekhouding", "receptie",
    "vacatures", "kontakt", "vertrieb", "buchhaltung", "zentrale", "bewerbung", "accueil",
    "commercial", "compta", "comptabilite", "facturation", "direction", "recrutement",
    "amministrazione", "commerciale", "ufficio", "grammateia", "verkauf", "buero", "post",
    "facturen", "bureau", "bonjour", "inquiries", "contact-us", "welcome",
)  # fmt: skip

# Free-mail / ISP providers: the typo-suggestion targets and the free-mail list. Order matters:
# on a tie the earlier (more common) provider wins.
FREE_MAIL_PROVIDERS: tuple[str, ...] = (
    "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "msn.com", "ymail.com", "protonmail.com",
    "proton.me", "gmx.com", "mail.com", "zoho.com", "fastmail.com", "tutanota.com",
    # Germany, Austria, Switzerland
    "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de",
    "posteo.de", "mail.de", "arcor.de", "hotmail.de", "outlook.de", "live.de", "yahoo.de",
    "googlemail.de", "aon.at", "chello.at", "bluewin.ch", "hispeed.ch",
    # France
    "orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "neuf.fr", "bbox.fr",
    "hotmail.fr", "outlook.fr", "live.fr", "yahoo.fr", "aliceadsl.fr", "club-internet.fr",
    # Netherlands
    "ziggo.nl", "kpnmail.nl", "kpnplanet.nl", "hetnet.nl", "xs4all.nl", "planet.nl",
    "home.nl", "chello.nl", "casema.nl", "quicknet.nl", "upcmail.nl", "hotmail.nl",
    "outlook.nl", "live.nl", "yahoo.nl",
    # Belgium, Luxembourg
    "telenet.be", "skynet.be", "proximus.be", "hotmail.be", "outlook.be", "live.be",
    "pt.lu",
    # Italy, Spain, Portugal
    "libero.it", "virgilio.it", "alice.it", "tiscali.it", "tin.it", "hotmail.it",
    "outlook.it", "live.it", "yahoo.it", "yahoo.es", "hotmail.es", "outlook.es",
    "telefonica.net", "sapo.pt",
    # Greece
    "otenet.gr", "yahoo.gr", "hol.gr", "hotmail.gr", "windowslive.com",
    # United Kingdom, Ireland
    "btinternet.com", "hotmail.co.uk", "yahoo.co.uk", "live.co.uk", "outlook.co.uk",
    "sky.com", "virginmedia.com", "talktalk.net", "ntlworld.com", "eircom.net",
    # Nordics, Central and Eastern Europe
    "hotmail.se", "live.se", "telia.com", "wp.pl", "o2.pl", "onet.pl", "interia.pl",
    "seznam.cz", "yandex.com", "mail.ru",
    # Less common, after the others so they never win a typo tie.
    "protonmail.ch", "pm.me", "email.com", "mailbox.org", "sunrise.ch", "a1.net", "centrum.cz",
    "online.no", "terra.es", "yandex.ru",
)  # fmt: skip
# Providers with a domain per country (hotmail.fr, yahoo.co.uk, outlook.de, live.nl ...).
FREE_MAIL_FAMILY_PATTERN = (
    r"^(?:hotmail|outlook|live|windowslive|yahoo|ymail|aol|gmx)\.[a-z]{2,3}(?:\.[a-z]{2})?$"
)

PROVIDER_DOMAINS = frozenset(FREE_MAIL_PROVIDERS)
_PROVIDER_FAMILY = re.compile(FREE_MAIL_FAMILY_PATTERN)
_ROLES = frozenset(ROLE_ACCOUNTS)


def local_base(local_part: str) -> str:
    """The local part without a +tag, lower-case: Info+CRM is the info mailbox."""
    return local_part.split("+", 1)[0].lower()


def is_role_account(local_part: str) -> bool:
    """A shared mailbox (info@, sales@): nobody in particular reads it."""
    return local_base(local_part) in _ROLES


def is_free_mail(domain: str) -> bool:
    """A consumer mailbox provider: information for B2B lists, not a fault."""
    folded = domain.lower().rstrip(".")
    return folded in PROVIDER_DOMAINS or _PROVIDER_FAMILY.match(folded) is not None
