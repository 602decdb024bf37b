"""Invented phone numbers: valid number ranges per country, written the ways people write them.

Also the fake numbers planted among the records (placeholders and Ofcom's drama numbers).
"""

from __future__ import annotations

from dataclasses import dataclass


def in_pairs(digits: str, sep: str = " ") -> str:
    return sep.join(digits[i : i + 2] for i in range(0, len(digits), 2))


@dataclass(frozen=True)
class Phone:
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
                        f"0031 6 {s}", f"+31 (0)6 {s}", f"06 {in_pairs(s)}"]  # fmt: skip
            return [f"0{a} {s[:3]} {s[3:]}", f"0{a}-{s}", f"+31 {a} {s[:3]} {s[3:]}",
                    f"0031 {a} {s}", f"+31 (0){a} {s}", f"0{a}{s}"]  # fmt: skip
        if c == "BE":
            grouped = f"{s[:3]} {in_pairs(s[3:])}" if len(s) == 7 else in_pairs(s)
            dotted = f"{s[:3]}.{in_pairs(s[3:], '.')}" if len(s) == 7 else in_pairs(s, ".")
            return [f"0{a} {grouped}", f"0{a}/{dotted}", f"+32 {a} {grouped}",
                    f"0032 {a} {grouped}", f"0{a}{s}", f"+32{a}{s}"]  # fmt: skip
        if c == "DE":
            if mobile:
                return [f"0{a} {s}", f"0{a}-{s}", f"+49 {a} {s}", f"+49 (0){a} {s}", f"0{a}{s}",
                        f"0049 {a} {s}", f"0{a} / {s}"]  # fmt: skip
            return [f"0{a} {s}", f"0{a}/{s}", f"+49 (0){a} {s}", f"+49 {a} {s}", f"(0{a}) {s}",
                    f"0{a}-{s}"]  # fmt: skip
        if c == "FR":
            return [f"0{a} {in_pairs(s)}", f"0{a}.{in_pairs(s, '.')}", f"0{a}{s}",
                    f"+33 {a} {in_pairs(s)}", f"+33 (0){a} {in_pairs(s)}",
                    f"0033 {a} {in_pairs(s)}", f"+33{a}{s}"]  # fmt: skip
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


def looks_fake(digits: str) -> bool:
    """Runs like 12345, 5+ equal digits or a drama range: what a validator calls a placeholder."""
    for start in range(len(digits) - 4):
        window = digits[start : start + 5]
        if window in "01234567890" or window in "09876543210" or len(set(window)) == 1:
            return True
    return digits.startswith(DRAMA_PREFIXES)


PLACEHOLDER_PHONES = (
    "0000000000", "1234567890", "555-0100", "1111111111", "9999999999", "000-0000000",
    "0000 000000", "123456", "+31 000000000",
)  # fmt: skip
# Ofcom's drama numbers, typed into forms by British contacts who will not give their own.
UK_DRAMA_PHONES = ("020 7946 0018", "07700 900461", "0161 496 0754", "+44 7700 900123")
