"""Socialstyrelsen's metadata workbooks: variables, dated code lists, the CLI."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from workbooks import Formatted, openpyxl_workbook

from sosreg import codelists, metadata, xlsx
from sosreg.cli import main
from sosreg.codelists import Code, CodeList, CodeListError, Validity
from sosreg.codelists.importers import CodeListImportError, to_toml_many
from sosreg.metadata import MetadataError, Variable, code_lists, read_period, read_workbook

BU_NAME = "Metadata_Insatser till barn och unga (BU)_webb.xlsx"
HEADER = ["Tidsperiod", "Kod", "Beskrivning"]

GENERAL: list[list[object]] = [
    ["Generell information"],
    [],
    [None, "Om metadatamallen"],
    [None, "Version", "1.2"],
    [None, "Datum", datetime.date(2023, 5, 1)],
    [None, "Om datamängden version"],
    [None, "Datamängd", "Insatser till barn och unga"],
    [None, "Version", "2023:1"],
    [None, "E-post:", "registerservice@example.se"],
]

VARIABLES: list[list[object]] = [
    ["Metadata på variabelnivå"],
    ["Insatser till barn och unga (BU)"],
    [],
    [
        "Deldatamängdsnamn",
        "VARIABELNAMN",
        "Variabeletikett",
        "Variabelbeskrivning",
        "Objekttyp",
        "Värdemängd",
        "Länk  kodverk",
        "Datatyp",
        "Presentationsordning",
        " data Från ",
        "Data till",
        "Kvalitetsanmärkning",
    ],
    ["BU_BARN", "KON", "Kön", "Barnets kön", "Barn", "1; 2", "Kodlista_KON", "Heltal", 1, 2017],
    [
        "BU_INSATS",
        "PLACERINGSFORM",
        "Placeringsform",
        "Var barnet\nplacerades",
        "Insats",
        None,
        "Kodlista - PLACERINGSFORM",
        "Sträng",
        2,
        "2013-01-01",
        "2022",
        "Ny kod 2017",
    ],
    ["BU_INSATS", "AVSLUTSORSAK", None, None, None, None, None, "Heltal", 3, "1999-", "Pågår"],
    ["BU_BARN", "LOPNR", "Löpnummer", None, "Barn", None, None, "Heltal", 4, 201701, 20221231],
    [],
    [None, None, "Anm.: variabler utan namn är anteckningar"],
]

KON: list[list[object]] = [
    ["Variabelnamn", "KON"],
    ["Kodverk", "Kön enligt folkbokföringen"],
    ["Bakgrund", "Kön som i folkbokföringen"],
    [],
    HEADER,
    ["2017-", Formatted(1, "0"), "Man"],
    ["2017–", 2.0, "Kvinna"],
    ["2017 -", "3.0", "Uppgift\nsaknas"],
]

PLACERINGSFORM: list[list[object]] = [
    HEADER,
    ["2013-2016", Formatted(1, "000"), "Familjehem (före 2017)"],
    ["2017-", Formatted(1, "000"), "Familjehem"],
    ["fr.o.m. 2017", Formatted(2, "000"), "Jourhem"],
    ["-2016", Formatted(3, "000"), "Annat boende"],
    [2019.0, Formatted(4, "000"), "Försöksverksamhet"],
    [None, Formatted(21, "000"), "Stödboende"],
]

AVSLUT: list[list[object]] = [
    ["Kodverk", "Orsak till avslut"],
    [],
    ["Tidsperiod ", "KOD", "Beskrivning", "Kommentar"],
    ["2013-2016"],
    [None, 1, "Återförenad", "gäller till 2016"],
    [None, 2, "Flyttat"],
    [None, 2, "Flyttat"],
    ["2017-", None, "Nya koder från 2017"],
    [None, 1, "Återförenad med föräldrar"],
    ["2019-", 4, "Skyddat boende"],
    [None, 5, "Annan orsak"],
    [],
    [None, None, "* Kod 4 infördes 2019"],
]


def bu_workbook(tmp_path: Path, name: str = BU_NAME) -> Path:
    """A workbook laid out as Socialstyrelsen's BU metadata workbook, with odd names."""
    return openpyxl_workbook(
        tmp_path / name,
        {
            "Generell information": GENERAL,
            "Metadata-Datamängd (DCAT-AP)": [
                ["Attribut", "Definition", "Svenska", "Engelska"],
                ["Titel", "Namn", "Insatser till barn och unga", "Interventions"],
            ],
            "Metadata - Variabelnivå": VARIABLES,
            "Kodlista_KON": KON,
            "Kodlista - PLACERINGSFORM": PLACERINGSFORM,
            "KODLISTA_Avslutsorsak ": AVSLUT,
        },
    )


def one_list(tmp_path: Path, rows: list[list[object]], sheet: str = "Kodlista_KON") -> Path:
    return openpyxl_workbook(tmp_path / "Metadata Test (T)_webb.xlsx", {sheet: rows})


def entries(cl: CodeList) -> list[tuple[str, str, int | None, int | None]]:
    return [(c.code, c.label, c.valid_from, c.valid_to) for c in cl]


# -- read_workbook: typed records -----------------------------------------------------


def test_read_workbook_gives_typed_variables(tmp_path: Path) -> None:
    meta = read_workbook(bu_workbook(tmp_path))
    assert [v.name for v in meta.variables] == ["KON", "PLACERINGSFORM", "AVSLUTSORSAK", "LOPNR"]
    kon = meta.variables[0]
    assert kon == Variable(
        name="KON",
        label="Kön",
        description="Barnets kön",
        value_domain="1; 2",
        codelist_link="Kodlista_KON",
        datatype="Heltal",
        data_from=2017,
        data_to=None,
        dataset="BU_BARN",
        extra={"Objekttyp": "Barn", "Presentationsordning": "1", "Kvalitetsanmärkning": ""},
        data_from_text="2017",
        data_to_text="",
        row=5,
    )
    placering = meta.variable("placeringsform")
    assert placering is not None
    assert (placering.data_from, placering.data_to) == (2013, 2022)
    assert placering.description == "Var barnet\nplacerades"
    assert placering.extra["Kvalitetsanmärkning"] == "Ny kod 2017"
    avslut = meta.variables[2]
    assert (avslut.data_from, avslut.data_to) == (1999, None)
    assert avslut.data_to_text == "Pågår"  # not a year: kept as text, never guessed
    lopnr = meta.variables[3]
    assert (lopnr.data_from, lopnr.data_to) == (2017, 2022)


def test_read_workbook_general_sheet_and_code_list_names(tmp_path: Path) -> None:
    meta = read_workbook(bu_workbook(tmp_path))
    assert meta.general == {
        "Version": "1.2",
        "Datum": "2023-05-01",
        "Datamängd": "Insatser till barn och unga",
        "Version (2)": "2023:1",
        "E-post": "registerservice@example.se",
    }
    assert meta.codelists == ("KON", "PLACERINGSFORM", "Avslutsorsak")
    assert meta.codelist_sheets == (
        "Kodlista_KON",
        "Kodlista - PLACERINGSFORM",
        "KODLISTA_Avslutsorsak ",
    )
    assert meta.prefix == "bu_"
    assert meta.codelist_sheet("avslutsorsak") == "KODLISTA_Avslutsorsak "
    assert meta.codelist_sheet("bu_placeringsform") == "Kodlista - PLACERINGSFORM"
    assert meta.codelist_sheet("kodlista kon") == "Kodlista_KON"


def test_code_lists_are_read_only_when_asked_for(tmp_path: Path) -> None:
    path = openpyxl_workbook(
        tmp_path / BU_NAME,
        {"Metadata - Variabelnivå": [["Variabelnamn"], ["KON"]], "Kodlista_KON": [HEADER]},
    )
    meta = read_workbook(path)  # the empty list is not read here
    assert meta.codelists == ("KON",)
    with pytest.raises(MetadataError, match="sheet 'Kodlista_KON' has no codes below its header"):
        meta.codelist("KON")


def test_variable_sheet_without_a_header_row(tmp_path: Path) -> None:
    path = openpyxl_workbook(
        tmp_path / BU_NAME, {"metadata_variabelniva": [["Namn", "Etikett"], ["KON", "Kön"]]}
    )
    with pytest.raises(
        MetadataError, match="sheet 'metadata_variabelniva' has no header row with Variabelnamn"
    ):
        read_workbook(path)


def test_two_candidate_variable_sheets_are_refused(tmp_path: Path) -> None:
    path = openpyxl_workbook(
        tmp_path / BU_NAME,
        {"Variabelnivå 2022": [["Variabelnamn"]], "Variabelnivå 2023": [["Variabelnamn"]]},
    )
    with pytest.raises(
        MetadataError,
        match="several sheets could be the variable sheet: 'Variabelnivå 2022', 'Variabelnivå 2023'",
    ):
        read_workbook(path)


def test_more_variables_than_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metadata, "MAX_VARIABLES", 2)
    path = openpyxl_workbook(
        tmp_path / BU_NAME, {"Metadata - Variabelnivå": [["Variabelnamn"], ["A"], ["B"], ["C"]]}
    )
    with pytest.raises(MetadataError, match="more than 2 variables"):
        read_workbook(path)


# -- code lists -------------------------------------------------------------------------


def test_code_lists_of_a_bu_workbook(tmp_path: Path) -> None:
    kon, placering, avslut = code_lists(bu_workbook(tmp_path))
    assert (kon.name, kon.title) == ("bu_kon", "Kön")
    assert entries(kon) == [
        ("1", "Man", 2017, None),
        ("2", "Kvinna", 2017, None),
        ("3", "Uppgift saknas", 2017, None),
    ]
    assert kon.provenance == "public"
    assert kon.sources == (f"{BU_NAME}, sheet Kodlista_KON",)
    assert (placering.name, placering.title) == ("bu_placeringsform", "Placeringsform")
    assert entries(placering) == [
        ("001", "Familjehem (före 2017)", 2013, 2016),
        ("001", "Familjehem", 2017, None),
        ("002", "Jourhem", 2017, None),
        ("003", "Annat boende", None, 2016),
        ("004", "Försöksverksamhet", 2019, 2019),
        ("021", "Stödboende", None, None),
    ]
    # no variable label: the sheet's Kodverk row gives the title
    assert (avslut.name, avslut.title) == ("bu_avslutsorsak", "Orsak till avslut")


def test_a_code_with_two_periods_keeps_both_entries(tmp_path: Path) -> None:
    placering = code_lists(bu_workbook(tmp_path), names=["placeringsform"])[0]
    assert placering.label("001", 2015) == "Familjehem (före 2017)"
    assert placering.label("001", 2018) == "Familjehem"
    assert [c.code for c in placering.as_of(2016)] == ["001", "003", "021"]
    assert [c.code for c in placering.as_of(2019)] == ["001", "002", "004", "021"]
    assert [c.code for c in placering.as_of(2020)] == ["001", "002", "021"]
    assert placering.lookup("003", 2017)[0] is Validity.EXPIRED
    assert placering.lookup("002", 2016)[0] is Validity.NOT_YET


def test_period_sections_date_the_rows_below_them(tmp_path: Path) -> None:
    avslut = read_workbook(bu_workbook(tmp_path)).codelist("AVSLUTSORSAK")
    assert entries(avslut) == [
        ("1", "Återförenad", 2013, 2016),
        ("2", "Flyttat", 2013, 2016),  # the repeated row once
        ("1", "Återförenad med föräldrar", 2017, None),
        ("4", "Skyddat boende", 2019, None),
        ("5", "Annan orsak", 2017, None),
    ]
    assert [c.code for c in avslut.as_of(2016)] == ["1", "2"]
    assert [c.code for c in avslut.as_of(2018)] == ["1", "5"]


def test_codes_stored_as_numbers_keep_their_zeros(tmp_path: Path) -> None:
    path = one_list(
        tmp_path,
        [
            HEADER,
            [None, Formatted(21, "000"), "a"],
            [None, Formatted(111, "000"), "b"],
            [None, Formatted(5.0, "000"), "c"],
            [None, 7.0, "d"],
            [None, Formatted(8, "0.0"), "e"],
            [None, "09.0", "f"],
            [None, " XS910 ", "g"],
            [None, "ab", "h"],
        ],
    )
    (cl,) = code_lists(path)
    assert [c.code for c in cl] == ["021", "111", "005", "7", "8", "09", "XS910", "ab"]


@pytest.mark.parametrize(
    ("sheet", "variable"),
    [
        ("Kodlista_KON", "KON"),
        ("Kodlista - KÖN", "KÖN"),
        ("kodlista_kön", "kön"),
        ("KODLISTA_Kon ", "Kon"),
        ("Kod lista. KON!", "KON"),
    ],
)
def test_sheet_name_variants(tmp_path: Path, sheet: str, variable: str) -> None:
    path = one_list(tmp_path, [HEADER, [None, 1, "Man"]], sheet=sheet)
    meta = read_workbook(path)
    assert meta.codelists == (variable,)
    (cl,) = code_lists(path, names=["kön"])
    assert cl.name == "t_kon"
    assert cl.sources == (f"Metadata Test (T)_webb.xlsx, sheet {sheet}",)


def test_two_sheets_for_one_variable_are_ambiguous(tmp_path: Path) -> None:
    path = openpyxl_workbook(
        tmp_path / BU_NAME,
        {"Kodlista_KON": [HEADER, [None, 1, "Man"]], "kodlista_kön": [HEADER, [None, 1, "Man"]]},
    )
    with pytest.raises(
        MetadataError,
        match="code list 'kon' is ambiguous: the sheets 'Kodlista_KON', 'kodlista_kön'",
    ):
        code_lists(path, names=["kon"])
    with pytest.raises(
        MetadataError,
        match="the sheets 'Kodlista_KON' and 'kodlista_kön' both give the list 'bu_kon'",
    ):
        code_lists(path)


def test_prefix(tmp_path: Path) -> None:
    assert metadata.register_prefix(BU_NAME) == "bu_"
    assert metadata.register_prefix("Metadata Ekonomiskt bistånd (EKB)_webb.xlsx") == "ekb_"
    assert metadata.register_prefix("Metadata_webb.xlsx") == ""
    assert metadata.register_prefix("Metadata (version 2 från 2023)_webb.xlsx") == ""
    assert metadata.list_name("Placeringsform 1", "bu_") == "bu_placeringsform_1"
    path = bu_workbook(tmp_path)
    assert [cl.name for cl in code_lists(path, prefix="")] == [
        "kon",
        "placeringsform",
        "avslutsorsak",
    ]
    assert read_workbook(path).codelist("kon", prefix="x.").name == "x.kon"


def test_title_from_a_variable_linking_the_sheet(tmp_path: Path) -> None:
    path = openpyxl_workbook(
        tmp_path / BU_NAME,
        {
            "Metadata - Variabelnivå": [
                ["Variabelnamn", "Variabeletikett", "Länk kodverk"],
                ["BDIAG_BK1", "Bidiagnos 1", "Kodlista_bdiag_bk"],
            ],
            "Kodlista_bdiag_bk": [HEADER, [None, "A00", "Kolera"]],
        },
    )
    (cl,) = code_lists(path)
    assert (cl.name, cl.title) == ("bu_bdiag_bk", "Bidiagnos 1")


# -- Tidsperiod -------------------------------------------------------------------------

FORMS: list[tuple[object, int | None, int | None]] = [
    (None, None, None),
    ("", None, None),
    ("  ", None, None),
    ("alla år", None, None),
    ("2017-", 2017, None),
    ("2017–", 2017, None),
    ("2017 —", 2017, None),
    ("2017 -", 2017, None),
    ("fr.o.m. 2017", 2017, None),
    ("Fr o m 2017", 2017, None),
    ("f.o.m. 2017", 2017, None),
    ("från 2017", 2017, None),
    ("från och med 2017", 2017, None),
    ("2017 och framåt", 2017, None),
    ("2017 och senare", 2017, None),
    ("2017 - tills vidare", 2017, None),
    ("2013-2016", 2013, 2016),
    ("2013–2016", 2013, 2016),
    ("2013 - 2016", 2013, 2016),
    ("2013 till 2016", 2013, 2016),
    ("från 2013 till 2016", 2013, 2016),
    ("fr.o.m. 2013 t.o.m. 2016", 2013, 2016),
    ("-2016", None, 2016),
    ("– 2016", None, 2016),
    ("t.o.m. 2016", None, 2016),
    ("tom 2016", None, 2016),
    ("till 2016", None, 2016),
    ("till och med 2016", None, 2016),
    ("2016 och tidigare", None, 2016),
    ("2017", 2017, 2017),
    (2017, 2017, 2017),
    (2017.0, 2017, 2017),
    (Formatted(2017, "0.0"), 2017, 2017),
    ("2017-01-01 - 2019-12-31", 2017, 2019),
    ("2017-01-01–2019-12-31", 2017, 2019),
    ("2017-01-01–", 2017, None),
    ("20170101-20191231", 2017, 2019),
    ("201701-", 2017, None),
    ("2017-01 -", 2017, None),
    ("201701-201912", 2017, 2019),
    ("-201912", None, 2019),
    ("2017-2017", 2017, 2017),
]


@pytest.mark.parametrize(("value", "start", "end"), FORMS, ids=[repr(f[0]) for f in FORMS])
def test_tidsperiod_forms(
    tmp_path: Path, value: object, start: int | None, end: int | None
) -> None:
    path = one_list(tmp_path, [["Kodverk", "Kön"], HEADER, [value, "1", "Man"]])
    (cl,) = code_lists(path)
    assert [(c.valid_from, c.valid_to) for c in cl] == [(start, end)]
    for year in (2012, 2013, 2016, 2017, 2019, 2020):
        assert bool(cl.as_of(year)) == Code("1", "", start, end).valid_in(year)


BAD_FORMS: list[tuple[object, str]] = [
    ("2017-18", "not a year-month"),
    ("2013-16", "range of years is written in full"),
    ("2019-2017", r"ends \(2017\) before it starts \(2019\)"),
    ("senaste året", "not a period in a known form"),
    ("2011 och 2013", "not a period in a known form"),
    ("1999-2003 samt 2007-", "not a period in a known form"),
    ("före 2017", "not a period in a known form"),
    ("2017-01-01", "point in time, not a period"),
    ("201701", "point in time, not a period"),
    (Formatted(42736, "yyyy-mm-dd"), "point in time, not a period"),
    ("1850-", "year 1850 is outside 1900–2099"),
    ("2017-02-30 -", "is not a date"),
    (2017.5, "not a period in a known form"),
    ("17-", "not a period in a known form"),
]


@pytest.mark.parametrize(("value", "reason"), BAD_FORMS, ids=[repr(f[0]) for f in BAD_FORMS])
def test_tidsperiod_refused(tmp_path: Path, value: object, reason: str) -> None:
    path = one_list(
        tmp_path, [["Kodverk", "Kön"], HEADER, ["2017-", "1", "Man"], [value, "2", "x"]]
    )
    with pytest.raises(CodeListImportError) as info:
        code_lists(path)
    message = str(info.value)
    shown = (
        xlsx.Cell(value.value, value.number_format).text
        if isinstance(value, Formatted)
        else str(value)
    )
    assert message.startswith(
        f"Metadata Test (T)_webb.xlsx: sheet 'Kodlista_KON', row 4: cannot read the Tidsperiod {shown!r}: "
    ), message
    assert re.search(reason, message), message
    assert "\n" not in message


def test_a_bad_period_section_is_refused_where_it_is_used(tmp_path: Path) -> None:
    note = [HEADER, [None, "1", "Man"], ["Anm.: se bakgrund"]]
    assert entries(code_lists(one_list(tmp_path, note))[0]) == [("1", "Man", None, None)]
    used = [HEADER, ["senare"], [None, "1", "Man"]]
    with pytest.raises(MetadataError, match="row 2: cannot read the Tidsperiod 'senare'"):
        code_lists(one_list(tmp_path, used))


def test_read_period_directly() -> None:
    assert read_period(" FR.O.M. 2017 ") == (2017, None)
    with pytest.raises(ValueError, match="not a period"):
        read_period("2017, 2018")


# -- refusals -----------------------------------------------------------------------------


def test_no_kodlista_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = openpyxl_workbook(
        tmp_path / BU_NAME,
        {"Generell information": GENERAL, "Metadata - Variabelnivå": VARIABLES},
    )
    with pytest.raises(MetadataError) as info:
        code_lists(path)
    assert str(info.value) == (
        f"{BU_NAME}: has no Kodlista sheet (a sheet named Kodlista_<VARIABEL>); the sheets are "
        "'Generell information', 'Metadata - Variabelnivå'"
    )
    assert read_workbook(path).codelists == ()


def test_not_a_metadata_workbook(tmp_path: Path) -> None:
    path = openpyxl_workbook(tmp_path / "kva.xlsx", {"KVÅ": [["Kod", "Titel"]]})
    with pytest.raises(MetadataError, match=r"is not a metadata workbook: .* the sheets are 'KVÅ'"):
        read_workbook(path)


def test_kodlista_sheet_without_a_header_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Kodverk", "Kön"], ["Kod", "Beskrivning"], ["1", "Man"]]
    with pytest.raises(
        MetadataError,
        match="sheet 'Kodlista_KON' has no header row with the columns Tidsperiod, Kod and "
        "Beskrivning among its first 30 rows",
    ):
        code_lists(one_list(tmp_path, rows))


def test_unknown_list_name(tmp_path: Path) -> None:
    with pytest.raises(
        MetadataError,
        match="no code list 'insats'; the Kodlista sheets are for KON, PLACERINGSFORM, Avslutsorsak",
    ):
        code_lists(bu_workbook(tmp_path), names=["insats"])


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            BU_NAME.replace(".xlsx", ".xls"),
            xlsx.OLE_MAGIC + bytes(504),
            r"old binary Excel workbook \(\.xls\)",
        ),
        ("~$" + BU_NAME, b"\x0bAnna Svensson" + b" " * 40, "Office lock file"),
    ],
    ids=["xls", "lock-file"],
)
def test_xls_and_lock_files_are_refused(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for read in (read_workbook, code_lists):
        with pytest.raises(MetadataError) as info:
            read(path)
        assert str(info.value).startswith(f"{name}: "), info.value
        assert re.search(expected, str(info.value))


# -- several lists in one TOML file -----------------------------------------------------------


def test_to_toml_many_round_trips_through_load_files(tmp_path: Path) -> None:
    odd = CodeList(
        name="bu_x",
        title='Titel med "citat" och \\',
        codes=(
            Code("1", "rad ett\nrad två\t\x01", 2013, 2016, label_en="one"),
            Code("1", "ny", 2017, None, warning="varning", warning_en="warning"),
        ),
        title_en="X",
        width=1,
        provenance="public",
        sources=("a.xlsx, sheet Kodlista_X",),
    )
    lists = [*code_lists(bu_workbook(tmp_path)), odd]
    path = tmp_path / "lists.toml"
    path.write_text(to_toml_many(lists), "utf-8")
    assert codelists.load_files(path) == lists
    with pytest.raises(
        CodeListError, match=r"holds 4 code lists \(bu_kon, .*\); read them with load_files"
    ):
        codelists.load_file(path)
    single = tmp_path / "single.toml"
    single.write_text(to_toml_many([odd]), "utf-8")
    assert codelists.load_file(single) == odd
    assert codelists.load_files(single) == [odd]


def test_load_files_reads_a_one_list_file() -> None:
    builtin = Path(codelists.__file__).parent / "data" / "kon.toml"
    assert codelists.load_files(builtin) == [codelists.get("kon")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'name = "a"\n[[lists]]\nname = "b"\n',
            r"has \[\[lists\]\] and also the top-level key\(s\) 'name'",
        ),
        ("lists = []\n", r"'lists' holds no \[\[lists\]\] tables"),
        ('lists = "x"\n', r"'lists' holds no \[\[lists\]\] tables"),
        (
            '[[lists]]\nname = "a"\n[[lists]]\nname = "a"\n',
            "holds the code list 'a' more than once",
        ),
        (
            '[[lists]]\nname = "a"\n[[lists]]\ntitle = "b"\n',
            r"not a valid code list \(list 2\): missing key 'name'",
        ),
        ("lists = [1]\n", r"not a valid code list \(list 1\): expected a table, not int"),
        ("[[lists\n", "is not a TOML code list"),
    ],
)
def test_bad_multi_list_files(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "lists.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(CodeListError, match=expected):
        codelists.load_files(path)


# -- the CLI --------------------------------------------------------------------------------


def test_cli_imports_every_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = bu_workbook(tmp_path)
    out = tmp_path / "lists.toml"
    assert main(["import-codes", "metadata", str(path), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{out}: bu_kon (Kön): 3 codes in 3 entries, from {BU_NAME}, sheet Kodlista_KON",
        f"{out}: bu_placeringsform (Placeringsform): 5 codes in 6 entries, from {BU_NAME}, "
        "sheet Kodlista - PLACERINGSFORM",
        f"{out}: bu_avslutsorsak (Orsak till avslut): 4 codes in 5 entries, from {BU_NAME}, "
        "sheet KODLISTA_Avslutsorsak ",
    ]
    loaded = codelists.load_files(out)
    assert [cl.name for cl in loaded] == ["bu_kon", "bu_placeringsform", "bu_avslutsorsak"]
    kon, placering, avslut = loaded
    assert [c.code for c in kon.as_of(2016)] == []
    assert [(c.code, c.label) for c in kon.as_of(2023)] == [
        ("1", "Man"),
        ("2", "Kvinna"),
        ("3", "Uppgift saknas"),
    ]
    assert [(c.code, c.label) for c in placering.as_of(2015)] == [
        ("001", "Familjehem (före 2017)"),
        ("003", "Annat boende"),
        ("021", "Stödboende"),
    ]
    assert [c.code for c in placering.as_of(2019)] == ["001", "002", "004", "021"]
    assert [c.code for c in avslut.as_of(2020)] == ["1", "4", "5"]
    assert all(cl.provenance == "public" for cl in loaded)


def test_cli_chooses_lists_and_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = bu_workbook(tmp_path)
    code = main(
        [
            "import-codes",
            "metadata",
            str(path),
            "--list",
            "kön",
            "--list",
            "Kodlista - Avslutsorsak",
            "--prefix",
            "bu2_",
        ]
    )
    assert code == 0
    toml = capsys.readouterr().out
    assert toml.startswith('[[lists]]\nname = "bu2_kon"\ntitle = "Kön"\n')
    out = tmp_path / "lists.toml"
    out.write_text(toml, "utf-8")
    assert [cl.name for cl in codelists.load_files(out)] == ["bu2_kon", "bu2_avslutsorsak"]


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    return captured.err


def _xls(tmp: Path) -> Path:
    path = tmp / "Metadata (BU)_webb.xls"
    path.write_bytes(xlsx.OLE_MAGIC + bytes(504))
    return path


def _lock_file(tmp: Path) -> Path:
    path = tmp / f"~${BU_NAME}"
    path.write_bytes(b"\x0bAnna" + b" " * 50)
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_xls, r"^sosreg: Metadata \(BU\)_webb\.xls: is an old binary Excel workbook \(\.xls\)"),
        (_lock_file, r"^sosreg: ~\$Metadata_Insatser .*: is an Office lock file"),
        (
            lambda tmp: openpyxl_workbook(tmp / BU_NAME, {"Metadata - Variabelnivå": VARIABLES}),
            r"^sosreg: Metadata_Insatser .*: has no Kodlista sheet .*; the sheets are 'Metadata - Variabelnivå'$",
        ),
        (
            lambda tmp: one_list(tmp, [HEADER, ["2017-", "1", "Man"], ["2017-18", "2", "Kvinna"]]),
            r"^sosreg: Metadata Test \(T\)_webb\.xlsx: sheet 'Kodlista_KON', row 3: cannot read the "
            r"Tidsperiod '2017-18': ",
        ),
        (
            lambda tmp: one_list(tmp, [["Kod", "Beskrivning"], ["1", "Man"]]),
            r"sheet 'Kodlista_KON' has no header row with the columns Tidsperiod, Kod and Beskrivning",
        ),
        (lambda tmp: tmp / "saknas.xlsx", r"^sosreg: saknas\.xlsx: no such file$"),
    ],
    ids=["xls", "lock-file", "no-kodlista", "bad-tidsperiod", "no-header", "missing"],
)
def test_cli_refusals_exit_3_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], expected: str
) -> None:
    path = make(tmp_path)
    out = tmp_path / "lists.toml"
    assert main(["import-codes", "metadata", str(path), "-o", str(out)]) == 3
    assert re.search(expected, _one_error_line(capsys).rstrip("\n"))
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--year", "2023"],
            "import-codes metadata takes no --year (each code is dated by the sheet's Tidsperiod column)",
        ),
        (["--merge", "old.toml"], "takes no --merge"),
        (["--sheet", "2"], "takes no --sheet (choose Kodlista sheets with --list)"),
        (
            ["--list", "insats"],
            "no code list 'insats'; the Kodlista sheets are for KON, PLACERINGSFORM, Avslutsorsak",
        ),
    ],
)
def test_cli_metadata_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    path = bu_workbook(tmp_path)
    assert main(["import-codes", "metadata", str(path), *args]) == 3
    assert expected in _one_error_line(capsys)


# -- import-codes NAME FILE: --year only there, and --sheet ---------------------------------------


def _two_sheets(tmp_path: Path) -> Path:
    return openpyxl_workbook(
        tmp_path / "kva.xlsx",
        {
            "Om listan": [["KVÅ 2023, se socialstyrelsen.se"]],
            "KVÅ 2023": [["Kod", "Titel"], ["PD008", "Bedömning"]],
        },
    )


def test_cli_import_codes_needs_year_unless_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _two_sheets(tmp_path)
    assert main(["import-codes", "kva", str(path), "--sheet", "2"]) == 3
    assert "import-codes kva needs --year (the statistikår the list is for)" in _one_error_line(
        capsys
    )
    assert main(["import-codes", "kva", str(path), "--year", "2023", "--list", "x"]) == 3
    assert "--list is for 'import-codes metadata WORKBOOK.xlsx' only" in _one_error_line(capsys)
    assert main(["import-codes", "kva", str(path), "--year", "2023", "--prefix", "x"]) == 3
    assert "--prefix is for" in _one_error_line(capsys)


@pytest.mark.parametrize("sheet", ["2", "kvå 2023", "KVA_2023"])
def test_cli_import_codes_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet: str
) -> None:
    path = _two_sheets(tmp_path)
    out = tmp_path / "kva.toml"
    assert (
        main(["import-codes", "kva", str(path), "--year", "2023", "--sheet", sheet, "-o", str(out)])
        == 0
    )
    assert [c.code for c in codelists.load_file(out)] == ["PD008"]
    capsys.readouterr()
    assert main(["import-codes", "kva", str(path), "--year", "2023"]) == 3  # the first sheet
    assert "no header row" in _one_error_line(capsys)


def test_cli_import_codes_sheet_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _two_sheets(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["import-codes", "kva", str(path), "--year", "2023", "--sheet", "0"])
    assert info.value.code == 3
    assert "argument --sheet: sheets are numbered from 1, not '0'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        ("3", "has 2 sheet(s); there is no sheet number 3"),
        ("Blad9", "no sheet 'Blad9'"),
    ],
)
def test_cli_import_codes_bad_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet: str, expected: str
) -> None:
    path = _two_sheets(tmp_path)
    code = main(["import-codes", "kva", str(path), "--year", "2023", "--sheet", sheet])
    assert code == 3
    assert expected in capsys.readouterr().err
