"""Read an export file with bounded memory, whatever a hostile or broken file holds.

A single line of gigabytes (a corrupted export, a binary saved as .csv) would otherwise be held
whole, then decoded and parsed. The file is streamed instead: every line longer than a contact
record can be is replaced by a one-line placeholder the CSV reader rejects, and only its first
bytes are kept, so the row is still accounted for in rejected_rows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

MAX_LINE_BYTES = 4 * 1024 * 1024  # far beyond any CRM record; a wider line is damage
HEAD_BYTES = 1000  # kept of an overlong line, for the person who looks at the rejection
_CHUNK = 1 << 20
_PLACEHOLDER = b"\x00overlong line %d\x00"
_PLACEHOLDER_TEXT = re.compile("\x00overlong line (\\d+)\x00")


@dataclass(frozen=True)
class OverlongLine:
    """A line that was not loaded: where it was, how long it was, how it began."""

    line: int  # 1-based file line
    size: int  # bytes, without the line break
    head: bytes


@dataclass(frozen=True)
class BoundedFile:
    """The file's bytes with overlong lines replaced, and the sha256 of the original bytes."""

    data: bytes
    fingerprint: str
    overlong: tuple[OverlongLine, ...]
    lines_over: bool = False  # stopped early: more lines than `max_lines` (data is partial)

    def overlong_in(self, text: str) -> OverlongLine | None:
        """The overlong line a rejected record's text stands for, if it is a placeholder."""
        match = _PLACEHOLDER_TEXT.search(text)
        return self.overlong[int(match.group(1))] if match else None


def read_bounded(
    path: Path, *, max_line_bytes: int = MAX_LINE_BYTES, max_lines: int | None = None
) -> BoundedFile:
    """Stream `path`; memory stays near the size of its sound lines, not of its longest line.

    Chunks are no longer than the limit, so only a line that spans chunks can be overlong: the
    work per chunk is a few byte searches, not a loop over lines. With `max_lines`, reading stops
    once the file has more lines than that (`lines_over`): a file of a hundred million rows is
    refused after the first few hundred megabytes, not held whole.
    """
    reader = _Reader(max_line_bytes)
    chunk_size = min(_CHUNK, max_line_bytes)
    with Path(path).open("rb") as handle:
        while chunk := handle.read(chunk_size):
            reader.feed(chunk)
            if max_lines is not None and reader.line_number > max_lines + 1:
                return replace(reader.finish(), lines_over=True)
    return reader.finish()


class _Reader:
    def __init__(self, max_line_bytes: int) -> None:
        self.max = max_line_bytes
        self.digest = hashlib.sha256()
        self.out = bytearray()
        self.overlong: list[OverlongLine] = []
        self.line_start = 0  # where the current, unterminated line begins in `out`
        self.line_number = 1
        self.skipped = 0  # bytes of the current line dropped (0 while it is within the limit)
        self.head = b""

    def feed(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        first = chunk.find(b"\n")
        if first < 0:
            self._extend(chunk)
            return
        self._extend(chunk[:first])
        self._end_line()
        last = chunk.rfind(b"\n")
        middle = chunk[first + 1 : last + 1]  # whole lines, each shorter than one chunk
        self.out += middle
        self.line_number += middle.count(b"\n")
        self.line_start = len(self.out)
        self._extend(chunk[last + 1 :])

    def finish(self) -> BoundedFile:
        if self.skipped:
            self._placeholder()
        return BoundedFile(bytes(self.out), self.digest.hexdigest(), tuple(self.overlong))

    def _extend(self, piece: bytes) -> None:
        if self.skipped:
            self.skipped += len(piece)
            return
        self.out += piece
        if len(self.out) - self.line_start > self.max:
            self.head = bytes(self.out[self.line_start : self.line_start + HEAD_BYTES])
            self.skipped = len(self.out) - self.line_start
            del self.out[self.line_start :]

    def _end_line(self) -> None:
        if self.skipped:
            self._placeholder()
        self.out += b"\n"
        self.line_number += 1
        self.line_start = len(self.out)

    def _placeholder(self) -> None:
        self.out += _PLACEHOLDER % len(self.overlong)
        self.overlong.append(OverlongLine(self.line_number, self.skipped, self.head))
        self.skipped = 0


def overlong_reason(line: OverlongLine) -> str:
    return (
        f"line of {line.size:,} bytes, longer than the {MAX_LINE_BYTES:,} a contact record can "
        f"be: not loaded; its first {min(HEAD_BYTES, line.size):,} bytes are kept here"
    )
