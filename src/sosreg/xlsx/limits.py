"""What the reader refuses: the limits (module constants, the defaults of a
:class:`~sosreg.xlsx.Workbook`'s arguments), the magic numbers of the files it knows,
and its errors."""

from __future__ import annotations

from typing import Final

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


class Refused(Exception):
    """Raised inside the XML target; the reader adds the file and the part to the message."""
