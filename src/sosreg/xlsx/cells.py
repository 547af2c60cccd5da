"""A cell's value and number format, and its text as Excel shows it (the common
formats); sheet names as they are compared."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

import attrs

# Built-in number formats (ECMA-376 part 1, 18.8.30) that matter for rendering.
BUILTIN_FORMATS: Final[dict[int, str]] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}


@functools.lru_cache(maxsize=512)
def _format_kind(fmt: str | None) -> tuple[str, int, int]:
    """``("general", 0, 0)``, ``("fixed", integer digits, decimals)``,
    ``("date", has date, has time)`` for a number format."""
    if fmt is None:
        return ("general", 0, 0)
    section = fmt.split(";", 1)[0].strip()
    if section.lower() in ("general", "@", ""):
        return ("general", 0, 0)
    fixed = re.fullmatch(r"(0+)(?:\.(0+))?", section)
    if fixed:
        return ("fixed", len(fixed.group(1)), len(fixed.group(2) or ""))
    if re.search(r"\[(?:h+|m+|s+)\]", section, re.IGNORECASE):
        return ("general", 0, 0)  # elapsed time: leave the number
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", section).lower()
    has_time = "h" in bare or "s" in bare
    has_date = "y" in bare or "d" in bare or ("m" in bare and not has_time)
    if has_date or has_time:
        return ("date", int(has_date), int(has_time))
    return ("general", 0, 0)


def _general(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def _excel_date(serial: float, has_date: int, has_time: int) -> str | None:
    """The ISO text of an Excel serial date (1900 date system), or None out of range."""
    if not 0 <= serial < 2_958_466:  # 9999-12-31
        return None
    base = datetime.datetime(1899, 12, 30) if serial >= 61 else datetime.datetime(1899, 12, 31)
    moment = base + datetime.timedelta(seconds=round(serial * 86400))
    if has_date and has_time:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if has_date:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%H:%M:%S")


def format_number(value: int | float, number_format: str | None) -> str:
    """``value`` as Excel shows it under ``number_format``, for the common formats.

    ``General``/``@``/none: integers without a decimal part (``21.0`` → ``"21"``), other
    numbers with up to 15 significant digits. Zero-digit formats pad and round half
    away from zero: ``"000"`` (21 → ``"021"``), ``"0"``, ``"0.00"``, ``"00.0"``. Date and
    time formats give ISO text (``"2023-01-24"``, ``"2023-01-24 13:05:00"``,
    ``"13:05:00"``) in the 1900 date system. Anything else (thousands separators,
    percent, fractions, scientific, colours, conditions) falls back to ``General``.
    """
    kind, a, b = _format_kind(number_format)
    if kind == "fixed":
        try:
            exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            rounded = exact.quantize(Decimal(1).scaleb(-b), rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            return _general(value)
        sign = "-" if rounded < 0 else ""
        text = f"{abs(rounded):.{b}f}"
        whole, dot, frac = text.partition(".")
        return sign + whole.rjust(a, "0") + dot + frac
    if kind == "date":
        iso = _excel_date(float(value), a, b)
        if iso is not None:
            return iso
    return _general(value)


@attrs.frozen
class Cell:
    """One cell: its value and its number format.

    ``value`` is ``str`` for text (shared strings, inline strings, formula results,
    ``t="d"`` ISO dates and error values such as ``"#N/A"``), ``int`` or ``float`` for
    numbers (``int`` when the stored number has no decimal part or exponent, so a
    number stored as ``21.0`` is a float), ``bool`` for booleans and ``None`` for an
    empty cell. Formulas give their cached value. Dates stay numbers (Excel's serial
    day); :attr:`text` renders them.
    """

    value: str | float | int | bool | None = None
    number_format: str | None = None
    """The cell's number format (``"General"``, ``"000"``, ``"yyyy-mm-dd"`` …), resolved
    from ``xl/styles.xml``; ``None`` when the cell has no style."""

    @property
    def text(self) -> str:
        """The value as Excel shows it, for the common formats (see :func:`format_number`);
        booleans as ``TRUE``/``FALSE``, an empty cell as ``""``."""
        v = self.value
        if v is None:
            return ""
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, str):
            return v
        return format_number(v, self.number_format)


EMPTY: Final = Cell()


def sheet_key(name: str) -> str:
    """The form in which sheet names are compared by :meth:`Workbook.sheet`: case folded,
    accents removed, only letters and digits kept. ``"Metadata - Variabelnivå"``,
    ``"metadata-variabelniva"``, ``"METADATA_VARIABELNIVÅ"`` and
    ``" Metadata Variabelnivå "`` all give ``"metadatavariabelniva"``."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())
