"""The README's code runs: every ``python`` block is executed in order (in one namespace,
from the repository root), and the commands it shows exit as it says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from sosreg.cli import main

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_python_blocks_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    blocks = _blocks("python")
    assert len(blocks) >= 3
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    report = namespace["report"]
    assert report.status.name == "GODKAND"  # type: ignore[attr-defined]


def test_first_command_validates_the_damaged_example_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    first = _blocks("sh")[0].strip()
    assert first.startswith("python3 -m venv .venv")
    validate = first.split("&& sosreg ", 1)[1]
    assert "exits with **2**" in README
    assert main(shlex.split(validate, comments=True)) == 2
    assert "INTE GODKÄND" in capsys.readouterr().out


def test_valid_example_command_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    cmd = next(b for b in _blocks("sh") if b.startswith("sosreg validate")).strip()
    assert main(shlex.split(cmd)[1:]) == 0


def test_second_command_is_what_ci_runs() -> None:
    second = _blocks("sh")[1].strip()
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert second.endswith("python -m pytest")
    assert "python -m pytest" in ci
