"""The collector's view (issue 20): collection rules as data, what the portal refuses,
the period's combined status (domain.md §14) and ``sosreg status``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

import sosreg
from sosreg.cli import main
from sosreg.engine.collection import (
    DeclarationRefused,
    Delivery,
    DeliveryStatus,
    PeriodState,
    load_collection,
    match_name,
    name_timestamp,
)
from sosreg.status import Obligation, status, subregisters

EXAMPLES = Path(__file__).parent.parent / "examples"
SCHEMA = Path(sosreg.__file__).parent / "schemas" / "status.schema.json"
OK = DeliveryStatus.GODKAND
WARN = DeliveryStatus.GODKAND_MED_VARNINGAR
BAD = DeliveryStatus.INTE_GODKAND


def t(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2023, 2, day, hour, 0)


# --- 1. collection rules as data ------------------------------------------------------


def test_every_subregister_is_data_with_the_collectors_short_name() -> None:
    subs = subregisters()
    assert set(subs) == {
        "EKB-Månad", "EKB-AO", "EKB-År", "SOL1", "SOL2", "KHSL1", "KHSL2", "LSS", "BU",
    }  # fmt: skip
    assert [f.kind for f in subs["BU"].files] == ["barn", "insats", "placering"]
    assert subs["EKB-Månad"].pair == "EKB-AO" and subs["EKB-AO"].pair == "EKB-Månad"
    assert subs["SOL1"].pair == "SOL2" and subs["SOL2"].pair == "SOL1"
    assert {n for n, s in subs.items() if s.declarable} == {"EKB-AO", "SOL2"}
    assert subs["KHSL1"].nothing_to_report.value == "email"
    for sub in subs.values():
        assert all(len(w.reminders) <= 3 for w in sub.windows)
        for window in sub.windows:  # every window day has a source, most say they guess
            assert "[provisional]" in window.source["end"]
    reg = sosreg.REGISTRY.get("ekb")
    assert [s.name for s in reg.subregisters] == ["EKB-Månad", "EKB-AO", "EKB-År"]
    assert reg.subregister("ao") is subs["EKB-AO"]


def test_ekb_ar_deadline_is_chosen_by_statistikar() -> None:
    ar = subregisters()["EKB-År"]
    assert ar.dates("2023").deadline == dt.date(2024, 4, 15)  # the 2023 letter
    assert ar.dates("2024").deadline == dt.date(2025, 5, 15)  # the 2024 report
    assert "2023 letter" in ar.window(2023).source["deadline"]
    assert "2024 report" in ar.window(2024).source["deadline"]


def test_a_value_without_a_source_is_refused() -> None:
    text = (EXAMPLES.parent / "src/sosreg/registers/lss/collection.toml").read_text("utf-8")
    assert load_collection(text, "lss").subregisters[0].name == "LSS"
    with pytest.raises(ValueError, match="no source for deadline"):
        load_collection(text.replace('deadline = "25 October', 'x = "'), "lss")
    with pytest.raises(ValueError, match="tag"):
        load_collection(text.replace("[seed][public]", ""), "lss")


def test_names_match_case_insensitively_with_file_code_and_period() -> None:
    m = match_name("ekb_ao_0330_202301_20230214T0931.txt")
    assert m is not None and m.subregister.name == "EKB-AO" and m.code == "0330"
    assert m.period == "202301" and m.timestamp == dt.datetime(2023, 2, 14, 9, 31)
    assert match_name("Ekb_0330_2023_20240410T0900.txt").subregister.name == "EKB-År"  # type: ignore[union-attr]
    assert match_name("Ekb_0330_202301_20230214T0930.txt").subregister.name == "EKB-Månad"  # type: ignore[union-attr]
    assert match_name("BU_PLACERING_0330_2023_x.txt").file.kind == "placering"  # type: ignore[union-attr]
    assert match_name("ekonomi_mars.txt") is None
    assert name_timestamp("SOL1_0330_202301.txt") is None


# --- 2. what the portal refuses ----------------------------------------------------------

ON_TIME = dt.date(2023, 2, 14)


def _codes(report: sosreg.Report, category: str = "portal") -> dict[str, sosreg.Finding]:
    return {f.code: f for f in report.findings if f.category.value == category}


def test_portal_stage_runs_only_with_a_day_and_never_changes_the_contents_verdict() -> None:
    path = EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt"
    plain = sosreg.validate(path)
    assert not _codes(plain)
    for day in (ON_TIME, dt.date(2030, 1, 1), dt.date(2000, 1, 1)):
        judged = sosreg.validate(path, on=day)
        assert judged.status == plain.status == sosreg.Status.GODKAND
        assert "SOS-034" in _codes(judged)


def test_sos032_the_window_is_closed_with_the_collectors_words() -> None:
    path = EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt"
    assert "SOS-032" not in _codes(sosreg.validate(path, on=ON_TIME))
    late = sosreg.validate(path, on=dt.date(2023, 7, 1))  # the window ended 2023-06-30
    f = _codes(late)["SOS-032"]
    assert f.severity is sosreg.Severity.ERROR and f.line is None
    assert "Period i filnamnet inte inom godkänt intervall." in f.message()
    assert late.portal_status is sosreg.Status.INTE_GODKAND
    assert late.status is sosreg.Status.GODKAND
    early = sosreg.validate(path, on=dt.date(2023, 1, 31))
    assert "inte öppnat än" in _codes(early)["SOS-032"].message()


def test_sos031_last_extension_replaces_the_double_extension_hint() -> None:
    path = EXAMPLES / "Ekb_0330_202302_20230314T1200.txt.csv"
    judged = sosreg.validate(path, on=dt.date(2023, 3, 14))
    f = _codes(judged)["SOS-031"]
    assert f.severity is sosreg.Severity.ERROR and f.line is None
    assert ".csv" in f.message() and ".txt" in f.message()
    assert "SOS-006" not in {x.code for x in judged.findings}  # said once, by SOS-031
    assert "SOS-006" in {x.code for x in sosreg.validate(path).findings}
    good = EXAMPLES / "Ekb_0330_202301_20230214T0930.txt"
    assert "SOS-031" not in _codes(sosreg.validate(good, on=ON_TIME))


def test_sos030_a_name_no_expected_file_matches(tmp_path: Path) -> None:
    data = (EXAMPLES / "SOL1_0330_202301_20230214T0940.txt").read_bytes()
    bad = tmp_path / "sol1_0330_jan.txt"
    bad.write_bytes(data)
    report = sosreg.validate(bad, register="sol", file="sol1", period="202301", on=ON_TIME)
    f = _codes(report)["SOS-030"]
    assert f.severity is sosreg.Severity.ERROR and f.line is None
    assert "Felaktig period i filnamnet, sol1_0330_jan.txt" in f.message()
    assert "SOL1_<kod>_<ÅÅÅÅMM>" in f.message()
    ok = sosreg.validate(EXAMPLES / "SOL1_0330_202301_20230214T0940.txt", on=ON_TIME)
    assert "SOS-030" not in _codes(ok)


def test_sos033_an_empty_file_where_empty_is_not_allowed(tmp_path: Path) -> None:
    empty = tmp_path / "SOL2_0330_202301_20230214T0941.txt"
    empty.write_bytes(b"")
    f = _codes(sosreg.validate(empty, on=ON_TIME))["SOS-033"]
    assert f.severity is sosreg.Severity.ERROR and "SOL2" in f.message()
    full = EXAMPLES / "SOL2_0330_202301_20230214T0941.txt"
    assert "SOS-033" not in _codes(sosreg.validate(full, on=ON_TIME))


def test_cli_on_counts_the_portal_in_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt")
    assert main(["validate", path, "--on", "2023-02-14"]) == 0
    assert "Portalen (per 2023-02-14): tar emot filen" in capsys.readouterr().out
    assert main(["validate", path, "--on", "2024-01-01"]) == 2
    assert main(["validate", path]) == 0  # judged by today: shown, not counted
    assert "(i dag; ange en annan dag med --on, i Python on=)" in capsys.readouterr().out


# --- 3. the period's combined status (§14) ----------------------------------------------


FEB14 = t(14)


def d(sub: str, st: DeliveryStatus, when: dt.datetime = FEB14, **kw: str) -> Delivery:
    return Delivery(kw.pop("kommun", "0330"), sub, kw.pop("period", "202301"), when, st, **kw)


@pytest.mark.parametrize(
    ("deliveries", "expected"),
    [
        ([d("EKB-Månad", OK)], "error"),  # without EKB-AO
        ([d("EKB-AO", OK)], "error"),  # the reverse
        ([d("SOL1", OK)], "error"),
        ([d("SOL2", OK)], "error"),
        ([d("EKB-Månad", OK), d("EKB-AO", OK)], "ok"),
        ([d("SOL1", OK), d("SOL2", WARN)], "warning"),
        ([d("SOL1", OK), d("SOL2", BAD)], "error"),
        ([d("SOL1", OK), d("SOL2", DeliveryStatus.LEVERERAD)], "error"),  # not yet checked
        ([d("SOL1", WARN), d("SOL2", BAD)], "error"),
        ([d("KHSL1", OK)], "ok"),  # no pair
        ([d("KHSL1", OK), d("KHSL2", WARN)], "warning"),
        ([], ""),
        # re-deliveries: the latest counts
        ([d("SOL1", BAD, t(14)), d("SOL1", OK, t(20)), d("SOL2", OK)], "ok"),
        ([d("SOL1", OK, t(20)), d("SOL1", BAD, t(14)), d("SOL2", OK)], "ok"),
        ([d("SOL1", OK, t(14)), d("SOL1", BAD, t(20)), d("SOL2", OK)], "error"),
        # another kommun's or period's deliveries do not count
        ([d("SOL1", OK), d("SOL2", OK, kommun="0180")], "error"),
        ([d("SOL1", OK), d("SOL2", OK, period="202302")], "error"),
    ],
)
def test_period_status(deliveries: list[Delivery], expected: str) -> None:
    assert sosreg.period_status("0330", "202301", deliveries).status.value == expected


def test_inget_att_rapportera_is_a_warning_and_only_where_allowed() -> None:
    decl = sosreg.Declaration("0330", "SOL2", "202301", dt.date(2023, 2, 10))
    got = sosreg.period_status("0330", "202301", [d("SOL1", OK)], [decl])
    assert got.status is PeriodState.WARNING
    assert ("SOL2: Inget att rapportera", "SOL2: Inget att rapportera") in got.reasons
    # a file after the declaration replaces it
    later = sosreg.period_status("0330", "202301", [d("SOL1", OK), d("SOL2", OK)], [decl])
    assert later.status is PeriodState.OK
    for sub in ("KHSL1", "SOL1", "EKB-Månad", "BU"):
        with pytest.raises(DeclarationRefused) as info:
            sosreg.declare(sosreg.Declaration("0330", sub, "202301", dt.date(2023, 2, 10)))
        assert info.value.finding.code == "SOS-035"
    with pytest.raises(DeclarationRefused, match="e-mail"):
        sosreg.period_status(
            "0330",
            "202301",
            [],
            [sosreg.Declaration("0330", "KHSL2", "202301", dt.date(2023, 2, 1))],
        )


def test_per_unit_reporting_is_an_error_until_every_unit_has_delivered() -> None:
    units = {"SOL1": ["0001", "0002"], "SOL2": ["0001", "0002"]}
    one = [d("SOL1", OK, unit="0001"), d("SOL2", OK, unit="0001")]
    got = sosreg.period_status("0330", "202301", one, units=units)
    assert got.status is PeriodState.ERROR
    assert (
        "SOL1: enheten 0002 har inte levererat",
        "SOL1: unit 0002 has not delivered",
    ) in got.reasons
    both = [*one, d("SOL1", OK, unit="0002"), d("SOL2", WARN, unit="0002")]
    assert sosreg.period_status("0330", "202301", both, units=units).status is PeriodState.WARNING


def test_counting_is_the_latest_by_timestamp_per_expected_file() -> None:
    a, b = d("BU", BAD, t(1), kind="barn"), d("BU", OK, t(2), kind="barn")
    c = d("BU", OK, t(1), kind="insats")
    assert sosreg.counting([b, a, c]) == [b, c]
    no_time = d("SOL1", OK, None)  # type: ignore[arg-type]
    assert sosreg.counting([no_time, a]) == [no_time, a]
    assert sosreg.counting([no_time, d("SOL1", BAD, t(3))])[0].status is BAD


# --- 4. sosreg status on a small hand-built year ----------------------------------------

ON = dt.date(2023, 6, 3)


def _write(folder: Path, sub: str, code: str, period: str, stamp: str, bad: bool = False) -> None:
    g = sosreg.generate(
        "sol", sub.lower(), 2023, 2, kommun=code[:4], period=period, out=None, seed=int(period),
        inject="SOS-104" if bad else None,
    )  # fmt: skip
    data = g.files[0].data
    assert data is not None
    (folder / f"{sub}_{code}_{period}_{stamp}.txt").write_bytes(data)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five kommuner, SOL January–April 2023 (judged on 2023-06-03: all four are owed)."""
    folder = tmp_path_factory.mktemp("year")
    months = ["202301", "202302", "202303", "202304"]
    for m in months:
        stamp = f"{m[:4]}{int(m[4:]) + 1:02d}10T0900"  # the 10th of the next month
        for k in ("0180", "1480", "0580"):
            _write(folder, "SOL1", k, m, stamp)
        _write(folder, "SOL1", "0380", m, stamp if m != "202303" else "20230420T0900")
        if m != "202304":
            _write(folder, "SOL2", "0380", m, stamp if m != "202303" else "20230420T0900")
            _write(folder, "SOL2", "0580", m, stamp)
        _write(folder, "SOL2", "0180", m, stamp)
        # 1480 re-delivers: February's SOL1 first damaged then fixed; March's SOL2 the reverse
        _write(folder, "SOL2", "1480", m, stamp)
    _write(folder, "SOL1", "1480", "202302", "20230301T0800", bad=True)
    _write(folder, "SOL2", "1480", "202303", "20230412T0900", bad=True)
    _write(folder, "SOL1", "0180", "202305", "20230601T0900")  # May: early, not yet due
    _write(folder, "SOL2", "0180", "202305", "20230601T0901")
    (folder / "sol_mars.txt").write_text("x", "utf-8")
    return folder


def _rows(rep: object, kommun: str) -> dict[tuple[str, str], dict[str, object]]:
    out = {}
    for p in rep.to_dict()["periods"]:  # type: ignore[attr-defined]
        if p["kommun"] == kommun:
            for s in p["subregisters"]:
                out[(p["period"], s["subregister"])] = {**s, "period_status": p["status"]}
    return out


def test_status_table_from_the_rules(year: Path) -> None:
    decl = [sosreg.Declaration("0580", "SOL2", "202304", dt.date(2023, 5, 12))]
    rep = status(sorted(str(p) for p in year.iterdir()), on=ON, declarations=decl)
    jsonschema.validate(rep.to_dict(), json.loads(SCHEMA.read_text("utf-8")))
    assert rep.to_dict()["unrecognized"] == ["sol_mars.txt"]
    # 0180: everything on time, May delivered early (not owed yet)
    r = _rows(rep, "0180")
    assert all(
        r[(m, s)]["period_status"] == "ok" for m in ("202301", "202304") for s in ("SOL1", "SOL2")
    )
    assert r[("202301", "SOL1")]["timing"] == "on_time"
    assert r[("202305", "SOL1")]["owed"] is None
    # 0380: March late, April SOL2 missing (pair error and missing after the deadline)
    r = _rows(rep, "0380")
    assert (
        r[("202303", "SOL2")]["timing"] == "late" and r[("202303", "SOL2")]["period_status"] == "ok"
    )
    assert r[("202304", "SOL2")]["timing"] == "missing" and r[("202304", "SOL2")]["missing"] == [
        "SOL2"
    ]
    assert r[("202304", "SOL2")]["reminders"] == ["2023-05-16", "2023-05-25"]
    assert r[("202304", "SOL1")]["period_status"] == "error"
    # 1480: the later delivery counts, the earlier is kept in the history
    r = _rows(rep, "1480")
    feb = r[("202302", "SOL1")]
    assert [f["counts"] for f in feb["files"]] == [False, True]  # type: ignore[union-attr]
    assert feb["status"] == "Leveransen är godkänd" and feb["period_status"] == "ok"
    mar = r[("202303", "SOL2")]
    assert mar["status"] == "Leveransen är inte godkänd" and mar["period_status"] == "error"
    assert "SOS-104" in mar["errors"]  # type: ignore[operator]
    # 0580: April's SOL2 declared: a warning, on time
    r = _rows(rep, "0580")
    apr = r[("202304", "SOL2")]
    assert apr["status"] == "Inget att rapportera" and apr["period_status"] == "warning"
    assert apr["declared"] == "2023-05-12" and apr["timing"] == "on_time"
    assert rep.exit_code == 2
    text = rep.to_text()
    assert "Leveransernas status per 2023-06-03 — skyldighet: härledd ur mappen" in text
    assert "Kommun 0180\n  klar för SOL: januari–maj 2023\n" in text
    assert "SOL april 2023: fel – SOL1 finns men inte SOL2; SOL2 saknas" in text
    assert "sol_mars.txt: matchar ingen förväntad fil" in text


def test_status_as_of_an_earlier_day_and_one_kommun(year: Path) -> None:
    files = sorted(str(p) for p in year.iterdir())
    rep = status(files, on=dt.date(2023, 3, 5), kommun="1480")
    r = _rows(rep, "1480")
    # on 5 March February's fixed file (10 March) was not there yet: the damaged one counts
    assert r[("202302", "SOL1")]["status"] == "Leveransen är inte godkänd"
    assert ("202303", "SOL1") not in r  # nothing owed or delivered yet
    ok = status(files, on=ON, kommun="0180")
    assert ok.exit_code == 0 and {p.kommun for p in ok.periods} == {"0180"}


def test_status_with_obligations_per_unit_and_a_coming_deadline(tmp_path: Path) -> None:
    for unit in ("128001", "128002"):
        for m in ("202301", "202302") if unit == "128001" else ("202301",):
            for sub in ("SOL1", "SOL2"):
                _write(tmp_path, sub, unit, m, f"2023{int(m[4:]) + 1:02d}10T0900")
    obligations = [
        Obligation("1280", sub, dt.date(2023, 1, 1), None, unit, True)
        for sub in ("SOL1", "SOL2")
        for unit in ("128001", "128002")
    ]
    files = sorted(str(p) for p in tmp_path.iterdir())
    rep = status(files, on=dt.date(2023, 3, 3), obligations=obligations)
    got = {p.period: p for p in rep.periods}
    assert got["202301"].state is PeriodState.OK
    assert got["202302"].state is PeriodState.ERROR
    assert (
        "SOL1: enheten 128002 har inte levererat",
        "SOL1: unit 128002 has not delivered",
    ) in got["202302"].reasons
    # EKB-År: owed by the obligations file, due in 12 days
    ekb = [Obligation("0180", "EKB-År", dt.date(2020, 1, 1))]
    rep = status([], on=dt.date(2024, 4, 3), year=2023, obligations=ekb)
    assert "EKB-År 2023: ska in om 12 dagar (2024-04-15)" in rep.to_text()
    assert rep.exit_code == 0


def test_cli_status(year: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decl = tmp_path / "inget.csv"
    decl.write_text("kommun;delregister;period;dag\n0580;SOL2;202304;2023-05-12\n", "utf-8")
    args = ["status", str(year), "--on", "2023-06-03", "--declarations", str(decl)]
    assert main([*args, "--kommun", "0580"]) == 1  # a declaration: warning
    out = capsys.readouterr().out
    assert "klar för SOL: januari–mars 2023" in out
    assert "SOL april 2023: klar med varning – SOL2: Inget att rapportera" in out
    assert main([*args, "--kommun", "0180", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, json.loads(SCHEMA.read_text("utf-8")))
    assert data["on"] == "2023-06-03" and data["on_given"] is True
    assert main([*args, "--format", "csv"]) == 2
    assert capsys.readouterr().out.startswith("kommun;register;period;period_status")
    bad = tmp_path / "khsl.csv"
    bad.write_text("kommun;delregister;period;dag\n0180;KHSL1;202301;2023-02-01\n", "utf-8")
    assert (
        main(
            [
                "status",
                str(year),
                "--kommun",
                "0180",
                "--on",
                "2023-06-03",
                "--declarations",
                str(bad),
            ]
        )
        == 2
    )
    out = capsys.readouterr().out
    assert 'KHSL1: "inget att rapportera" för kommun 0180, period 202301, anmäls med e-post' in out
    assert main([*args, "--format", "html", "-o", str(tmp_path / "s.html")]) == 2
    assert "<table>" in (tmp_path / "s.html").read_text("utf-8")
    assert main([*args, "--format", "xlsx", "-o", str(tmp_path / "s.xlsx")]) == 2
    assert main(["status", str(tmp_path / "nothing-here")]) == 3


# --- docs/collection.md -----------------------------------------------------------------

DOC = EXAMPLES.parent / "docs" / "collection.md"


def test_doc_python_blocks_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    monkeypatch.chdir(EXAMPLES.parent)
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.S)
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})


def test_doc_shows_what_status_says(year: Path) -> None:
    page = DOC.read_text("utf-8")
    decl = [sosreg.Declaration("0580", "SOL2", "202304", dt.date(2023, 5, 12))]
    rep = status(sorted(str(p) for p in year.iterdir()), on=ON, declarations=decl)
    assert f"```text\n{rep.to_text()}```" in page
    rows = list(csv_rows(rep.to_csv()))
    for line in page.split("| kommun | register |")[1].split("\n\n")[0].splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert any(
            [r[c] for c in (0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15)] == cells for r in rows
        ), cells


def csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text), delimiter=";"))[1:]


def test_doc_table_of_subregisters_is_the_data() -> None:
    page = DOC.read_text("utf-8")
    subs = subregisters()
    for name, sub in subs.items():
        line = next(x for x in page.splitlines() if x.startswith(f"| `{name}` |"))
        assert f"| {sub.frequency} |" in line
        assert (f"`{sub.pair}`" in line) if sub.pair else "| – |" in line
        assert sub.files[-1].mask.split("<kod>")[0].rstrip("_") in line
        want = {"portal": "in the portal", "email": "by e-mail", "no": "| no |"}
        assert want[sub.nothing_to_report.value] in line


def test_batch_counts_beside_the_status_are_the_contents() -> None:
    from sosreg import batch

    path = str(EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt")
    late = batch.Options(on=dt.date(2024, 1, 1), on_given=True)
    outcome = batch.render((path,), late)
    assert outcome.status is sosreg.Status.GODKAND and outcome.errors == 0
    assert outcome.exit_code == 2  # the portal refuses it on that day, and --on was given
    today = batch.Options(on=dt.date(2024, 1, 1), on_given=False)
    assert batch.render((path,), today).exit_code == 0


def test_status_never_echoes_a_personnummer_in_a_name(tmp_path: Path) -> None:
    _write(tmp_path, "SOL1", "0180", "202301", "20230210T0900")
    odd = tmp_path / "SOL2_0180_202301_20230210T0900_191212121212.txt"
    odd.write_bytes((tmp_path / "SOL1_0180_202301_20230210T0900.txt").read_bytes())
    (tmp_path / "lista 191212121212.txt").write_text("x", "utf-8")
    rep = status(sorted(str(p) for p in tmp_path.iterdir()), on=ON)
    for text in (rep.to_text(), rep.to_json(), rep.to_csv()):
        assert "191212121212" not in text


def test_a_generated_year_of_twenty_kommuner(tmp_path: Path) -> None:
    """20 kommuner, SOL January–March 2023, judged on 20 April: every fifth kommun is on
    time, late in March, without SOL2 in February, re-delivering January's SOL1 (a damaged
    file, then a good one) or declaring March's SOL2; the table follows §14's rules."""
    kommuner = [
        "0114",
        "0115",
        "0117",
        "0120",
        "0123",
        "0125",
        "0126",
        "0127",
        "0128",
        "0136",
        "0138",
        "0139",
        "0140",
        "0160",
        "0162",
        "0163",
        "0180",
        "0181",
        "0182",
        "0183",
    ]
    months = ("202301", "202302", "202303")

    def put(sub: str, k: str, m: str, stamp: str, bad: bool = False) -> None:
        g = sosreg.generate(
            "sol", sub.lower(), 2023, 1, kommun=k, period=m, out=None,
            inject="SOS-104" if bad else None,
        )  # fmt: skip
        (tmp_path / f"{sub}_{k}_{m}_{stamp}.txt").write_bytes(g.files[0].data or b"")

    decls = []
    for i, k in enumerate(kommuner):
        case = i % 5
        for m in months:
            stamp = f"2023{int(m[4:]) + 1:02d}10T0900"
            if case == 1 and m == "202303":
                stamp = "20230418T0900"  # late
            put("SOL1", k, m, stamp)
            if case == 2 and m == "202302":
                continue  # SOL2 missing
            if case == 4 and m == "202303":
                decls.append(sosreg.Declaration(k, "SOL2", m, dt.date(2023, 4, 12)))
                continue
            put("SOL2", k, m, stamp)
        if case == 3:
            put("SOL1", k, "202301", "20230209T0800", bad=True)  # replaced the next day
    rep = status(
        sorted(str(p) for p in tmp_path.iterdir()), on=dt.date(2023, 4, 20), declarations=decls
    )
    got = {(p.kommun, p.period): p.state.value for p in rep.periods}
    assert len(got) == 60
    for i, k in enumerate(kommuner):
        want = {m: "ok" for m in months}
        if i % 5 == 2:
            want["202302"] = "error"  # SOL1 without SOL2, SOL2 missing after the deadline
        if i % 5 == 4:
            want["202303"] = "warning"  # inget att rapportera
        assert {m: got[(k, m)] for m in months} == want, k
    timing = {
        (p.kommun, p.period, r.subregister): r.timing(rep.on) for p in rep.periods for r in p.subs
    }
    assert timing[(kommuner[1], "202303", "SOL1")] == "late"
    assert timing[(kommuner[2], "202302", "SOL2")] == "missing"
    assert rep.exit_code == 2


def test_a_delivery_gets_the_portal_stage_too() -> None:
    pair = [
        EXAMPLES / "SOL1_0330_202301_20230214T0940.txt",
        EXAMPLES / "SOL2_0330_202301_20230214T0941.txt",
    ]
    assert sosreg.validate_delivery(pair, on=ON_TIME).portal_status is sosreg.Status.GODKAND
    late = sosreg.validate_delivery(pair, on=dt.date(2023, 6, 1))
    assert late.portal_status is sosreg.Status.INTE_GODKAND
    assert late.status is sosreg.Status.GODKAND
