"""No leaks: a full personnummer never leaves a finding, a message, a report, a repr or a
default DataFrame, whatever field it was typed into; analysts get pseudonyms that keep
different people apart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from helpers import M_MED, M_SOLO, P0, P1, P2, S2, pnr, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sosreg
from sosreg import identity
from sosreg import strategies as sos_st

SOMEONE = pnr("19790419", 385)
TWELVE = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
TEN = re.compile(r"(?<![0-9])[0-9]{6}[-+]?[0-9]{4}(?![0-9])")


def _leaks(text: str, sha: str = "") -> list[str]:
    text = text.replace(sha, "").replace(sha[:16], "") if sha else text
    found = TWELVE.findall(text) + TEN.findall(text)
    return found  # any identity-shaped run of 10 or 12 digits is a leak


def _everything(report: sosreg.Report) -> str:
    parts = [
        report.to_text("sv", None),
        report.to_text("en", None),
        report.to_json("sv"),
        report.to_json("en"),
        repr(report),
    ]
    for f in report.findings:
        parts += [f.message("sv"), f.message("en"), repr(f), str(f.params), str(f.value)]
    return "\n".join(parts)


def _replace(line: str, index: int, value: str) -> str:
    parts = line.split(";")
    parts[index] = value
    return ";".join(parts)


def test_sol_026_does_not_leak_an_avslutsorsak_that_is_a_personnummer() -> None:
    line = _replace(_replace(S2, 11, ""), 12, SOMEONE)  # open implementation, "reason" = a pnr
    report = run([line], "sol2")
    (f,) = report.by_code("SOL-026")
    assert f.line == 1 and SOMEONE[:8] + "-****" in f.message()
    text = _everything(report)
    assert SOMEONE not in text and SOMEONE[2:] not in text
    assert not _leaks(text, report.sha256)


@pytest.mark.parametrize("index", list(range(15)))
def test_a_personnummer_in_any_ekb_field_never_leaks(index: int) -> None:
    for value in (
        SOMEONE,
        SOMEONE[2:],
        SOMEONE[:8] + "-" + SOMEONE[8:],
        SOMEONE[2:8] + "+" + SOMEONE[8:],
    ):
        report = run([_replace(M_SOLO, index, value), M_MED])
        text = _everything(report)
        assert SOMEONE[8:] not in text.replace(report.sha256, ""), (index, value)


@pytest.mark.parametrize("index", [0, 6, 7, 9])
def test_reprs_mask_a_personnummer_in_a_non_identity_field(index: int) -> None:
    data = (_replace(M_SOLO, index, SOMEONE) + "\r\n").encode()
    rows = list(sosreg.parse(data, register="ekb", file="manad", period="202301"))
    assert rows[0].text.count(SOMEONE) == 1  # the data itself is whole
    assert SOMEONE not in repr(rows) and SOMEONE[8:] not in repr(rows)
    quiet = _replace(M_SOLO, 1, SOMEONE[:4])  # a valid line whose record we can build
    records = sosreg.load((quiet + "\r\n").encode(), register="ekb", file="manad")
    import attrs

    record = attrs.evolve(records[0], kommun=SOMEONE, stadsdel=SOMEONE)
    assert SOMEONE not in repr(record)


pd = pytest.importorskip("pandas")


def test_default_dataframe_masks_non_identity_fields_and_pseudonymises_identities() -> None:
    line = _replace(M_SOLO, 1, SOMEONE)  # stadsdel (text, max 4): a finding, but a record
    data = ("\r\n".join([line, M_MED]) + "\r\n").encode()
    df = sosreg.frames.read_pandas(data, register="ekb", file="manad", period="202301")
    text = df.to_string() + df.to_csv()
    assert SOMEONE not in text and P0 not in text and P1 not in text
    assert df["sokande"].str.match(r"^p_[0-9a-f]{16}$").all()


def test_pseudonyms_keep_people_apart_where_masks_merge_them() -> None:
    twins = [pnr("19850312", s) for s in (234, 246, 258)]  # born the same day
    lines = [_replace(M_SOLO, 4, t) for t in twins]
    data = ("\r\n".join(lines) + "\r\n").encode()
    masked = sosreg.frames.read_pandas(data, register="ekb", file="manad", identities="mask")
    assert masked["sokande"].nunique() == 1  # 19850312-**** for all three
    pseudo = sosreg.frames.read_pandas(data, register="ekb", file="manad")
    assert pseudo["sokande"].nunique() == 3


def test_pseudonyms_are_stable_under_a_key_and_join_across_files() -> None:
    key = b"k" * 32
    a = sosreg.frames.read_pandas((M_SOLO + "\r\n").encode(), register="ekb", file="manad", key=key)
    b = sosreg.frames.read_pandas(
        (M_SOLO.replace("202301", "202302") + "\r\n").encode(),
        register="ekb",
        file="manad",
        key=key,
    )
    assert a["sokande"].iloc[0] == b["sokande"].iloc[0] == identity.pseudonym(P2, key)
    other = sosreg.frames.read_pandas(
        (M_SOLO + "\r\n").encode(), register="ekb", file="manad", key=b"x" * 32
    )
    assert other["sokande"].iloc[0] != a["sokande"].iloc[0]


@given(sos_st.files("sol", "sol2", 2023, sosreg.YearMonth(2023, 1), 1, 3), st.data())
def test_a_personnummer_swapped_into_any_field_never_leaks(
    records: list[Any], data: st.DataObject
) -> None:
    text = sosreg.serialize(records).decode()
    lines = text.split("\r\n")[:-1]
    i = data.draw(st.integers(0, len(lines) - 1))
    fields = lines[i].split(";")
    j = data.draw(st.integers(0, len(fields) - 1))
    number = data.draw(sos_st.identities(("pnr", "snr")))
    form = data.draw(st.sampled_from([number, number[2:], number[:8] + "-" + number[8:]]))
    fields[j] = form
    lines[i] = ";".join(fields)
    report = run(lines, "sol2")
    out = _everything(report).replace(report.sha256, "").replace(report.sha256[:16], "")
    assert number not in out and number[2:] not in out and number[8:] + ";" not in out


# The fuzzer's leak check reads repr() text, where a character repr cannot show becomes
# an escape: "\xa0" then 11 digits reads as 12 digits that are not in the data. An
# escape is one character of data, so it separates runs of digits.
ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


@pytest.mark.parametrize("before", ["\u00a0", "\u0086", "\u2007", "\ufeff"])
def test_an_id_after_a_character_repr_escapes_is_masked(before: str) -> None:
    """A personnummer right after a no-break space (or another character repr writes as
    an escape) in a code field: masked in the value, the message and every format; and
    11 digits after one are data, not an id (fuzz artifact, BU insats)."""
    line = "0330;;2023;200100451255;1;1;{v};20220101;20220110;;"
    for value, hidden in ((before + SOMEONE, SOMEONE), (before + SOMEONE[1:], None)):
        report = sosreg.validate(
            (line.format(v=value) + "\r\n").encode("utf-8"),
            register="bu",
            file="insats",
            year=2023,
        )
        text = ESCAPE.sub(" ", _everything(report))
        found = [m for m in TWELVE.findall(text) if identity.is_valid(m)]
        assert not found
        if hidden is not None:
            assert hidden not in _everything(report)
            assert any(f.value and SOMEONE[:8] + "-****" in f.value for f in report.findings)


# -- issue 19: identity numbers in every form, in every field of every file -------------

pl = pytest.importorskip("polars")

_SEPARATORS = "-+ ./"
_ANY_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")


def _digits(number: str, zero: str) -> str:
    return number.translate(
        str.maketrans("0123456789", "".join(chr(ord(zero) + d) for d in range(10)))
    )


def forms(number: str) -> dict[str, str]:
    """What a person reads as the personnummer ``number`` (12 digits), by name: ASCII
    with and without separators and century, other dashes and spaces, other digits, a
    dashed date, a leading zero."""
    d, t = number[:8], number[8:]
    return {
        "12": number,
        "10": number[2:],
        "hyphen": f"{d}-{t}",
        "plus": f"{number[2:8]}+{t}",
        "space": f"{d} {t}",
        "non-breaking hyphen": f"{d}\u2011{t}",
        "en dash": f"{d}\u2013{t}",
        "minus sign": f"{d}\u2212{t}",
        "figure dash": f"{d}\u2012{t}",
        "no-break space": f"{d}\xa0{t}",
        "thin space": f"{d}\u2009{t}",
        "zero-width space": f"{d}\u200b{t}",
        "devanagari": _digits(number, "\u0966"),
        "arabic-indic": _digits(number, "\u0660"),
        "fullwidth": _digits(number, "\uff10"),
        "devanagari hyphen": _digits(d, "\u0966") + "-" + _digits(t, "\u0966"),
        "dashed date": f"{d[:4]}-{d[4:6]}-{d[6:]}-{t}",
        "dotted date": f"{d[:4]}.{d[4:6]}.{d[6:]}.{t}",
        "slashed date": f"{d[2:4]}/{d[4:6]}/{d[6:]}/{t}",
        "leading zero": "0" + number,
    }


def _readable(text: str) -> str:
    """``text`` as a person reads it: escapes (repr, JSON) turned back into characters."""
    return _ANY_ESCAPE.sub(lambda m: chr(int(m[1] or m[2] or m[3], 16)), text)


def _squashed(text: str) -> str:
    """``text`` normalised (other digits, dashes and spaces) with the separators gone."""
    return identity.normalise(text).translate(str.maketrans("", "", _SEPARATORS + "\r\n\t"))


def assert_no_leak(text: str, planted: dict[str, str], where: str) -> None:
    """No planted form, nor the number's 12 or last 10 digits in any form, in ``text``."""
    text = _readable(text)
    squashed = _squashed(text)
    for number, form in planted.items():
        assert form not in text, (where, number, form)
        assert number not in squashed, (where, number, form)
        assert number[2:] not in squashed, (where, number, form)


def _specs() -> list[tuple[str, str]]:
    from sosreg.engine.register import REGISTRY

    return sorted({(s.register, s.file) for r in REGISTRY.names() for s in REGISTRY.all_specs(r)})


def _xlsx_text(data: bytes) -> str:
    import html
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return html.unescape(
            "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        )


def _outputs(path: str, register: str, file: str, year: int, out: str) -> dict[str, str]:
    """Every output sosreg makes of the file ``path``, as text, by name."""
    import html
    import os

    found: dict[str, str] = {}
    for engine in ("row", "columnar"):
        report = sosreg.validate(path, register=register, file=file, year=year, engine=engine)
        sha = report.sha256
        texts = {
            "text": report.to_text("sv", None) + report.to_text("en", None),
            "json": report.to_json("sv") + report.to_json("en"),
            "csv": report.render("csv") or "",
            "html": html.unescape(str(report.render("html"))),
            "repr": repr(report) + "".join(repr(f) for f in report.findings),
            "frame": report.to_frame().to_csv(),
        }
        xlsx = report.render("xlsx")
        assert isinstance(xlsx, bytes)
        texts["xlsx"] = _xlsx_text(xlsx)
        for name, text in texts.items():
            found[f"{engine} {name}"] = text.replace(sha, "").replace(sha[:16], "")
    rows = list(sosreg.parse(path, register=register, file=file, year=year))
    found["row reprs"] = repr(rows) + "".join(repr(r.record) for r in rows)
    for identities in ("pseudonym", "mask", "drop"):
        s = sosreg.scan(
            path, register=register, file=file, year=year, include="all", identities=identities
        )
        assert s.files == [path] and s.frame.collect().height == 3, s.left_out
        found[f"scan {identities}"] = s.frame.collect().write_csv() + s.findings().write_csv()
        df = sosreg.frames.read_pandas(
            path, register=register, file=file, year=year, identities=identities
        )
        found[f"to_pandas {identities}"] = df.to_csv()
    results = sosreg.analysts.export(
        path, out, key=b"k" * 32, register=register, file=file, year=year, include="all"
    )
    assert results[0].part is not None and results[0].rows == 3, results
    parquet = []
    for root, _, names in os.walk(out):
        for n in names:
            if n.endswith(".parquet"):
                parquet.append(pl.read_parquet(os.path.join(root, n)).write_csv())
            else:
                with open(os.path.join(root, n), encoding="utf-8") as fh:
                    parquet.append(fh.read())
    found["export"] = "\n".join(parquet)
    return found


_PLAIN = st.sampled_from(["12", "10"])
"""The forms a number field reads as a number (half the draws: SOS-215's case)."""


@pytest.mark.parametrize(("register", "file"), _specs())
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_identity_number_in_any_form_leaks_from_any_field_or_output(
    register: str, file: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Issue 19, "done means": identity numbers in every form a person reads as one,
    planted into fields (any of them, chosen from the spec) of one line of a valid file
    and into its name, never appear whole in a report (text, JSON, CSV, xlsx, HTML), a
    repr, a table (``scan``, ``to_pandas``, ``to_frame``) or the exported Parquet."""
    from sosreg.engine.register import REGISTRY

    year = 2023
    spec = REGISTRY.resolve_spec(register, file, year)
    records = data.draw(sos_st.files(register, file, year, None, 3, 3), label="records")
    lines = sosreg.serialize(records).decode().split("\r\n")[:-1]
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    fields = lines[i].split(";")
    names = [f.name for f in spec.fields]
    assert len(fields) == len(names)
    chosen = data.draw(
        st.lists(st.sampled_from(range(len(names))), min_size=1, max_size=len(names), unique=True),
        label="fields",
    )
    planted: dict[str, str] = {}
    for j in chosen:
        number = data.draw(sos_st.identities(("pnr", "snr")).filter(lambda n: n not in planted))
        kind = data.draw(_PLAIN | st.sampled_from(sorted(forms(number))), label=names[j])
        form = forms(number)[kind]
        fields[j] = form
        planted[number] = form
    lines[i] = ";".join(fields)
    number = data.draw(sos_st.identities(("pnr", "snr")).filter(lambda n: n not in planted))
    form = data.draw(
        st.sampled_from([f for k, f in sorted(forms(number).items()) if "/" not in f]),
        label="name",
    )
    planted[number] = form
    folder = tmp_path_factory.mktemp("leak")
    path = folder / f"data_{form}.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    with pytest.raises(AssertionError):  # the check sees what was planted
        assert_no_leak(str(path) + path.read_text("utf-8"), planted, "input")
    for where, text in _outputs(str(path), register, file, year, str(folder / "out")).items():
        assert_no_leak(text, planted, where)


@pytest.mark.parametrize("name", sorted(forms(SOMEONE)))
def test_every_form_is_masked_in_text(name: str) -> None:
    form = forms(SOMEONE)[name]
    masked = identity.mask_text(f"x {form} y")
    assert_no_leak(masked, {SOMEONE: form}, name)


# -- issue 19, items 1 and 3: the reproducers --------------------------------------------

REPRODUCER = "0180;;202301;202301;199203283859;;3;194609869740;0;041;;0;;;"


def _write(folder: Any, name: str, *lines: str) -> str:
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return str(path)


@pytest.mark.parametrize("engine", ["row", "columnar"])
def test_a_personnummer_in_an_amount_is_sos_215_and_null_in_every_table(
    tmp_path: Any, engine: str
) -> None:
    path = _write(tmp_path, "Ekb_0180_202301_20230214T0900.txt", REPRODUCER)
    report = sosreg.validate(path, engine=engine)
    assert report.status is sosreg.Status.INTE_GODKAND
    (f,) = report.by_code("SOS-215")
    assert (f.line, f.field, f.value) == (1, "belopp_forsorjningsstod", "19460986-****")
    assert f.severity is sosreg.Severity.ERROR
    # one finding for the value: not also the plausibility warning (EKB-031)
    assert "EKB-031" not in report.codes()
    frame = sosreg.scan(path, include="all", engine=engine).frame.collect()
    assert frame["belopp_forsorjningsstod"].to_list() == [None]
    assert frame["antal_barn"].to_list() == [3]  # the rest of the line is read
    df = sosreg.frames.read_pandas(path)
    assert df["belopp_forsorjningsstod"].isna().all()
    assert sosreg.scan(path).files == []  # inte godkänd: left out by default


def test_a_personnummer_in_a_bounded_number_is_null_too(tmp_path: Any) -> None:
    """BU insatsnr is 1–99: no room for a personnummer, which is SOS-215 all the same and
    never a number in the table (the hypothesis test found it in placering)."""
    line = "0114;;2023;200301010008;200001010008;1;1;20190101;"
    path = _write(tmp_path, "BU_PLACERING_0114_2023_20240125T0902.txt", line)
    report = sosreg.validate(path, register="bu", file="placering")
    assert [f.line for f in report.by_code("SOS-215")] == [1]
    frame = sosreg.scan(path, register="bu", include="all").frame.collect()
    assert frame["insatsnr"].to_list() == [None]


def test_a_large_amount_that_is_no_personnummer_is_still_only_a_warning() -> None:
    report = run([_replace(M_SOLO, 7, "199913451234")])  # month 13: no date, a number
    assert "SOS-215" not in report.codes() and "EKB-031" in report.codes()


def test_frames_null_a_personnummer_in_a_record_made_by_hand() -> None:
    import attrs

    (record,) = sosreg.load((M_SOLO + "\r\n").encode(), register="ekb", file="manad")
    df = sosreg.frames.to_pandas([attrs.evolve(record, belopp_forsorjningsstod=194609869740)])
    assert df["belopp_forsorjningsstod"].isna().all()


def test_export_writes_null_for_a_personnummer_in_a_number_field(tmp_path: Any) -> None:
    path = _write(tmp_path, "Ekb_0180_202301_20230214T0900.txt", REPRODUCER)
    (done,) = sosreg.analysts.export(path, tmp_path / "out", key=b"k" * 32, include="all")
    assert done.part is not None
    table = pl.read_parquet(tmp_path / "out" / done.part)
    assert table["belopp_forsorjningsstod"].to_list() == [None]


NAMED = "Ekb_198903075094_202301.txt"


def test_a_personnummer_in_the_file_name_is_masked_in_every_report(tmp_path: Any) -> None:
    path = _write(tmp_path, NAMED, M_SOLO)
    report = sosreg.validate(path)
    assert report.name == "Ekb_19890307-****_202301.txt"
    texts = [report.to_text(), report.to_json(), str(report.render("html")), repr(report)]
    texts += [str(report.render("csv")), _xlsx_text(report.render("xlsx"))]  # type: ignore[arg-type]
    assert "<title>" in texts[2] and "19890307-****" in texts[2]
    for text in texts:
        assert "198903075094" not in text and "5094" not in text.replace(report.sha256, "")
    scanned = sosreg.scan(path)
    assert scanned.frame.collect()["source_file"].str.contains("5094").sum() == 0
    delivery = sosreg.validate_delivery([path, path])  # the same file twice: SOS-301
    text = delivery.to_text() + delivery.to_json() + str(delivery.render("csv"))
    assert "SOS-301" in text and "198903075094" not in text


def test_a_personnummer_in_a_file_name_is_masked_on_the_command_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from sosreg.cli import main

    path = _write(tmp_path, NAMED, M_SOLO)
    other = _write(tmp_path, "Ekb_0330_202301_20230214T0900.txt", M_SOLO)
    # two files: the summary table; the name's personnummer is a warning (SOS-216)
    assert main(["validate", str(tmp_path / "*.txt")]) == 1
    out, _ = capsys.readouterr()
    assert "Ekb_19890307-****_202301.txt" in out and "198903075094" not in out
    assert "SOS-216" in out
    assert main(["validate", path, other, "-j", "2"]) == 1
    assert main(["validate", str(tmp_path / "Ekb_198903075094_202302.txt")]) == 3
    out, err = capsys.readouterr()
    assert "Sammanställning" in out and "19890307-****" in out and "19890307-****" in err
    assert "198903075094" not in out + err
    with pytest.raises(sosreg.UsageError) as exc:
        sosreg.validate(str(tmp_path / "Ekb_198903075094_202302.txt"))
    assert "198903075094" not in str(exc.value) and "19890307-****" in str(exc.value)


def test_report_files_written_for_many_files_mask_a_personnummer_in_their_names(
    tmp_path: Path,
) -> None:
    """`sosreg validate DIR -o OUT --format csv`: a report file is named after its
    input, and a personnummer in that name is masked on disk too."""
    from sosreg.cli import main

    inbox = tmp_path / "in"
    inbox.mkdir()
    line = "0180;;202301;202301;199203283859;;3;8450;0;041;;0;;;\r\n"
    (inbox / "Ekb_198903075094_202301.txt").write_text(line, "utf-8")
    (inbox / "Ekb_0180_202301_20230214T0900.txt").write_text(line, "utf-8")
    out = tmp_path / "out"
    main(["validate", str(inbox), "--format", "csv", "-o", str(out), "-q"])
    names = sorted(p.name for p in out.iterdir())
    assert "Ekb_19890307-XXXX_202301.txt.sosreg.csv" in names
    assert not [n for n in names if "198903075094" in n]
