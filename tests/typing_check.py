"""Calls of the public API that mypy --strict checks (tests/test_api.py runs it).

Never run: mypy reads it. The calls in ``good`` must type-check; each call in ``bad``
is an error mypy must report, silenced by its ``# type: ignore[<code>]`` — and since
``--strict`` warns about an ignore that silences nothing, a bad call that mypy stopped
catching fails the check. The test also strips the ignores and counts the errors.
"""

from __future__ import annotations

import datetime as dt
import io

import sosreg
import sosreg.frames
from sosreg import analysts, batch, codelists


def good(path: str, lists: dict[str, codelists.CodeList]) -> None:
    parsed: sosreg.Parsed = sosreg.parse(
        path,
        register="ekb",
        file="manad",
        year=2023,
        period="202301",
        codelists=lists,
        name="Ekb_0330_202301_20230215T0900.txt",
        max_details=None,
        sink=print,
        engine="columnar",
        progress=print,
        on=dt.date(2023, 2, 20),
        on_is_today=False,
    )
    report: sosreg.Report = sosreg.validate(
        path, previous=path, earlier=[path], register="ekb", year=2023, max_details=10
    )
    records: list[object] = sosreg.load(io.BytesIO(b""), register="ekb", file="manad")
    delivery: sosreg.DeliveryReport = sosreg.validate_delivery(
        [path], sinks=[print], earlier=(), register="ekb", period=sosreg.YearMonth(2023, 1)
    )
    sosreg.write(records, path, format=sosreg.TextFormat(), spec=None)
    scanned: analysts.Scan = sosreg.scan(path, register="ekb", year=2023, include="all")
    exported: analysts.Exported = analysts.export_file(path, "out", key=b"k", year=2023)
    frame: object = sosreg.frames.read_pandas(path, labels=True, register="ekb", year=2023)
    options = batch.Options(register="ekb", year=2023, format="json", max_details=None)
    outcome: batch.Outcome = batch.render((path,), options, path="r.json")
    outcomes = list(batch.run([(path,)], options, jobs=2))
    print(parsed, report, delivery, scanned, exported, frame, outcome, outcomes)


def bad(path: str) -> None:
    sosreg.validate(path, regster="ekb")  # type: ignore[call-arg]
    sosreg.validate(path, year="2023")  # type: ignore[arg-type]
    sosreg.parse(path, max_details="all")  # type: ignore[arg-type]
    sosreg.parse(path, engin="columnar")  # type: ignore[call-arg]
    sosreg.load(path, register=1)  # type: ignore[arg-type]
    sosreg.validate_delivery([path], sink=print)  # type: ignore[call-arg]
    sosreg.validate_delivery([path], year="2023")  # type: ignore[arg-type]
    sosreg.write([], path, format="utf-8")  # type: ignore[arg-type]
    sosreg.scan(path, year="2023")  # type: ignore[arg-type]
    analysts.export_file(path, "out", key="k")  # type: ignore[arg-type]
    sosreg.frames.read_pandas(path, codelists=["kva"])  # type: ignore[arg-type]
    batch.Options(year="2023")  # type: ignore[arg-type]
    batch.render((path,), batch.Options(), regster="ekb")  # type: ignore[call-arg]
    batch.run([(path,)], batch.Options(), jobs="2")  # type: ignore[arg-type]
