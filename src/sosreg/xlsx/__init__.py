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

The package by job: :mod:`~sosreg.xlsx.limits` (what is refused), :mod:`~sosreg.xlsx.archive`
(the zip under its guards), :mod:`~sosreg.xlsx.parts` (the XML parts, parsed by streaming
targets), :mod:`~sosreg.xlsx.cells` (a cell's value, format and text) and
:mod:`~sosreg.xlsx.workbook` (:class:`Workbook`: sheets and rows).
"""

from sosreg.xlsx.cells import BUILTIN_FORMATS, EMPTY, Cell, format_number, sheet_key
from sosreg.xlsx.limits import (
    CHUNK_BYTES,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_ITEMS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SHARED_CHARS,
    MAX_SHARED_STRINGS,
    OLE_MAGIC,
    RATIO_FLOOR_BYTES,
    ZIP_MAGIC,
    WorkbookError,
)
from sosreg.xlsx.workbook import Workbook

__all__ = [
    "BUILTIN_FORMATS",
    "CHUNK_BYTES",
    "EMPTY",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_DEPTH",
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_ITEMS",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_SHARED_CHARS",
    "MAX_SHARED_STRINGS",
    "OLE_MAGIC",
    "RATIO_FLOOR_BYTES",
    "ZIP_MAGIC",
    "Cell",
    "Workbook",
    "WorkbookError",
    "format_number",
    "sheet_key",
]
