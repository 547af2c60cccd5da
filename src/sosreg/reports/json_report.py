"""The JSON report: :meth:`Report.to_dict` serialised, and a streaming writer for
reports too large to hold (every finding of a file with millions).

The shape is described by ``sosreg/schemas/report.schema.json`` and
``docs/report-format.md``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from sosreg.engine.findings import Finding, order_key
from sosreg.engine.report import DeliveryReport, Report, document


def render(report: Report | DeliveryReport, *, lang: str = "sv", indent: int | None = 2) -> str:
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
        self._fh.close()


def write_streaming(
    out: IO[str],
    status: Any,
    files: list[tuple[Report, FindingSpool]],
    cross: list[Finding],
    lang: str = "sv",
    indent: int | None = 2,
) -> None:
    """Write the JSON report with every finding of each file read from its spool. The
    document equals :meth:`Report.to_dict` of a report that kept every finding."""
    doc = document(status, [], cross, lang)
    sep = ",\n" if indent is not None else ","
    out.write("{")
    first = True
    for key, value in doc.items():
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
    out.write("}\n")


def schema() -> dict[str, Any]:
    """The JSON Schema of the report (``sosreg/schemas/report.schema.json``)."""
    from importlib import resources

    text = resources.files("sosreg").joinpath("schemas", "report.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
