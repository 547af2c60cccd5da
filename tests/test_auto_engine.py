"""``engine="auto"`` (the default): the columnar engine where it pays, the row engine
otherwise, and the findings never depend on the choice.

Files on both sides of :data:`~sosreg.engine.pipeline.AUTO_MIN_BYTES`, clean and damaged
(``sosreg generate --inject``), single and in deliveries: ``auto`` gives the report of
both forced engines, and the engine it used is the one :func:`choose_engine` names.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_engines import _summary

import sosreg
from sosreg.cli import main
from sosreg.engine.pipeline import (
    AUTO_MIN_BYTES,
    AUTO_MIN_BYTES_COLD,
    ENGINES,
    RUNNERS,
    choose_engine,
)

pytest.importorskip("polars")

SMALL = 400  # lines: ~30 kB, below AUTO_MIN_BYTES
LARGE = 5000  # lines: ~300–360 kB, above it


def generate(out: Path, register: str, file: str, n: int, inject: str | None = None) -> list[Path]:
    """``sosreg generate`` into ``out``; the register files written (sorted)."""
    args = ["generate", "--register", register, "--file", file, "--year", "2023"]
    args += ["-n", str(n), "--seed", "3", "--period", "202303", "-o", str(out)]
    if inject:
        args += ["--inject", inject]
    assert main(args) == 0
    return sorted(p for p in out.iterdir() if p.suffix == ".txt")


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The engines that checked files, in order (the runners wrapped)."""
    calls: list[str] = []
    for name in ("row", "columnar"):
        runner = RUNNERS[name]

        def wrapped(parsed: Any, name: str = name, runner: Callable[[Any], None] = runner) -> None:
            calls.append(name)
            runner(parsed)

        monkeypatch.setitem(RUNNERS, name, wrapped)
    yield calls


def test_auto_is_the_default_and_an_engine() -> None:
    assert ENGINES == ("auto", "row", "columnar")
    assert sosreg.parse(b"", register="lss").engine == "auto"
    with pytest.raises(sosreg.UsageError, match="engine must be one of"):
        sosreg.parse(b"", register="lss", engine="fast")


def test_choose_engine_by_size() -> None:
    assert "polars" in sys.modules  # imported above: the warm threshold applies
    assert choose_engine(AUTO_MIN_BYTES - 1) == "row"
    assert choose_engine(AUTO_MIN_BYTES) == "columnar"
    assert choose_engine(1 << 40) == "columnar"  # no upper bound: the columnar engine streams
    assert choose_engine(AUTO_MIN_BYTES, whole=False) == "row"  # a stream
    assert choose_engine(AUTO_MIN_BYTES, records=True) == "row"  # one pass makes both
    assert AUTO_MIN_BYTES < AUTO_MIN_BYTES_COLD


def test_choose_engine_without_polars(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not installed (``import polars`` raises): the row engine, silently, at any size."""
    monkeypatch.setitem(sys.modules, "polars", None)
    assert choose_engine(AUTO_MIN_BYTES_COLD) == "row"
    assert choose_engine(AUTO_MIN_BYTES_COLD - 1) == "row"  # the cold threshold: no import


@pytest.mark.parametrize(
    ("register", "file", "inject"),
    [
        ("sol", "sol1", None),
        ("sol", "sol1", "SOL-030:3,SOS-104:2,SOS-210,SOL-025"),
        ("ekb", "manad", None),
        ("ekb", "manad", "EKB-050:2,SOS-109:3,EKB-013,SOS-108"),
    ],
)
@pytest.mark.parametrize("lines", [SMALL, LARGE])
def test_auto_agrees_with_both_engines(
    tmp_path: Path,
    used: list[str],
    register: str,
    file: str,
    inject: str | None,
    lines: int,
) -> None:
    (path,) = generate(tmp_path, register, file, lines, inject)
    used.clear()  # generate checks what it wrote
    size = path.stat().st_size
    assert (size >= AUTO_MIN_BYTES) == (lines == LARGE)  # each side of the threshold
    auto = sosreg.validate(path, max_details=None)
    assert used == ["columnar" if lines == LARGE else "row"]
    row = sosreg.validate(path, max_details=None, engine="row")
    col = sosreg.validate(path, max_details=None, engine="columnar")
    assert used == [used[0], "row", "columnar"]
    assert _summary(auto) == _summary(row) == _summary(col)
    assert (auto.status.code == "godkand") == (inject is None)
    # bytes: the same choice; a stream: the row engine
    data = path.read_bytes()
    parsed = sosreg.parse(data, name=path.name, max_details=None)
    assert _summary(parsed.report()) == _summary(row)
    assert parsed.engine_used == used[0]
    stream = sosreg.parse(io.BytesIO(data), name=path.name, max_details=None)
    assert _summary(stream.report()) == _summary(row) and stream.engine_used == "row"


def test_iterating_rows_is_the_row_engine(tmp_path: Path) -> None:
    (path,) = generate(tmp_path, "sol", "sol1", LARGE)
    parsed = sosreg.parse(path)
    assert sum(1 for _ in parsed) == LARGE
    assert parsed.engine_used == "row" and parsed.report().status.code == "godkand"


def test_the_cli_uses_auto_and_can_force(
    tmp_path: Path, used: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    (path,) = generate(tmp_path, "sol", "sol1", LARGE)
    used.clear()
    assert main(["validate", str(path)]) == 0
    assert main(["validate", str(path), "--engine", "row"]) == 0
    assert main(["validate", str(path), "--engine", "columnar"]) == 0
    assert used == ["columnar", "row", "columnar"]
    capsys.readouterr()


# -- deliveries: each file's own findings by the chosen engine ---------------------------


def _delivery_summary(d: Any) -> Any:
    return (
        d.status,
        tuple(_summary(r) for r in d.reports),
        d.findings,
    )


@pytest.mark.parametrize("lines", [SMALL, LARGE])
def test_a_sol_delivery_uses_the_columnar_engine(
    tmp_path: Path, used: list[str], lines: int
) -> None:
    """SoL has no cross-file rules: no records are needed, so ``auto`` reads each large
    file with the columnar engine (it used to read every delivery with the row engine,
    even with ``engine="columnar"``)."""
    generate(tmp_path / "a", "sol", "sol1", lines, "SOL-030:2,SOS-110")
    paths = generate(tmp_path / "a", "sol", "sol2", lines)  # both files
    assert [p.name[:4] for p in paths] == ["SOL1", "SOL2"]
    used.clear()  # generate checks what it wrote
    auto = sosreg.validate_delivery(paths, max_details=None)
    assert used == ["columnar" if lines == LARGE else "row"] * 2
    used.clear()
    row = sosreg.validate_delivery(paths, max_details=None, engine="row")
    col = sosreg.validate_delivery(paths, max_details=None, engine="columnar")
    assert used == ["row", "row", "columnar", "columnar"]
    assert _delivery_summary(auto) == _delivery_summary(row) == _delivery_summary(col)


def test_an_ekb_delivery_forced_columnar(tmp_path: Path, used: list[str]) -> None:
    """EKB's cross-file rules read every record: ``auto`` reads each file once with the
    row engine; a forced ``columnar`` makes each file's findings with the columnar
    engine and reads the records with the row engine. The same delivery report."""
    paths = generate(tmp_path / "e", "ekb", "manad,ao", LARGE, "EKB-060,EKB-050,SOS-104")
    assert paths[0].stat().st_size >= AUTO_MIN_BYTES
    used.clear()  # generate checks what it wrote
    auto = sosreg.validate_delivery(paths, max_details=None)
    assert used == []  # the rows iterated, records and findings in one pass: no runner
    used.clear()
    col = sosreg.validate_delivery(paths, max_details=None, engine="columnar")
    assert used == ["columnar", "columnar"]  # the records' pass only iterates rows
    assert _delivery_summary(col) == _delivery_summary(auto)
    assert any(f.code == "EKB-060" for f in auto.findings)  # the cross-file rule ran
    # streams, forced columnar: read once, checked twice, the same report
    streams = [io.BytesIO(p.read_bytes()) for p in paths]
    for s, p in zip(streams, paths, strict=True):
        s.name = str(p)  # type: ignore[attr-defined]
    col_streams = sosreg.validate_delivery(streams, max_details=None, engine="columnar")
    assert _delivery_summary(col_streams) == _delivery_summary(auto)


def test_a_batch_imports_polars_where_it_pays(tmp_path: Path) -> None:
    """``sosreg validate DIR``: polars is imported first (once per worker) when the files
    the columnar engine would read add up to the size one file needs to pay for the
    import alone; EKB files (read for their records) and deliveries compared with
    earlier ones do not count."""
    from sosreg.batch import polars_pays

    def files(prefix: str, n: int, size: int) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        out = []
        for i in range(n):
            path = tmp_path / f"{prefix}_{1000 + i:04d}_202303_20230414T0900.txt"
            path.write_bytes(b"x" * size)
            out.append(((str(path),), ()))
        return out

    big = AUTO_MIN_BYTES
    enough = AUTO_MIN_BYTES_COLD // big
    assert polars_pays(files("SOL1", enough, big))
    assert not polars_pays(files("SOL2", enough - 1, big))
    assert not polars_pays(files("LSS", 100, big - 1))  # each below the threshold
    assert not polars_pays(files("Ekb", enough * 2, big))  # EKB: cross-file rules
    compared = [(g, ("earlier.txt",)) for g, _ in files("KHSL1", enough, big)]
    assert not polars_pays(compared)
