"""fuzz/differential.py (the structured differential run for minutes by hand) runs, and
finds a difference when there is one: a smoke run so that it cannot rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("polars")

SCRIPT = Path(__file__).parent.parent / "fuzz" / "differential.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("differential", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_run_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    assert _load().main(["--seconds", "2", "--seed", "7"]) == 0
    assert "the engines agree" in capsys.readouterr().out


def test_a_difference_is_written_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _load()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(module, "differs", lambda data, args: "planted")
    assert module.main(["--seconds", "2", "--seed", "7"]) == 1
    (found,) = tmp_path.glob("differential-7-*.bin")
    assert found.with_suffix(".json").exists()
    assert "planted" in capsys.readouterr().err


def test_replay_of_agreeing_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = _load()
    data = b"0330;;202301;202301;199203283859;;3;8450;0;041;;0;;;\r\n"
    args: dict[str, Any] = {"register": "ekb", "file": "manad", "year": 2023}
    assert module.differs(data, args) is None
