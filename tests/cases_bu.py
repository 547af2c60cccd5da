"""Rule cases of the BU register (loaded by ``test_rules.py``): the per-file rules of
BU-Barn, BU-Insats and BU-Placering. The cross-file rules (a delivery of the three
files) are tested in ``test_bu.py``."""

from __future__ import annotations

from helpers import DEFAULTS, Case, pnr

from sosreg.identity import luhn_digit

for _file in ("barn", "insats", "placering"):
    DEFAULTS[_file] = {"register": "bu", "file": _file, "year": 2023}


def _replace(line: str, index: int, value: str) -> str:
    parts = line.split(";")
    parts[index] = value
    return ";".join(parts)


def _snr(date: str, serial: int) -> str:
    """A samordningsnummer: the birth day + 60."""
    body = date[2:6] + f"{int(date[6:]) + 60:02d}" + f"{serial:03d}"
    return date[:2] + body + luhn_digit(body)


# Synthetic children (statistikår 2023). The second-to-last digit gives the sex.
A = pnr("20120314", 238)  # girl, 11
B = pnr("20060822", 462)  # girl, 16 in 2023
C = "20070115T104"  # temporary id, 16 on 2023-01-15
D = _snr("20180402", 345)  # boy, samordningsnummer
TOO_OLD = pnr("20020101", 125)  # 21 on 2023-01-01
JUST_20 = pnr("20020102", 125)  # 20 on 2023-01-01
NEWBORN = pnr("20230601", 333)

P = "0330;;2023;"
# BU-Barn: kommun;stadsdel;ar;id;kon;fodelseland;fodelseland_foralder1;fodelseland_foralder2;vardnadshavare;ensamkommande
BARN_A = f"{P}{A};2;SE;SE;SE;1;2"
BARN_B = f"{P}{B};2;SE;SE;FI;2;2"
BARN_C = f"{P}{C};1;AF;AF;AF;5;1"
BARN_D = f"{P}{D};1;SE;SY;SE;1;2"
# BU-Insats: kommun;stadsdel;ar;id;insatsnr;lagrum;lvu_grund;beslutsdatum;startdatum;slutdatum;avslutsorsak
INS_A = f"{P}{A};1;2;2;20210310;20210312;;"  # LVU 2 §, ongoing since 2021
INS_B1 = f"{P}{B};1;1;;20220901;20220905;20230228;4"  # SoL, ended in 2023
INS_B2 = f"{P}{B};2;3;3;20230227;20230301;;"  # LVU 3 §
INS_C = f"{P}{C};1;1;;20230110;20230112;;"  # SoL
INS_D1 = f"{P}{D};1;5;;20230605;20230605;20230710;4"  # 6 § LVU, no ground
INS_D2 = f"{P}{D};2;4;4;20230706;20230710;;"  # LVU 2 och 3 §§
# BU-Placering: kommun;stadsdel;ar;id;insatsnr;placeringsnr;placeringsform;startdatum;slutdatum
PL_A1 = f"{P}{A};1;1;2;20210312;20210520"
PL_A2 = f"{P}{A};1;2;1;20210520;"
PL_B1 = f"{P}{B};1;1;3;20220905;20230228"
PL_B2 = f"{P}{B};2;1;4;20230301;20230815"
PL_B3 = f"{P}{B};2;2;5;20230815;"  # stödboende at 16
PL_C1 = f"{P}{C};1;1;3;20230112;20230601"
PL_C2 = f"{P}{C};1;2;5;20230601;"  # stödboende at 16
PL_D1 = f"{P}{D};1;1;2;20230605;20230710"
PL_D2 = f"{P}{D};2;1;1;20230710;"

BARN = [BARN_A, BARN_B, BARN_C, BARN_D]
INSATS = [INS_A, INS_B1, INS_B2, INS_C, INS_D1, INS_D2]
PLACERING = [PL_A1, PL_A2, PL_B1, PL_B2, PL_B3, PL_C1, PL_C2, PL_D1, PL_D2]

CASES = [
    # --- field checks ---
    Case("BU-001", [BARN_A, _replace(BARN_B, 2, "2022")], [BARN_A, BARN_B], 2, file="barn"),
    Case("BU-001", [INS_A, _replace(INS_C, 2, "2024")], [INS_A, INS_C], 2, file="insats"),
    Case("BU-001", [_replace(PL_A1, 2, "2022")], [PL_A1], 1, file="placering"),
    Case("BU-010", [INS_B1, _replace(INS_A, 6, "5")], [INS_B1, INS_A], 2, file="insats"),
    Case("BU-010", [_replace(INS_B2, 6, "1")], [INS_B2], 1, file="insats"),
    Case("BU-011", [BARN_A, _replace(BARN_B, 7, "MX")], [BARN_A, BARN_B], 2, file="barn"),
    Case("BU-012", [_replace(BARN_A, 5, "Sverige")], [BARN_A], 1, file="barn"),
    Case("BU-012", [_replace(BARN_A, 6, "se")], [BARN_A], 1, file="barn"),
    Case("SOS-205", [_replace(PL_A1, 6, "6")], [PL_A1], 1, file="placering"),
    Case("SOS-210", [_replace(BARN_C, 3, "20070115TF00")], [BARN_C], 1, file="barn"),
    Case("SOS-214", [BARN_A, _replace(BARN_B, 0, "0114")], [BARN_A, BARN_B], 2, file="barn"),
    # --- the child ---
    Case("BU-020", [BARN_A, _replace(BARN_C, 4, "")], [BARN_A, BARN_C], 2, file="barn"),
    Case("BU-021", [_replace(BARN_A, 4, "1")], [BARN_A], 1, file="barn"),
    Case("BU-021", [_replace(BARN_D, 4, "2")], [BARN_D], 1, file="barn"),
    # --- the insats ---
    Case(
        "BU-030",
        [_replace(INS_C, 7, "20230113")],
        [_replace(INS_C, 7, "20230112")],
        1,
        file="insats",
    ),
    Case(
        "BU-031",
        [INS_A, _replace(_replace(INS_B2, 9, "20230228"), 10, "4")],
        [INS_A, _replace(_replace(INS_B2, 9, "20230301"), 10, "4")],
        2,
        file="insats",
    ),
    Case(
        "BU-032",
        [_replace(INS_B1, 9, "20221231")],
        [_replace(INS_B1, 9, "20230101")],
        1,
        file="insats",
    ),
    Case(
        "BU-032",
        [INS_A, _replace(_replace(INS_C, 7, "20240101"), 8, "20240101")],
        [INS_A, _replace(_replace(INS_C, 7, "20231231"), 8, "20231231")],
        2,
        file="insats",
    ),
    Case(
        "BU-033",
        [f"{P}{TOO_OLD};1;1;;20220105;20220110;;"],
        [f"{P}{JUST_20};1;1;;20220105;20220110;;"],
        1,
        file="insats",
    ),
    Case(
        "BU-034",
        [INS_A, f"{P}{NEWBORN};1;1;;20230531;20230531;;"],
        [INS_A, f"{P}{NEWBORN};1;1;;20230531;20230601;;"],
        2,
        file="insats",
    ),
    Case("BU-035", [_replace(INS_A, 6, "")], [INS_A], 1, file="insats"),
    Case("BU-035", [_replace(INS_D1, 5, "2")], [INS_D1], 1, file="insats"),
    Case("BU-036", [INS_A, _replace(INS_B2, 6, "2")], [INS_A, INS_B2], 2, file="insats"),
    Case("BU-036", [_replace(INS_D2, 6, "3")], [INS_D2], 1, file="insats"),
    Case("BU-037", [_replace(INS_C, 6, "3")], [INS_C], 1, file="insats"),
    Case("BU-038", [_replace(INS_B1, 10, "")], [INS_B1], 1, file="insats"),
    Case("BU-038", [INS_A, _replace(INS_C, 10, "8")], [INS_A, INS_C], 2, file="insats"),
    # --- the placering ---
    Case(
        "BU-040",
        [_replace(PL_B1, 8, "20220904")],
        [_replace(PL_B1, 8, "20220905")],
        1,
        file="placering",
    ),
    Case(
        "BU-041",
        [PL_A1, _replace(PL_C2, 7, "20230114")],
        [PL_A1, _replace(PL_C2, 7, "20230115")],
        2,
        file="placering",
    ),
    Case(
        "BU-041",
        [f"{P}{TOO_OLD};1;1;5;20230101;"],
        [f"{P}{TOO_OLD};1;1;5;20221231;"],
        1,
        file="placering",
    ),
    Case("BU-041", [f"{P}{A};1;3;5;20230301;"], [f"{P}{A};1;3;3;20230301;"], 1, file="placering"),
    Case(
        "BU-042",
        [_replace(PL_C2, 7, "20240101")],
        [_replace(PL_C2, 7, "20231231")],
        1,
        file="placering",
    ),
    # --- cross-record ---
    Case("BU-050", [BARN_A, BARN_B, _replace(BARN_A, 5, "NO")], [BARN_A, BARN_B], 3, file="barn"),
    Case(
        "BU-051",
        [INS_A, INS_C, f"{P}{A};1;1;;20230301;20230301;;"],
        [INS_A, INS_C, f"{P}{A};2;1;;20230301;20230301;;"],
        3,
        file="insats",
    ),
    Case(
        "BU-052",
        [PL_A1, PL_A2, _replace(PL_A2, 7, "20230101")],
        [PL_A1, PL_A2, _replace(_replace(PL_A2, 5, "3"), 7, "20230101")],
        3,
        file="placering",
    ),
    Case(
        "BU-053",
        [BARN_C, BARN_A, _replace(BARN_C, 4, "2")],
        [BARN_C, BARN_A, BARN_C],
        3,
        file="barn",
    ),
    Case(
        "BU-054",
        [BARN_C, f"{P}20090302T104;2;SE;SE;SE;1;2"],
        [BARN_C, f"{P}20090302T105;2;SE;SE;SE;1;2"],
        2,
        file="barn",
    ),
]

# The rules of a delivery of several files.
ELSEWHERE = {
    "BU-060": "test_bu.py",
    "BU-061": "test_bu.py",
    "BU-062": "test_bu.py",
    "BU-063": "test_bu.py",
    "BU-064": "test_bu.py",
    "BU-065": "test_bu.py",
    "BU-066": "test_bu.py",
}
