"""The JSON report: :meth:`Report.to_dict` serialised, and streaming writers for
reports too large to hold (every finding of a file with millions; many deliveries,
:class:`DocumentWriter`). One shape for one file and for many deliveries: a
``deliveries`` list and a ``summary``.

The shape is described by ``sosreg/schemas/report.schema.json`` and
``docs/report-format.md``.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any, cast

from sosreg.engine.findings import Finding, Status, order_key
from sosreg.engine.report import (
    DeliveryReport,
    Report,
    delivery_dict,
    document_head,
)


def render(report: Report | DeliveryReport, *, lang: str = "sv", indent: int | None = 2) -> str:
    """The JSON report as text (``indent=None``: one line)."""
    return json.dumps(report.to_dict(lang), ensure_ascii=False, indent=indent)


class FindingSpool:
    """Every finding of one file, spooled to a temporary file as it is made, so that a
    JSON report with all findings needs no memory for them.

    Pass :meth:`add` as the ``sink`` of a validation. Findings arrive file-level first,
    then by line, except a few made at the end of the file; :meth:`ordered` gives them
    back in report order (file-level first, then by line), holding in memory only
    those that arrived out of order.
    """

    def __init__(self, lang: str = "sv") -> None:
        self.lang = lang
        self._fh: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._last_line = 0
        self._file_level: list[Finding] = []
        self._late: list[Finding] = []
        self.count = 0

    def add(self, f: Finding) -> None:
        """Spool one finding (pass this as a validation's ``sink``)."""
        self.count += 1
        if f.line is None:
            self._file_level.append(f)
        elif f.line < self._last_line:
            self._late.append(f)
        else:
            self._last_line = f.line
            self._fh.write(f"{f.line}\t{json.dumps(f.to_dict(self.lang), ensure_ascii=False)}\n")

    def ordered(self) -> Iterator[str]:
        """The findings as JSON texts, in report order."""
        for f in self._file_level:
            yield json.dumps(f.to_dict(self.lang), ensure_ascii=False)
        late = sorted(self._late, key=order_key)
        i = 0
        self._fh.flush()
        self._fh.seek(0)
        for raw in self._fh:
            tab = raw.index("\t")
            line = int(raw[:tab])
            while i < len(late) and (late[i].line or 0) < line:
                yield json.dumps(late[i].to_dict(self.lang), ensure_ascii=False)
                i += 1
            yield raw[tab + 1 : -1]
        for f in late[i:]:
            yield json.dumps(f.to_dict(self.lang), ensure_ascii=False)

    def close(self) -> None:
        """Delete the temporary file."""
        self._fh.close()


def write_delivery_streaming(
    out: IO[str],
    status: Status,
    files: list[tuple[Report, FindingSpool]],
    cross: list[Finding],
    lang: str = "sv",
    indent: int | None = 2,
) -> None:
    """Write one delivery object (an item of ``deliveries``) with every finding of each
    file read from its spool: equal to ``delivery_dict`` of a report that kept every
    finding, in memory bounded by the findings that arrived out of order."""
    head = delivery_dict(status, [], cross, lang)
    sep = ",\n" if indent is not None else ","
    out.write("{")
    first = True
    for key, value in head.items():
        if not first:
            out.write(",")
        first = False
        out.write(json.dumps(key) + ":")
        if key != "files":
            out.write(json.dumps(value, ensure_ascii=False, indent=indent))
            continue
        out.write("[")
        for i, (report, spool) in enumerate(files):
            if i:
                out.write(",")
            obj = report.file_dict(lang)
            obj.pop("findings")
            obj["max_details"] = None
            obj["omitted"] = 0
            shown = {c["code"]: c["count"] for c in obj["counts"]}
            for c in obj["counts"]:
                c["shown"] = shown[c["code"]]
            out.write(json.dumps(obj, ensure_ascii=False, indent=indent)[:-1].rstrip())
            out.write(',"findings":[')
            for j, item in enumerate(spool.ordered()):
                if j:
                    out.write(sep)
                out.write(item)
            out.write("]}")
        out.write("]")
    out.write("}")


def write_streaming(
    out: IO[str],
    status: Status,
    files: list[tuple[Report, FindingSpool]],
    cross: list[Finding],
    lang: str = "sv",
    indent: int | None = 2,
) -> None:
    """Write the JSON report of one delivery with every finding of each file read
    from its spool. The document equals :meth:`Report.to_dict` of a report that kept
    every finding."""
    reports = tuple(r for r, _ in files)
    whole: Report | DeliveryReport = (
        reports[0] if len(reports) == 1 and not cross else DeliveryReport(reports, tuple(cross))
    )
    writer = DocumentWriter(out, lang, indent)
    writer.begin()
    with writer.delivery() as part:
        write_delivery_streaming(part, status, files, cross, lang, indent)
    writer.end(whole.summary_dict())


class DocumentWriter:
    """The JSON report of many deliveries, written as they come: the head, each
    delivery object (:meth:`delivery` gives the stream to write one to, or
    :meth:`add` takes its text), then the summary. Memory: one delivery at a time
    (none, for a delivery streamed from spools)."""

    def __init__(self, out: IO[str], lang: str = "sv", indent: int | None = 2) -> None:
        self.out = out
        self.lang = lang
        self.indent = indent
        self.count = 0

    def begin(self) -> None:
        """Write the head and open the ``deliveries`` list."""
        nl = "\n" if self.indent is not None else ""
        pad = " " * (self.indent or 0)
        self.out.write("{" + nl)
        for key, value in document_head(self.lang).items():
            self.out.write(f"{pad}{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},{nl}")
        self.out.write(f'{pad}"deliveries": [{nl}')

    def add(self, text: str) -> None:
        """Add one delivery object given as JSON text."""
        with self.delivery() as part:
            part.write(text)

    @contextlib.contextmanager
    def delivery(self) -> Iterator[IO[str]]:
        """A stream to write one delivery object to; the separator is written before
        its first character (nothing is written for a delivery that writes nothing)."""
        part = _Part(self)
        yield cast(IO[str], part)
        if part.started:
            self.count += 1

    def end(self, summary: dict[str, Any]) -> None:
        """Close the list and write the summary (:func:`summary_dict`)."""
        nl = "\n" if self.indent is not None else ""
        pad = " " * (self.indent or 0)
        text = json.dumps(summary, ensure_ascii=False, indent=self.indent)
        if self.indent is not None:
            text = text.replace("\n", "\n" + pad)
        self.out.write(f'{nl}{pad}],{nl}{pad}"summary": {text}{nl}}}\n')


class _Part:
    """Writes to a :class:`DocumentWriter`'s stream, a separator first."""

    def __init__(self, writer: DocumentWriter) -> None:
        self.writer = writer
        self.started = False

    def write(self, text: str) -> int:
        if not text:
            return 0
        if not self.started:
            self.started = True
            if self.writer.count:
                self.writer.out.write(",\n" if self.writer.indent is not None else ",")
        return self.writer.out.write(text)

    def flush(self) -> None:
        self.writer.out.flush()


def delivery_text(report: Report | DeliveryReport, lang: str = "sv", indent: int | None = 2) -> str:
    """One delivery object as JSON text (an item of ``deliveries``)."""
    return json.dumps(report.delivery_dict(lang), ensure_ascii=False, indent=indent)


def schema() -> dict[str, Any]:
    """The JSON Schema of the report (``sosreg/schemas/report.schema.json``)."""
    from importlib import resources

    text = resources.files("sosreg").joinpath("schemas", "report.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
