"""The report as data: sections of blocks, rendered alike by html.py and markdown.py.

Inline content is a str, a :class:`Link` (to an anchor in the page), :class:`Code` (a command, a
path), a :class:`Badge` (a verdict) or :class:`Math` (MathML printed by sympy from the registry's
expressions), or a tuple of these. Blocks are headings, paragraphs, bulleted items, tables,
evidence fields (a definition list), figures (PNG bytes), preformatted text, notices of a missing
input, warnings and collapsible details. Anchors are stable ids built by :func:`anchor`, so other sections can link to them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Link:
    text: str
    target: str  # an anchor id in the page (without '#')


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Badge:
    verdict: str


@dataclass(frozen=True)
class Math:
    """Maths: ``mathml`` is a ``<math>`` element that sympy's presentation printer wrote from an
    expression of the registry (never from a results file); ``text`` is the same as infix."""

    mathml: str
    text: str


Inline = Union[str, Link, Code, Badge, Math, tuple]


@dataclass(frozen=True)
class Para:
    content: Inline


@dataclass(frozen=True)
class Heading:
    text: str
    anchor: str
    level: int = 3


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Inline, ...], ...]
    anchor: str = ""
    row_anchors: tuple[str, ...] = ()  # one per row, or empty
    kind: str = ""  # a class name tests and styles can find the table by ("verdicts", ...)


@dataclass(frozen=True)
class Figure:
    anchor: str
    title: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class Pre:
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Items:
    """A bulleted list, one inline item each."""

    items: tuple
    kind: str = ""


@dataclass(frozen=True)
class Fields:
    """Evidence as a definition list: (name, value) pairs, a value inline or a nested Fields."""

    items: tuple


@dataclass(frozen=True)
class Warn:
    """Something the reader must not miss about the inputs (e.g. mixed profiles)."""

    content: Inline


@dataclass(frozen=True)
class Missing:
    """An input the section needs is absent: say so, and how to produce it."""

    what: str
    command: str
    reason: str = ""


@dataclass(frozen=True)
class Details:
    summary: Inline
    blocks: tuple
    anchor: str = ""


Block = Union[Para, Heading, Items, Table, Fields, Figure, Pre, Warn, Missing, Details]


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> "Section":
        self.blocks.extend(blocks)
        return self


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in walk(s.blocks) if isinstance(b, Figure)]


def walk(blocks):
    for b in blocks:
        yield b
        if isinstance(b, Details):
            yield from walk(b.blocks)


def anchor(*parts: str) -> str:
    """A stable HTML id from parts: ``anchor("ob", "theorem-4.3", "step-2")`` -> ``ob-theorem-4-3-step-2``."""
    text = "-".join(str(p) for p in parts)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
