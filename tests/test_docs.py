"""Every link in the README and docs/ points at a file, and at a heading of it, that exists.

A moved section or a renamed heading must not leave a newcomer at a dead link.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([PROJECT / "README.md", PROJECT / "BENCHMARKS.md", *PROJECT.glob("docs/*.md")])
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    anchors = set()
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip().lower().replace("`", "")
            anchors.add(re.sub(r"[^\w\- ]", "", heading).replace(" ", "-"))
    return anchors


def _links(path: Path) -> list[str]:
    return _LINK.findall(_FENCE.sub("", path.read_text(encoding="utf-8")))


def test_the_readme_links_every_document_of_docs():
    linked = {target.split("#")[0] for target in _links(PROJECT / "README.md")}
    assert {f"docs/{path.name}" for path in PROJECT.glob("docs/*.md")} <= linked


def test_the_readme_stays_short():
    assert len((PROJECT / "README.md").read_text(encoding="utf-8").splitlines()) <= 185


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_link_points_at_something_that_exists(document: Path):
    dead = []
    for target in _links(document):
        if re.match(r"^[a-z]+:", target):  # https:, mailto: ...: outside the repository
            continue
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part else document
        if not linked.exists():
            dead.append(f"{target}: no file {linked}")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            dead.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert dead == [], f"dead links in {document.name}: {dead}"
