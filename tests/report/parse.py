"""Reads a rendered report back with the standard library's HTML parser: tables by class (body
rows' cell texts and the verdict badges in them), every id, every src/href, figures and images."""
from __future__ import annotations

from html.parser import HTMLParser


class ReportHTML(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.badges: dict[str, list[list[str]]] = {}  # per table class: each body row's badge verdicts
        self.ids: list[str] = []
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.figures: list[str] = []  # ids of <figure>
        self.images = 0
        self.svgs = 0
        self.scripts = 0
        self.meta: dict[str, str] = {}
        self._table = None
        self._row = None
        self._cell = None
        self._head = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        for key in ("src", "href", "data", "action", "poster"):
            if key in a:
                self.refs.append((tag, key, a[key]))
        if tag == "meta" and "http-equiv" in a:
            self.meta[a["http-equiv"].lower()] = a.get("content", "")
        if tag == "figure":
            self.figures.append(a.get("id", ""))
        elif tag == "img":
            self.images += 1
        elif tag == "svg":
            self.svgs += 1
        elif tag == "script":
            self.scripts += 1
        elif tag == "table" and a.get("class"):
            self._table = a["class"]
            self.tables.setdefault(self._table, [])
            self.badges.setdefault(self._table, [])
        elif tag == "thead":
            self._head = True
        elif tag == "tr" and self._table:
            self._row = []
            if not self._head:  # header rows are not kept
                self.tables[self._table].append(self._row)
                self.badges[self._table].append([])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "span" and "data-verdict" in a and self._row is not None and not self._head:
            self.badges[self._table][-1].append(a["data-verdict"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "thead":
            self._head = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, kind: str) -> list[list[str]]:
        """Body rows of every table with class ``kind``, in page order."""
        return self.tables.get(kind, [])
