"""Workbooks written with ``zipfile``, laid out as Excel writes them, for the tests of
the .xlsx reader and the importers (openpyxl writes inline strings only)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PKG_NS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
WS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
STY_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

STYLES = (
    f'<styleSheet {NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="000"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<cellStyleXfs count="1"><xf numFmtId="49"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
    '<xf numFmtId="165" applyNumberFormat="1"/><xf numFmtId="2"/></cellXfs></styleSheet>'
)


def sheet_xml(rows: str, *, ns: str = NS, before: str = "") -> str:
    return f"{before}<worksheet {ns}><sheetData>{rows}</sheetData></worksheet>"


def zip_workbook(
    path: Path,
    sheets: dict[str, str | bytes],
    *,
    shared: list[str] | None = None,
    styles: str | None = STYLES,
    compression: int = zipfile.ZIP_DEFLATED,
    ns: str = NS,
) -> Path:
    """A workbook as Excel lays it out: sheets named in ``xl/workbook.xml``, located
    through ``xl/_rels/workbook.xml.rels``; ``shared`` holds ``<si>`` bodies."""
    entries = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{WS_TYPE}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    rels += f'<Relationship Id="rIdS" Type="{SST_TYPE}" Target="sharedStrings.xml"/>'
    rels += f'<Relationship Id="rIdT" Type="{STY_TYPE}" Target="/xl/styles.xml"/>'
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr(
            "_rels/.rels",
            f'<Relationships {PKG_NS}><Relationship Id="rId1" Type="{DOC_TYPE}" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<workbook {ns} {REL_NS}><sheets>{entries}</sheets></workbook>",
        )
        zf.writestr("xl/_rels/workbook.xml.rels", f"<Relationships {PKG_NS}>{rels}</Relationships>")
        if shared is not None:
            body = "".join(f"<si>{s}</si>" for s in shared)
            zf.writestr("xl/sharedStrings.xml", f'<sst {ns} count="{len(shared)}">{body}</sst>')
        if styles is not None:
            zf.writestr("xl/styles.xml", styles)
        for i, xml in enumerate(sheets.values(), start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return path


def patch_sizes(path: Path, member: str, *, file_size: int | None = None, flags: int = 0) -> None:
    """Rewrite the sizes (and flag bits) that the zip's headers declare for ``member``."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    headers = ((b"PK\x03\x04", 22, 6, 26, 30), (b"PK\x01\x02", 24, 8, 28, 46))
    for sig, size_at, flag_at, name_len_at, name_at in headers:
        at = data.find(sig)
        while at >= 0:
            name_len = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at : at + name_at + name_len]) == name:
                if file_size is not None:
                    struct.pack_into("<I", data, at + size_at, file_size)
                old = struct.unpack_from("<H", data, at + flag_at)[0]
                struct.pack_into("<H", data, at + flag_at, old | flags)
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))


def repeated_rows(megabytes: int) -> str:
    row = '<row><c t="inlineStr"><is><t>PD008</t></is></c><c><v>1</v></c></row>'
    return sheet_xml(row * (megabytes * 1024 * 1024 // len(row)))


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def replace_member(path: Path, member: str, text: str) -> None:
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i)) for i in zf.infolist() if i.filename != member]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, data)
        zf.writestr(member, text)


# -- workbooks written with openpyxl (metadata workbooks) --------------------------------


class Formatted:
    """A cell value with a number format, e.g. ``Formatted(21, "000")`` (shown ``021``)."""

    def __init__(self, value: object, number_format: str) -> None:
        self.value = value
        self.number_format = number_format


def openpyxl_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook written by openpyxl with these sheets (in order) and rows; ``None`` is
    an empty cell and a :class:`Formatted` value carries its number format."""
    import openpyxl

    wb = openpyxl.Workbook()
    default = wb.active
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, Formatted):
                    ws.cell(r, c, value.value).number_format = value.number_format
                elif value is not None:
                    ws.cell(r, c, value)
    if default is not None and sheets:
        wb.remove(default)
    wb.save(path)
    return path
