"""The report formats are two implementations of one report: the streamed JSON and CSV
(every finding through a spool, what the command line writes) against the reports kept
in memory, and the CSV rows against the JSON findings. Checked on generated files with
injected damage, for every register and file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sosreg
from sosreg import batch
from sosreg.generate import injectors
from sosreg.registers import all_registers
from sosreg.reports.labels import COLUMNS

YEAR = 2023
FILES = [(r.name, f) for r in all_registers() for f in r.files]


def _damaged(register: str, file: str, codes: list[str], seed: int, out: Path) -> Path:
    inject = {c: 2 for c in codes}
    made = sosreg.generate(register, file, YEAR, 12, seed=seed, inject=inject, out=out)
    (one,) = [g for g in made.files if g.file == file]
    assert one.path is not None
    return one.path


@pytest.mark.parametrize(("register", "file"), FILES)
def test_streamed_reports_equal_the_reports_in_memory(
    register: str, file: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rules = sorted(injectors(register, (file,), YEAR))
    ran = []

    @settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(st.sampled_from(rules), min_size=1, max_size=4, unique=True), st.integers(0, 99)
    )
    def check(codes: list[str], seed: int) -> None:
        try:
            path = _damaged(register, file, codes, seed, tmp_path_factory.mktemp("d"))
        except sosreg.UsageError:  # these rules cannot all be injected into one file
            return
        ran.append(codes)
        args: dict[str, Any] = {"register": register, "year": YEAR}
        report = sosreg.validate(path, max_details=None, **args)
        options = batch.Options(register=register, year=YEAR, max_details=None)

        # JSON: streamed through spools == in memory
        streamed = batch.render((str(path),), batch.Options(**{**_kw(options), "format": "json"}))
        assert streamed.problem is None
        doc = json.loads(streamed.output)
        assert doc == report.to_dict()

        # CSV: streamed == in memory, and its rows are the JSON findings
        streamed_csv = batch.render(
            (str(path),), batch.Options(**{**_kw(options), "format": "csv"})
        )
        assert streamed_csv.output == report.to_csv()
        rows = list(csv.reader(io.StringIO(streamed_csv.output.lstrip("\ufeff")), delimiter=";"))
        header, body = rows[0], rows[1:]
        labels = COLUMNS["sv"]
        at = {k: header.index(labels[k]) for k in ("code", "line", "field", "value", "message")}
        from_csv = [tuple(row[at[k]] for k in at) for row in body]
        from_json = [
            (
                f["code"],
                "" if f["line"] is None else str(f["line"]),
                f["field"] or "",
                f["value"] or "",
                f["message"],
            )
            for f in doc["deliveries"][0]["files"][0]["findings"]
        ]
        assert from_csv == from_json
        # the counts the text report prints are the JSON counts
        text = report.to_text()
        for c in doc["deliveries"][0]["files"][0]["counts"]:
            assert c["code"] in text

    check()
    assert ran, "no damaged file could be made"


def _kw(options: batch.Options) -> dict[str, Any]:
    import attrs

    return attrs.asdict(options, recurse=False)
