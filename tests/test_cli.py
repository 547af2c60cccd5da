from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import M_MED, M_SOLO, P0

import sosreg
import sosreg.frames
from sosreg.cli import main
from sosreg.engine.rules import CATALOGUE

EXAMPLES = Path(__file__).parent.parent / "examples"
GOOD = EXAMPLES / "Ekb_0330_202301_20230214T0930.txt"
BAD = EXAMPLES / "Ekb_0330_202302_20230314T1200.txt.csv"


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def test_exit_0_for_godkand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(GOOD)]) == 0
    out = capsys.readouterr().out
    assert "Status: GODKÄND" in out


def test_exit_1_for_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "Ekb_9999_202301_20230214T0930.txt", [M_SOLO.replace("0330", "9999")])
    assert main(["validate", str(path)]) == 1
    assert "GODKÄND MED VARNINGAR" in capsys.readouterr().out


def test_exit_2_for_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BAD)]) == 2
    out = capsys.readouterr().out
    assert "INTE GODKÄND" in out
    assert "rad 3" in out and "SOS-211" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "/no/such/Ekb_0330_202301_x.txt"],
        ["validate", "--register", "nope", "x.txt"],
        ["validate", "--register", "ekb", "--file", "nope", str(GOOD)],
        ["validate", "--year", "2010", str(GOOD)],
        ["validate", str(Path(__file__))],  # no register in the name
    ],
)
def test_exit_3_when_it_cannot_run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 3
    assert capsys.readouterr().err.startswith("sosreg: ")


@pytest.mark.parametrize("argv", [["validate", "--year", "notayear", "x.txt"], ["frobnicate"], []])
def test_argparse_errors_exit_3(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 3


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path, "Ekb_0330_202301_20230214T0930.txt", [M_SOLO, M_MED.replace(P0, "1,98503E+11")]
    )
    assert main(["validate", str(path), "--format", "json"]) == 2
    data = json.loads(capsys.readouterr().out)
    (delivery,) = data["deliveries"]
    assert delivery["status"] == data["summary"]["status"]
    assert delivery["status"]["code"] == "inte_godkand"
    assert delivery["status"]["label_sv"] == "inte godkänd"
    assert delivery["status"]["exit_code"] == 2
    assert data["schema_version"] and data["sosreg_version"]
    (report,) = delivery["files"]
    assert report["register"] == "ekb" and report["file"] == "manad"
    assert report["period"] == "202301" and report["kommun"] == "0330"
    assert report["input"]["size"] == path.stat().st_size
    assert len(report["input"]["sha256"]) == 64
    assert {
        "code": "SOS-211",
        "collector": None,
        "severity": "error",
        "severity_label": "fel",
        "title": "Personnummer i exponentform",
        "count": 1,
        "shown": 1,
    } in report["counts"]
    f = next(f for f in report["findings"] if f["code"] == "SOS-211")
    assert f["line"] == 2 and f["field"] == "sokande" and f["severity"] == "error"
    assert f["category"] == "field"


def test_explicit_arguments_override_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "export.txt", [M_SOLO])
    assert (
        main(["validate", str(path), "--register", "ekb", "--file", "manad", "--year", "2023"]) == 0
    )


def test_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BAD), "--lang", "en"]) == 2
    out = capsys.readouterr().out
    assert "REJECTED" in out and "scientific notation" in out


def test_delivery(capsys: pytest.CaptureFixture[str]) -> None:
    ao = EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt"
    assert main(["validate", str(GOOD), str(ao)]) == 0
    assert main(["validate", str(GOOD), str(ao), "--format", "json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{") :])
    (delivery,) = data["deliveries"]
    assert delivery["status"]["code"] == "godkand" and len(delivery["files"]) == 2
    assert data["summary"]["files"] == 2 and data["summary"]["by_status"]["godkand"] == 1


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--register", "ekb"]) == 0
    out = capsys.readouterr().out
    assert "EKB-069" in out and "SOS-108" in out
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any(r["code"] == "EKB-012" and r["severity"] == "error" for r in data)
    assert all(r["source"] and r["source_sv"] for r in data)


@pytest.mark.parametrize("register", ["lss", "bu"])
def test_rules_command_gives_each_rule_its_source(
    register: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sosreg rules --register lss|bu`: every rule, each with the line of its source."""
    assert main(["rules", "--register", register]) == 0
    lines = capsys.readouterr().out.splitlines()
    own = [i for i, line in enumerate(lines) if line.startswith(register.upper() + "-")]
    assert own
    for i in own:
        code = lines[i].split()[0]
        assert lines[i + 1].strip() == f"källa: {CATALOGUE[code].source_sv}"
    assert main(["rules", "--register", register, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert all(f"source: {r.source}" in out for r in CATALOGUE.for_register(register))


def test_codes_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "ekb_hinderkod", "--year", "2017"]) == 0
    out = capsys.readouterr().out
    assert "111" in out and "011" not in out
    assert main(["codes", "ekb_hinderkod"]) == 0
    out = capsys.readouterr().out
    assert "011" in out and "–2016" in out
    assert main(["codes"]) == 0
    assert "kommun" in capsys.readouterr().out
    assert main(["codes", "nope"]) == 3


def test_spec_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", "--register", "ekb", "--file", "ar", "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert "belopp_12" in out
    assert main(["spec", "--register", "ekb", "--file", "ar", "--year", "2016"]) == 3


def test_a_directory_leaves_out_what_is_not_a_register_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sosreg generate -o DIR`` writes ``<file>.expected.json`` beside the file; a report
    written into the directory is ``<file>.sosreg.<fmt>``; a README is no register file.
    None of them joins the delivery, and stderr says what was left out."""
    from sosreg.batch import expand, in_directory

    good = tmp_path / GOOD.name
    good.write_bytes(GOOD.read_bytes())
    (tmp_path / (GOOD.name + ".expected.json")).write_text("{}")
    (tmp_path / (GOOD.name + ".sosreg.html")).write_text("<html></html>")
    (tmp_path / "README.md").write_text("# deliveries\n")
    (tmp_path / "~$Ekb_0330_202301_x.txt").write_bytes(b"lock")
    xlsx = tmp_path / "Ekb_0330_202301_20230214T0931.xlsx"  # named for a register: checked
    xlsx.write_bytes(b"PK\x03\x04")
    plain = tmp_path / "export.txt"  # a text file by its suffix: checked
    plain.write_bytes(GOOD.read_bytes())
    skipped: list[str] = []
    assert expand([str(tmp_path)], skipped) == sorted([str(good), str(xlsx), str(plain)])
    assert sorted(Path(p).name for p in skipped) == sorted(
        [
            GOOD.name + ".expected.json",
            GOOD.name + ".sosreg.html",
            "README.md",
            "~$Ekb_0330_202301_x.txt",
        ]
    )
    assert not in_directory(".DS_Store") and in_directory("data")
    # a pattern is explicit: it takes what it matches
    assert str(tmp_path / "README.md") in expand([str(tmp_path / "*.md")])

    plain.unlink()  # without --file it could not be checked (exit 3)
    assert main(["validate", str(tmp_path)]) == 2  # the .xlsx is checked (and found wanting)
    captured = capsys.readouterr()
    assert (
        "left out 4 files in the directories that are not" in captured.err
        and "README.md" in captured.err
    )
    assert ".expected.json" not in captured.out.split("Sammanställning")[1]
    assert main(["validate", str(tmp_path), "-q"]) == 2
    assert capsys.readouterr().err == ""


def test_a_directory_with_no_register_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text("# nothing here\n")
    assert main(["validate", str(tmp_path)]) == 3
    assert "no register files (left out: README.md)" in capsys.readouterr().err


# -- an optional dependency missing: exit 3 with the pip hint, never a bug (exit 4) ------

_POLARS_HINT = 'needs polars: pip install "sosreg[fast]"'


@pytest.mark.parametrize("many", [False, True])
def test_columnar_without_polars_is_a_usage_error(
    many: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 19 item 8: ``--engine columnar`` without polars exits 3 with the hint."""
    monkeypatch.setitem(sys.modules, "polars", None)  # `import polars` raises ImportError
    args = ["validate", str(GOOD), "--engine", "columnar"] + (["-j", "1"] if many else [])
    assert main(args) == 3
    err = capsys.readouterr().err
    assert f"the columnar engine {_POLARS_HINT}" in err
    assert "Traceback" not in err and "internal error" not in err


def test_columnar_without_polars_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(sosreg.UsageError, match=re.escape(_POLARS_HINT)):
        sosreg.validate(GOOD, engine="columnar")
    with pytest.raises(sosreg.UsageError, match=re.escape(_POLARS_HINT)):
        sosreg.validate_delivery([GOOD], engine="columnar")
    assert sosreg.validate(GOOD).status.code == "godkand"  # the row engine needs none


@pytest.mark.parametrize(
    ("module", "call", "hint"),
    [
        ("polars", lambda: sosreg.scan([GOOD]).frame, 'pip install "sosreg[parquet]"'),
        ("pyarrow", lambda: sosreg.scan([GOOD]).to_arrow(), 'pip install "sosreg[parquet]"'),
        ("pandas", lambda: sosreg.validate(BAD).to_frame(), 'pip install "sosreg[pandas]"'),
        ("pandas", lambda: sosreg.frames.read_pandas(GOOD), 'pip install "sosreg[pandas]"'),
    ],
)
def test_every_optional_import_is_a_usage_error(
    module: str, call: Any, hint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(sosreg.UsageError, match=re.escape(f"needs {module}: {hint}")):
        call()


def test_columnar_without_polars_in_a_fresh_process(tmp_path: Path) -> None:
    """As a user without the extra sees it: a new interpreter where polars is absent."""
    code = (
        "import sys; sys.modules['polars'] = None\n"
        "from sosreg.cli import main\n"
        f"sys.exit(main(['validate', {str(GOOD)!r}, '--engine', 'columnar']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip() == f"sosreg: the columnar engine {_POLARS_HINT}"


def test_summary_table_ends_with_totals(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19 item 10: the summary of several deliveries has a totals row."""
    pattern = str(EXAMPLES / "Ekb_*")
    assert main(["validate", pattern]) == 2
    out = capsys.readouterr().out
    table = out[out.index("Sammanställning") :].splitlines()
    rows = [line.split() for line in table[2:-1]]
    total = table[-1].split()
    assert total[0] == "totalt"
    errors = [int(next(t for t in r if t.isdigit())) for r in rows]
    assert int(total[1]) == sum(errors) == 12
    assert "3 leveranser, 4 filer:" in table[-1] and "1 inte godkänd" in table[-1]
    assert main(["validate", str(GOOD), str(BAD), "-j", "1", "--lang", "en"]) == 2
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.split()[0] == "total" and "2 deliveries, 2 files: 1 accepted, 1 rejected" in last
