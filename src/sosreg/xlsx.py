"""Read ``.xlsx`` workbooks with the standard library, in bounded memory.

An ``.xlsx`` file is a zip of XML parts. :class:`Workbook` streams them: each part is
read from the zip in chunks of :data:`CHUNK_BYTES` and fed to an XML parser whose
target keeps only what a row needs, so a sheet is never held whole (not as bytes, not
as an element tree). Rows come out lazily::

    with Workbook("Metadata Insatser till barn och unga (BU)_webb.xlsx") as wb:
        for row in wb.rows(wb.sheet("metadata variabelniva")):
            print([cell.text for cell in row])

Files from outside are not trusted. Before a zip entry is read its declared size and
compression ratio are checked (:data:`MAX_ENTRY_BYTES`, :data:`MAX_RATIO` for entries
over :data:`RATIO_FLOOR_BYTES`), and the bytes actually decompressed are counted
against the same limits while streaming, since a zip header can lie. Only the stored
and deflate methods are read (Excel writes deflate; the others decompress without a
bound on their output). XML with a ``DOCTYPE`` is refused as soon as the parser meets
it, before any entity can be declared or expanded, wherever it stands in the prolog.
Shared strings are bounded by :data:`MAX_SHARED_STRINGS` and
:data:`MAX_SHARED_CHARS`, a cell's text by :data:`MAX_CELL_CHARS`, element nesting by
:data:`MAX_DEPTH`, row and column numbers by Excel's own limits. Every failure is a
:class:`WorkbookError` (a :class:`ValueError`) whose one-line message names the file.

Memory while reading rows is the shared-string table plus the row being built (at most
one :data:`CHUNK_BYTES` chunk's worth of finished rows waits to be yielded), whatever
the size of the sheet. The limits are module constants, used when a
:class:`Workbook` is made without the corresponding argument.

Old binary workbooks (``.xls``, also what Excel writes for a password-protected
``.xlsx``) and Office lock files (``~$name.xlsx``) are refused with messages saying so.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final
from xml.etree import ElementTree

import attrs

MAX_ENTRY_BYTES: Final = 200 * 1024 * 1024
"""Largest uncompressed zip entry read (200 MiB). Socialstyrelsen's metadata workbooks
and the KVÅ list have sheets of a few MiB; 200 MiB is about a million rows of ten
columns."""
MAX_RATIO: Final = 100.0
"""Largest uncompressed/compressed ratio of an entry over :data:`RATIO_FLOOR_BYTES`.
Sheet XML as Excel writes it (with cell references) deflates about 5–15 times, even
when every row is alike; zip bombs reach hundreds to millions."""
RATIO_FLOOR_BYTES: Final = 1024 * 1024
"""Entries up to this uncompressed size (1 MiB) are not checked for their ratio: small
parts (an empty sheet, styles) can compress very well and cost nothing."""
MAX_SHARED_STRINGS: Final = 2_000_000
"""Most shared strings read (Excel itself allows far more, but a code list or a
metadata workbook has thousands)."""
MAX_SHARED_CHARS: Final = 64 * 1024 * 1024
"""Most characters in all shared strings together (64 Mi)."""
MAX_CELL_CHARS: Final = 1024 * 1024
"""Most characters in one cell's value (Excel stops at 32,767)."""
MAX_DEPTH: Final = 64
"""Deepest element nesting (a worksheet needs about 8)."""
MAX_ITEMS: Final = 100_000
"""Most sheets, relationships, number formats or cell formats (Excel: 64,000 formats)."""
MAX_ENTRIES: Final = 100_000
"""Most entries in the zip."""
MAX_ROWS: Final = 1_048_576
"""Excel's row limit."""
MAX_COLUMNS: Final = 16_384
"""Excel's column limit (``XFD``)."""
CHUNK_BYTES: Final = 64 * 1024
"""Bytes decompressed and parsed at a time."""

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")


class WorkbookError(ValueError):
    """The file cannot be read as an ``.xlsx`` workbook; the message names the file."""


class _Refused(Exception):
    """Raised inside the XML target; the reader adds the file and the part to the message."""


# Built-in number formats (ECMA-376 part 1, 18.8.30) that matter for rendering.
BUILTIN_FORMATS: Final[dict[int, str]] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}


@functools.lru_cache(maxsize=512)
def _format_kind(fmt: str | None) -> tuple[str, int, int]:
    """``("general", 0, 0)``, ``("fixed", integer digits, decimals)``,
    ``("date", has date, has time)`` for a number format."""
    if fmt is None:
        return ("general", 0, 0)
    section = fmt.split(";", 1)[0].strip()
    if section.lower() in ("general", "@", ""):
        return ("general", 0, 0)
    fixed = re.fullmatch(r"(0+)(?:\.(0+))?", section)
    if fixed:
        return ("fixed", len(fixed.group(1)), len(fixed.group(2) or ""))
    if re.search(r"\[(?:h+|m+|s+)\]", section, re.IGNORECASE):
        return ("general", 0, 0)  # elapsed time: leave the number
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", section).lower()
    has_time = "h" in bare or "s" in bare
    has_date = "y" in bare or "d" in bare or ("m" in bare and not has_time)
    if has_date or has_time:
        return ("date", int(has_date), int(has_time))
    return ("general", 0, 0)


def _general(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def _excel_date(serial: float, has_date: int, has_time: int) -> str | None:
    """The ISO text of an Excel serial date (1900 date system), or None out of range."""
    if not 0 <= serial < 2_958_466:  # 9999-12-31
        return None
    base = datetime.datetime(1899, 12, 30) if serial >= 61 else datetime.datetime(1899, 12, 31)
    moment = base + datetime.timedelta(seconds=round(serial * 86400))
    if has_date and has_time:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if has_date:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%H:%M:%S")


def format_number(value: int | float, number_format: str | None) -> str:
    """``value`` as Excel shows it under ``number_format``, for the common formats.

    ``General``/``@``/none: integers without a decimal part (``21.0`` → ``"21"``), other
    numbers with up to 15 significant digits. Zero-digit formats pad and round half
    away from zero: ``"000"`` (21 → ``"021"``), ``"0"``, ``"0.00"``, ``"00.0"``. Date and
    time formats give ISO text (``"2023-01-24"``, ``"2023-01-24 13:05:00"``,
    ``"13:05:00"``) in the 1900 date system. Anything else (thousands separators,
    percent, fractions, scientific, colours, conditions) falls back to ``General``.
    """
    kind, a, b = _format_kind(number_format)
    if kind == "fixed":
        try:
            exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            rounded = exact.quantize(Decimal(1).scaleb(-b), rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            return _general(value)
        sign = "-" if rounded < 0 else ""
        text = f"{abs(rounded):.{b}f}"
        whole, dot, frac = text.partition(".")
        return sign + whole.rjust(a, "0") + dot + frac
    if kind == "date":
        iso = _excel_date(float(value), a, b)
        if iso is not None:
            return iso
    return _general(value)


@attrs.frozen
class Cell:
    """One cell: its value and its number format.

    ``value`` is ``str`` for text (shared strings, inline strings, formula results,
    ``t="d"`` ISO dates and error values such as ``"#N/A"``), ``int`` or ``float`` for
    numbers (``int`` when the stored number has no decimal part or exponent, so a
    number stored as ``21.0`` is a float), ``bool`` for booleans and ``None`` for an
    empty cell. Formulas give their cached value. Dates stay numbers (Excel's serial
    day); :attr:`text` renders them.
    """

    value: str | float | int | bool | None = None
    number_format: str | None = None
    """The cell's number format (``"General"``, ``"000"``, ``"yyyy-mm-dd"`` …), resolved
    from ``xl/styles.xml``; ``None`` when the cell has no style."""

    @property
    def text(self) -> str:
        """The value as Excel shows it, for the common formats (see :func:`format_number`);
        booleans as ``TRUE``/``FALSE``, an empty cell as ``""``."""
        v = self.value
        if v is None:
            return ""
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, str):
            return v
        return format_number(v, self.number_format)


EMPTY: Final = Cell()


def sheet_key(name: str) -> str:
    """The form in which sheet names are compared by :meth:`Workbook.sheet`: case folded,
    accents removed, only letters and digits kept. ``"Metadata - Variabelnivå"``,
    ``"metadata-variabelniva"``, ``"METADATA_VARIABELNIVÅ"`` and
    ``" Metadata Variabelnivå "`` all give ``"metadatavariabelniva"``."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


_DIGITS: Final = "0123456789"
_LETTERS: Final = re.compile(r"[A-Za-z]{1,3}")


class _Target:
    """An XML parser target that tracks open elements and refuses DOCTYPE and deep nesting."""

    def __init__(self) -> None:
        self.path: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = _local(tag)
        self.path.append(local)
        if len(self.path) > MAX_DEPTH:
            raise _Refused(f"nests elements more than {MAX_DEPTH} deep")
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
        raise _Refused("has a DOCTYPE declaration (refused: it can declare entities)")


class _Rels(_Target):
    """``_rels/*.rels``: Id → (Type, Target)."""

    def __init__(self) -> None:
        super().__init__()
        self.rels: dict[str, tuple[str, str]] = {}

    def open(self, local: str, attrib: dict[str, str]) -> None:
        if local == "Relationship" and len(self.path) == 2:
            if attrib.get("TargetMode") == "External":
                return
            if len(self.rels) >= MAX_ITEMS:
                raise _Refused(f"has more than {MAX_ITEMS} relationships")
            self.rels[attrib.get("Id", "")] = (attrib.get("Type", ""), attrib.get("Target", ""))


def _rid(attrib: dict[str, str]) -> str | None:
    for key, value in attrib.items():
        if key.startswith("{") and key.endswith("}id"):
            return value
    return None


class _WorkbookPart(_Target):
    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[tuple[str, str | None]] = []
        self.date1904 = False

    def open(self, local: str, attrib: dict[str, str]) -> None:
        if local == "sheet" and len(self.path) == 3 and self.path[1] == "sheets":
            if len(self.sheets) >= MAX_ITEMS:
                raise _Refused(f"has more than {MAX_ITEMS} sheets")
            self.sheets.append((attrib.get("name", ""), _rid(attrib)))
        elif local == "workbookPr" and len(self.path) == 2:
            self.date1904 = attrib.get("date1904", "").lower() in ("1", "true")


class _Styles(_Target):
    def __init__(self) -> None:
        super().__init__()
        self.custom: dict[int, str] = {}
        self.xf_ids: list[int] = []

    def open(self, local: str, attrib: dict[str, str]) -> None:
        if len(self.path) != 3:
            return
        if local == "numFmt" and self.path[1] == "numFmts":
            if len(self.custom) >= MAX_ITEMS:
                raise _Refused(f"has more than {MAX_ITEMS} number formats")
            with contextlib.suppress(ValueError):
                self.custom[int(attrib.get("numFmtId", ""))] = attrib.get("formatCode", "")
        elif local == "xf" and self.path[1] == "cellXfs":
            if len(self.xf_ids) >= MAX_ITEMS:
                raise _Refused(f"has more than {MAX_ITEMS} cell formats")
            try:
                self.xf_ids.append(int(attrib.get("numFmtId", "0")))
            except ValueError:
                self.xf_ids.append(0)

    def formats(self) -> list[str | None]:
        return [self.custom.get(i, BUILTIN_FORMATS.get(i)) for i in self.xf_ids]


class _SharedStrings(_Target):
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
                raise _Refused(f"has more than {self.max_strings} shared strings")
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
                raise _Refused(f"has more than {self.max_chars} characters of shared strings")
            self.parts.append(text)


Row = list[tuple[int, Cell]]


class _Sheet(_Target):
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
            raise _Refused(f"nests elements more than {MAX_DEPTH} deep")

    def _open_row(self, ref: str | None) -> None:
        number = self.row_number + 1
        if ref:
            try:
                given = int(ref)
            except ValueError:
                raise _Refused(f"has a row numbered {ref[:20]!r}") from None
            if given > MAX_ROWS:
                raise _Refused(f"has a row numbered {given} (Excel stops at {MAX_ROWS})")
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
            raise _Refused(f"has a cell beyond column {MAX_COLUMNS} (XFD) in row {self.row_number}")
        return col

    def data(self, text: str) -> None:
        buf = self.buf
        if buf is not None:
            self.chars += len(text)
            if self.chars > self.max_cell_chars:
                limit, row = self.max_cell_chars, self.row_number
                raise _Refused(f"has a cell longer than {limit} characters in row {row}")
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
                raise _Refused(
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


@attrs.frozen
class _SheetEntry:
    name: str
    member: str | None


class Workbook:
    """An open ``.xlsx`` workbook; use it as a context manager.

    The workbook part and its relationships are read when it is opened; styles and
    shared strings on the first :meth:`rows`; a sheet's XML only while its rows are
    iterated.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_entry_bytes: int | None = None,
        max_ratio: float | None = None,
        max_shared_strings: int | None = None,
        max_shared_chars: int | None = None,
        max_cell_chars: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.max_entry_bytes = MAX_ENTRY_BYTES if max_entry_bytes is None else max_entry_bytes
        self.max_ratio = MAX_RATIO if max_ratio is None else max_ratio
        self.max_shared_strings = (
            MAX_SHARED_STRINGS if max_shared_strings is None else max_shared_strings
        )
        self.max_shared_chars = MAX_SHARED_CHARS if max_shared_chars is None else max_shared_chars
        self.max_cell_chars = MAX_CELL_CHARS if max_cell_chars is None else max_cell_chars
        self.sheet_names: list[str] = []
        """The sheets' names, in workbook order (hidden sheets too)."""
        self.date1904 = False
        """Whether the workbook counts dates from 1904 (:attr:`Cell.text` assumes 1900)."""
        self._sheets: list[_SheetEntry] = []
        self._styles_member: str | None = None
        self._shared_member: str | None = None
        self._shared: list[str] | None = None
        self._formats: list[str | None] | None = None
        self._fh: BinaryIO | None = None
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        try:
            self._open()
            self._load()
        except WorkbookError:
            self.close()
            raise
        except Exception as exc:  # unforeseen: still one clean error
            self.close()
            raise self._error(f"cannot be read ({type(exc).__name__}: {exc})") from exc
        except BaseException:
            self.close()
            raise

    # -- opening -------------------------------------------------------------------

    def _error(self, message: str) -> WorkbookError:
        return WorkbookError(f"{self.name}: {' '.join(message.split())}")

    def _open(self) -> None:
        try:
            fh: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except FileNotFoundError:
            raise self._error("no such file") from None
        except IsADirectoryError:
            raise self._error("is a directory, not a workbook") from None
        except OSError as exc:
            raise self._error(f"cannot be read ({exc.strerror or exc})") from None
        self._fh = fh
        try:
            head = fh.read(8)
            fh.seek(0)
        except OSError as exc:
            raise self._error(f"cannot be read ({exc.strerror or exc})") from None
        if head.startswith(OLE_MAGIC):
            raise self._error(
                "is an old binary Excel workbook (.xls) or a password-protected one; "
                "save it as .xlsx (Excel Workbook) or .csv"
            )
        if not head.startswith(ZIP_MAGIC):
            if self.name.startswith("~$"):
                raise self._error(
                    "is an Office lock file (Excel writes it while the workbook is open), "
                    "not a workbook; open the file without '~$' in its name"
                )
            what = "an empty file" if not head else "not a zip file"
            raise self._error(f"is not an .xlsx workbook ({what})")
        try:
            self._zip = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            raise self._error(f"is not an .xlsx workbook (damaged zip: {exc})") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise self._error(f"is not an .xlsx workbook (more than {MAX_ENTRIES} zip entries)")
        self._members = {info.filename.lower(): info.filename for info in infos}

    def _member(self, name: str) -> str | None:
        """The zip entry for a part name (part names are case-insensitive)."""
        return self._members.get(name.lstrip("/").lower())

    def _run(self, member: str, target: _Target) -> None:
        for _ in self._feed(member, target):
            pass

    def _load(self) -> None:
        office = "xl/workbook.xml"
        root_rels = self._member("_rels/.rels")
        if root_rels is not None:
            rels = _Rels()
            self._run(root_rels, rels)
            for kind, target in rels.rels.values():
                if kind.endswith("/officeDocument") and self._member(_resolve("", target)):
                    office = _resolve("", target)
                    break
        workbook_member = self._member(office)
        if workbook_member is None:
            raise self._error("is not an .xlsx workbook (no xl/workbook.xml)")
        part = _WorkbookPart()
        self._run(workbook_member, part)
        self.date1904 = part.date1904
        base, leaf = posixpath.split(office)
        rels_member = self._member(posixpath.join(base, "_rels", leaf + ".rels"))
        relations: dict[str, tuple[str, str]] = {}
        if rels_member is not None:
            rels = _Rels()
            self._run(rels_member, rels)
            relations = rels.rels
        for i, (name, rid) in enumerate(part.sheets):
            target = relations.get(rid or "", ("", ""))[1]
            member = self._member(_resolve(base, target)) if target else None
            if member is None and not relations:
                member = self._member(posixpath.join(base, f"worksheets/sheet{i + 1}.xml"))
            self._sheets.append(_SheetEntry(name, member))
        self.sheet_names = [s.name for s in self._sheets]
        for kind, target in relations.values():
            if kind.endswith("/styles"):
                self._styles_member = self._member(_resolve(base, target))
            elif kind.endswith("/sharedStrings"):
                self._shared_member = self._member(_resolve(base, target))
        if self._styles_member is None:
            self._styles_member = self._member(posixpath.join(base, "styles.xml"))
        if self._shared_member is None:
            self._shared_member = self._member(posixpath.join(base, "sharedStrings.xml"))

    # -- streaming -----------------------------------------------------------------

    def _entry(self, member: str) -> zipfile.ZipInfo:
        if self._zip is None:
            raise self._error("is closed")
        info = self._zip.getinfo(member)
        if info.flag_bits & 0x1:
            raise self._error(f"{member} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self._error(
                f"{member} uses zip compression method {info.compress_type} "
                "(only stored and deflate are read)"
            )
        self._check_size(member, info, info.file_size, "declares")
        return info

    def _check_size(self, member: str, info: zipfile.ZipInfo, size: int, verb: str) -> None:
        if size > self.max_entry_bytes:
            raise self._error(
                f"{member} {verb} {size} bytes uncompressed, over the limit of "
                f"{self.max_entry_bytes} (refused as a possible zip bomb)"
            )
        if size > RATIO_FLOOR_BYTES and size > self.max_ratio * max(info.compress_size, 1):
            raise self._error(
                f"{member} {verb} {size} bytes from {info.compress_size} compressed, a ratio over "
                f"{self.max_ratio:g} (refused as a possible zip bomb)"
            )

    def _feed(self, member: str, target: _Target) -> Iterator[None]:
        """Parse ``member`` into ``target`` chunk by chunk, yielding after each chunk."""
        try:
            info = self._entry(member)
            assert self._zip is not None
            parser = ElementTree.XMLParser(target=target)
            with self._zip.open(info) as stream:
                total = 0
                while True:
                    chunk = stream.read(CHUNK_BYTES)
                    if not chunk:
                        break
                    total += len(chunk)
                    self._check_size(member, info, total, "expands to over")
                    parser.feed(chunk)
                    yield
                parser.close()
            yield
        except WorkbookError:
            raise
        except _Refused as exc:
            raise self._error(f"{member} {exc}") from None
        except ElementTree.ParseError as exc:
            raise self._error(f"{member} is not well-formed XML ({exc})") from None
        except zipfile.BadZipFile as exc:
            raise self._error(f"{member} is damaged ({exc})") from None
        except EOFError:
            raise self._error(f"{member} is truncated") from None
        except MemoryError:
            raise self._error(f"{member} is too large to read") from None
        except OSError as exc:
            raise self._error(f"{member} cannot be read ({exc.strerror or exc})") from None
        except Exception as exc:  # zlib.error, RuntimeError (encrypted), ValueError (closed)
            raise self._error(f"{member} cannot be read ({type(exc).__name__}: {exc})") from exc

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            target = _SharedStrings(self.max_shared_strings, self.max_shared_chars)
            if self._shared_member is not None:
                self._run(self._shared_member, target)
            self._shared = target.strings
        return self._shared

    def _cell_formats(self) -> list[str | None]:
        if self._formats is None:
            target = _Styles()
            if self._styles_member is not None:
                self._run(self._styles_member, target)
            self._formats = target.formats()
        return self._formats

    # -- public --------------------------------------------------------------------

    def find_sheet(self, name: str) -> str | None:
        """The name of the sheet called ``name``, or None. Tried in turn: the exact name,
        the name ignoring case, then :func:`sheet_key` (case, accents, spaces and
        punctuation ignored). Raises :class:`WorkbookError` if the last step matches
        several sheets."""
        if name in self.sheet_names:
            return name
        for candidate in (str.casefold, sheet_key):
            key = candidate(name)
            hits = [s for s in self.sheet_names if candidate(s) == key and key]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise self._error(
                    f"sheet {name!r} is ambiguous: " + ", ".join(repr(h) for h in hits)
                )
        return None

    def sheet(self, name: str) -> str:
        """Like :meth:`find_sheet`, but a missing sheet is a :class:`WorkbookError` that
        lists the sheets there are."""
        found = self.find_sheet(name)
        if found is None:
            raise self._error(
                f"no sheet {name!r}; the sheets are " + ", ".join(repr(s) for s in self.sheet_names)
            )
        return found

    def rows(self, sheet: str | int = 0) -> Iterator[list[Cell]]:
        """The rows of a sheet (a name, matched as :meth:`sheet` does, or a position),
        lazily. Row *i* of the iteration is the sheet's row *i + 1*: rows missing from
        the file (empty in Excel) come as ``[]`` (a row whose number is not above the
        previous one's, which Excel never writes, follows it). A row is dense up to its last
        non-empty cell; empty cells in between are :data:`EMPTY`. The sheet is
        located now; its XML is read as the iteration proceeds."""
        if isinstance(sheet, int):
            if not -len(self._sheets) <= sheet < len(self._sheets):
                raise self._error(
                    f"has {len(self._sheets)} sheet(s); there is no sheet number {sheet + 1}"
                )
            entry = self._sheets[sheet]
        else:
            name = self.sheet(sheet)
            entry = self._sheets[self.sheet_names.index(name)]
        if entry.member is None:
            raise self._error(f"sheet {entry.name!r} has no worksheet part")
        return self._rows(entry.member)

    def _rows(self, member: str) -> Iterator[list[Cell]]:
        target = _Sheet(self._shared_strings(), self._cell_formats(), self.max_cell_chars)
        expected = 1
        for _ in self._feed(member, target):
            batch, target.out = target.out, []
            for number, cells in batch:
                while expected < number:
                    yield []
                    expected += 1
                expected += 1
                if not cells:
                    yield []
                    continue
                dense = [EMPTY] * (max(col for col, _ in cells) + 1)
                for col, cell in cells:
                    dense[col] = cell
                yield dense

    def close(self) -> None:
        """Close the workbook's file."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _resolve(base: str, target: str) -> str:
    """A relationship target as a part name: absolute (``/xl/…``) or relative to ``base``."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")
