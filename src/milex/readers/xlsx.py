"""Excel workbooks as the official readers need them: cell values, estimate colours, properties.

Values come from calamine (python-calamine, a Rust reader: the whole SIPRI workbook in ~0.07 s,
against ~1 s for pandas with openpyxl). calamine does not read styles, and SIPRI marks its
estimates only by font colour (blue = SIPRI estimate, red = highly uncertain), so
:meth:`Workbook.marks` reads the colour of each cell's font from the workbook's XML parts
(``xl/styles.xml`` and the sheet's part) with the standard library: a font colour is the one
style fact the readers need, and openpyxl, which reads all styles, takes ~0.12 s per sheet.

Rows and columns are 0-based in code and named as Excel names them in messages (``C7``,
:func:`cell_name`), so an error says where a layout changed: file, sheet, cell.
"""

from __future__ import annotations

import re
import zipfile
from functools import cache, cached_property
from pathlib import Path
from xml.etree import ElementTree

from milex.errors import DataFileError

#: Cell texts that mean "no figure" in the official files (SIPRI "...", its regional totals'
#: "…" (one ellipsis character) and "xxx", NATO "..", "-", the IMF's "n/a" and "--"); compared
#: after stripping spaces.
MISSING = frozenset({"", "...", "…", ". .", "..", "xxx", "-", "–", "—", "n/a", "--", "na", "#REF!"})

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
#: Font colours that mark a figure: Excel's legacy palette (indexed 12 = 0000FF, 10 = FF0000)
#: and the same colours written as ARGB.
_COLOURS = {
    "indexed:12": "blue",
    "rgb:FF0000FF": "blue",
    "indexed:10": "red",
    "rgb:FFFF0000": "red",
}
_REF_ATTR = re.compile(rb'\br="([A-Z]+)(\d+)"')
_YEAR = re.compile(r"(\d{4})\s*(e?)", re.IGNORECASE)


def cell_name(row: int, col: int) -> str:
    """Excel's name of a 0-based cell: ``cell_name(6, 2) == "C7"``."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


@cache
def _column(letters: bytes) -> int:
    """0-based column of Excel's column letters (``b"C"`` -> 2, ``b"AA"`` -> 26)."""
    col = 0
    for letter in letters:
        col = col * 26 + letter - 64
    return col - 1


def year_header(value: object) -> tuple[int, bool] | None:
    """``(year, estimate)`` for a year column header (``2014``, ``2014.0``, ``"2019"``,
    ``"2025e"``, ``"2025 e"``); None for anything else (``"Notes"``, an empty cell)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer() and 1900 <= value <= 2100:
        return int(value), False
    if isinstance(value, str):
        found = _YEAR.fullmatch(value.strip())
        if found and 1900 <= int(found.group(1)) <= 2100:
            return int(found.group(1)), bool(found.group(2))
    return None


def text(value: object) -> str:
    """A cell as stripped text ('' for an empty cell; whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Workbook:
    """One .xlsx file: sheet names, each sheet's values, the colour marks of its cells."""

    def __init__(self, path: str | Path):
        from python_calamine import CalamineError, CalamineWorkbook

        self.path = Path(path)
        try:
            self._book = CalamineWorkbook.from_path(str(self.path))
        except FileNotFoundError:
            raise DataFileError(f"{self.path}: no such file") from None
        except (CalamineError, OSError, ValueError) as exc:
            raise DataFileError(
                f"{self.path.name} is not a readable Excel workbook (.xlsx): {exc}"
            ) from None
        self.sheet_names: list[str] = list(self._book.sheet_names)

    def rows(self, sheet: str) -> list[list[object]]:
        """The values of a sheet from cell A1, one list per row (empty cells are ``""``;
        numbers are floats; dates are ``datetime`` objects)."""
        if sheet not in self.sheet_names:
            raise DataFileError(
                f"{self.path.name}: no sheet {sheet!r} (sheets: {', '.join(self.sheet_names)})"
            )
        return self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def marks(self, sheet: str) -> dict[tuple[int, int], str]:
        """The cells of ``sheet`` whose font is blue or red: ``{(row, col): "blue"|"red"}``,
        0-based. Cells of any other colour are left out."""
        fonts = self._marked_styles
        if not fonts:
            return {}
        part = self._sheet_parts.get(sheet)
        if part is None:
            raise DataFileError(f"{self.path.name}: no sheet {sheet!r}")
        with zipfile.ZipFile(self.path) as archive:
            xml = archive.read(part)
        # the coloured styles' indexes are searched for (a few percent of the cells), not every
        # cell's attributes read: ~5x faster; the tag around each must be a cell (rows have
        # styles too), and a cell without a style has the default font
        styles = b"|".join(str(index).encode() for index in fonts)
        found: dict[tuple[int, int], str] = {}
        for match in re.finditer(rb'\ss="(' + styles + rb')"', xml):
            start = xml.rfind(b"<", 0, match.start())
            if xml.startswith(b"<c ", start):
                ref = _REF_ATTR.search(xml, start, xml.find(b">", match.end()))
                if ref:
                    letters, digits = ref.groups()
                    found[int(digits) - 1, _column(letters)] = fonts[int(match.group(1))]
        return found

    def properties(self) -> dict[str, str]:
        """The workbook's document properties (``title``, ``creator``, ``created``,
        ``modified`` as ISO timestamps) from ``docProps/core.xml``; missing ones left out."""
        try:
            root = self._xml("docProps/core.xml")
        except KeyError:
            return {}
        return {el.tag.rsplit("}", 1)[-1]: (el.text or "").strip() for el in root if el.text}

    def _xml(self, name: str) -> ElementTree.Element:
        with zipfile.ZipFile(self.path) as archive:
            return ElementTree.fromstring(archive.read(name))

    @cached_property
    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> its XML part inside the archive."""
        rels = self._xml("xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")}
        parts = {}
        for sheet in self._xml("xl/workbook.xml").iter(f"{_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_REL}id"), "")
            parts[sheet.get("name")] = (
                target.lstrip("/") if target.startswith("/") else (f"xl/{target}")
            )
        return parts

    @cached_property
    def _marked_styles(self) -> dict[int, str]:
        """Cell style index -> "blue"/"red" for the styles whose font is one of those colours."""
        try:
            styles = self._xml("xl/styles.xml")
        except KeyError:
            return {}
        colours = []
        for font in styles.iterfind(f"{_MAIN}fonts/{_MAIN}font"):
            colour = font.find(f"{_MAIN}color")
            key = ""
            if colour is not None:
                for kind in ("indexed", "rgb"):
                    if colour.get(kind):
                        key = f"{kind}:{colour.get(kind).upper()}"
            colours.append(_COLOURS.get(key))
        marked = {}
        for index, xf in enumerate(styles.iterfind(f"{_MAIN}cellXfs/{_MAIN}xf")):
            font = int(xf.get("fontId", 0))
            if font < len(colours) and colours[font]:
                marked[index] = colours[font]
        return marked


def number(value: object, where: str) -> float | None:
    """A figure cell as a float, None for a missing-value code (:data:`MISSING`); anything
    else raises :class:`DataFileError` naming ``where`` (file, sheet and cell)."""
    if isinstance(value, bool):
        raise DataFileError(f"{where}: {value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    written = text(value)
    if written in MISSING:
        return None
    try:
        return float(written.replace(",", ""))
    except ValueError:
        raise DataFileError(
            f"{where}: {written[:40]!r} is not a number nor a missing-value code "
            f"({', '.join(sorted(repr(m) for m in MISSING if m))})"
        ) from None
