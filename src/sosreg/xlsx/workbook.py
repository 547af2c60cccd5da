"""The workbook: its parts located through their relationships, its sheets by name
or position, a sheet's rows as lists of cells, lazily."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import attrs

from sosreg.xlsx.archive import Archive
from sosreg.xlsx.cells import EMPTY, Cell, sheet_key
from sosreg.xlsx.limits import (
    MAX_CELL_CHARS,
    MAX_ENTRY_BYTES,
    MAX_RATIO,
    MAX_SHARED_CHARS,
    MAX_SHARED_STRINGS,
    WorkbookError,
)
from sosreg.xlsx.parts import Rels, SharedStrings, Sheet, Styles, Target, WorkbookPart


@attrs.frozen
class _SheetEntry:
    name: str
    member: str | None


class Workbook:
    """An open ``.xlsx`` workbook; use it as a context manager.

    The workbook part and its relationships are read when it is opened; styles and
    shared strings on the first :meth:`rows`; a sheet's XML only while its rows are
    iterated.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_entry_bytes: int | None = None,
        max_ratio: float | None = None,
        max_shared_strings: int | None = None,
        max_shared_chars: int | None = None,
        max_cell_chars: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.max_entry_bytes = MAX_ENTRY_BYTES if max_entry_bytes is None else max_entry_bytes
        self.max_ratio = MAX_RATIO if max_ratio is None else max_ratio
        self.max_shared_strings = (
            MAX_SHARED_STRINGS if max_shared_strings is None else max_shared_strings
        )
        self.max_shared_chars = MAX_SHARED_CHARS if max_shared_chars is None else max_shared_chars
        self.max_cell_chars = MAX_CELL_CHARS if max_cell_chars is None else max_cell_chars
        self.sheet_names: list[str] = []
        """The sheets' names, in workbook order (hidden sheets too)."""
        self.date1904 = False
        """Whether the workbook counts dates from 1904 (:attr:`Cell.text` assumes 1900)."""
        self._sheets: list[_SheetEntry] = []
        self._styles_member: str | None = None
        self._shared_member: str | None = None
        self._shared: list[str] | None = None
        self._formats: list[str | None] | None = None
        self._archive: Archive | None = None
        try:
            self._archive = Archive(
                self.path, max_entry_bytes=self.max_entry_bytes, max_ratio=self.max_ratio
            )
            self._load()
        except WorkbookError:
            self.close()
            raise
        except Exception as exc:  # unforeseen: still one clean error
            self.close()
            raise self._error(f"cannot be read ({type(exc).__name__}: {exc})") from exc
        except BaseException:
            self.close()
            raise

    # -- opening -------------------------------------------------------------------

    def _error(self, message: str) -> WorkbookError:
        return WorkbookError(f"{self.name}: {' '.join(message.split())}")

    @property
    def _zip(self) -> Archive:
        if self._archive is None:
            raise self._error("is closed")
        return self._archive

    def _member(self, name: str) -> str | None:
        return self._zip.member(name)

    def _run(self, member: str, target: Target) -> None:
        self._zip.run(member, target)

    def _load(self) -> None:
        office = "xl/workbook.xml"
        root_rels = self._member("_rels/.rels")
        if root_rels is not None:
            rels = Rels()
            self._run(root_rels, rels)
            for kind, target in rels.rels.values():
                if kind.endswith("/officeDocument") and self._member(_resolve("", target)):
                    office = _resolve("", target)
                    break
        workbook_member = self._member(office)
        if workbook_member is None:
            raise self._error("is not an .xlsx workbook (no xl/workbook.xml)")
        part = WorkbookPart()
        self._run(workbook_member, part)
        self.date1904 = part.date1904
        base, leaf = posixpath.split(office)
        rels_member = self._member(posixpath.join(base, "_rels", leaf + ".rels"))
        relations: dict[str, tuple[str, str]] = {}
        if rels_member is not None:
            rels = Rels()
            self._run(rels_member, rels)
            relations = rels.rels
        for i, (name, rid) in enumerate(part.sheets):
            target = relations.get(rid or "", ("", ""))[1]
            member = self._member(_resolve(base, target)) if target else None
            if member is None and not relations:
                member = self._member(posixpath.join(base, f"worksheets/sheet{i + 1}.xml"))
            self._sheets.append(_SheetEntry(name, member))
        self.sheet_names = [s.name for s in self._sheets]
        for kind, target in relations.values():
            if kind.endswith("/styles"):
                self._styles_member = self._member(_resolve(base, target))
            elif kind.endswith("/sharedStrings"):
                self._shared_member = self._member(_resolve(base, target))
        if self._styles_member is None:
            self._styles_member = self._member(posixpath.join(base, "styles.xml"))
        if self._shared_member is None:
            self._shared_member = self._member(posixpath.join(base, "sharedStrings.xml"))

    # -- parts -------------------------------------------------------------------

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            target = SharedStrings(self.max_shared_strings, self.max_shared_chars)
            if self._shared_member is not None:
                self._run(self._shared_member, target)
            self._shared = target.strings
        return self._shared

    def _cell_formats(self) -> list[str | None]:
        if self._formats is None:
            target = Styles()
            if self._styles_member is not None:
                self._run(self._styles_member, target)
            self._formats = target.formats()
        return self._formats

    # -- public --------------------------------------------------------------------

    def find_sheet(self, name: str) -> str | None:
        """The name of the sheet called ``name``, or None. Tried in turn: the exact name,
        the name ignoring case, then :func:`sheet_key` (case, accents, spaces and
        punctuation ignored). Raises :class:`WorkbookError` if the last step matches
        several sheets."""
        if name in self.sheet_names:
            return name
        for candidate in (str.casefold, sheet_key):
            key = candidate(name)
            hits = [s for s in self.sheet_names if candidate(s) == key and key]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise self._error(
                    f"sheet {name!r} is ambiguous: " + ", ".join(repr(h) for h in hits)
                )
        return None

    def sheet(self, name: str) -> str:
        """Like :meth:`find_sheet`, but a missing sheet is a :class:`WorkbookError` that
        lists the sheets there are."""
        found = self.find_sheet(name)
        if found is None:
            raise self._error(
                f"no sheet {name!r}; the sheets are " + ", ".join(repr(s) for s in self.sheet_names)
            )
        return found

    def rows(self, sheet: str | int = 0) -> Iterator[list[Cell]]:
        """The rows of a sheet (a name, matched as :meth:`sheet` does, or a position),
        lazily. Row *i* of the iteration is the sheet's row *i + 1*: rows missing from
        the file (empty in Excel) come as ``[]`` (a row whose number is not above the
        previous one's, which Excel never writes, follows it). A row is dense up to its last
        non-empty cell; empty cells in between are :data:`EMPTY`. The sheet is
        located now; its XML is read as the iteration proceeds."""
        if isinstance(sheet, int):
            if not -len(self._sheets) <= sheet < len(self._sheets):
                raise self._error(
                    f"has {len(self._sheets)} sheet(s); there is no sheet number {sheet + 1}"
                )
            entry = self._sheets[sheet]
        else:
            name = self.sheet(sheet)
            entry = self._sheets[self.sheet_names.index(name)]
        if entry.member is None:
            raise self._error(f"sheet {entry.name!r} has no worksheet part")
        return self._rows(entry.member)

    def _rows(self, member: str) -> Iterator[list[Cell]]:
        target = Sheet(self._shared_strings(), self._cell_formats(), self.max_cell_chars)
        expected = 1
        for _ in self._zip.feed(member, target):
            batch, target.out = target.out, []
            for number, cells in batch:
                while expected < number:
                    yield []
                    expected += 1
                expected += 1
                if not cells:
                    yield []
                    continue
                dense = [EMPTY] * (max(col for col, _ in cells) + 1)
                for col, cell in cells:
                    dense[col] = cell
                yield dense

    def close(self) -> None:
        """Close the workbook's file."""
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _resolve(base: str, target: str) -> str:
    """A relationship target as a part name: absolute (``/xl/…``) or relative to ``base``."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")
