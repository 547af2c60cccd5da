"""Every code block of README.md and docs/**/*.md runs as written (the rules are in
tests/doc_blocks.py and docs/testing.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from doc_blocks import CODE, DATA, ROOT, Block, Command, blocks, commands, pages, run_in

# Every block that does not run, by page, with the reason its marker gives. A new
# `<!-- not run: … -->` goes here too, on purpose.
NOT_RUN = [
    ("README.md", "the whole test suite (this test is part of it); .ci/run runs it"),
    ("docs/performance.md", "a benchmark of about four minutes"),
    ("docs/performance.md", "a benchmark of about ten minutes that writes 3 GB"),
    ("docs/performance.md", "a benchmark of about three minutes"),
    ("docs/testing.md", "a fuzz run of 20 minutes, with atheris (not in the test extra)"),
    ("docs/testing.md", "a run of ten minutes"),
    (
        "docs/metadata.md",
        "needs Socialstyrelsen's metadata workbook (tests/test_metadata.py builds one)",
    ),
    (
        "docs/metadata.md",
        "needs Socialstyrelsen's metadata workbook (tests/test_metadata.py builds one)",
    ),
    ("docs/usage.md", "needs a KVÅ file from Socialstyrelsen (tests/test_importers.py makes one)"),
    ("docs/usage.md", "needs a KVÅ file from Socialstyrelsen (tests/test_importers.py makes one)"),
    ("docs/generate.md", "my-validator is yours"),
    ("docs/provenance.md", "the official layout is not public"),
    ("docs/provenance.md", "the official layout is not public"),
]

ALL = [b for p in pages() for b in blocks(p)]
RUN_PAGES = sorted({b.page for b in ALL if b.lang in CODE and b.mark != "not run"})


def test_every_block_has_a_known_language() -> None:
    unknown = [f"{b.where} ```{b.lang}" for b in ALL if b.lang not in CODE | DATA]
    assert not unknown, "give each block a language (python, sh, text, json, toml)"
    assert len([b for b in ALL if b.lang in CODE]) >= 40


def test_the_blocks_not_run_are_marked_and_listed() -> None:
    skipped = sorted((b.page, b.reason) for b in ALL if b.mark == "not run")
    assert all(reason for _, reason in skipped), "a not-run marker gives its reason"
    assert skipped == sorted(NOT_RUN)
    assert not [b.where for b in ALL if b.mark and b.lang not in CODE], "markers are for code"


def test_toml_blocks_parse() -> None:
    for b in ALL:
        if b.lang == "toml":
            tomllib.loads(b.body)


def test_install_commands_are_the_only_ones_left_out() -> None:
    left = {i for b in ALL if b.lang == "sh" for c in commands(b.body) for i in c.installs}
    assert left and all(i.startswith(("pip install", "python3 -m venv", ". .venv")) for i in left)
    line = (
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && sosreg x  # exits 2"
    )
    installs = ("python3 -m venv .venv", ". .venv/bin/activate", "pip install -e .")
    assert commands(line) == [Command("sosreg x  # exits 2", 2, installs)]
    assert commands("pip install 'sosreg[dask]'   # Dask\necho a \\\n  b") == [
        Command("", 0, ("pip install 'sosreg[dask]'   # Dask",)),
        Command("echo a    b", 0, ()),
    ]


def test_a_command_that_exits_otherwise_than_the_page_says_fails(tmp_path: Path) -> None:
    _, env = _sandbox(tmp_path)
    for body in ("false\n", "true   # exits 2\n", "sosreg validate nothing.txt\n"):
        with pytest.raises(AssertionError, match="exited"):
            _run_sh(Block("page.md", 1, "sh", body), tmp_path, env)
    _run_sh(Block("page.md", 1, "sh", "false   # exits 1\n"), tmp_path, env)


def _sandbox(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the repository's runnable parts, a HOME, and commands that are this
    interpreter running the copy's sosreg."""
    repo = tmp / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("examples", "src", "fuzz", "scripts"):
        shutil.copytree(ROOT / part, repo / part, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    home = tmp / "home"
    home.mkdir()
    bin_ = tmp / "bin"
    bin_.mkdir()
    for name, args in (("sosreg", "-m sosreg "), ("python", ""), ("python3", "")):
        shim = bin_ / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {args}"$@"\n')
        shim.chmod(0o755)
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(repo / "src"),
        "MPLBACKEND": "Agg",
        "NO_COLOR": "1",
    }
    return repo, env


def _run_sh(block: Block, cwd: Path, env: dict[str, str]) -> None:
    for cmd in commands(block.body):
        if not cmd.text:
            continue
        done = subprocess.run(
            ["bash", "-c", cmd.text], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == cmd.exits, (
            f"{block.where}: `{cmd.text}` exited {done.returncode}, the page says {cmd.exits}\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )


def _run_script(block: Block, cwd: Path, env: dict[str, str], n: int) -> None:
    script = cwd / f"_docs_block_{n}.py"
    script.write_text(block.body, "utf-8")
    done = subprocess.run(
        [sys.executable, script.name], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{block.where}: the script failed\n{done.stderr[-4000:]}"


def _run_page(page: str, tmp: Path, monkeypatch: pytest.MonkeyPatch, scripts: bool) -> int:
    repo, env = _sandbox(tmp)
    where = run_in(ROOT / page)
    cwd = (tmp / "empty" if where == "empty" else repo / where).resolve()
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", env["HOME"])
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    ran = 0
    for n, block in enumerate(blocks(ROOT / page)):
        if block.lang not in CODE or block.mark == "not run":
            continue
        if block.mark == "run as a script":
            if scripts:
                _run_script(block, cwd, env, n)
                ran += 1
            continue
        if block.lang == "python":
            try:
                exec(compile(block.body, block.where, "exec", dont_inherit=True), namespace)
            except Exception as e:
                raise AssertionError(f"{block.where}: {type(e).__name__}: {e}") from e
        else:
            _run_sh(block, cwd, env)
        ran += 1
    return ran


@pytest.mark.parametrize("page", RUN_PAGES)
def test_the_blocks_of_a_page_run(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run_page(page, tmp_path, monkeypatch, scripts=False) >= 1


SCRIPT_PAGES = sorted({b.page for b in ALL if b.mark == "run as a script"})


@pytest.mark.slow
@pytest.mark.parametrize("page", SCRIPT_PAGES)
def test_the_scripts_of_a_page_run(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's blocks again, with its scripts (slow: they start processes)."""
    scripts = [b for b in ALL if b.page == page and b.mark == "run as a script"]
    assert _run_page(page, tmp_path, monkeypatch, scripts=True) >= len(scripts) + 1
