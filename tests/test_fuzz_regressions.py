"""Inputs the coverage-guided fuzz target (`fuzz/fuzz_validate.py`) found, each as a
regression test: the input as the fuzzer gave it, and the smallest file that shows the
same defect."""

from __future__ import annotations

import pytest
from test_engines import assert_same

pytest.importorskip("polars")

EKB_2026 = {"register": "ekb", "file": "manad", "year": 2026}


def test_same_sokande_after_a_line_whose_avseendemanad_is_no_month() -> None:
    """EKB-050: line 2's avseendemånad 323060 is no month (SOS-202), so the row engine
    counts the line in the file's period, and line 5's sökande repeats it. The columnar
    mask took 323060 as a month and let line 5 through (fuzz, 2026-12-06)."""
    raw = b"\x05\x08\x010330;;202301;202301;1985031;1200;111;051;2;0;12;\r\n0330;;202301;323060;199201014579;;0;5230;0;021;;0;;;\r\n0330;97902149215;1;9120;650;113;040;5;1;20;8\r\n0330;;202301;202301;20\x00\x08\x010330;;202301;202301;198503122346;198705211186;2;8450;1200;111;051;2;0;12;\r\n0330;;202301;202301;199201014579;;0;5230;0;021;;0;;;\r\n0330;;202301;202301;197808308626;197902149215;1;9120;650;1136;197902149188;2;9120;650;113;0106153398;;0;4870;300;041;;3;040;5;1;2;6;\r\n0330;2;02301;202301;19560407TF00;;0;395\x00\x08\x010330;;193402172849;2;03301;;PD008;2023012"
    report = assert_same(raw, **EKB_2026)
    assert [(f.code, f.line) for f in report.by_code("EKB-050")] == [("EKB-050", 5)]


@pytest.mark.parametrize("month", ["323060", "202300", "202313", "+20231", "20231 "])
def test_a_month_that_is_not_one_counts_as_the_files_period(month: str) -> None:
    """The smallest form: the same sökande twice, once beside an avseendemånad that is
    not ÅÅÅÅMM (month 00, 13, 60, a sign, a space); both engines give one EKB-050."""
    lines = [
        f"0330;;202301;{month};199201014579;;0;5230;0;021;;0;;;",
        "0330;;202301;202301;199201014579;;0;5230;0;021;;0;;;",
    ]
    raw = ("\r\n".join(lines) + "\r\n").encode()
    report = assert_same(raw, register="ekb", file="manad", year=2023)
    assert [(f.code, f.line) for f in report.by_code("EKB-050")] == [("EKB-050", 2)]
