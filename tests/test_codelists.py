from __future__ import annotations

from pathlib import Path

import pytest

import sosreg
from sosreg import codelists
from sosreg.codelists import Code, Validity


def test_hinderkoder_2016_only_codes_rejected_from_2017() -> None:
    hinder = codelists.get("ekb_hinderkod")
    for code in ("011", "012", "013", "014", "080"):
        assert hinder.is_valid(code, 2016)
        status, entry = hinder.lookup(code, 2017)
        assert status is Validity.EXPIRED
        assert entry is not None and entry.valid_to == 2016


def test_hinderkoder_2017_list() -> None:
    codes = [c.code for c in codelists.get("ekb_hinderkod").as_of(2017)]
    assert codes == [
        "021",
        "022",
        "023",
        "031",
        "032",
        "033",
        "035",
        "036",
        "040",
        "041",
        "051",
        "052",
        "053",
        "061",
        "062",
        "071",
        "072",
        "090",
        "111",
        "112",
        "113",
        "114",
        "115",
    ]


def test_not_yet_and_unknown() -> None:
    hinder = codelists.get("ekb_hinderkod")
    assert hinder.lookup("111", 2016)[0] is Validity.NOT_YET
    assert hinder.lookup("999", 2023) == (Validity.UNKNOWN, None)


def test_avslutsorsaker_and_insatser() -> None:
    assert [c.code for c in codelists.get("ekb_avslutsorsak")] == [str(i) for i in range(1, 13)]
    assert [c.code for c in codelists.get("ekb_arbetsmarknadsinsats")] == [str(i) for i in range(9)]


def test_kommun_list() -> None:
    kommun = codelists.get("kommun")
    real = [c for c in kommun if c.warning is None]
    assert len(real) == 290
    assert kommun.label("0330", 2023) == "Knivsta"
    assert kommun.label("0180", 2023) == "Stockholm"
    assert all(len(c.code) == 4 and c.code.isdigit() for c in kommun)
    assert kommun.lookup("9999", 2023)[1].warning  # type: ignore[union-attr]


def test_validity_text() -> None:
    assert Code("1", "x", 2017, None).validity_text() == "2017–"
    assert Code("1", "x", None, 2016).validity_text() == "–2016"
    assert Code("1", "x").validity_text() == "alla år"


def test_load_and_register_user_list(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\ntitle = "Min lista"\n[[codes]]\ncode = "A"\nlabel = "a"\nfrom = 2020\n',
        "utf-8",
    )
    cl = codelists.load_file(path)
    assert cl.is_valid("A", 2020) and not cl.is_valid("A", 2019)
    codelists.register(cl)
    try:
        assert codelists.get("mine") is cl
        assert "mine" in codelists.names()
    finally:
        codelists.unregister("mine")
    with pytest.raises(KeyError):
        codelists.get("mine")


def test_every_builtin_list_loads_with_unique_codes_per_period() -> None:
    for name in codelists.names():
        cl = codelists.get(name)
        assert cl.codes, name
        for year in range(2015, 2030):
            codes = [c.code for c in cl.as_of(year)]
            assert len(codes) == len(set(codes)), (name, year)


def test_a_code_added_for_2025_is_valid_from_2025_only() -> None:
    """What "add a code to the 2025 hinder list" means: one entry with from = 2025."""
    import attrs
    from helpers import M_SOLO, run

    hinder = codelists.get("ekb_hinderkod")
    extended = attrs.evolve(hinder, codes=(*hinder.codes, Code("116", "Ny kod", 2025, None)))
    lists = {"ekb_hinderkod": extended}
    line = M_SOLO.replace(";021;", ";116;")
    r2024 = run([line.replace("2023", "2024")], year=2024, period="202401", codelists=lists)
    r2025 = run([line.replace("2023", "2025")], year=2025, period="202501", codelists=lists)
    assert [f.code for f in r2024.findings if f.severity] == ["EKB-010"]
    assert r2025.status is sosreg.Status.GODKAND


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("code = 5", r"code 5: code must be a str, not int 5 \(write code = \"5\"\)"),
        ('code = "A"\nlabel = 1', r"code 'A': label must be a str, not int 1"),
        ('code = "A"\nfrom = "2020"', r"code 'A': from must be an int, not str '2020'"),
        ('code = "A"\nfrom = true', r"code 'A': from must be an int, not bool True"),
        ('code = "A"\nform = 2020', r"code 'A': unknown key 'form' \(the keys are code, label"),
        ('code = "A"\nfrom = 2021\nto = 2020', r"code 'A': from 2021 is after to 2020"),
        ('code = " A"', r"code ' A': a code is a non-empty string without spaces"),
        ('label = "no code"', r"missing key 'code'"),
        (
            'code = "A"\nfrom = 2017\n[[codes]]\ncode = "A"\nfrom = 2020',
            r"code 'A' has two entries valid in the same year",
        ),
    ],
)
def test_a_user_list_of_the_wrong_form_is_refused(tmp_path: Path, entry: str, message: str) -> None:
    """``--codelist`` TOML is checked as strictly as it is read: a number where a code
    belongs would lose its leading zero, a misspelt key would be silently ignored."""
    path = tmp_path / "mine.toml"
    path.write_text(f'name = "mine"\n[[codes]]\n{entry}\n', "utf-8")
    with pytest.raises(codelists.CodeListError, match=message):
        codelists.load_file(path)


def test_a_code_may_change_its_label_between_years(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\n[[codes]]\ncode = "A"\nlabel = "old"\nto = 2019\n'
        '[[codes]]\ncode = "A"\nlabel = "new"\nfrom = 2020\n',
        "utf-8",
    )
    cl = codelists.load_file(path)
    assert cl.label("A", 2019) == "old" and cl.label("A", 2020) == "new"
