"""Rule cases of the LSS register (collected by ``tests/test_rules.py``), and the
synthetic persons and lines that ``tests/test_lss.py`` uses too.

The file describes 1 October 2023: every age below is on that day.
"""

from __future__ import annotations

import helpers
from helpers import Case, pnr

helpers.DEFAULTS["lss"] = {"register": "lss", "file": "lss", "year": 2023}

ADULT = pnr("19850312", 234)  # 38
PA = pnr("19700405", 778)  # 53
TEEN = pnr("20090615", 341)  # 14
AGE67 = pnr("19561001", 456)  # 67 on 1 October 2023 exactly
AGE66 = pnr("19561002", 456)  # 66: turns 67 the day after
BORN_1OCT = pnr("20231001", 512)  # born on the reference day: 0 years
BORN_2OCT = pnr("20231002", 512)  # born the day after
AGE11 = pnr("20111002", 123)  # 11: turns 12 on 2 October
AGE12 = pnr("20111001", 123)  # 12 on 1 October exactly
AGE21 = pnr("20011002", 643)  # 21: turns 22 on 2 October
AGE22 = pnr("20011001", 643)  # 22 on 1 October exactly
AGE17 = pnr("20051002", 887)  # 17: turns 18 on 2 October
AGE18 = pnr("20051001", 887)  # 18 on 1 October exactly

FIELDS = (
    "kommun",
    "stadsdel",
    "ar",
    "personnummer",
    "personkrets",
    "personlig_assistans",
    "ledsagarservice",
    "kontaktperson",
    "avlosarservice",
    "korttidsvistelse",
    "korttidstillsyn",
    "boende_barn",
    "boende_vuxna",
    "boendekommun",
    "daglig_verksamhet",
)
NO_INSATS = dict.fromkeys(FIELDS[5:], "0") | {"boendekommun": ""}


def lss(person: str, **values: str) -> str:
    """An LSS line of kommun 0330 for 2023: personkrets 1 and no insats unless given."""
    row = {"kommun": "0330", "stadsdel": "", "ar": "2023", "personnummer": person}
    row |= {"personkrets": "1"} | NO_INSATS | values
    assert set(row) == set(FIELDS), set(row) ^ set(FIELDS)
    return ";".join(row[f] for f in FIELDS)


L_ADULT = lss(ADULT, kontaktperson="1", boende_vuxna="1", daglig_verksamhet="1")
L_TEEN = lss(TEEN, avlosarservice="1", korttidsvistelse="1", korttidstillsyn="1")
L_PA = lss(PA, personkrets="3", personlig_assistans="1")

CASES = [
    # --- field checks named for LSS ---
    Case(
        "LSS-001", [L_ADULT, L_TEEN.replace(";2023;", ";2022;")], [L_ADULT, L_TEEN], 2, file="lss"
    ),
    Case("LSS-010", [L_ADULT, L_PA.replace(";3;", ";4;")], [L_ADULT, L_PA], 2, file="lss"),
    Case(
        "LSS-011",
        [lss(ADULT, daglig_verksamhet="2")],
        [lss(ADULT, daglig_verksamhet="1")],
        1,
        file="lss",
    ),
    Case(
        "LSS-011",
        [L_PA, lss(TEEN, boende_barn="3")],
        [L_PA, lss(TEEN, boende_barn="2")],
        2,
        file="lss",
    ),
    Case(
        "LSS-012",
        [lss(ADULT, boende_vuxna="2", boendekommun="0000")],
        [lss(ADULT, boende_vuxna="2", boendekommun="0114")],
        1,
        file="lss",
    ),
    # --- record stage ---
    Case("LSS-020", [L_ADULT, lss(PA)], [L_ADULT, L_PA], 2, file="lss"),
    Case(
        "LSS-021",
        [lss(BORN_2OCT, personlig_assistans="1")],
        [lss(BORN_1OCT, personlig_assistans="1")],
        1,
        file="lss",
    ),
    Case(
        "LSS-022",
        [lss(ADULT, personkrets="3", daglig_verksamhet="1")],
        [lss(ADULT, personkrets="2", daglig_verksamhet="1")],
        1,
        file="lss",
    ),
    Case(
        "LSS-023",
        [L_PA, lss(AGE67, daglig_verksamhet="1")],
        [L_PA, lss(AGE66, daglig_verksamhet="1")],
        2,
        file="lss",
    ),
    Case(
        "LSS-024",
        [lss(AGE11, korttidstillsyn="1")],
        [lss(AGE12, korttidstillsyn="1")],
        1,
        file="lss",
    ),
    Case(
        "LSS-024",
        [lss(AGE22, korttidstillsyn="1")],
        [lss(AGE21, korttidstillsyn="1")],
        1,
        file="lss",
    ),
    Case(
        "LSS-025",
        [lss(AGE22, boende_barn="2")],
        [lss(AGE21, boende_barn="2")],
        1,
        file="lss",
    ),
    Case(
        "LSS-026",
        [lss(AGE17, boende_vuxna="1")],
        [lss(AGE18, boende_vuxna="1")],
        1,
        file="lss",
    ),
    Case(
        "LSS-027",
        [lss(AGE18, boende_barn="2", boende_vuxna="1")],
        [lss(AGE18, boende_vuxna="1")],
        1,
        file="lss",
    ),
    Case(
        "LSS-028",
        [lss(ADULT, kontaktperson="1", boendekommun="0114")],
        [lss(ADULT, kontaktperson="1", boende_vuxna="1", boendekommun="0114")],
        1,
        file="lss",
    ),
    Case(
        "LSS-029",
        [lss(ADULT, boende_vuxna="1", boendekommun="0330")],
        [lss(ADULT, boende_vuxna="1", boendekommun="0114")],
        1,
        file="lss",
    ),
    # --- cross-record ---
    Case(
        "LSS-030",
        [L_ADULT, L_TEEN, lss(ADULT, personlig_assistans="1")],
        [L_ADULT, L_TEEN],
        3,
        file="lss",
    ),
]

ELSEWHERE = {"LSS-080": "test_lss.py"}
"""The previous-year comparison needs two files: tested in ``tests/test_lss.py``."""
