"""Import published code lists (e.g. Socialstyrelsen's yearly KVÅ list) into dated
code lists.

Socialstyrelsen publishes KVÅ as an Excel workbook with columns such as *Kod* and
*Titel*; users also keep CSV exports. :func:`read_table` reads ``.csv``/``.txt``
(separator sniffed; UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252; CR, LF
or CRLF line ends, mixed too) and ``.xlsx`` (with :mod:`sosreg.xlsx`, the standard
library only, streamed in bounded memory). :func:`import_codes` finds the code and
label columns by their headers and returns a :class:`~sosreg.codelists.CodeList` valid
for the given statistikår, merged with an earlier year's list when given (so a code
removed this year is *expired*, and a finding can say so).

Every failure to read a file is a :class:`CodeListImportError` whose one-line message
names the file.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from sosreg import xlsx
from sosreg.codelists import Code, CodeList
from sosreg.engine.source import MAX_LINE, Input

CODE_HEADERS: Final = ("kod", "code", "kvå-kod", "kva-kod", "åtgärdskod")
LABEL_HEADERS: Final = (
    "titel",
    "benämning",
    "text",
    "kodtext",
    "namn",
    "label",
    "beskrivning",
    "title",
    "name",
)

KVA_PATTERN: Final = re.compile(r"^(?:[A-Z]{3}[0-9]{2}|[A-Z]{2}[0-9]{3})$")

WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls")
MAX_CODES: Final = 1_000_000
"""Most distinct codes in one imported list."""
HEADER_ROWS: Final = 30
"""How many rows are searched for the header row."""


class CodeListImportError(ValueError):
    """The file cannot be read as a code list."""


def _error(name: str, message: str) -> CodeListImportError:
    return CodeListImportError(f"{name}: {' '.join(message.split())}")


def _xlsx_rows(path: Path, sheet: str | int) -> Iterator[list[str]]:
    try:
        with xlsx.Workbook(path) as wb:
            for row in wb.rows(sheet):
                yield [cell.text for cell in row]
    except xlsx.WorkbookError as exc:
        raise CodeListImportError(str(exc)) from exc


def _lines(source: Input, name: str) -> Iterator[str]:
    for line in source.lines():
        if line.too_long:
            raise _error(name, f"line {line.number} is longer than {MAX_LINE} characters")
        yield line.text + line.ending


def _csv_rows(path: Path, sheet: str | int) -> Iterator[list[str]]:
    name = path.name
    try:
        source = Input(path)
    except FileNotFoundError:
        raise _error(name, "no such file") from None
    except IsADirectoryError:
        raise _error(name, "is a directory, not a file") from None
    except OSError as exc:
        raise _error(name, f"cannot be read ({exc.strerror or exc})") from None
    with source:
        found = source.sniff
        if found.magic in ("xlsx", "xls"):  # a workbook under another name
            yield from _xlsx_rows(path, sheet)
            return
        if found.magic is not None:
            raise _error(name, f"is a {found.magic.upper()} file, not a table")
        if found.binary or (found.nul and not found.utf16):
            raise _error(name, "is not a text file (save it as CSV UTF-8)")
        try:
            lines = _lines(source, name)
            head = list(itertools.islice(lines, 50))
            sample = "".join(head)[:4096]
            delimiter = max((";", ",", "\t"), key=sample.count)
            reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter)
            yield from reader
        except csv.Error as exc:
            raise _error(name, f"line {reader.line_num}: {exc}") from None
        except OSError as exc:
            raise _error(name, f"cannot be read ({exc.strerror or exc})") from None


def iter_table(path: str | Path, *, sheet: str | int = 0) -> Iterator[list[str]]:
    """The rows of a CSV/TXT or XLSX file as lists of strings, lazily.

    For a workbook, ``sheet`` (a name, matched as :meth:`sosreg.xlsx.Workbook.sheet`
    does, or a position) chooses the sheet; each cell is its displayed text
    (:attr:`sosreg.xlsx.Cell.text`: a code stored as the number 21 with the format
    ``000`` is ``"021"``) and rows empty in Excel are ``[]``, as blank lines are in a
    CSV file. The file's content decides how it is read, except that the workbook
    suffixes (``.xlsx``, ``.xlsm``, ``.xls`` …) are always read as workbooks.
    """
    p = Path(path)
    rows = _xlsx_rows(p, sheet) if p.suffix.lower() in WORKBOOK_SUFFIXES else _csv_rows(p, sheet)
    try:
        yield from rows
    except CodeListImportError:
        raise
    except MemoryError:
        raise _error(p.name, "is too large to read") from None
    except Exception as exc:  # a bug or an unforeseen failure: still one clean error
        raise _error(p.name, f"cannot be read ({type(exc).__name__}: {exc})") from exc


def read_table(path: str | Path, *, sheet: str | int = 0) -> list[list[str]]:
    """The rows of a CSV/TXT or XLSX file as lists of strings (see :func:`iter_table`)."""
    return list(iter_table(path, sheet=sheet))


def _find_columns(rows: Iterable[list[str]], name: str) -> tuple[int, int, int | None]:
    """(header row index, code column, label column)."""
    for r, row in enumerate(itertools.islice(rows, HEADER_ROWS)):
        lowered = [c.strip().lower() for c in row]
        code_col = next((i for i, c in enumerate(lowered) if c in CODE_HEADERS), None)
        if code_col is None:
            continue
        label_col = next((i for i, c in enumerate(lowered) if c in LABEL_HEADERS), None)
        return r, code_col, label_col
    raise _error(
        name,
        "no header row with a code column (" + ", ".join(CODE_HEADERS) + ") among the first "
        f"{HEADER_ROWS} rows",
    )


def import_codes(
    path: str | Path,
    *,
    name: str,
    year: int,
    title: str = "",
    previous: CodeList | None = None,
    pattern: re.Pattern[str] | None = None,
    sheet: str | int = 0,
) -> CodeList:
    """A code list of the codes in ``path``, valid in statistikår ``year``.

    With ``previous`` (the list as it was up to ``year - 1``), a code present in both
    keeps its start year, and a code no longer present keeps its end year (so using it
    in ``year`` is reported as expired). Rows whose code does not match ``pattern`` are
    skipped (headings, notes). For a workbook, ``sheet`` chooses the sheet (see
    :func:`iter_table`).
    """
    filename = Path(path).name
    rows = iter_table(path, sheet=sheet)
    head = list(itertools.islice(rows, HEADER_ROWS))
    header, code_col, label_col = _find_columns(head, filename)
    found: dict[str, str] = {}
    for row in itertools.chain(head[header + 1 :], rows):
        if code_col >= len(row):
            continue
        code = row[code_col].strip().upper()
        if not code or (pattern is not None and not pattern.match(code)):
            continue
        label = row[label_col].strip() if label_col is not None and label_col < len(row) else ""
        found.setdefault(code, label)
        if len(found) > MAX_CODES:
            raise _error(filename, f"has more than {MAX_CODES} codes: not a code list")
    if not found:
        raise _error(filename, "no codes found")
    codes: list[Code] = []
    earlier = {c.code: c for c in previous} if previous is not None else {}
    for code, label in sorted(found.items()):
        prior = earlier.get(code)
        start = prior.valid_from if prior is not None and prior.valid_to == year - 1 else year
        codes.append(Code(code, label or (prior.label if prior else ""), start, year))
    if previous is not None:
        codes.extend(c for c in previous if c.code not in found or c.valid_to != year - 1)
        codes.sort(key=lambda c: (c.code, c.valid_from or 0))
    base_sources = previous.sources if previous is not None else ()
    return CodeList(
        name=name,
        title=title or (previous.title if previous is not None else name),
        codes=tuple(codes),
        provenance="user",
        sources=(*base_sources, f"imported from {Path(path).name} for statistikår {year}"),
    )


def import_kva(
    path: str | Path, year: int, previous: CodeList | None = None, *, sheet: str | int = 0
) -> CodeList:
    """Socialstyrelsen's KVÅ list for ``year`` as the code list ``kva`` that KHSL2 uses."""
    return import_codes(
        path,
        name="kva",
        year=year,
        title="KVÅ, Klassifikation av vårdåtgärder",
        previous=previous,
        pattern=KVA_PATTERN,
        sheet=sheet,
    )


def to_toml(cl: CodeList) -> str:
    """The code list in the TOML format of ``sosreg/codelists/data``."""
    return "\n".join(_list_lines(cl, "codes")) + "\n"


_TOML_ESCAPES: Final = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(s: str) -> str:
    """``s`` as a TOML basic string: backslash, quote and every control character
    escaped, so that a label with a line break (Alt+Enter in Excel) stays valid TOML."""
    out = []
    for ch in s:
        escaped = _TOML_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_toml_many(lists: Iterable[CodeList]) -> str:
    """Several code lists in one TOML file, each a ``[[lists]]`` table with its codes as
    ``[[lists.codes]]`` (read back with :func:`sosreg.codelists.load_files`)."""
    out: list[str] = []
    for cl in lists:
        if out:
            out.append("")
        out += ["[[lists]]", *_list_lines(cl, "lists.codes")]
    return "\n".join(out) + "\n" if out else ""


def _list_lines(cl: CodeList, codes_table: str) -> list[str]:
    """A code list's keys and its codes as ``[[<codes_table>]]`` tables."""
    q = _toml_string
    out = [f"name = {q(cl.name)}", f"title = {q(cl.title)}"]
    if cl.title_en:
        out.append(f"title_en = {q(cl.title_en)}")
    if cl.width:
        out.append(f"width = {cl.width}")
    out.append(f"provenance = {q(cl.provenance)}")
    out.append("sources = [" + ", ".join(q(s) for s in cl.sources) + "]")
    if cl.note:
        out.append(f"note = {q(cl.note)}")
    if cl.note_en:
        out.append(f"note_en = {q(cl.note_en)}")
    for c in cl:
        out += ["", f"[[{codes_table}]]", f"code = {q(c.code)}", f"label = {q(c.label)}"]
        if c.valid_from is not None:
            out.append(f"from = {c.valid_from}")
        if c.valid_to is not None:
            out.append(f"to = {c.valid_to}")
        if c.label_en:
            out.append(f"label_en = {q(c.label_en)}")
        if c.warning:
            out.append(f"warning = {q(c.warning)}")
        if c.warning_en:
            out.append(f"warning_en = {q(c.warning_en)}")
    return out
