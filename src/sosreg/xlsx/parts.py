"""The XML parts of a workbook, each parsed by a streaming parser target that keeps
only what is needed: relationships, the workbook part (sheets), styles (number
formats), shared strings and a sheet's rows. Every target refuses a DOCTYPE and
nesting deeper than :data:`~sosreg.xlsx.limits.MAX_DEPTH`."""

from __future__ import annotations

import contextlib
import re
from typing import Final

from sosreg.xlsx.cells import BUILTIN_FORMATS, Cell
from sosreg.xlsx.limits import (
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_ROWS,
    Refused,
)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


_DIGITS: Final = "0123456789"
_LETTERS: Final = re.compile(r"[A-Za-z]{1,3}")


class Target:
    """An XML parser target that tracks open elements and refuses DOCTYPE and deep nesting."""

    def __init__(self) -> None:
        self.path: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = _local(tag)
        self.path.append(local)
        if len(self.path) > MAX_DEPTH:
            raise Refused(f"nests elements more than {MAX_DEPTH} deep")
        self.open(local, attrib)

    def end(self, tag: str) -> None:
        local = self.path.pop()
        self.shut(local)

    def open(self, local: str, attrib: dict[str, str]) -> None:
        pass

    def shut(self, local: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise Refused("has a DOCTYPE declaration (refused: it can declare entities)")


class Rels(Target):
    """``_rels/*.rels``: Id → (Type, Target)."""

    def __init__(self) -> None:
        super().__init__()
        self.rels: dict[str, tuple[str, str]] = {}

    def open(self, local: str, attrib: dict[str, str]) -> None:
        if local == "Relationship" and len(self.path) == 2:
            if attrib.get("TargetMode") == "External":
                return
            if len(self.rels) >= MAX_ITEMS:
                raise Refused(f"has more than {MAX_ITEMS} relationships")
            self.rels[attrib.get("Id", "")] = (attrib.get("Type", ""), attrib.get("Target", ""))


def _rid(attrib: dict[str, str]) -> str | None:
    for key, value in attrib.items():
        if key.startswith("{") and key.endswith("}id"):
            return value
    return None


class WorkbookPart(Target):
    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[tuple[str, str | None]] = []
        self.date1904 = False

    def open(self, local: str, attrib: dict[str, str]) -> None:
        if local == "sheet" and len(self.path) == 3 and self.path[1] == "sheets":
            if len(self.sheets) >= MAX_ITEMS:
                raise Refused(f"has more than {MAX_ITEMS} sheets")
            self.sheets.append((attrib.get("name", ""), _rid(attrib)))
        elif local == "workbookPr" and len(self.path) == 2:
            self.date1904 = attrib.get("date1904", "").lower() in ("1", "true")


class Styles(Target):
    def __init__(self) -> None:
        super().__init__()
        self.custom: dict[int, str] = {}
        self.xf_ids: list[int] = []

    def open(self, local: str, attrib: dict[str, str]) -> None:
        if len(self.path) != 3:
            return
        if local == "numFmt" and self.path[1] == "numFmts":
            if len(self.custom) >= MAX_ITEMS:
                raise Refused(f"has more than {MAX_ITEMS} number formats")
            with contextlib.suppress(ValueError):
                self.custom[int(attrib.get("numFmtId", ""))] = attrib.get("formatCode", "")
        elif local == "xf" and self.path[1] == "cellXfs":
            if len(self.xf_ids) >= MAX_ITEMS:
                raise Refused(f"has more than {MAX_ITEMS} cell formats")
            try:
                self.xf_ids.append(int(attrib.get("numFmtId", "0")))
            except ValueError:
                self.xf_ids.append(0)

    def formats(self) -> list[str | None]:
        return [self.custom.get(i, BUILTIN_FORMATS.get(i)) for i in self.xf_ids]


class SharedStrings(Target):
    """``sst/si`` with ``t`` directly or in rich-text runs ``r/t``; phonetic ``rPh`` skipped."""

    def __init__(self, max_strings: int, max_chars: int) -> None:
        super().__init__()
        self.strings: list[str] = []
        self.parts: list[str] | None = None
        self.collecting = False
        self.chars = 0
        self.max_strings = max_strings
        self.max_chars = max_chars

    def open(self, local: str, attrib: dict[str, str]) -> None:
        depth = len(self.path)
        if local == "si" and depth == 2:
            if len(self.strings) >= self.max_strings:
                raise Refused(f"has more than {self.max_strings} shared strings")
            self.parts = []
        elif local == "t" and self.parts is not None:
            self.collecting = depth == 3 or (depth == 4 and self.path[2] == "r")

    def shut(self, local: str) -> None:
        if local == "t":
            self.collecting = False
        elif local == "si" and len(self.path) == 1 and self.parts is not None:
            self.strings.append("".join(self.parts))
            self.parts = None

    def data(self, text: str) -> None:
        if self.collecting and self.parts is not None:
            self.chars += len(text)
            if self.chars > self.max_chars:
                raise Refused(f"has more than {self.max_chars} characters of shared strings")
            self.parts.append(text)


Row = list[tuple[int, Cell]]


class Sheet(Target):
    """``worksheet/sheetData/row/c``; finished rows collect in :attr:`out` as
    ``(row number, [(column, cell), …])`` with only the non-empty cells.

    This target sees every element of the sheet, so :meth:`start` and :meth:`end` do
    the least work they can (one depth test for most elements)."""

    def __init__(self, shared: list[str], formats: list[str | None], max_cell_chars: int) -> None:
        super().__init__()
        self.shared = shared
        self.formats = formats
        self.max_cell_chars = max_cell_chars
        self.out: list[tuple[int, Row]] = []
        self.row: Row | None = None
        self.row_number = 0
        self.next_col = 0
        self.col = 0
        self.kind = "n"
        self.style: str | None = None
        self.v: list[str] | None = None
        self.inline: list[str] | None = None
        self.buf: list[str] | None = None
        self.chars = 0
        self.locals: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.style_formats: dict[str, str | None] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = self.locals.get(tag)
        if local is None:
            local = self.locals[tag] = _local(tag)
        path = self.path
        path.append(local)
        depth = len(path)
        if depth == 4:
            if local == "c" and self.row is not None:
                ref = attrib.get("r")
                col = self.columns.get(ref.rstrip(_DIGITS)) if ref else None
                if col is None:
                    col = self._column(ref)
                self.col = col
                self.next_col = col + 1
                self.kind = attrib.get("t", "n")
                self.style = attrib.get("s")
                self.v = self.inline = None
        elif depth == 5:
            if self.row is not None and path[3] == "c":
                if local == "v":
                    self.v = self.buf = []
                    self.chars = 0
                elif local == "is":
                    self.inline = []
                    self.chars = 0
        elif depth == 3:
            if local == "row" and path[1] == "sheetData":
                self._open_row(attrib.get("r"))
        elif depth == 6 or depth == 7:
            inline = self.inline
            if (
                local == "t"
                and inline is not None
                and path[4] == "is"
                and (depth == 6 or path[5] == "r")
            ):
                self.buf = inline
        elif depth > MAX_DEPTH:
            raise Refused(f"nests elements more than {MAX_DEPTH} deep")

    def _open_row(self, ref: str | None) -> None:
        number = self.row_number + 1
        if ref:
            try:
                given = int(ref)
            except ValueError:
                raise Refused(f"has a row numbered {ref[:20]!r}") from None
            if given > MAX_ROWS:
                raise Refused(f"has a row numbered {given} (Excel stops at {MAX_ROWS})")
            number = max(number, given)
        self.row_number = number
        self.row = []
        self.next_col = 0

    def _column(self, ref: str | None) -> int:
        """The column of a cell reference (``"AB12"`` → 27), remembered per letters; the
        next column when the cell has none."""
        col = self.next_col
        if ref:
            letters = ref.rstrip(_DIGITS)
            if _LETTERS.fullmatch(letters):
                col = 0
                for ch in letters.upper():
                    col = col * 26 + ord(ch) - 64
                col -= 1
                if col < MAX_COLUMNS and len(self.columns) < MAX_COLUMNS:
                    self.columns[letters] = col
        if col >= MAX_COLUMNS:
            raise Refused(f"has a cell beyond column {MAX_COLUMNS} (XFD) in row {self.row_number}")
        return col

    def data(self, text: str) -> None:
        buf = self.buf
        if buf is not None:
            self.chars += len(text)
            if self.chars > self.max_cell_chars:
                limit, row = self.max_cell_chars, self.row_number
                raise Refused(f"has a cell longer than {limit} characters in row {row}")
            buf.append(text)

    def end(self, tag: str) -> None:
        path = self.path
        local = path.pop()
        depth = len(path) + 1
        if depth == 4:
            if local == "c" and (row := self.row) is not None:
                self.buf = None
                v = self.v
                value = _number("".join(v)) if v and self.kind == "n" else self._value()
                if value is not None and value != "":
                    style = self.style
                    fmt = None if style is None else self.style_formats.get(style, _UNKNOWN)
                    if fmt is _UNKNOWN:
                        fmt = self._style_format(style)
                    row.append((self.col, Cell(value, fmt)))
        elif depth == 3:
            if local == "row" and self.row is not None:
                self.out.append((self.row_number, self.row))
                self.row = None
        elif local == "v" or local == "t":
            self.buf = None

    def _style_format(self, style: str | None) -> str | None:
        """The number format of cell style ``style`` (an index into ``cellXfs``)."""
        try:
            fmt = self.formats[int(style or "")]
        except (ValueError, IndexError):
            fmt = None
        if style is not None and len(self.style_formats) < MAX_ITEMS:
            self.style_formats[style] = fmt
        return fmt

    def _value(self) -> str | float | int | bool | None:
        kind = self.kind
        if kind == "inlineStr":
            return "".join(self.inline) if self.inline is not None else None
        if self.v is None:
            return None
        text = "".join(self.v)
        if kind == "n":
            return _number(text)
        if kind == "s":
            try:
                return self.shared[int(text)]
            except (ValueError, IndexError):
                raise Refused(
                    f"refers to shared string {text[:20]!r} in row {self.row_number} "
                    f"(there are {len(self.shared)})"
                ) from None
        if kind == "b":
            return text.strip().lower() in ("1", "true")
        return text  # str (a formula's text), e (an error such as #N/A), d (an ISO date)


_UNKNOWN: Final = "\x00unknown"


def _number(text: str) -> int | float | str | None:
    """The number in a ``<v>``: ``int`` when written without a decimal part or exponent."""
    if len(text) <= 19:
        try:
            return int(text)
        except ValueError:
            pass
    try:
        return float(text)
    except ValueError:
        return text if text.strip() else None
