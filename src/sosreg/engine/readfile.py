"""One file read completely: its report by the engine asked for, and its records where
a delivery's checks or a comparison need them (:func:`read_file`)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

import attrs

from sosreg.engine.joins import ParsedFile
from sosreg.engine.pipeline import Parsed, parse
from sosreg.engine.register import REGISTRY
from sosreg.engine.report import Report
from sosreg.engine.source import Source


def read_file(
    source: Source, *, records: bool | Callable[[Parsed], bool] = True, **kwargs: Any
) -> tuple[Report, ParsedFile]:
    """Parse ``source`` completely: (its :class:`~sosreg.Report`, its records).

    The report is made by the engine asked for (``engine``; ``auto`` by default). Only
    the row engine makes every record, so where ``records`` (or ``records(parsed)``)
    says they are needed, ``auto`` chooses the row engine (one pass does both), and a
    forced ``columnar`` reads the file a second time with the row engine for the
    records only. Where they are not needed, the records are left out (empty)."""
    again = _Again(source)
    if kwargs.get("engine") == "columnar" and not _whole(source):
        again, kwargs = _buffered(source, kwargs)  # read twice below
        source = again()
    parsed: Parsed = parse(source, **kwargs)
    need = records(parsed) if callable(records) else records
    found: list[tuple[int, Any]] = []
    if need and parsed.chosen_engine(records=True) == "row":
        found = [(row.line, row.record) for row in parsed if row.record is not None]
    elif need and parsed.text_input:
        parsed.report()  # the file's findings by the engine chosen
        rest = {k: v for k, v in kwargs.items() if k not in ("sink", "progress")}
        rows = parse(again(), **(rest | {"engine": "row", "max_details": 0}))
        found = [(row.line, row.record) for row in rows if row.record is not None]
    pf = ParsedFile(
        name=parsed.name or "-",
        register=parsed.register.name,
        file=parsed.file,
        period=parsed.period,
        year=parsed.year,
        records=tuple(found),
        context=parsed.context,
        kommun=parsed.kommun,
        register_data=parsed.text_input,
    )
    return parsed.report(), pf


def needs_records(parsed: Parsed) -> bool:
    """Whether a delivery's checks read the records of ``parsed``'s file: its register
    has cross-file or joined rules, or a spec of the register refers to or from it
    (``[[references]]``). SoL, KHSL and LSS files need none; EKB and BU files do."""
    reg = parsed.register
    if reg.cross_file_rules or reg.joined_rules or parsed.spec.references:
        return True
    return any(
        ref.to == parsed.file for spec in REGISTRY.all_specs(reg.name) for ref in spec.references
    )


def _whole(source: Source) -> bool:
    return isinstance(source, str | os.PathLike | bytes | bytearray | memoryview)


@attrs.frozen
class _Again:
    """The same input to read again: ``source`` itself (a path or bytes), or the text
    or bytes of a stream read once."""

    source: Source
    text: bool = False
    """``source`` is the text of a text stream (not a path)."""

    def __call__(self) -> Source:
        if isinstance(self.source, str) and self.text:
            return io.StringIO(self.source, newline="")
        return self.source


def _buffered(source: Source, kwargs: dict[str, Any]) -> tuple[_Again, dict[str, Any]]:
    """A stream read at once, to be read twice, and ``kwargs`` with the stream's name (as
    :class:`~sosreg.engine.source.Input` would name it)."""
    name = getattr(source, "name", None)
    if not isinstance(source, io.TextIOBase) and getattr(source, "seekable", bool)():
        source.seek(0)  # type: ignore[union-attr]  # as Input reads a binary file: all of it
    data = source.read()  # type: ignore[union-attr]
    if isinstance(data, str):
        again = _Again(data, text=True)
    else:
        again = _Again(bytes(data))
        name = name and os.path.basename(str(name))
    if name and not kwargs.get("name"):
        kwargs = kwargs | {"name": str(name)}
    return again, kwargs
