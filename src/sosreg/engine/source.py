"""Reading input: bytes to physical lines, with the encoding detected and reported.

Two passes over the bytes: the first (C-speed decoders, fixed memory) hashes the input,
decides the encoding and looks for signs of a non-text file; the second streams lines.
Nothing is guessed silently: the encoding chosen is part of the :class:`TextFormat`
and of the report.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final, NamedTuple

import attrs

CHUNK: Final = 1 << 16
MAX_LINE: Final = 100_000
"""Longest physical line, in characters, that is split into fields."""

Source = str | bytes | bytearray | memoryview | os.PathLike[str] | io.TextIOBase | BinaryIO
"""What :func:`sosreg.parse` reads: a path (``str`` or ``os.PathLike``), the file's bytes,
an open binary file, or text (an open text stream such as ``io.StringIO``)."""


_BOMS: Final = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}


@attrs.frozen
class TextFormat:
    """How a file is written: what :func:`sosreg.serialize` needs to write it back."""

    encoding: str = "utf-8"
    """``utf-8``, ``cp1252``, ``latin-1``, ``utf-16-le`` or ``utf-16-be`` (what
    :attr:`Parsed.format <sosreg.Parsed.format>` gives); any other name Python knows
    is written as Python encodes it. ``utf-16`` (what earlier versions reported for
    either byte order) is written as UTF-16LE with a BOM, whatever ``bom`` says, and
    ``utf-8-sig`` as UTF-8 with a BOM."""
    bom: bool = False
    """Whether the file starts with a byte order mark (UTF-8 and UTF-16 only)."""
    newline: str = "\r\n"
    final_newline: bool = True

    def encode(self, text: str) -> bytes:
        """``text`` in this encoding, with the BOM if there is one.

        Raises ``ValueError`` for a BOM in an encoding that has none (``cp1252``,
        ``latin-1``), ``LookupError`` for an unknown encoding and ``UnicodeEncodeError``
        for a character the encoding cannot write."""
        codec = codecs.lookup(self.encoding).name
        bom = self.bom
        if codec == "utf-8-sig":
            codec, bom = "utf-8", True
        elif codec == "utf-16":
            codec, bom = "utf-16-le", True
        if not bom:
            return text.encode(codec)
        if codec not in _BOMS:
            raise ValueError(f"encoding {self.encoding!r} has no byte order mark (bom=True)")
        return _BOMS[codec] + text.encode(codec)


@attrs.frozen
class Sniff:
    """What the first pass over the bytes found: size, hash, encoding, signs of a non-text file."""

    size: int
    sha256: str
    encoding: str
    """``utf-8``, ``cp1252``, ``latin-1``, ``utf-16-le``, ``utf-16-be``, or ``text``
    (the input was already text)."""
    bom: bool
    ascii_only: bool
    """All bytes are ASCII (a UTF-16 file never is)."""
    magic: str | None
    """``"xlsx"``, ``"xls"``, ``"pdf"`` or ``None``: the input is not a text file."""
    nul: bool
    """The bytes include NUL (a UTF-16 file's always do: see :attr:`utf16`)."""
    control_ratio: float = 0.0
    """Share of control bytes (C0 controls but tab, LF, CR, Ctrl-Z; DEL) in the first
    64 KiB: text has almost none, binary files many."""
    document: str | None = None
    """``"json"``, ``"xml"``, ``"html"`` or ``"rtf"``: a text file that is clearly not
    register data by how it starts (:func:`document_kind`); ``None`` otherwise."""

    @property
    def utf16(self) -> bool:
        """UTF-16, either byte order, with or without a BOM."""
        return self.encoding.startswith("utf-16")

    @property
    def binary(self) -> bool:
        """Not a text file: many control bytes (an image, an executable, random
        bytes). A UTF-16 file is text, whatever its NUL bytes."""
        return not self.utf16 and self.control_ratio >= BINARY_RATIO


BINARY_RATIO: Final = 0.05
"""A file whose first 64 KiB are at least this share control bytes is not text."""
_CONTROL_BYTES: Final = bytes(b for b in range(32) if b not in (9, 10, 13, 26)) + b"\x7f"

_MAGIC: Final = (
    (b"PK\x03\x04", "xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"%PDF", "pdf"),
)


def _open_binary(source: Source) -> tuple[BinaryIO, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source)), None
    if isinstance(source, (io.RawIOBase, io.BufferedIOBase)) or (
        hasattr(source, "read") and not isinstance(source, io.TextIOBase)
    ):
        fh: BinaryIO = source  # type: ignore[assignment]
        if not fh.seekable():
            fh = io.BytesIO(fh.read())
        return fh, getattr(source, "name", None) and Path(str(source.name)).name  # type: ignore[union-attr]
    path = Path(source)  # type: ignore[arg-type]
    return open(path, "rb"), path.name


UTF16_MIN_UNITS: Final = 2
"""A file shorter than this many UTF-16 code units is not taken for UTF-16 without a BOM."""
UTF16_ZERO_SHARE: Final = 0.9
"""Without a BOM, UTF-16 needs at least this share of the high bytes of the code units
in the first chunk to be zero (Latin-1 text: all are) ..."""
UTF16_OTHER_SHARE: Final = 0.1
"""... at most this share of the low bytes to be zero (text: none are; a file of NULs,
or UTF-32: half or more), and at most this share of the code units to be control
characters other than tab, LF and CR (a table of small 16-bit integers: many)."""
_C0: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def utf16_without_bom(sample: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` if ``sample`` (the first bytes of a file
    that has no BOM) looks like UTF-16 text, else ``None``.

    Mostly-Latin-1 text in UTF-16 has a zero byte in every code unit: the high byte,
    second in UTF-16LE (odd offsets) and first in UTF-16BE (even offsets); the other
    byte is the character and is not zero. Random bytes, compressed data (xlsx, PDF
    streams), a file of NULs and UTF-32 do not show that pattern."""
    units = len(sample) // 2
    if units < UTF16_MIN_UNITS:
        return None
    even = sample[0 : 2 * units : 2].count(0)
    odd = sample[1 : 2 * units : 2].count(0)
    if odd >= UTF16_ZERO_SHARE * units and even <= UTF16_OTHER_SHARE * units:
        codec = "utf-16-le"
    elif even >= UTF16_ZERO_SHARE * units and odd <= UTF16_OTHER_SHARE * units:
        codec = "utf-16-be"
    else:
        return None
    text = sample[: 2 * units].decode(codec, "replace")
    if len(_C0.findall(text)) > UTF16_OTHER_SHARE * units:
        return None
    return codec


def sniff(fh: BinaryIO) -> Sniff:
    """First pass: size, hash, encoding.

    The encoding is the first of: UTF-8 if the file starts with a UTF-8 BOM (bytes
    that are not UTF-8 are then replaced, and reported line by line); UTF-16LE or
    UTF-16BE if it starts with their BOM, or, without one, if the first chunk looks
    like UTF-16 (:func:`utf16_without_bom`); UTF-8 if all of it is valid UTF-8 (so an
    ASCII file is UTF-8); Windows-1252 if it decodes; ISO-8859-1 (which always does).
    """
    h = hashlib.sha256()
    size = 0
    first = b""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp_ok = True
    ascii_only = True
    nul = False
    control_ratio = 0.0
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            break
        if not first:
            first = chunk
            control_ratio = (len(chunk) - len(chunk.translate(None, _CONTROL_BYTES))) / len(chunk)
        size += len(chunk)
        h.update(chunk)
        if ascii_only and not chunk.isascii():
            ascii_only = False
        if not nul and b"\x00" in chunk:
            nul = True
        if utf8_ok and not ascii_only:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
        if cp_ok and not ascii_only:
            try:
                cp1252.decode(chunk)
            except UnicodeDecodeError:
                cp_ok = False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    magic = next((name for sig, name in _MAGIC if first.startswith(sig)), None)
    encoding = next((name for name, sig in _BOMS.items() if first.startswith(sig)), None)
    bom = encoding is not None
    if encoding is None and magic is None:
        encoding = utf16_without_bom(first)
    if encoding is None:
        encoding = "utf-8" if utf8_ok else "cp1252" if cp_ok else "latin-1"
    elif encoding != "utf-8":
        ascii_only = False
    document = None if magic is not None else document_kind(first, encoding)
    return Sniff(
        size, h.hexdigest(), encoding, bom, ascii_only, magic, nul, control_ratio, document
    )


_DOCUMENT_HEAD: Final = 4096
"""Characters at the top of a file that :func:`document_kind` reads."""
_JSON_START: Final = re.compile(r'[\[{][ \t]*(?:\r?\n|\r|$|\s*["\[{\]}])')
"""A JSON object or array: ``{"``, ``[{``, ``["``, ``[]``, ``{}`` or a bracket alone
on the first line. No register line starts with a bracket (they start with a code or
a number)."""
_MARKUP_START: Final = re.compile(r"<(?:\?xml|!doctype|!--|[a-z][a-z0-9:-]*[\s>/])", re.IGNORECASE)


def document_kind(first: bytes, encoding: str) -> str | None:
    """What kind of document the first bytes of a text file are, when it is clearly
    not register data: ``"json"`` (an object or array, e.g. a ``.expected.json``
    picked up by a glob), ``"xml"``, ``"html"`` (markup from its first character) or
    ``"rtf"``; ``None`` for anything else (register data, damaged or not)."""
    try:
        text = first[: _DOCUMENT_HEAD * 4].decode(encoding, "replace")
    except LookupError:  # pragma: no cover - the encodings sniff names all exist
        return None
    head = text.lstrip("\ufeff \t\r\n")[:_DOCUMENT_HEAD]
    if head.startswith("{\\rtf"):
        return "rtf"
    if _JSON_START.match(head):
        return "json"
    if _MARKUP_START.match(head):
        lower = head.lower()
        return "html" if "<html" in lower or "<!doctype html" in lower else "xml"
    return None


class PhysicalLine(NamedTuple):
    """One physical line of the input (a named tuple: one is made per line, so it must
    be cheap)."""

    number: int
    text: str
    """The line without its ending (and, for line 1, without a BOM)."""
    ending: str
    """``"\\r\\n"``, ``"\\n"``, ``"\\r"`` or ``""`` (last line without one)."""
    length: int
    """Length in characters; for an over-long line, the real length (``text`` is cut)."""

    @property
    def too_long(self) -> bool:
        return self.length > len(self.text) or self.length > MAX_LINE


def iter_lines(text_stream: io.TextIOBase | io.StringIO) -> Iterator[PhysicalLine]:
    """Physical lines of a text stream opened with ``newline=""``."""
    number = 0
    readline = text_stream.readline
    new, line_type = tuple.__new__, PhysicalLine  # a named tuple without its __new__ call
    while True:
        raw = readline(MAX_LINE + 2)
        if not raw:
            return
        number += 1
        if raw.endswith("\r\n"):
            yield new(line_type, (number, raw[:-2], "\r\n", len(raw) - 2))
            continue
        last = raw[-1]
        if last == "\n" or last == "\r":
            # A "\r" at the end may be the first half of "\r\n" split by the limit.
            if last == "\r" and len(raw) == MAX_LINE + 2:
                nxt = readline(1)
                if nxt == "\n":
                    yield PhysicalLine(number, raw[:-1], "\r\n", len(raw) - 1)
                    continue
                if nxt:
                    # put back: not possible on a stream; treat as its own line start
                    yield PhysicalLine(number, raw[:-1], "\r", len(raw) - 1)
                    number += 1
                    rest, ending, extra = _drain(readline, nxt)
                    yield PhysicalLine(number, rest, ending, len(rest) + extra)
                    continue
            yield new(line_type, (number, raw[:-1], last, len(raw) - 1))
            continue
        if len(raw) < MAX_LINE + 2:
            yield PhysicalLine(number, raw, "", len(raw))
            return
        # Over-long line: keep the start, count the rest.
        text, ending, extra = _drain(readline, raw)
        yield PhysicalLine(number, text, ending, len(text) + extra)


def _drain(readline: object, start: str) -> tuple[str, str, int]:
    """Read the rest of a line that began with ``start``; return (kept text, ending,
    characters not kept)."""
    assert callable(readline)
    text = start
    extra = 0
    while True:
        if text.endswith("\r\n"):
            return text[:-2][: MAX_LINE + 1], "\r\n", extra + max(0, len(text) - 2 - MAX_LINE - 1)
        if text.endswith(("\n", "\r")):
            kept = text[:-1]
            return kept[: MAX_LINE + 1], text[-1], extra + max(0, len(kept) - MAX_LINE - 1)
        more = readline(CHUNK)
        if not more:
            return text[: MAX_LINE + 1], "", extra + max(0, len(text) - MAX_LINE - 1)
        if len(text) > MAX_LINE + 1:
            extra += len(text) - (MAX_LINE + 1)
            text = text[: MAX_LINE + 1]
        text += more


class Input:
    """An opened input: its sniffed facts and a way to stream its lines."""

    def __init__(self, source: Source) -> None:
        self.name: str | None = None
        self._text: str | None = None
        self._fh: BinaryIO | None = None
        if isinstance(source, io.TextIOBase):
            text = source.read()
            self._text = text
            self.name = getattr(source, "name", None)
            data = text.encode("utf-8", "surrogatepass")
            self.sniff = Sniff(
                len(data),
                hashlib.sha256(data).hexdigest(),
                "text",
                text.startswith("\ufeff"),
                text.isascii(),
                None,
                "\x00" in text,
                document=document_kind(
                    text[: _DOCUMENT_HEAD * 4].encode("utf-8", "replace"), "utf-8"
                ),
            )
            return
        self._fh, self.name = _open_binary(source)
        self.sniff = sniff(self._fh)

    def lines(self) -> Iterator[PhysicalLine]:
        """The physical lines, decoded as the sniff decided."""
        if self._text is not None:
            text = self._text[1:] if self._text.startswith("\ufeff") else self._text
            yield from iter_lines(io.StringIO(text, newline=""))
            return
        assert self._fh is not None
        self._fh.seek(0)
        stream = io.TextIOWrapper(
            self._fh, encoding=self._codec(), errors="replace", newline="", write_through=False
        )
        try:
            yield from iter_lines(stream)
        finally:
            with contextlib.suppress(ValueError):  # the file was closed under us
                stream.detach()

    def text(self) -> str:
        """The whole input decoded as :meth:`lines` decodes it (BOM removed), for the
        columnar engine, which reads a file at once."""
        if self._text is not None:
            return self._text[1:] if self._text.startswith("\ufeff") else self._text
        assert self._fh is not None
        self._fh.seek(0)
        return self._fh.read().decode(self._codec(), errors="replace")

    def utf8_bytes(self) -> bytes | None:
        """The input's bytes without a BOM, if it is a UTF-8 (or ASCII) byte input;
        ``None`` otherwise. For the columnar engine's reader."""
        if self._fh is None or self.sniff.encoding != "utf-8":
            return None
        self._fh.seek(0)
        data = self._fh.read()
        return data[3:] if self.sniff.bom else data

    def _codec(self) -> str:
        """The codec that decodes the input; a BOM is read and dropped (for UTF-16, it
        gives the byte order)."""
        codec = self.sniff.encoding
        if self.sniff.bom:
            codec = "utf-8-sig" if codec == "utf-8" else "utf-16"
        return codec

    def close(self) -> None:
        """Close the input."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Input:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
