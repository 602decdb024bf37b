"""Job titles: cased like a person would type them, and mapped to a function and a seniority.

The mapping is a short list of keyword patterns in English, Dutch, German, French and Greek,
matched on the lower-case, accent-free title, so "VP Sales", "vice president of sales" and
"Vice-President Ventes" all give function `sales`, seniority `vp`. The first matching pattern
wins; a title matching none has null function or seniority (never a guess).
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

# Seniority, most senior first: a "Chief Sales Officer" is c_level, not head.
SENIORITY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("owner", r"\b(owner|founder|co-?founder|eigenaar|oprichter|inhaber|grunder|fondateur|"
              r"ιδιοκτητης|ιδρυτης)"),
    ("c_level", r"\b(chief \w+( \w+)? officer|ceo|cfo|cto|coo|cmo|cio|cro|cso|cdo|cpo|"
                r"managing director|general manager|geschaftsfuhrer|algemeen directeur|"
                r"directeur general|president[- ]directeur|pdg|vorstand|διευθυνων συμβουλος)\b"),
    ("vp", r"\b(vp|svp|evp|avp|vice[- ]president|vice[- ]presidente?)\b"),
    ("director", r"\b(director|directeur|direktor|directrice|διευθυντ\w*)\b"),
    ("head", r"\b(head|hoofd|leiter|leiterin|leider|responsable|lead|teamlead|"
             r"προισταμεν\w*)\b"),
    ("manager", r"\b(manager|gerant|teamleider|teamleiter|supervisor|coordinator|"
                r"coordinateur|υπευθυν\w*)\b|manager\b"),
    ("junior", r"\b(junior|jr|trainee|intern|stagiair|stagiaire|praktikant\w*|werkstudent\w*|"
               r"apprenti|assistant|assistent\w*|βοηθος)\b"),
    ("senior", r"\b(senior|sr|principal|staff)\b"),
)  # fmt: skip
# Function: what the person works on.
FUNCTION_PATTERNS: tuple[tuple[str, str], ...] = (
    ("sales", r"\b(sales|verkoop|vertrieb|verkauf|ventes?|commercial|commerciale|account "
              r"(manager|executive)|accountmanager|business development|bdr|sdr|πωλησεων|"
              r"πωλησεις)\b"),
    ("marketing", r"\b(marketing|cmo|brand|communicatie|kommunikation|communication|"
                  r"growth|content|seo|μαρκετινγκ)\b"),
    ("finance", r"\b(finance|financial|finan\w*|cfo|controller|accountant|accounting|"
                r"boekhoud\w*|buchhalt\w*|comptab\w*|treasury|οικονομικ\w*|λογιστ\w*)\b"),
    ("it", r"\b(it|ict|cto|cio|software|developer|engineer\w*|ontwikkelaar|entwickler\w*|"
           r"informatique|devops|data|systems?|technology|technical|technisch\w*|"
           r"πληροφορικης)\b"),
    ("hr", r"\b(hr|human resources|people|personeel\w*|personal\w*|recruit\w*|recrutement|"
           r"talent|ressources humaines|ανθρωπινου δυναμικου)\b"),
    ("operations", r"\b(operations|operationeel|operational|coo|logisti\w*|supply chain|"
                   r"production|productie|produktion|facility|facilities|λειτουργιων)\b"),
    ("procurement", r"\b(procurement|purchasing|purchase|buyer|inkoop\w*|einkauf\w*|achats?|"
                    r"acheteur|προμηθειων)\b"),
    ("customer_service", r"\b(customer (service|success|support)|klantenservice|kundendienst|"
                         r"kundenservice|service client|support)\b"),
    ("legal", r"\b(legal|lawyer|counsel|jurist\w*|juridisch\w*|juriste|rechtsanwalt|"
              r"νομικ\w*)\b"),
    ("product", r"\b(product|produkt|produit)\b"),
    ("executive", r"\b(ceo|managing director|general manager|geschaftsfuhrer|algemeen directeur|"
                  r"directeur general|pdg|owner|founder|eigenaar|oprichter|inhaber|"
                  r"διευθυνων συμβουλος)\b"),
)  # fmt: skip

# Words kept in capitals, and small words kept lower-case, when re-casing a single-case title.
_ACRONYMS = frozenset(
    {"ceo", "cfo", "cto", "coo", "cmo", "cio", "cro", "cso", "cdo", "cpo", "vp", "svp", "evp",
     "avp", "it", "ict", "hr", "emea", "dach", "benelux", "b2b", "b2c", "r&d", "qa", "ux", "ui",
     "pr", "seo", "sdr", "bdr", "kam", "pdg", "crm", "erp", "saas", "ai", "bi", "nl", "eu", "uk"}
)  # fmt: skip
_SMALL_WORDS = frozenset(
    {"of", "and", "for", "the", "in", "at", "to", "van", "en", "voor", "de", "der", "für",
     "und", "et", "des", "du", "la", "le", "di", "della"}
)  # fmt: skip
_WORD = re.compile(r"[^\W_][\w&'’]*", re.UNICODE)


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """Lower-case, accents off, separators as single spaces: what the patterns are matched on."""
    return (
        expr.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[/,;:()|+.]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _classify(folded: pl.Expr, patterns: tuple[tuple[str, str], ...]) -> pl.Expr:
    result: pl.Expr = pl.lit(None, dtype=pl.String)
    for label, pattern in reversed(patterns):
        result = pl.when(folded.str.contains(pattern)).then(pl.lit(label)).otherwise(result)
    return result


def job_function_expr(title: pl.Expr) -> pl.Expr:
    """sales, marketing, finance, it, hr, operations, procurement, customer_service, legal,
    product or executive; null when no pattern matches."""
    return _classify(fold_expr(title), FUNCTION_PATTERNS)


def job_seniority_expr(title: pl.Expr) -> pl.Expr:
    """owner, c_level, vp, director, head, manager, junior or senior; null when none matches."""
    return _classify(fold_expr(title), SENIORITY_PATTERNS)


@lru_cache(maxsize=100_000)
def case_job_title(title: str | None) -> str | None:
    """Re-case a title typed in one case (SALES MANAGER, vp sales); leave mixed case alone."""
    if title is None:
        return None
    cased = [char for char in title if char.lower() != char.upper()]
    if not cased or not (all(c.isupper() for c in cased) or all(c.islower() for c in cased)):
        return title

    def word(match: re.Match[str]) -> str:
        text = match.group(0)
        lower = text.lower()
        if lower in _ACRONYMS:
            return text.upper()
        if lower in _SMALL_WORDS and match.start() > 0:
            return lower
        return lower[:1].upper() + lower[1:]

    return _WORD.sub(word, title)
