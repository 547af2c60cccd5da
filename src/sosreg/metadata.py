"""Socialstyrelsen's metadata workbooks (``Metadata <Register> (<KOD>)_webb.xlsx``).

Socialstyrelsen publishes one workbook per register for researchers (shared/domain.md
§11). Its sheets, whose names vary in case, spaces and punctuation:

* ``Generell information``: key/value rows (version, date, contact);
* ``Metadata-Datamängd (DCAT-AP)`` and, for some registers, ``Deldatamängder och
  datavyer``: not read here;
* ``Metadata - Variabelnivå``: one row per variable (Deldatamängdsnamn, Variabelnamn,
  Variabeletikett, Variabelbeskrivning, Värdemängd, Länk kodverk, Datatyp, Data från,
  Data till, …) below a few title rows;
* ``Kodlista_<VARIABEL>``: one per coded variable, a table **Tidsperiod, Kod,
  Beskrivning**, sometimes below key rows (``Variabelnamn``, ``Kodverk``, ``Bakgrund``:
  the key in column A, its value in column B).

:func:`read_workbook` gives the general key/values and the variables as typed
:class:`Variable` records, and the names of the code-list sheets; a code list is read
only when asked for (:meth:`Metadata.codelist`, :func:`code_lists`), streamed from the
workbook with :mod:`sosreg.xlsx` in bounded memory.

How a sheet is read
-------------------

* Sheets are found by :func:`sosreg.xlsx.sheet_key` (case, accents, spaces and
  punctuation ignored): the variable sheet is the one whose key is
  ``metadatavariabelniva`` (else the one sheet whose key contains ``variabelniva``),
  the general sheet ``generellinformation`` (else the one containing ``generell``),
  and every sheet whose key starts with ``kodlista`` and has more after it is a code
  list. ``Kodlista_KON``, ``Kodlista - KÖN``, ``kodlista_kön`` and ``KODLISTA_Kon``
  are all the list of the variable ``KON``/``KÖN``; two of them in one workbook are
  refused as ambiguous when that list is asked for.
* Columns are found by their header text compared the same way, in a header row
  searched for among the first :data:`HEADER_ROWS` rows (the rows above it are title
  or key rows). Extra columns are kept (:attr:`Variable.extra`), optional ones may be
  missing; only ``Variabelnamn`` is required in the variable sheet, and ``Tidsperiod``,
  ``Kod`` and ``Beskrivning`` (or ``Betydelse``) in a code-list sheet.
* Every value is the cell's displayed text (:attr:`sosreg.xlsx.Cell.text`): a code
  stored as the number 21 with the format ``000`` is ``"021"``. A code that reads as
  digits followed by ``.0`` (``"1.0"``) loses the ``.0``. Codes stay text, their case
  as written; labels have their runs of white space (line breaks too) made one space.
* In a code-list sheet a row without a code is not a code. If it has a Tidsperiod, it
  heads a *period section*: the code rows below it with an empty Tidsperiod take its
  period, until the next such row. Other rows without a code (headings, notes) are
  skipped, and so are rows repeating an earlier entry exactly (same code, label and
  period). A code on several rows with different periods (a label change, a code
  withdrawn and reused) gives one :class:`~sosreg.codelists.Code` per row.

Tidsperiod
----------

The column's format is not documented. :func:`read_period` reads these forms and
refuses everything else (a :class:`MetadataError` naming the sheet, the row and the
value), never guessing (an *end point* ``E`` is a year ``2017``, a year-month
``201701`` or ``2017-01``, or a date ``20170101`` or ``2017-01-01``, of which only the
year is kept; every dash may be ``-``, ``–`` or ``—``, with or without spaces):

* empty, ``alla år``, ``samtliga år``: every year;
* ``E-``, ``E -``, ``E och framåt``, ``E och senare``, ``E framåt``, ``E - tills
  vidare``, ``E - pågående``, ``fr.o.m. E`` (also ``fr o m``, ``from``, ``f.o.m.``),
  ``från E``, ``från och med E``: from E's year on;
* ``-E``, ``t.o.m. E`` (also ``t o m``, ``tom``), ``till E``, ``till och med E``, ``E och
  tidigare``: up to and including E's year (``till`` is read as *till och med*);
* ``E-E``, ``E till E``, ``fr.o.m. E t.o.m. E``, ``från E till E`` …: both years
  inclusive; the end may not be before the start;
* a single year ``2017`` (text, or the number 2017 or 2017.0): **that year only**
  (2017–2017). A period names the years it covers; a list that means "from 2017"
  writes ``2017-``. Read the other way, a code withdrawn after 2017 would silently
  pass in later years; read this way, a misreading shows as findings;
* a single year-month or date (``201701``, ``2017-01-01``, or a date cell) is refused:
  it is a point in time, not a period.

Years must be 1900–2099. See docs/metadata.md.

List names
----------

A list is called ``<prefix><variable>``, the variable folded to lower-case ASCII
(``KÖN`` → ``kon``, other characters but letters and digits → ``_``). The prefix
defaults to the register code in the file name's last parentheses followed by ``_``
(``Metadata_Insatser till barn och unga (BU)_webb.xlsx`` → ``bu_``, so ``bu_kon``;
no code in parentheses: no prefix); a prefix given is used as it is. The title is the
variable's Variabeletikett in the variable sheet (the variable found by name, else by
its Länk kodverk naming the sheet), else the sheet's ``Kodverk`` key row, else the
variable name. ``provenance = "public"``, ``sources = ["<file name>, sheet <sheet>"]``.

Every failure is a :class:`MetadataError` (a
:class:`~sosreg.codelists.importers.CodeListImportError`) whose one-line message names
the file (and the sheet and row when there is one): ``.xls`` workbooks and Office lock
files (``~$…``) included.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

import attrs

from sosreg import xlsx
from sosreg.codelists import Code, CodeList
from sosreg.codelists.importers import MAX_CODES, CodeListImportError

HEADER_ROWS: Final = 30
"""How many rows of a sheet are searched for its header row."""
MAX_VARIABLES: Final = 100_000
"""Most variables read from the variable sheet."""
MAX_GENERAL: Final = 10_000
"""Most key/value rows read from the general sheet."""
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2099

_VARIABLE_SHEET: Final = "metadatavariabelniva"
_GENERAL_SHEET: Final = "generellinformation"
_CODELIST_PREFIX: Final = "kodlista"

# Variable-sheet columns: field → header keys (sheet_key form), the first found wins.
_VARIABLE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("variabelnamn",),
    "dataset": ("deldatamangdsnamn", "datavynamn"),
    "label": ("variabeletikett",),
    "description": ("variabelbeskrivning",),
    "value_domain": ("vardemangd",),
    "codelist_link": ("lankkodverk", "lanktillkodverk"),
    "datatype": ("datatyp",),
    "data_from": ("datafran",),
    "data_to": ("datatill",),
}

# The code-list key row above the table that can title a list (sheet_key form).
_KEY_CODESET: Final = ("kodverk",)


class MetadataError(CodeListImportError):
    """A metadata workbook (or one of its sheets) that cannot be read; the one-line
    message names the file, and the sheet and row where there is one."""


def _error(file: str, message: str) -> MetadataError:
    return MetadataError(f"{file}: {' '.join(message.split())}")


@attrs.frozen
class Variable:
    """One row of the ``Metadata - Variabelnivå`` sheet."""

    name: str
    """Variabelnamn, e.g. ``KON``."""
    label: str = ""
    """Variabeletikett."""
    description: str = ""
    """Variabelbeskrivning."""
    value_domain: str = ""
    """Värdemängd (free text)."""
    codelist_link: str = ""
    """Länk kodverk: a link, a classification's name or a ``Kodlista_`` sheet name."""
    datatype: str = ""
    """Datatyp."""
    data_from: int | None = None
    """The year of Data från, when it reads as a year, year-month or date (a trailing
    dash allowed: ``1999-``); None when empty or unreadable (see :attr:`data_from_text`)."""
    data_to: int | None = None
    """The year of Data till, read as :attr:`data_from` is."""
    dataset: str = ""
    """Deldatamängdsnamn (or Datavynamn, where a sheet has that instead)."""
    extra: Mapping[str, str] = attrs.field(factory=dict)
    """The other columns: header text → value (``""`` when empty), in sheet order."""
    data_from_text: str = ""
    """Data från as the cell shows it (kept whatever :attr:`data_from` made of it)."""
    data_to_text: str = ""
    """Data till as the cell shows it."""
    row: int = 0
    """The row in the sheet (1-based)."""


@attrs.frozen
class Metadata:
    """What :func:`read_workbook` found in a metadata workbook."""

    path: Path
    general: Mapping[str, str]
    """The key/value rows of the ``Generell information`` sheet (empty without it):
    in each row the first non-empty cell is the key (a trailing colon dropped) and the
    next one the value; rows with a single cell (section headings) are skipped; a key
    seen before gets `` (2)``, `` (3)`` … appended."""
    variables: tuple[Variable, ...]
    """The rows of the ``Metadata - Variabelnivå`` sheet (empty without it)."""
    codelists: tuple[str, ...]
    """The variable names of the ``Kodlista_`` sheets, as the sheet names write them
    (``Kodlista - KÖN`` → ``KÖN``), in workbook order."""
    codelist_sheets: tuple[str, ...]
    """The sheet of each of :attr:`codelists`."""
    sheet_names: tuple[str, ...]
    """Every sheet of the workbook."""
    prefix: str
    """The list-name prefix from the file name (see :func:`register_prefix`)."""

    def variable(self, name: str) -> Variable | None:
        """The first variable called ``name`` (compared as sheet names are), or None."""
        key = xlsx.sheet_key(name)
        return next((v for v in self.variables if xlsx.sheet_key(v.name) == key), None)

    def codelist_sheet(self, name: str) -> str:
        """The sheet of the code list ``name``: a variable name, a sheet name or a list
        name (with :attr:`prefix`), compared loosely. Raises :class:`MetadataError`
        when there is none or several."""
        return self.codelist_sheets[self._index(name)]

    def codelist(self, name: str, *, prefix: str | None = None) -> CodeList:
        """The code list of the sheet :meth:`codelist_sheet` finds, read now (streamed).
        ``prefix`` replaces :attr:`prefix` in its name."""
        i = self._index(name)
        with _open(self.path) as wb:
            return _read_codelist(wb, self, i, self.prefix if prefix is None else prefix)

    def _index(self, name: str) -> int:
        key = xlsx.sheet_key(name)
        hits = [
            i
            for i, (variable, sheet) in enumerate(
                zip(self.codelists, self.codelist_sheets, strict=True)
            )
            if key
            and key
            in (
                xlsx.sheet_key(variable),
                xlsx.sheet_key(sheet),
                xlsx.sheet_key(list_name(variable, self.prefix)),
            )
        ]
        if len(hits) == 1:
            return hits[0]
        file = self.path.name
        if hits:
            sheets = ", ".join(repr(self.codelist_sheets[i]) for i in hits)
            raise _error(file, f"code list {name!r} is ambiguous: the sheets {sheets}")
        if not self.codelists:
            raise _no_codelists(file, self.sheet_names)
        raise _error(
            file,
            f"no code list {name!r}; the Kodlista sheets are for " + ", ".join(self.codelists),
        )


# -- names --------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower-case ASCII letters and digits, other runs as ``_``: ``"KÖN"`` → ``"kon"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", bare).strip("_")


def list_name(variable: str, prefix: str = "") -> str:
    """``prefix`` and the variable folded to lower-case ASCII: ``("KÖN", "bu_")`` →
    ``"bu_kon"``."""
    return prefix + _fold(variable)


def register_prefix(path: str | Path) -> str:
    """The register code in the last parentheses of the file name, folded, and ``_``:
    ``Metadata_Insatser till barn och unga (BU)_webb.xlsx`` → ``"bu_"``; ``""`` when
    the name has no short code (up to 10 letters and digits) in parentheses."""
    found = re.findall(r"\(([^()]*)\)", Path(path).stem)
    if not found:
        return ""
    code = _fold(found[-1])
    return f"{code}_" if re.fullmatch(r"[a-z0-9]{1,10}", code) else ""


def _codelist_variable(sheet: str) -> str | None:
    """``"Kodlista - KÖN"`` → ``"KÖN"``; None for a sheet that is not a code list."""
    key = xlsx.sheet_key(sheet)
    if not key.startswith(_CODELIST_PREFIX) or key == _CODELIST_PREFIX:
        return None
    seen = 0
    for i, ch in enumerate(sheet):  # past the letters of "kodlista", however written
        seen += ch.isalnum()
        if seen == len(_CODELIST_PREFIX):
            variable = re.sub(r"^[\W_]+|[\W_]+$", "", sheet[i + 1 :])
            return variable or None
    return None  # pragma: no cover - the key starts with the prefix


def _no_codelists(file: str, sheets: Iterable[str]) -> MetadataError:
    return _error(
        file,
        "has no Kodlista sheet (a sheet named Kodlista_<VARIABEL>); the sheets are "
        + ", ".join(repr(s) for s in sheets),
    )


# -- Tidsperiod -----------------------------------------------------------------------

_DASHES: Final = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_E: Final = r"\d{4}(?:\d{2}(?:\d{2})?|-\d{2}(?:-\d{2})?)?"
_FROM: Final = r"(?:fr\.? ?o\.? ?m\.?|f\.? ?o\.? ?m\.?|från och med|från)"
_TO: Final = r"(?:t\.? ?o\.? ?m\.?|till och med|till)"
_OPEN_TAIL: Final = r"(?:- ?(?:tills vidare|pågående)?|och framåt|och senare|framåt)"
_PERIODS: Final = (
    re.compile(rf"(?:{_FROM} ?)?(?P<a>{_E}) ?(?:-|{_TO}) ?(?P<b>{_E})"),
    re.compile(rf"(?:{_FROM} ?)?(?P<a>{_E}) ?{_OPEN_TAIL}"),
    re.compile(rf"{_FROM} ?(?P<a>{_E})"),
    re.compile(rf"(?:-|{_TO}) ?(?P<b>{_E})"),
    re.compile(rf"(?P<b>{_E}) och tidigare"),
    re.compile(rf"(?P<one>{_E})"),
)
_ALWAYS: Final = ("", "alla år", "samtliga år")


def _normalise(text: str) -> str:
    return " ".join(text.translate(_DASHES).casefold().split())


def _end_point(text: str) -> int:
    """The year of an end point (``2017``, ``201701``, ``2017-01``, ``20170101``,
    ``2017-01-01``); ValueError with a reason if it is not a real year, month or date."""
    digits = text.replace("-", "")
    year = int(digits[:4])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    if len(digits) >= 6 and not 1 <= int(digits[4:6]) <= 12:
        raise ValueError(
            f"{text} is not a year-month (no month {digits[4:6]}); a range of years is "
            "written in full, e.g. 2013-2016"
        )
    if len(digits) == 8:
        try:
            datetime.date(year, int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            raise ValueError(f"{text} is not a date") from None
    return year


def read_period(text: str) -> tuple[int | None, int | None]:
    """The statistikår ``(from, to)`` (inclusive, None = open) of a Tidsperiod text, in
    the forms the module docstring lists. Raises ValueError, saying why, for anything
    else."""
    s = _normalise(text)
    if s in _ALWAYS:
        return None, None
    for pattern in _PERIODS:
        m = pattern.fullmatch(s)
        if m is None:
            continue
        found = m.groupdict()
        if found.get("one") is not None:
            if not re.fullmatch(r"\d{4}", found["one"]):
                _end_point(found["one"])  # a bad date says so first
                raise ValueError(
                    "a single month or date is a point in time, not a period "
                    "(write e.g. 2017- or 2017-2019)"
                )
            year = _end_point(found["one"])
            return year, year
        start = _end_point(found["a"]) if found.get("a") is not None else None
        end = _end_point(found["b"]) if found.get("b") is not None else None
        if start is not None and end is not None and end < start:
            raise ValueError(f"it ends ({end}) before it starts ({start})")
        return start, end
    raise ValueError("not a period in a known form (e.g. 2017-, 2013-2016, -2016, t.o.m. 2016)")


def _year_of(text: str, *, allow_dash: bool) -> int | None:
    """The year of a Data från/Data till text, or None (empty or not readable)."""
    s = _normalise(text)
    if allow_dash:
        s = s.removesuffix("-").rstrip()
    if not re.fullmatch(_E, s):
        return None
    try:
        return _end_point(s)
    except ValueError:
        return None


# -- cells ----------------------------------------------------------------------------


def _text(cell: xlsx.Cell) -> str:
    """The displayed text, stripped; a whole number shown as ``21.0`` is ``21``."""
    text = cell.text.strip()
    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
        m = re.fullmatch(r"(-?\d+)\.0+", text)
        if m:
            return m.group(1)
    return text


def _code(cell: xlsx.Cell) -> str:
    text = cell.text.strip()
    m = re.fullmatch(r"(\d+)\.0+", text)
    return m.group(1) if m else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _at(row: list[xlsx.Cell], col: int | None) -> xlsx.Cell:
    return row[col] if col is not None and col < len(row) else xlsx.EMPTY


def _unique(key: str, seen: dict[str, str]) -> str:
    if key not in seen:
        return key
    n = 2
    while f"{key} ({n})" in seen:
        n += 1
    return f"{key} ({n})"


# -- reading --------------------------------------------------------------------------


@contextlib.contextmanager
def _open(path: str | Path) -> Iterator[xlsx.Workbook]:
    """:class:`sosreg.xlsx.Workbook` with its errors as :class:`MetadataError`."""
    try:
        wb = xlsx.Workbook(path)
    except xlsx.WorkbookError as exc:
        raise MetadataError(str(exc)) from exc
    with wb:
        yield wb


def _rows(wb: xlsx.Workbook, sheet: str) -> Iterator[tuple[int, list[xlsx.Cell]]]:
    try:
        yield from enumerate(wb.rows(sheet), start=1)
    except xlsx.WorkbookError as exc:
        raise MetadataError(str(exc)) from exc


def _find(wb: xlsx.Workbook, exact: str, part: str, what: str) -> str | None:
    """The sheet whose key is ``exact``, else the one whose key contains ``part``."""
    keys = [(name, xlsx.sheet_key(name)) for name in wb.sheet_names]
    for test in (lambda k: k == exact, lambda k: part in k):
        hits = [name for name, key in keys if test(key)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise _error(
                wb.name, f"several sheets could be the {what}: " + ", ".join(repr(h) for h in hits)
            )
    return None


def _read_general(wb: xlsx.Workbook, sheet: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for _number, row in _rows(wb, sheet):
        cells = [_one_line(_text(c)) for c in row]
        filled = [c for c in cells if c]
        if len(filled) < 2:
            continue
        key = filled[0].rstrip(":").strip() or filled[0]
        out[_unique(key, out)] = filled[1]
        if len(out) > MAX_GENERAL:
            raise _error(wb.name, f"sheet {sheet!r} has more than {MAX_GENERAL} key rows")
    return out


def _read_variables(wb: xlsx.Workbook, sheet: str) -> tuple[Variable, ...]:
    rows = _rows(wb, sheet)
    columns: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    for number, row in rows:
        keys = [xlsx.sheet_key(c.text) for c in row]
        if "variabelnamn" in keys:
            for field, names in _VARIABLE_COLUMNS.items():
                for name in names:
                    if name in keys:
                        columns[field] = keys.index(name)
                        break
            used = set(columns.values())
            seen: dict[str, str] = {}
            for i, cell in enumerate(row):
                header = _one_line(cell.text)
                if i not in used and header:
                    header = _unique(header, seen)
                    seen[header] = header
                    extra.append((i, header))
            break
        if number >= HEADER_ROWS:
            break
    if "name" not in columns:
        raise _error(
            wb.name,
            f"sheet {sheet!r} has no header row with Variabelnamn among its first "
            f"{HEADER_ROWS} rows",
        )

    def get(row: list[xlsx.Cell], field: str) -> str:
        return _text(_at(row, columns.get(field)))

    out: list[Variable] = []
    for number, row in rows:
        name = get(row, "name")
        if not name:
            continue
        if len(out) >= MAX_VARIABLES:
            raise _error(wb.name, f"sheet {sheet!r} has more than {MAX_VARIABLES} variables")
        start, end = get(row, "data_from"), get(row, "data_to")
        out.append(
            Variable(
                name=name,
                label=get(row, "label"),
                description=get(row, "description"),
                value_domain=get(row, "value_domain"),
                codelist_link=get(row, "codelist_link"),
                datatype=get(row, "datatype"),
                data_from=_year_of(start, allow_dash=True),
                data_to=_year_of(end, allow_dash=False),
                dataset=get(row, "dataset"),
                extra={header: _text(_at(row, i)) for i, header in extra},
                data_from_text=start,
                data_to_text=end,
                row=number,
            )
        )
    return tuple(out)


def _read(wb: xlsx.Workbook, path: Path) -> Metadata:
    general_sheet = _find(wb, _GENERAL_SHEET, "generell", "general sheet")
    variable_sheet = _find(wb, _VARIABLE_SHEET, "variabelniva", "variable sheet")
    lists = [(v, s) for s in wb.sheet_names if (v := _codelist_variable(s)) is not None]
    if variable_sheet is None and not lists:
        raise _error(
            wb.name,
            "is not a metadata workbook: no 'Metadata - Variabelnivå' sheet and no "
            "Kodlista sheet; the sheets are " + ", ".join(repr(s) for s in wb.sheet_names),
        )
    return Metadata(
        path=path,
        general=_read_general(wb, general_sheet) if general_sheet is not None else {},
        variables=_read_variables(wb, variable_sheet) if variable_sheet is not None else (),
        codelists=tuple(v for v, _ in lists),
        codelist_sheets=tuple(s for _, s in lists),
        sheet_names=tuple(wb.sheet_names),
        prefix=register_prefix(path),
    )


def read_workbook(path: str | Path) -> Metadata:
    """The general key/values, the variables and the code-list sheet names of a metadata
    workbook (see the module docstring). The code lists themselves are read by
    :meth:`Metadata.codelist`. Raises :class:`MetadataError`."""
    p = Path(path)
    with _open(p) as wb:
        return _read(wb, p)


def _title(meta: Metadata, variable: str, sheet: str, codeset: str) -> str:
    key, sheet_key = xlsx.sheet_key(variable), xlsx.sheet_key(sheet)
    named = [v for v in meta.variables if xlsx.sheet_key(v.name) == key]
    linked = [v for v in meta.variables if xlsx.sheet_key(v.codelist_link) == sheet_key]
    for v in (*named, *linked):
        if v.label:
            return _one_line(v.label)
    return codeset or variable


def _read_codelist(wb: xlsx.Workbook, meta: Metadata, index: int, prefix: str) -> CodeList:
    variable, sheet = meta.codelists[index], meta.codelist_sheets[index]
    file = wb.name
    name = list_name(variable, prefix)
    if not _fold(variable):
        raise _error(file, f"sheet {sheet!r}: the variable {variable!r} gives no list name")
    rows = _rows(wb, sheet)
    codeset = ""
    period_col = code_col = label_col = -1
    header_row = 0
    for number, row in rows:
        keys = [xlsx.sheet_key(c.text) for c in row]
        code_col = keys.index("kod") if "kod" in keys else -1
        period_col = next((i for i, k in enumerate(keys) if k.startswith("tidsperiod")), -1)
        label_col = next(
            (i for i, k in enumerate(keys) if k.startswith(("beskrivning", "betydelse"))), -1
        )
        if min(code_col, period_col, label_col) >= 0:
            header_row = number
            break
        if len(row) >= 2 and keys[0] in _KEY_CODESET and not codeset:
            codeset = _one_line(_text(row[1]))
        if number >= HEADER_ROWS:
            break
    if not header_row:
        raise _error(
            file,
            f"sheet {sheet!r} has no header row with the columns Tidsperiod, Kod and "
            f"Beskrivning among its first {HEADER_ROWS} rows",
        )

    codes: list[Code] = []
    seen: set[tuple[str, str, int | None, int | None]] = set()
    section: tuple[str, int] | None = None
    section_period: tuple[int | None, int | None] | None = None

    def period(text: str, number: int) -> tuple[int | None, int | None]:
        try:
            return read_period(text)
        except ValueError as exc:
            raise _error(
                file, f"sheet {sheet!r}, row {number}: cannot read the Tidsperiod {text!r}: {exc}"
            ) from None

    for number, row in rows:
        code = _code(_at(row, code_col))
        when = _text(_at(row, period_col))
        if not code:
            if when:
                section, section_period = (when, number), None
            continue
        if when:
            start, end = period(when, number)
        elif section is not None:
            if section_period is None:
                section_period = period(*section)
            start, end = section_period
        else:
            start = end = None
        label = _one_line(_text(_at(row, label_col)))
        entry = (code, label, start, end)
        if entry in seen:
            continue
        seen.add(entry)
        codes.append(Code(code, label, start, end))
        if len(codes) > MAX_CODES:
            raise _error(file, f"sheet {sheet!r} has more than {MAX_CODES} codes")
    if not codes:
        raise _error(file, f"sheet {sheet!r} has no codes below its header row {header_row}")
    return CodeList(
        name=name,
        title=_title(meta, variable, sheet, codeset),
        codes=tuple(codes),
        provenance="public",
        sources=(f"{file}, sheet {sheet}",),
    )


def code_lists(
    path: str | Path, names: Iterable[str] | None = None, prefix: str | None = None
) -> list[CodeList]:
    """The code lists of a metadata workbook's ``Kodlista_`` sheets, in workbook order:
    all of them, or those ``names`` chooses (variable, sheet or list names, compared
    loosely; see :meth:`Metadata.codelist_sheet`). ``prefix`` starts every list name;
    None means :func:`register_prefix` of the file name, ``""`` none.

    Raises :class:`MetadataError` for a workbook without a ``Kodlista_`` sheet (the
    message lists the sheets it has), a name that matches no sheet or several, and
    anything a sheet holds that cannot be read."""
    p = Path(path)
    with _open(p) as wb:
        meta = _read(wb, p)
        if not meta.codelists:
            raise _no_codelists(wb.name, meta.sheet_names)
        if names is None:
            chosen = list(range(len(meta.codelists)))
        else:
            chosen = []
            for name in names:
                i = meta._index(name)
                if i not in chosen:
                    chosen.append(i)
        use = meta.prefix if prefix is None else prefix
        given: dict[str, str] = {}
        for i in chosen:
            name, sheet = list_name(meta.codelists[i], use), meta.codelist_sheets[i]
            if name in given:
                raise _error(
                    p.name, f"the sheets {given[name]!r} and {sheet!r} both give the list {name!r}"
                )
            given[name] = sheet
        return [_read_codelist(wb, meta, i, use) for i in chosen]
