"""Progress on long work: ``sosreg.parse(progress=...)`` counts the lines read, and the
command shows a bar on stderr only on a terminal, never with ``--quiet``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import M_MED, M_SOLO

import sosreg
from sosreg import cli
from sosreg.cli import progress as cli_progress
from sosreg.engine import pipeline

EXAMPLES = Path(__file__).parent.parent / "examples"
JANUARY = EXAMPLES / "Ekb_0330_202301_20230214T0930.txt"
AO = EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt"
DAMAGED = EXAMPLES / "Ekb_0330_202302_20230314T1200.txt.csv"


def _file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    lines = [M_SOLO, M_MED, M_SOLO + ";"] * (n // 3) + [M_SOLO] * (n % 3)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


@pytest.mark.parametrize("engine", ["row", "columnar"])
def test_progress_adds_up_to_the_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 4)
    path = _file(tmp_path, 14)
    calls: list[int] = []
    report = sosreg.parse(path, progress=calls.append, engine=engine).report()
    assert report.lines == 14
    assert sum(calls) == 14
    if engine == "row":
        assert calls == [4, 4, 4, 2]  # every PROGRESS_EVERY lines, and the rest at the end


def test_progress_while_iterating_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 5)
    calls: list[int] = []
    rows = list(sosreg.parse(_file(tmp_path, 10), progress=calls.append))
    assert len(rows) == 10 and calls == [5, 5, 0]


def test_progress_of_a_delivery_and_with_a_previous_file(tmp_path: Path) -> None:
    calls: list[int] = []
    d = sosreg.validate_delivery([JANUARY, AO], progress=calls.append)
    assert sum(calls) == sum(r.lines for r in d.reports) > 0
    calls.clear()
    report = sosreg.validate(DAMAGED, previous=JANUARY, progress=calls.append)
    assert sum(calls) == report.lines  # the earlier file is not counted


def test_no_progress_no_counting(tmp_path: Path) -> None:
    parsed = sosreg.parse(_file(tmp_path, 3))
    assert parsed.runner.progress is None
    assert type(parsed.runner.all_lines()).__name__ == "chain"  # the lines as they are


def test_estimate_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path, 300)
    assert cli.estimate_lines([str(path)]) == 300  # small: counted
    monkeypatch.setattr(cli_progress, "PROGRESS_SAMPLE", 1000)
    estimate = cli.estimate_lines([str(path)])
    assert estimate is not None and 250 <= estimate <= 350  # from the size
    assert cli.estimate_lines([str(tmp_path / "missing")]) is None


# -- the command's bar -----------------------------------------------------------------


def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr is a terminal, and a bar shows at once. (Called in the test itself:
    capsys puts its own stderr in place only when the test starts.)"""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(cli_progress, "PROGRESS_DELAY", 0)


def test_a_bar_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal(monkeypatch)
    path = _file(tmp_path, 30)
    assert cli.main(["validate", str(path), "-o", str(tmp_path / "r.txt")]) == 2
    err = capsys.readouterr().err
    assert "rader/s" in err and path.name in err and "100%" in err and "30.0/30.0" in err
    assert cli.main(["validate", str(path), "--lang", "en", "-o", str(tmp_path / "r.txt")]) == 2
    assert "lines" in capsys.readouterr().err


def test_quiet_silences_the_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal(monkeypatch)
    path = _file(tmp_path, 30)
    assert cli.main(["validate", str(path), "--quiet", "-o", str(tmp_path / "r.txt")]) == 2
    assert capsys.readouterr().err == ""
    assert cli.main(["validate", str(path), "-q", "-o", str(tmp_path / "r.txt")]) == 2
    assert capsys.readouterr().err == ""


def test_no_bar_when_stderr_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    monkeypatch.setattr(cli_progress, "PROGRESS_DELAY", 0)
    path = _file(tmp_path, 30)
    assert cli.main(["validate", str(path), "-o", str(tmp_path / "r.txt")]) == 2
    assert capsys.readouterr().err == ""


def test_no_bar_without_tqdm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal(monkeypatch)
    monkeypatch.setitem(sys.modules, "tqdm", None)
    path = _file(tmp_path, 30)
    assert cli.main(["validate", str(path), "-o", str(tmp_path / "r.txt")]) == 2
    assert capsys.readouterr().err == ""


def test_a_bar_of_deliveries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal(monkeypatch)
    src = tmp_path / "in"
    src.mkdir()
    for p in (JANUARY, AO, DAMAGED):
        (src / p.name).write_bytes(p.read_bytes())
    assert cli.main(["validate", str(src), "-j", "2", "-o", str(tmp_path / "r.txt")]) == 2
    err = capsys.readouterr().err
    assert "leveranser/s" in err and "2/2" in err
    assert cli.main(["validate", str(src), "-j", "2", "-q", "-o", str(tmp_path / "r.txt")]) == 2
    assert capsys.readouterr().err == ""
