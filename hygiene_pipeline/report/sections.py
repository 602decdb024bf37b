"""A report section as data: its tables, or the line that says why it has none.

The same section goes to the HTML file and to the asset's Markdown metadata, so both say the
same thing; escaping for each happens here, once. Values may come from an export (an owner's
name, a lead source typed by hand), so every text is HTML-escaped, and in Markdown also stripped
of the characters that would make a link, an image or a table cell of it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#!<>()])")


def md_cell(text: object) -> str:
    """Safe inside a Markdown table cell: one line, no HTML, no link, image or emphasis."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


@dataclass(frozen=True)
class Table:
    """Rows of text; columns numeric_from to numeric_until (exclusive; None: the last) are
    numbers, right-aligned."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric_from: int = 1
    caption: str | None = None  # one line above the table
    numeric_until: int | None = None

    def _numeric(self, index: int) -> bool:
        return self.numeric_from <= index < (self.numeric_until or len(self.header))

    def markdown(self) -> str:
        right = [" ---: |" if self._numeric(i) else " --- |" for i in range(len(self.header))]
        lines = [f"**{md_cell(self.caption)}**", ""] if self.caption else []
        lines += ["| " + " | ".join(md_cell(h) for h in self.header) + " |", "|" + "".join(right)]
        lines += ["| " + " | ".join(md_cell(cell) for cell in row) + " |" for row in self.rows]
        return "\n".join(lines)

    def html(self) -> str:
        def cells(tag: str, values: tuple[str, ...]) -> str:
            return "".join(
                f"<{tag}{' class=n' if self._numeric(i) else ''}>{escape(v)}</{tag}>"
                for i, v in enumerate(values)
            )

        body = "".join(f"<tr>{cells('td', row)}</tr>" for row in self.rows)
        caption = f"<p>{escape(self.caption)}</p>" if self.caption else ""
        return (
            f"{caption}<table><thead><tr>{cells('th', self.header)}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )


@dataclass(frozen=True)
class Section:
    """A titled part of the report: paragraphs and tables in order. Without them, `note` says
    why (not in this export, or nothing found), so an empty section never reads as "all fine"."""

    key: str  # the HTML id; with _ for -, the metadata key
    title: str
    intro: str
    body: tuple[Table | str, ...] = ()
    note: str | None = None

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(part for part in self.body if isinstance(part, Table))

    def markdown(self) -> str:
        parts = [md_cell(self.intro)] if self.intro else []
        parts += [p.markdown() if isinstance(p, Table) else md_cell(p) for p in self.body]
        if self.note:
            parts.append(f"_{md_cell(self.note)}_")
        return "\n\n".join(parts)

    def html(self) -> str:
        parts = [f'<section id="{escape(self.key)}"><h2>{escape(self.title)}</h2>']
        if self.intro:
            parts.append(f'<p class="muted">{escape(self.intro)}</p>')
        parts += [p.html() if isinstance(p, Table) else f"<p>{escape(p)}</p>" for p in self.body]
        if self.note:
            parts.append(f'<p class="note">{escape(self.note)}</p>')
        parts.append("</section>")
        return "\n".join(parts)
