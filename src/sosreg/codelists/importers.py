"""Import published code lists (e.g. Socialstyrelsen's yearly KVÅ list) into dated
code lists.

Socialstyrelsen publishes KVÅ as an Excel workbook with columns such as *Kod* and
*Titel*; users also keep CSV exports. :func:`read_table` reads ``.csv``/``.txt``
(separator sniffed) and ``.xlsx`` (with the standard library only: an ``.xlsx`` is a zip
of XML). :func:`import_codes` finds the code and label columns by their headers and
returns a :class:`~sosreg.codelists.CodeList` valid for the given statistikår, merged
with an earlier year's list when given (so a code removed this year is *expired*, and
a finding can say so).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Final
from xml.etree import ElementTree

from sosreg.codelists import Code, CodeList

_NS: Final = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"

CODE_HEADERS: Final = ("kod", "code", "kvå-kod", "kva-kod", "åtgärdskod")
LABEL_HEADERS: Final = ("titel", "benämning", "text", "label", "beskrivning", "title")

KVA_PATTERN: Final = re.compile(r"^(?:[A-Z]{3}[0-9]{2}|[A-Z]{2}[0-9]{3})$")


class CodeListImportError(ValueError):
    """The file cannot be read as a code list."""


def _col_index(ref: str) -> int:
    letters = "".join(ch for ch in ref if ch.isalpha())
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise CodeListImportError(f"{path.name} is not an .xlsx workbook") from exc
    with zf:
        names = set(zf.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", _NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
        sheet = "xl/worksheets/sheet1.xml"
        if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
            wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            first = wb.find("m:sheets/m:sheet", _NS)
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            if first is not None:
                rid = first.get(f"{{{_REL_NS}}}id")
                for rel in rels.findall(f"{{{_PKG_REL_NS}}}Relationship"):
                    if rel.get("Id") == rid:
                        target = rel.get("Target", "")
                        sheet = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if sheet not in names:
            raise CodeListImportError(f"{path.name}: no worksheet found")
        root = ElementTree.fromstring(zf.read(sheet))
        rows: list[list[str]] = []
        for row in root.iter(f"{{{_NS['m']}}}row"):
            cells: dict[int, str] = {}
            for i, c in enumerate(row.findall("m:c", _NS)):
                ref = c.get("r")
                idx = _col_index(ref) if ref else i
                kind = c.get("t")
                if kind == "s":
                    v = c.find("m:v", _NS)
                    text = shared[int(v.text)] if v is not None and v.text else ""
                elif kind == "inlineStr":
                    text = "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t"))
                else:
                    v = c.find("m:v", _NS)
                    text = v.text or "" if v is not None else ""
                cells[idx] = text
            if cells:
                rows.append([cells.get(i, "") for i in range(max(cells) + 1)])
        return rows


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        text = raw.decode("latin-1")
    sample = text[:4096]
    delimiter = max((";", ",", "\t"), key=sample.count)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def read_table(path: str | Path) -> list[list[str]]:
    """The rows of a CSV/TXT or XLSX file as lists of strings."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(p)
    if p.suffix.lower() == ".xls":
        raise CodeListImportError("old .xls workbooks are not supported; save as .xlsx or .csv")
    return _read_csv(p)


def _find_columns(rows: list[list[str]]) -> tuple[int, int, int | None]:
    """(header row index, code column, label column)."""
    for r, row in enumerate(rows[:30]):
        lowered = [c.strip().lower() for c in row]
        code_col = next((i for i, c in enumerate(lowered) if c in CODE_HEADERS), None)
        if code_col is None:
            continue
        label_col = next((i for i, c in enumerate(lowered) if c in LABEL_HEADERS), None)
        return r, code_col, label_col
    raise CodeListImportError(
        "no header row with a code column (" + ", ".join(CODE_HEADERS) + ") among the first 30 rows"
    )


def import_codes(
    path: str | Path,
    *,
    name: str,
    year: int,
    title: str = "",
    previous: CodeList | None = None,
    pattern: re.Pattern[str] | None = None,
) -> CodeList:
    """A code list of the codes in ``path``, valid in statistikår ``year``.

    With ``previous`` (the list as it was up to ``year - 1``), a code present in both
    keeps its start year, and a code no longer present keeps its end year (so using it
    in ``year`` is reported as expired). Rows whose code does not match ``pattern`` are
    skipped (headings, notes).
    """
    rows = read_table(path)
    header, code_col, label_col = _find_columns(rows)
    found: dict[str, str] = {}
    for row in rows[header + 1 :]:
        if code_col >= len(row):
            continue
        code = row[code_col].strip().upper()
        if not code or (pattern is not None and not pattern.match(code)):
            continue
        label = row[label_col].strip() if label_col is not None and label_col < len(row) else ""
        found.setdefault(code, label)
    if not found:
        raise CodeListImportError(f"{Path(path).name}: no codes found")
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


def import_kva(path: str | Path, year: int, previous: CodeList | None = None) -> CodeList:
    """Socialstyrelsen's KVÅ list for ``year`` as the code list ``kva`` that KHSL2 uses."""
    return import_codes(
        path,
        name="kva",
        year=year,
        title="KVÅ, Klassifikation av vårdåtgärder",
        previous=previous,
        pattern=KVA_PATTERN,
    )


def to_toml(cl: CodeList) -> str:
    """The code list in the TOML format of ``sosreg/codelists/data``."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = [f"name = {q(cl.name)}", f"title = {q(cl.title)}"]
    if cl.title_en:
        out.append(f"title_en = {q(cl.title_en)}")
    if cl.width:
        out.append(f"width = {cl.width}")
    out.append(f"provenance = {q(cl.provenance)}")
    out.append("sources = [" + ", ".join(q(s) for s in cl.sources) + "]")
    for c in cl:
        out += ["", "[[codes]]", f"code = {q(c.code)}", f"label = {q(c.label)}"]
        if c.valid_from is not None:
            out.append(f"from = {c.valid_from}")
        if c.valid_to is not None:
            out.append(f"to = {c.valid_to}")
        if c.label_en:
            out.append(f"label_en = {q(c.label_en)}")
        if c.warning:
            out.append(f"warning = {q(c.warning)}")
    return "\n".join(out) + "\n"
