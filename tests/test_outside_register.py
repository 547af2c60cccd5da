"""A register from outside ``sosreg.registers`` brings everything it owns.

A tiny register ``demo`` (package ``sosreg_demo``: one file spec, one record rule, a
code list, collection data and a generator) is installed through the entry-point group
``sosreg.registers`` (a ``.dist-info`` with an ``entry_points.txt`` on ``sys.path``) and
used in a fresh interpreter through the API (parse, load, validate, generate with
injections, injectable, strategies) and the CLI (generate, validate, status): nothing in
sosreg imports a register module by name (issue 21 item 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src"

FILES: dict[str, str] = {
    "__init__.py": '''
        """The demo register: an outside register for sosreg's tests."""
        from sosreg_demo import rules as rules  # registers the rules
        from sosreg_demo.register import REGISTER

        __all__ = ["REGISTER"]
    ''',
    "register.py": """
        from sosreg.engine.register import Register

        REGISTER = Register(
            name="demo",
            title="Demoregistret",
            title_en="The demo register",
            package="sosreg_demo",
            files={"demo": "DEMO"},
            filename_prefixes=("demo",),
            strategies="sosreg_demo.strategies",
            generator="sosreg_demo.generate",
            not_injectable={"DEMO-080": "previous period: needs the earlier file"},
        )
    """,
    "rules.py": """
        from sosreg_demo.register import REGISTER


        @REGISTER.record("DEMO-020", files=("demo",))
        def many_red(rec, line, ctx):
            limit = ctx.spec.params["max_red"]
            if rec.farg == "R" and rec.antal is not None and rec.antal > limit:
                yield ctx.finding(
                    "DEMO-020", line=line, field="antal", value=str(rec.antal), limit=limit
                )


        @REGISTER.previous("DEMO-080", files=("demo",))
        def fewer(current, previous):
            return ()
    """,
    "rules.toml": """
        [[rules]]
        code = "DEMO-001"
        category = "field"
        severity = "error"
        source = "A test register [provisional]."
        check = "period.mismatch"
        title_sv = "Fel år"
        title_en = "Wrong year"
        message_sv = "Året {value} i fältet {field} är inte filens år {period}."
        message_en = "The year {value} of field {field} is not the file's year {period}."

        [[rules]]
        code = "DEMO-010"
        category = "field"
        severity = "error"
        source = "A test register [provisional]."
        check = "code.unknown"
        title_sv = "Okänd färg"
        title_en = "Unknown colour"
        message_sv = "Färgen {value} i fältet {field} finns inte."
        message_en = "The colour {value} of field {field} does not exist."

        [[rules]]
        code = "DEMO-020"
        category = "record"
        severity = "warning"
        source = "A test register [provisional]."
        title_sv = "Många röda"
        title_en = "Many red ones"
        message_sv = "Antalet {value} röda är fler än {limit}."
        message_en = "The number {value} of red ones is more than {limit}."

        [[rules]]
        code = "DEMO-080"
        category = "previous-period"
        severity = "warning"
        source = "A test register [provisional]."
        title_sv = "Jämfört med förra året"
        title_en = "Compared with last year"
        message_sv = "Jämfört med förra året."
        message_en = "Compared with last year."
    """,
    "specs/demo_2020.toml": """
        register = "demo"
        file = "demo"
        title = "DEMO"
        years = { from = 2020 }
        period = "year"
        period_field = "ar"
        reference = { month = 10, day = 1 }
        provenance = "provisional"
        sources = ["A test register [provisional]"]

        [params]
        max_red = 50

        [[fields]]
        name = "kommun"
        label = "Kommunkod"
        type = "code"
        codelist = "kommun"
        mandatory = true

        [[fields]]
        name = "ar"
        label = "År"
        type = "year"
        mandatory = true
        rules = { "period.mismatch" = "DEMO-001" }

        [[fields]]
        name = "personnummer"
        label = "Personnummer"
        type = "identity"
        accept = ["pnr"]
        mandatory = true

        [[fields]]
        name = "farg"
        label = "Färg"
        type = "code"
        codelist = "demo_farg"
        mandatory = true
        rules = { "code.unknown" = "DEMO-010" }

        [[fields]]
        name = "antal"
        label = "Antal"
        type = "integer"
        min = 0
        max = 99
        mandatory = true
    """,
    "codelists/demo_farg.toml": """
        name = "demo_farg"
        title = "Färg"
        provenance = "provisional"
        sources = ["A test register [provisional]"]

        [[codes]]
        code = "R"
        from = 2020
        label = "Röd"

        [[codes]]
        code = "G"
        from = 2020
        label = "Grön"

        [[codes]]
        code = "B"
        from = 2020
        label = "Blå"
    """,
    "collection.toml": """
        [[subregister]]
        name = "DEMO"
        from = 2020
        frequency = "year"
        nothing_to_report = "no"
        extensions = [".txt"]
        [subregister.source]
        name = "A test register [provisional]"
        frequency = "A test register [provisional]"
        nothing_to_report = "A test register [provisional]"
        extensions = "A test register [provisional]"

        [[subregister.file]]
        kind = "demo"
        mask = "DEMO_<kod>_<ÅÅÅÅ>_<ÅÅÅÅMMDDTHHMM>.txt"
        regex = '^DEMO_([0-9A-Za-z]+)_(\\d{4})_'
        mandatory = true
        empty = false
        source = "A test register [provisional]"

        [[subregister.window]]
        from = 2020
        start = { month = 10, day = 1 }
        deadline = { month = 10, day = 25 }
        end = { month = 12, day = 31 }
        [subregister.window.source]
        start = "A test register [provisional]"
        deadline = "A test register [provisional]"
        end = "A test register [provisional]"
    """,
    "generate.py": """
        from sosreg.generate import Line, Maker as BaseMaker, on_line, born_for_age

        PREFIXES = {"demo": "DEMO"}
        FILE_SETS = (("demo",),)
        DEFAULT_FILES = ("demo",)


        def unit_files(files):
            return tuple(files)


        class Maker(BaseMaker):
            register = "demo"

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                spec = self.spec
                self.pos = {f.name: i for i, f in enumerate(spec.fields)}
                self.base = self.pools(spec)
                self.born = born_for_age(spec.reference_date_for(self.period), 0, 90)

            def unit(self, rng):
                rec = self.draw(rng, self.base)
                rec[self.pos["personnummer"]] = self.people.number(rng, self.born)
                rec[self.pos["antal"]] = str(rng.between(0, 9))
                return [("demo", ";".join(rec))]


        def _many_red(line: Line, ctx):
            line["farg"] = "R"
            line["antal"] = "60"
            return line.expecting("DEMO-020")


        INJECTORS = (on_line("DEMO-020", _many_red, "60 red ones", files=("demo",)),)
    """,
    "strategies.py": """
        from hypothesis import strategies as st

        from sosreg.strategies import generic_records


        def records(spec, year, period):
            return generic_records(spec, year, period).filter(
                lambda r: not (r.farg == "R" and r.antal is not None and r.antal > 50)
            )
    """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder on ``sys.path`` with the ``sosreg_demo`` package and its dist-info."""
    root = tmp_path_factory.mktemp("site")
    for rel, text in FILES.items():
        path = root / "sosreg_demo" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    info = root / "sosreg_demo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sosreg-demo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[sosreg.registers]\ndemo = sosreg_demo:REGISTER\n")
    return root


def _env(site: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(SRC)])
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _python(site: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=_env(site),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sosreg", *args],
        env=_env(site),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_outside_register_through_the_api(site: Path) -> None:
    run = _python(
        site,
        """
        import json
        import sosreg
        from sosreg import codelists
        from sosreg.engine.register import REGISTRY
        from sosreg.generate import NOT_INJECTABLE, injectable, injectors

        assert "demo" in REGISTRY.names()
        reg = REGISTRY.get("demo")
        assert reg.codelists == ("demo_farg",)
        assert [c.code for c in codelists.get("demo_farg").codes] == ["R", "G", "B"]
        assert [s.name for s in reg.subregisters] == ["DEMO"]

        g = sosreg.generate("demo", None, 2023, 40, seed=3, out=None)
        f = g.files[0]
        assert f.name.startswith("DEMO_0180_2023_"), f.name
        report = sosreg.validate(f.data, name=f.name)
        assert report.status.value == "godkänd", [(x.code, x.line) for x in report.findings]
        records = sosreg.load(f.data, name=f.name)
        assert len(records) == 40 and records[0].farg in {"R", "G", "B"}
        parsed = sosreg.parse(f.data, name=f.name)
        assert parsed.spec.register == "demo"

        bad = sosreg.generate(
            "demo", "demo", 2023, 40, seed=3, inject="DEMO-020:2,DEMO-010,DEMO-001,SOS-104",
            out=None,
        )
        bf = bad.files[0]
        found = sorted(
            (x.code, x.line)
            for x in sosreg.validate(bf.data, name=bf.name).findings
            if x.severity is not sosreg.Severity.INFO
        )
        assert found == sorted((e.code, e.line) for e in bf.expected), (found, bf.expected)
        assert {c for c, _ in found} == {"DEMO-020", "DEMO-010", "DEMO-001", "SOS-104"}

        can = injectable("demo")
        assert can["DEMO-020"] and can["DEMO-010"] and not can["DEMO-080"]
        assert NOT_INJECTABLE["DEMO-080"] == "previous period: needs the earlier file"
        assert "DEMO-020" in injectors("demo", ("demo",), 2023)
        try:
            sosreg.generate("demo", "demo", 2023, 5, inject="DEMO-080", out=None)
        except sosreg.UsageError as exc:
            assert "previous period" in str(exc), exc
        else:
            raise AssertionError("DEMO-080 injected")

        from hypothesis import given, settings
        from sosreg import strategies as st_sos

        @settings(max_examples=10, deadline=None, database=None)
        @given(st_sos.files("demo", "demo", 2023, max_size=5))
        def check(recs):
            for r in recs:
                assert not (r.farg == "R" and r.antal > 50)

        check()

        from sosreg import docgen
        page = docgen.register_page("demo")
        assert "# Demoregistret (`demo`)" in page and "`farg`" in page, page
        print("ok")
        """,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("ok")


def test_outside_register_through_the_cli(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    made = _cli(
        site,
        *("generate", "--register", "demo", "--year", "2023", "-n", "30", "--seed", "2"),
        *("--inject", "DEMO-020", "-o", str(out)),
    )
    assert made.returncode == 0, made.stderr
    (path,) = out.glob("DEMO_*.txt")
    expected = json.loads((out / f"{path.name}.expected.json").read_text("utf-8"))
    assert [f["code"] for f in expected["findings"]] == ["DEMO-020"]

    checked = _cli(site, "validate", str(path), "--format", "json")
    assert checked.returncode == 1, checked.stderr  # godkänd med varningar
    assert '"code": "DEMO-020"' in checked.stdout

    listed = _cli(site, "generate", "--register", "demo", "--year", "2023", "--injectors")
    assert listed.returncode == 0, listed.stderr
    assert "DEMO-020" in listed.stdout

    rules = _cli(site, "rules", "--register", "demo")
    assert rules.returncode == 0, rules.stderr
    assert "DEMO-020" in rules.stdout and "DEMO-080" in rules.stdout

    status = _cli(site, "status", str(out), "--year", "2023", "--on", "2023-11-01")
    assert status.returncode in (0, 1), status.stdout + status.stderr
    assert "DEMO" in status.stdout


def test_no_register_module_is_imported_by_name() -> None:
    """Outside the register packages, no module of src/ names a register's module in an
    import path it builds (``sosreg.registers.{name}...``)."""
    offenders = []
    for path in (SRC / "sosreg").rglob("*.py"):
        if "registers" in path.relative_to(SRC).parts[1:2]:
            continue
        text = path.read_text("utf-8")
        if 'f"sosreg.registers.{' in text:
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == ["sosreg/plugins.py"]  # the built-in registers' own declaration


def test_a_register_cannot_replace_a_built_in_code_list() -> None:
    from sosreg import codelists

    kommun = codelists.get("kommun")
    with pytest.raises(codelists.CodeListError, match="built in"):
        codelists.provide(kommun)
