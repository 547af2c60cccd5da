"""Reading input: bytes to physical lines, with the encoding detected and reported.

Two passes over the bytes: the first (C-speed decoders, fixed memory) hashes the input,
decides the encoding and looks for signs of a non-text file; the second streams lines.
Nothing is guessed silently: the encoding chosen is part of the :class:`TextFormat`
and of the report, and a file whose lines are in two encodings is found
(:class:`EncodingMix`, rule SOS-012).

One byte order mark at the very start marks the encoding and is dropped. A second one
is data: Unicode gives U+FEFF after the first position no meaning but "zero width
no-break space", and the collector, like every decoder that honours a BOM
(``utf-8-sig``, ``utf-16``), strips one and reads the next as a character of the first
field. Every reader here does the same (the columnar engine's polars reader, which
drops a BOM itself, is not given a file that starts with a second one), and the line
stage names the invisible character (SOS-019).

Lines end in CRLF, LF or a lone CR, each line's own ending kept (:class:`TextFormat`
``endings``); every reader finds the same lines whatever its block sizes
(:data:`BLOCKS`).
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Final, NamedTuple

import attrs

MAX_LINE: Final = 100_000
"""Longest physical line, in characters, that is split into fields."""
SAMPLE: Final = 1 << 16
"""Bytes at the start of a file that decide whether it is text (magic numbers, the
share of control bytes, UTF-16 without a BOM), whatever block size it is read in."""


@attrs.define
class BlockSizes:
    """How much the readers take at a time. Block sizes change speed and memory only,
    never what is read: a line, an ending or a character split between two blocks is
    read whole (the tests shrink them to a few bytes, so small files cross hundreds of
    block boundaries: ``tests/test_engines.py``)."""

    read: int = 1 << 16
    """Bytes per read of the first pass (:func:`sniff`, :func:`line_encodings`), and
    characters per read of the rest of an over-long line."""
    text: int = 8192
    """Bytes the line reader decodes at a time (``io.TextIOWrapper``'s chunk)."""
    rows: int = 1 << 21
    """Bytes of UTF-8 input the columnar engine reads and checks at a time (its memory
    is a few dozen times this, whatever the file's size: :mod:`sosreg.engine.columnar`)."""
    batch: int = 40_000
    """Lines the columnar engine checks at a time: on input it reads as lines (another
    encoding than UTF-8, or text), and at most in a block of UTF-8 (a block of short
    lines holds as many rows as one of long ones)."""


BLOCKS = BlockSizes()
"""The block sizes in use (module-wide; tests replace it, e.g. with pytest's
``monkeypatch.setattr(source, "BLOCKS", BlockSizes(read=7, text=3))``)."""

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
    """The line ending (of most lines, when they are mixed: see :attr:`endings`)."""
    final_newline: bool = True
    endings: tuple[str, ...] | None = attrs.field(default=None)
    """Each line's ending, in order (``"\\r\\n"``, ``"\\n"``, ``"\\r"``; ``""`` only
    last: a last line without one), when a file's lines do not all end alike;
    ``None`` otherwise. :func:`sosreg.serialize` writes line *i* with ``endings[i]``
    (and lines past the tuple with :attr:`newline`, the last one as
    :attr:`final_newline` says), so a file of mixed endings round-trips byte for byte."""

    @endings.validator
    def _check_endings(self, _: object, value: tuple[str, ...] | None) -> None:
        if value is None:
            return
        for i, ending in enumerate(value):
            if ending not in ("\r\n", "\n", "\r") and not (ending == "" and i == len(value) - 1):
                raise ValueError(
                    f"endings[{i}] is {ending!r}: each must be '\\r\\n', '\\n' or '\\r' "
                    "('' only last)"
                )

    def join(self, lines: list[str]) -> str:
        """``lines`` joined into the text of a file: each line's ending (see
        :attr:`endings`), the final newline as :attr:`final_newline` says."""
        if not lines:
            return ""
        last = len(lines) - 1
        endings = self.endings or ()
        if not endings:
            text = self.newline.join(lines)
            return text + self.newline if self.final_newline else text
        tail = self.newline if self.final_newline else ""
        out: list[str] = []
        for i, line in enumerate(lines):
            ending = endings[i] if i < len(endings) else tail if i == last else self.newline
            if not ending and i != last:  # never join two lines into one
                ending = self.newline
            out.append(line)
            out.append(ending)
        return "".join(out)

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
    :data:`SAMPLE` bytes: text has almost none, binary files many."""
    mixed: EncodingMix | None = None
    """Lines in UTF-8 beside lines in another encoding (see :func:`line_encodings`);
    ``None`` when the file is in one encoding."""
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
"""A file whose first :data:`SAMPLE` bytes are at least this share control bytes is not text."""
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


MIX_LINES: Final = 5
"""Line numbers an :class:`EncodingMix` keeps of each encoding (the counts are exact)."""


@attrs.frozen
class EncodingMix:
    """A file whose lines are in two encodings: some are UTF-8 (non-ASCII, and valid
    UTF-8), others are not UTF-8 and read as ``other`` (``cp1252``, or ``latin-1`` if
    some are not Windows-1252 either). ASCII-only lines are in both and counted in
    neither."""

    utf8_lines: tuple[int, ...]
    """The first :data:`MIX_LINES` line numbers (1-based, physical) of the UTF-8 lines."""
    utf8_count: int
    other_lines: tuple[int, ...]
    """The first :data:`MIX_LINES` line numbers of the other lines."""
    other_count: int
    other: str


def sniff(fh: BinaryIO) -> Sniff:
    """First pass: size, hash, encoding.

    The encoding is the first of: UTF-8 if the file starts with a UTF-8 BOM (bytes
    that are not UTF-8 are then replaced, and reported line by line); UTF-16LE or
    UTF-16BE if it starts with their BOM, or, without one, if the first bytes look
    like UTF-16 (:func:`utf16_without_bom`); UTF-8 if all of it is valid UTF-8 (so an
    ASCII file is UTF-8); Windows-1252 if it decodes; ISO-8859-1 (which always does).
    A file without a BOM that is not all UTF-8 but has UTF-8 characters is read once
    more, line by line (:func:`line_encodings`): lines in UTF-8 beside lines in another
    encoding are a :class:`EncodingMix` (:attr:`Sniff.mixed`), never read as one
    encoding silently. (With a UTF-8 BOM the file says what it is: each line that is
    not UTF-8 gets its own finding, SOS-112.)
    """
    h = hashlib.sha256()
    size = 0
    first = b""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp_ok = True
    utf8_seen = False
    tail = b""
    ascii_only = True
    nul = False
    block = max(1, BLOCKS.read)
    while True:
        chunk = fh.read(block)
        if not chunk:
            break
        if len(first) < SAMPLE:
            first += chunk[: SAMPLE - len(first)]
        size += len(chunk)
        h.update(chunk)
        if ascii_only and not chunk.isascii():
            ascii_only = False
        if not nul and b"\x00" in chunk:
            nul = True
        if not ascii_only:
            if utf8_ok:
                try:
                    utf8_seen = not utf8.decode(chunk).isascii() or utf8_seen
                except UnicodeDecodeError:
                    utf8_ok = False
            if not utf8_ok and not utf8_seen:  # any UTF-8 character among the rest?
                utf8_seen = not (tail + chunk).decode("utf-8", "ignore").isascii()
            tail = chunk[-3:]
            if cp_ok:
                try:
                    cp1252.decode(chunk)
                except UnicodeDecodeError:
                    cp_ok = False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    control_ratio = (len(first) - len(first.translate(None, _CONTROL_BYTES))) / len(first or b"x")
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
    mixed = None
    if encoding in ("cp1252", "latin-1") and utf8_seen and magic is None:
        # (with a UTF-8 BOM the file says it is UTF-8: each line that is not gets SOS-112)
        fh.seek(0)
        found = line_encodings(fh)
        if found.utf8_count and found.other_count:
            mixed = found
    return Sniff(
        size,
        h.hexdigest(),
        encoding,
        bom,
        ascii_only,
        magic,
        nul,
        control_ratio,
        mixed=mixed,
        document=document,
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


LINE_END: Final = re.compile(rb"\r\n?|\n")
"""A line's ending in bytes of an ASCII-compatible encoding: CRLF, LF or a lone CR."""
_LINE_END: Final = LINE_END
_LINE_END_TEXT: Final = re.compile(r"(\r\n?|\n)")


def byte_lines(fh: BinaryIO, *, keep: int = 4 * (MAX_LINE + 1)) -> Iterator[bytes]:
    """The physical lines of a byte stream (an ASCII-compatible encoding), without
    their endings, numbered as :func:`iter_lines` numbers them: a line ends in CRLF, LF
    or a lone CR, wherever the block boundaries fall. Only the first ``keep`` bytes of
    a line are kept (memory stays bounded on a file without line breaks)."""
    block = max(1, BLOCKS.read)
    cur: list[bytes] = []
    held = 0
    cr = False  # the last block ended with CR: a LF starting the next one belongs to it
    pending = False  # a line has started (bytes or not)
    while chunk := fh.read(block):
        start = 0
        if cr:
            cr = False
            if chunk[:1] == b"\n":
                start = 1
        for m in _LINE_END.finditer(chunk, start):
            piece = chunk[start : m.start()]
            if held < keep and piece:
                cur.append(piece[: keep - held])
                held += len(cur[-1])
            yield b"".join(cur)
            cur, held, pending = [], 0, False
            start = m.end()
            if m.end() == len(chunk) and chunk[-1:] == b"\r":
                cr = True
        if start < len(chunk):
            pending = True
            if held < keep:
                cur.append(chunk[start : start + keep - held])
                held += len(cur[-1])
    if pending:
        yield b"".join(cur)


def line_encodings(fh: BinaryIO, *, skip: int = 0) -> EncodingMix:
    """Which lines of ``fh`` (from its position, the first ``skip`` bytes, a BOM, left
    out) are UTF-8 and which are in another encoding: see :class:`EncodingMix`."""
    if skip:
        fh.read(skip)
    utf8: list[int] = []
    other: list[int] = []
    n_utf8 = n_other = 0
    cp_ok = True
    for number, raw in enumerate(byte_lines(fh), 1):
        if raw.isascii():
            continue
        try:
            codecs.utf_8_decode(raw, "strict", True)
        except UnicodeDecodeError:
            n_other += 1
            if len(other) < MIX_LINES:
                other.append(number)
            if cp_ok:
                try:
                    raw.decode("cp1252")
                except UnicodeDecodeError:
                    cp_ok = False
            continue
        n_utf8 += 1
        if len(utf8) < MIX_LINES:
            utf8.append(number)
    return EncodingMix(tuple(utf8), n_utf8, tuple(other), n_other, "cp1252" if cp_ok else "latin-1")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """The physical lines of ``text`` and their endings (``"\\r\\n"``, ``"\\n"``,
    ``"\\r"``; ``""`` for a last line without one), exactly as :func:`iter_lines`
    reads them, for readers that take a file at once."""
    parts = _LINE_END_TEXT.split(text)
    lines = parts[0::2]
    endings = parts[1::2]
    if lines[-1] == "":
        lines.pop()
    else:
        endings.append("")
    return lines, endings


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
    """Physical lines of a text stream opened with ``newline=""``: a line ends in CRLF,
    LF or a lone CR, wherever the stream's blocks or the read limit fall (a CRLF is
    never taken for a CR and an empty line)."""
    limit = MAX_LINE + 2
    number = 0
    readline = text_stream.readline
    new, line_type = tuple.__new__, PhysicalLine  # a named tuple without its __new__ call
    pending = ""  # a line read ahead (after a CR at the read limit)
    while True:
        if pending:
            raw, pending = pending, ""
        else:
            raw = readline(limit)
            if not raw:
                return
        number += 1
        if raw.endswith("\r\n"):
            yield new(line_type, (number, raw[:-2], "\r\n", len(raw) - 2))
            continue
        last = raw[-1]
        if last == "\n":
            yield new(line_type, (number, raw[:-1], "\n", len(raw) - 1))
            continue
        if last == "\r":
            if len(raw) == limit:  # the limit may have cut a CRLF in two
                pending = readline(limit)
                if pending[:1] == "\n":
                    pending = pending[1:]  # always "": a read stops after a LF
                    yield PhysicalLine(number, raw[:-1], "\r\n", len(raw) - 1)
                    continue
            yield new(line_type, (number, raw[:-1], "\r", len(raw) - 1))
            continue
        if len(raw) < limit:
            yield PhysicalLine(number, raw, "", len(raw))
            return
        # Over-long line: keep the start, count the rest.
        text, ending, extra, pending = _drain(readline, raw, limit)
        yield PhysicalLine(number, text, ending, len(text) + extra)


def _drain(readline: Callable[[int], str], start: str, limit: int) -> tuple[str, str, int, str]:
    """Read the rest of a line that began with ``start`` (no ending in it); return
    (kept text, ending, characters not kept, the next line if it was read ahead, as
    ``readline(limit)`` reads it)."""
    cap = MAX_LINE + 1
    block = max(2, BLOCKS.read)
    text = start
    extra = 0
    while True:
        more = readline(block)
        if not more:
            return text[:cap], "", extra + max(0, len(text) - cap), ""
        if len(text) > cap:
            extra += len(text) - cap
            text = text[:cap]
        text += more
        ahead = ""
        if text.endswith("\r") and len(more) == block:  # a CRLF cut by the read limit?
            ahead = readline(limit)
            if ahead[:1] == "\n":
                text, ahead = text + "\n", ahead[1:]
        if text.endswith("\r\n"):
            kept = text[:-2]
            return kept[:cap], "\r\n", extra + max(0, len(kept) - cap), ahead
        if text.endswith(("\n", "\r")):
            kept = text[:-1]
            return kept[:cap], text[-1], extra + max(0, len(kept) - cap), ahead


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
        """The physical lines, decoded as the sniff decided. Reading the whole input
        meanwhile (:meth:`text`, :meth:`utf8_bytes`) does not disturb them."""
        if self._text is not None:
            text = self._text[1:] if self._text.startswith("\ufeff") else self._text
            yield from iter_lines(io.StringIO(text, newline=""))
            return
        assert self._fh is not None
        self._fh.seek(0)
        stream = io.TextIOWrapper(
            self._fh, encoding=self._codec(), errors="replace", newline="", write_through=False
        )
        stream._CHUNK_SIZE = max(1, BLOCKS.text)  # type: ignore[attr-defined]
        try:
            yield from iter_lines(stream)
        finally:
            with contextlib.suppress(ValueError):  # the file was closed under us
                stream.detach()

    def text(self) -> str:
        """The whole input decoded as :meth:`lines` decodes it (one BOM removed: a
        second is a character of the data), for the columnar engine, which reads a
        file at once."""
        if self._text is not None:
            return self._text[1:] if self._text.startswith("\ufeff") else self._text
        return self._whole().decode(self._codec(), errors="replace")

    def utf8_bytes(self) -> bytes | None:
        """The input's bytes without a BOM, if it is a UTF-8 (or ASCII) byte input;
        ``None`` otherwise. For the columnar engine's reader."""
        if self._fh is None or self.sniff.encoding != "utf-8":
            return None
        data = self._whole()
        return data[3:] if self.sniff.bom else data

    def utf8_blocks(self, size: int) -> Iterator[bytes] | None:
        """The input's bytes without a BOM in blocks of ``size`` bytes, if it is a UTF-8
        (or ASCII) byte input; ``None`` otherwise. Each block is read without moving
        the position :meth:`lines` reads from (see :meth:`_whole`). For the columnar
        engine's reader, which cuts them into lines itself."""
        if self._fh is None or self.sniff.encoding != "utf-8":
            return None
        return self._blocks(3 if self.sniff.bom else 0, max(1, size))

    def _blocks(self, at: int, size: int) -> Iterator[bytes]:
        while True:
            fh = self._fh
            if fh is None:  # closed
                return
            here = fh.tell()
            try:
                fh.seek(at)
                chunk = fh.read(size)
            finally:
                fh.seek(here)
            if not chunk:
                return
            at += len(chunk)
            yield chunk

    def _whole(self) -> bytes:
        """All the bytes, read without moving the position :meth:`lines` reads from
        (the row engine may be streaming lines from it: the head of the file is read
        before an engine is chosen)."""
        assert self._fh is not None
        at = self._fh.tell()
        try:
            self._fh.seek(0)
            return self._fh.read()
        finally:
            self._fh.seek(at)

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
