"""The zip under guards: an ``.xlsx`` file opened (old ``.xls``, lock files and
non-zips refused by their first bytes), each entry checked before it is read
(encryption, compression method, declared size and ratio) and counted while it is
streamed into an XML parser (a header can lie)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

from sosreg.xlsx.limits import (
    CHUNK_BYTES,
    MAX_ENTRIES,
    OLE_MAGIC,
    RATIO_FLOOR_BYTES,
    ZIP_MAGIC,
    Refused,
    WorkbookError,
)
from sosreg.xlsx.parts import Target


class Archive:
    """An ``.xlsx`` file's zip, open, with its entries read under the guards.

    Raises :class:`WorkbookError` (its message starting with the file's name) when the
    file is not a zip or has too many entries; :meth:`feed` refuses an entry before it
    is read, or as soon as the bytes read break a limit."""

    def __init__(self, path: Path, *, max_entry_bytes: int, max_ratio: float) -> None:
        self.path = path
        self.name = path.name
        self.max_entry_bytes = max_entry_bytes
        self.max_ratio = max_ratio
        self._fh: BinaryIO | None = None
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def error(self, message: str) -> WorkbookError:
        """A :class:`WorkbookError` naming the file, ``message`` on one line."""
        return WorkbookError(f"{self.name}: {' '.join(message.split())}")

    def _open(self) -> None:
        try:
            fh: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except FileNotFoundError:
            raise self.error("no such file") from None
        except IsADirectoryError:
            raise self.error("is a directory, not a workbook") from None
        except OSError as exc:
            raise self.error(f"cannot be read ({exc.strerror or exc})") from None
        self._fh = fh
        try:
            head = fh.read(8)
            fh.seek(0)
        except OSError as exc:
            raise self.error(f"cannot be read ({exc.strerror or exc})") from None
        if head.startswith(OLE_MAGIC):
            raise self.error(
                "is an old binary Excel workbook (.xls) or a password-protected one; "
                "save it as .xlsx (Excel Workbook) or .csv"
            )
        if not head.startswith(ZIP_MAGIC):
            if self.name.startswith("~$"):
                raise self.error(
                    "is an Office lock file (Excel writes it while the workbook is open), "
                    "not a workbook; open the file without '~$' in its name"
                )
            what = "an empty file" if not head else "not a zip file"
            raise self.error(f"is not an .xlsx workbook ({what})")
        try:
            self._zip = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            raise self.error(f"is not an .xlsx workbook (damaged zip: {exc})") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise self.error(f"is not an .xlsx workbook (more than {MAX_ENTRIES} zip entries)")
        self._members = {info.filename.lower(): info.filename for info in infos}

    def member(self, name: str) -> str | None:
        """The zip entry for a part name (part names are case-insensitive)."""
        return self._members.get(name.lstrip("/").lower())

    def run(self, member: str, target: Target) -> None:
        """Parse all of ``member`` into ``target``."""
        for _ in self.feed(member, target):
            pass

    def _entry(self, member: str) -> zipfile.ZipInfo:
        if self._zip is None:
            raise self.error("is closed")
        info = self._zip.getinfo(member)
        if info.flag_bits & 0x1:
            raise self.error(f"{member} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.error(
                f"{member} uses zip compression method {info.compress_type} "
                "(only stored and deflate are read)"
            )
        self._check_size(member, info, info.file_size, "declares")
        return info

    def _check_size(self, member: str, info: zipfile.ZipInfo, size: int, verb: str) -> None:
        if size > self.max_entry_bytes:
            raise self.error(
                f"{member} {verb} {size} bytes uncompressed, over the limit of "
                f"{self.max_entry_bytes} (refused as a possible zip bomb)"
            )
        if size > RATIO_FLOOR_BYTES and size > self.max_ratio * max(info.compress_size, 1):
            raise self.error(
                f"{member} {verb} {size} bytes from {info.compress_size} compressed, a ratio over "
                f"{self.max_ratio:g} (refused as a possible zip bomb)"
            )

    def feed(self, member: str, target: Target) -> Iterator[None]:
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
        except Refused as exc:
            raise self.error(f"{member} {exc}") from None
        except ElementTree.ParseError as exc:
            raise self.error(f"{member} is not well-formed XML ({exc})") from None
        except zipfile.BadZipFile as exc:
            raise self.error(f"{member} is damaged ({exc})") from None
        except EOFError:
            raise self.error(f"{member} is truncated") from None
        except MemoryError:
            raise self.error(f"{member} is too large to read") from None
        except OSError as exc:
            raise self.error(f"{member} cannot be read ({exc.strerror or exc})") from None
        except Exception as exc:  # zlib.error, RuntimeError (encrypted), ValueError (closed)
            raise self.error(f"{member} cannot be read ({type(exc).__name__}: {exc})") from exc

    def close(self) -> None:
        """Close the zip and its file."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None
