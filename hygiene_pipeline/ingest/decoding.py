"""Bytes of an export to text. The encoding is detected, never configured.

UTF-8 (with or without BOM) when it decodes; Windows-1252 as European Excel writes it otherwise;
latin-1 for the few bytes cp1252 leaves undefined. A UTF-8 file with a few undecodable rows (one
pasted from a cp1252 source, say) stays UTF-8: those bytes become surrogate escapes, and the rows
holding them go to rejected_rows instead of turning the whole file into mojibake.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_VALID_NON_ASCII = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")


@dataclass(frozen=True)
class DecodedText:
    """A file's bytes and how to read them as text, without holding a second copy as `str`.

    A 200 MB export as one Python string costs up to 800 MB (wide characters), as an
    `io.StringIO` 800 MB more; readers stream lines from the bytes instead (`lines()`).
    """

    data: bytes
    encoding: str  # utf-8, utf-8-sig, cp1252 or latin-1
    has_undecodable: bool  # bytes invalid in `encoding` are read as surrogate escapes

    def lines(self) -> io.TextIOWrapper:
        """The text as a stream of lines, line endings (\n, \r\n, \r) untouched."""
        stream = io.BytesIO(self.data)
        if self.encoding == "utf-8-sig":
            stream.seek(len(UTF8_BOM))  # then plain UTF-8: the codec with the C fast path
        return io.TextIOWrapper(
            stream,
            encoding="utf-8" if self.encoding == "utf-8-sig" else self.encoding,
            errors="surrogateescape" if self.has_undecodable else "strict",
            newline="",
        )

    def first_line(self) -> str:
        return self.lines().readline()

    @property
    def text(self) -> str:
        """The whole text at once (small files, or when a reader really needs it)."""
        body = self.data[len(UTF8_BOM) :] if self.encoding == "utf-8-sig" else self.data
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        return body.decode(codec, "surrogateescape" if self.has_undecodable else "strict")

    def utf8(self) -> bytes:
        """The text as UTF-8 bytes without BOM, for polars (no copy when it already is)."""
        if self.encoding == "utf-8" and not self.has_undecodable:
            return self.data
        if self.encoding == "utf-8-sig" and not self.has_undecodable:
            return self.data[len(UTF8_BOM) :]
        return self.text.encode("utf-8", "surrogateescape")


def decode_export(data: bytes) -> DecodedText:
    """How to read the file: its encoding, and whether some bytes do not decode in it."""
    if data.startswith(UTF8_BOM):
        return DecodedText(data, "utf-8-sig", not _valid_utf8(data[len(UTF8_BOM) :]))
    if _valid_utf8(data):
        return DecodedText(data, "utf-8", False)
    if _mostly_utf8(data.decode("utf-8", "surrogateescape")):
        return DecodedText(data, "utf-8", True)
    try:
        data.decode("cp1252")
        return DecodedText(data, "cp1252", False)
    except UnicodeDecodeError:
        # Bytes cp1252 leaves undefined (0x81, 0x8d, ...) are latin-1 control characters.
        return DecodedText(data, "latin-1", False)


def _valid_utf8(data: bytes, chunk: int = 1 << 22) -> bool:
    """Whether `data` is UTF-8, checked in slices so no full-size string is built."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(data[start : start + chunk], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(escaped: str) -> bool:
    """More lines with real UTF-8 accents than lines with undecodable bytes: a UTF-8 file."""
    good = bad = 0
    for line in escaped.split("\n"):
        if _UNDECODABLE.search(line):
            bad += 1
        elif _VALID_NON_ASCII.search(line):
            good += 1
    return good > bad


def has_undecodable(text: str) -> bool:
    return _UNDECODABLE.search(text) is not None


def visible(text: str) -> str:
    """Text with undecodable bytes written as `\\xe9`, so the raw bytes stay recoverable."""
    if not has_undecodable(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
