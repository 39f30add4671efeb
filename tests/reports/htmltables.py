"""Parse rendered HTML reports back into tables of cell texts (standard html.parser)."""
from __future__ import annotations

from html.parser import HTMLParser


class TableParser(HTMLParser):
    """Collects every <table data-table=KEY> as rows of cell texts, plus cell attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.attrs: dict[str, list[list[dict[str, str]]]] = {}
        self.text: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_svg = False
        self.svg_rects: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict((k, v or "") for k, v in attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = attrs["data-table"]
            self.tables[self._table] = []
            self.attrs[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
            self.attrs[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
            self.attrs[self._table][-1].append(attrs)
        elif tag == "rect" and "data-state" in attrs:
            self.svg_rects.append(attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse_html(html: str) -> TableParser:
    parser = TableParser()
    parser.feed(html)
    return parser
