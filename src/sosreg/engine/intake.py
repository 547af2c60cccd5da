"""The input's own findings: what the file is before its lines are read.

:func:`input_findings` turns what :class:`~sosreg.engine.source.Input` sniffed (kind,
size, encoding, BOM, mixed encodings) into the first file findings: not text (SOS-002,
SOS-018), empty (SOS-001), its encoding (SOS-003, SOS-012, SOS-004, SOS-011). A pure
function of the sniff; :class:`~sosreg.engine.pipeline.Parsed` puts them before the
findings of deciding the file's facts (:mod:`sosreg.engine.facts`).
"""

from __future__ import annotations

from typing import Final

from sosreg.engine.context import Context
from sosreg.engine.findings import Finding
from sosreg.engine.source import EncodingMix, Sniff

_DOCUMENTS: Final = {
    "json": ("ett JSON-dokument", "a JSON document"),
    "xml": ("ett XML-dokument", "an XML document"),
    "html": ("en webbsida (HTML)", "a web page (HTML)"),
    "rtf": ("ett RTF-dokument (ordbehandlare)", "an RTF (word processor) document"),
}
"""What SOS-018 calls each :attr:`~sosreg.engine.source.Sniff.document` kind."""


def input_findings(ctx: Context, sn: Sniff, text_input: bool) -> list[Finding]:
    """What the input is, before its lines: not text (SOS-002, SOS-018), empty
    (SOS-001), its encoding (SOS-003, SOS-012, SOS-004, SOS-011)."""
    out: list[Finding] = []
    add = out.append
    if sn.magic is not None:
        kinds = {
            "xlsx": ("en Excel-arbetsbok (.xlsx)", "an Excel workbook (.xlsx)"),
            "xls": ("en Excel-arbetsbok (.xls)", "an Excel workbook (.xls)"),
            "pdf": ("en PDF-fil", "a PDF file"),
        }[sn.magic]
        add(ctx.finding("SOS-002", kind_sv=kinds[0], kind_en=kinds[1]))
    elif sn.document is not None:
        kind_sv, kind_en = _DOCUMENTS[sn.document]
        add(ctx.finding("SOS-018", kind_sv=kind_sv, kind_en=kind_en))
    elif not text_input:
        add(ctx.finding("SOS-002", kind_sv="en binärfil", kind_en="a binary file"))
    if sn.size == 0:
        add(ctx.finding("SOS-001"))
    if sn.size and text_input:
        name_sv, name_en = _encoding_names(sn.encoding, sn.ascii_only)
        add(
            ctx.finding(
                "SOS-003",
                encoding_sv=name_sv,
                encoding_en=name_en,
                bom_sv=" med BOM" if sn.bom else "",
                bom_en=" with BOM" if sn.bom else "",
            )
        )
        if sn.mixed is not None:
            add(_mixed_encodings(ctx, sn.mixed, name_sv, name_en))
        if sn.utf16:
            add(ctx.finding("SOS-004"))
        elif sn.encoding == "latin-1":
            add(ctx.finding("SOS-011"))
    return out


def _lines_phrase(count: int, first: tuple[int, ...]) -> tuple[str, str]:
    """``count`` lines, the first of them by number, as the subject of a sentence:
    ("2 rader (rad 3 och 7) är", "2 lines (lines 3 and 7) are")."""

    def numbers(conj: str) -> str:
        shown = [str(n) for n in first]
        if count > len(first):
            return ", ".join(shown) + " …"
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {conj} " + shown[-1]

    if count == 1:
        return f"1 rad (rad {numbers('och')}) är", f"1 line (line {numbers('and')}) is"
    return (
        f"{count} rader (rad {numbers('och')}) är",
        f"{count} lines (lines {numbers('and')}) are",
    )


def _mixed_encodings(ctx: Context, mix: EncodingMix, name_sv: str, name_en: str) -> Finding:
    """SOS-012: lines in UTF-8 beside lines in another encoding; the counts and the
    first :data:`~sosreg.engine.source.MIX_LINES` line numbers of each."""
    utf8_sv, utf8_en = _lines_phrase(mix.utf8_count, mix.utf8_lines)
    other_sv, other_en = _lines_phrase(mix.other_count, mix.other_lines)
    return ctx.finding(
        "SOS-012",
        utf8_sv=utf8_sv,
        utf8_en=utf8_en,
        other_sv=other_sv,
        other_en=other_en,
        other_name=_encoding_names(mix.other, False)[1],
        encoding_sv=name_sv,
        encoding_en=name_en,
        utf8_count=mix.utf8_count,
        utf8_lines=",".join(map(str, mix.utf8_lines)),
        other_count=mix.other_count,
        other_lines=",".join(map(str, mix.other_lines)),
    )


def encoding_label(encoding: str, bom: bool) -> str:
    """The encoding as the report names it: ``utf-8+bom``, ``cp1252``, ``utf-16-le``."""
    return encoding + ("+bom" if bom else "")


def _encoding_names(encoding: str, ascii_only: bool) -> tuple[str, str]:
    if encoding == "utf-8" and ascii_only:
        return "UTF-8 (endast ASCII-tecken)", "UTF-8 (ASCII characters only)"
    names = {
        "utf-8": "UTF-8",
        "cp1252": "Windows-1252",
        "latin-1": "ISO-8859-1",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16LE",
        "utf-16-be": "UTF-16BE",
    }
    if encoding == "text":
        return "text (redan avkodad)", "text (already decoded)"
    name = names.get(encoding, encoding)
    return name, name
