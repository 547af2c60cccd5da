"""The public API's signatures (issue 21 item 3): every parameter visible, typed, checked
by mypy; a misspelt keyword names the function called; messages speak Python to Python
callers and flags to the CLI's users."""

from __future__ import annotations

import inspect
import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sosreg
import sosreg.frames
from sosreg import analysts, batch
from sosreg.cli import main
from sosreg.engine.pipeline import Parsed

TESTS = Path(__file__).parent
GOOD = str(TESTS.parent / "examples" / "Ekb_0330_201707_20170815T1011.txt")

READERS: dict[str, Callable[..., Any]] = {
    "validate": sosreg.validate,
    "load": sosreg.load,
    "validate_delivery": sosreg.validate_delivery,
    "scan": sosreg.scan,
    "export_file": analysts.export_file,
    "export": analysts.export,
    "read_pandas": sosreg.frames.read_pandas,
    "Parsed": Parsed.__init__,
}
"""The functions that take :func:`sosreg.parse`'s reading parameters (or some)."""

DIFFERENT: dict[tuple[str, str], str] = {
    ("scan", "engine"): "the analysts' default is the columnar engine",
    ("export_file", "engine"): "the analysts' default is the columnar engine",
    ("export", "engine"): "the analysts' default is the columnar engine",
    ("load", "engine"): "records come from the row engine (parse's default is auto)",
    ("read_pandas", "engine"): "records come from the row engine (parse's default is auto)",
}
"""Reading parameters whose default differs from parse's on purpose."""

OTHER_MEANING: set[tuple[str, str]] = {("export", "progress")}
"""Parameters named as one of parse's that mean something else (called per file)."""


def _public() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for module, names in (
        (sosreg, sosreg.__all__),
        (analysts, analysts.__all__),
        (batch, batch.__all__),
        (sosreg.frames, [n for n in dir(sosreg.frames) if not n.startswith("_")]),
    ):
        for name in names:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__.startswith("sosreg"):
                found.append((f"{module.__name__}.{name}", obj))
    found.append(("sosreg.batch.Options", batch.Options))
    found.append(("sosreg.Parsed", Parsed))
    return found


@pytest.mark.parametrize(("name", "fn"), _public(), ids=[n for n, _ in _public()])
def test_every_public_function_shows_its_parameters(name: str, fn: Callable[..., Any]) -> None:
    params = inspect.signature(fn).parameters.values()
    hidden = [p.name for p in params if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    assert not hidden, f"{name} hides parameters behind {hidden}"
    untyped = [p.name for p in params if p.annotation is inspect.Parameter.empty]
    assert not untyped, f"{name}: {untyped} have no type"


def test_the_api_functions_are_among_those_checked() -> None:
    names = {n for n, _ in _public()}
    for wanted in ("validate", "parse", "load", "validate_delivery", "scan", "write"):
        assert f"sosreg.{wanted}" in names
    assert {"sosreg.analysts.export_file", "sosreg.batch.render", "sosreg.batch.run"} <= names


@pytest.mark.parametrize("name", list(READERS))
def test_reading_parameters_are_parses(name: str) -> None:
    """One meaning per parameter: each reader's reading parameters have parse's type
    and default (documented once, in parse's docstring)."""
    ours = inspect.signature(sosreg.parse).parameters
    theirs = inspect.signature(READERS[name]).parameters
    shared = [n for n in theirs if n in ours and n != "source" and (name, n) not in OTHER_MEANING]
    assert {"register", "year", "codelists", "max_details", "engine"} <= set(shared)
    for n in shared:
        assert theirs[n].annotation == ours[n].annotation, (name, n)
        assert theirs[n].kind is inspect.Parameter.KEYWORD_ONLY, (name, n)
        if (name, n) not in DIFFERENT:
            assert theirs[n].default == ours[n].default, (name, n)
        else:
            assert theirs[n].default != ours[n].default, (name, n)


def test_validate_and_parse_take_every_reading_parameter() -> None:
    ours = set(inspect.signature(sosreg.parse).parameters)
    for fn in (sosreg.validate, sosreg.load, sosreg.frames.read_pandas, Parsed.__init__):
        assert ours - {"source"} <= set(inspect.signature(fn).parameters), fn


def test_options_fields_are_the_reading_parameters_types() -> None:
    ours = inspect.signature(sosreg.parse).parameters
    fields = inspect.signature(batch.Options).parameters
    for n in ("register", "file", "year", "period", "spec", "max_details", "engine", "on"):
        assert fields[n].annotation == ours[n].annotation, n


# -- a misspelt keyword names the function called ----------------------------------------

TYPOS: list[tuple[str, Callable[[], object]]] = [
    ("validate", lambda: sosreg.validate(GOOD, regster="ekb")),  # type: ignore[call-arg]
    ("parse", lambda: sosreg.parse(GOOD, regster="ekb")),  # type: ignore[call-arg]
    ("load", lambda: sosreg.load(GOOD, regster="ekb")),  # type: ignore[call-arg]
    (
        "validate_delivery",
        lambda: sosreg.validate_delivery([GOOD], regster="ekb"),  # type: ignore[call-arg]
    ),
    ("scan", lambda: sosreg.scan(GOOD, regster="ekb")),  # type: ignore[call-arg]
    (
        "export_file",
        lambda: analysts.export_file(GOOD, "x", key=b"k", regster="ekb"),  # type: ignore[call-arg]
    ),
    ("write", lambda: sosreg.write([], "x", regster="ekb")),  # type: ignore[call-arg]
    (
        "read_pandas",
        lambda: sosreg.frames.read_pandas(GOOD, regster="ekb"),  # type: ignore[call-arg]
    ),
    ("Options.__init__", lambda: batch.Options(regster="ekb")),  # type: ignore[call-arg]
    (
        "render",
        lambda: batch.render((GOOD,), batch.Options(), regster="ekb"),  # type: ignore[call-arg]
    ),
    (
        "run",
        lambda: list(batch.run([(GOOD,)], batch.Options(), regster="ekb")),  # type: ignore[call-arg]
    ),
    (
        "generate",
        lambda: sosreg.generate("ekb", "manad", 2023, 1, regster="x"),  # type: ignore[call-arg]
    ),
]


@pytest.mark.parametrize(("name", "call"), TYPOS, ids=[n for n, _ in TYPOS])
def test_a_misspelt_keyword_names_the_function_called(
    name: str, call: Callable[[], object]
) -> None:
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == f"{name}() got an unexpected keyword argument 'regster'"


# -- messages: Python's parameters, the CLI's flags -------------------------------------------


def test_python_callers_are_told_the_parameter() -> None:
    with pytest.raises(sosreg.UsageError) as info:
        sosreg.validate(io.BytesIO(b"x\r\n"))
    message = str(info.value)
    assert "give register=, one of: " in message and "ekb" in message
    assert "--" not in message
    assert info.value.parameters == ("register",)
    with pytest.raises(sosreg.UsageError) as info:
        sosreg.validate(io.BytesIO(b"x\r\n"), register="ekb")
    assert "give file=, one of: " in str(info.value) and "--" not in str(info.value)
    assert info.value.parameters == ("file",)


def test_batch_tells_python_callers_the_parameter() -> None:
    outcome = batch.render((GOOD,), batch.Options(format="xlsx"))
    assert outcome.problem == "the xlsx report is a file: give path="
    assert outcome.parameters == ("path",)


def test_usage_error_says_flags_for_the_cli() -> None:
    exc = sosreg.UsageError(
        "give register= or max_details=", parameters=("register", "max_details")
    )
    assert exc.for_cli() == "give --register or --max-details"
    assert exc.for_cli({"register": "-r"}) == "give -r or --max-details"
    assert sosreg.UsageError("register=x").for_cli() == "register=x"  # names no parameter


def test_the_cli_is_told_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data.txt"
    data.write_bytes(b"x\r\n")
    assert main(["validate", str(data)]) == 3
    err = capsys.readouterr().err
    assert "give --register, one of: " in err and "register=" not in err
    assert main(["validate", str(data), "--register", "ekb"]) == 3
    err = capsys.readouterr().err
    assert "give --file, one of: " in err and "file=" not in err


def test_the_cli_is_told_the_flag_for_many_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(b"x\r\n")
    assert main(["validate", str(tmp_path), "--format", "json"]) == 3
    captured = capsys.readouterr()
    assert "give --register, one of: " in captured.err and "register=" not in captured.err
    assert "register=" not in captured.out


# -- mypy checks callers ------------------------------------------------------------------------


def _mypy(path: Path, cache: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(cache), str(path)],
        capture_output=True, text=True, cwd=TESTS.parent,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def test_mypy_checks_callers(tmp_path: Path) -> None:
    """tests/typing_check.py type-checks; every bad call in it is an error (its ignore is
    used), and without the ignores mypy reports each of them, on its line."""
    pytest.importorskip("mypy")
    source = (TESTS / "typing_check.py").read_text()
    code, out = _mypy(TESTS / "typing_check.py", tmp_path / "cache")
    assert code == 0, out
    ignored = {
        n: m.group(1)
        for n, line in enumerate(source.splitlines(), 1)
        if (m := re.search(r"  # type: ignore\[([a-z-]+)\]$", line))
    }
    assert len(ignored) >= 12
    bare = tmp_path / "typing_check.py"
    bare.write_text(re.sub(r"  # type: ignore\[[a-z-]+\]", "", source))
    code, out = _mypy(bare, tmp_path / "cache")
    assert code == 1
    errors = {
        int(m.group(1)): m.group(2)
        for m in re.finditer(r"typing_check\.py:(\d+): error: .*\[([a-z-]+)\]$", out, re.M)
    }
    assert errors == ignored, out


# -- python -m sosreg.cli ----------------------------------------------------------------------


def test_python_m_sosreg_cli_runs_every_command() -> None:
    """The main guard comes after every command's function (it once ran before
    ``_export`` was defined: ``NameError``)."""
    done = subprocess.run(
        [sys.executable, "-m", "sosreg.cli", "codes"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert "Error" not in done.stderr
