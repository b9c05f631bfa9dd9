"""Numbers and periods as people write them, parsed over whole columns.

Numbers: "1234.5", "1234,5", "1.234,5", "1,234.5", "1 234,5", "45%". A value with one
separator followed by exactly three digits ("1,234", "1.234") could be thousands or decimals:
the file's other values decide (a file that writes "12,5" uses decimal commas); when nothing
in the file decides, it is an error, never a guess. Empty, "n/a", "-", ".." are missing.
Periods are read by mne.periods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MISSING = {
    "",
    "na",
    "n/a",
    "n.a.",
    "-",
    "--",
    "–",
    "—",
    "..",
    "...",
    "…",
    "nan",
    "null",
    "none",
    "x",
}

_SIGN = r"[+-]?"
PLAIN = rf"^{_SIGN}\d+$"
DOT_DECIMAL = rf"^{_SIGN}\d+\.\d+$"
COMMA_DECIMAL = rf"^{_SIGN}\d+,\d+$"
# Thousands groups: the first group never starts with 0 ("0.234" and "0,234" are decimals).
COMMA_GROUPS = rf"^{_SIGN}[1-9]\d{{0,2}}(,\d{{3}})+(\.\d+)?$"  # 1,234,567 / 1,234.5
DOT_GROUPS = rf"^{_SIGN}[1-9]\d{{0,2}}(\.\d{{3}})+(,\d+)?$"  # 1.234.567 / 1.234,5
AMBIGUOUS = rf"^{_SIGN}[1-9]\d{{0,2}}[.,]\d{{3}}$"  # 1,234 or 1.234
SCIENTIFIC = rf"^{_SIGN}\d+(\.\d+)?[eE][+-]?\d+$"  # 1.5E+06, as Excel writes a wide number


def clean_number_text(raw: pd.Series) -> pd.Series:
    """Trimmed, without spaces (also non-breaking ones used as thousands separators)."""
    text = raw.astype(str)
    # Plain replacements run natively on Arrow strings; a regex class would fall back to Python.
    for space in (" ", "\t", "\u00a0", "\u202f", "'"):
        text = text.str.replace(space, "", regex=False)
    return text.str.replace("\u2212", "-", regex=False)  # the minus sign of typeset text


def is_missing(raw: pd.Series) -> pd.Series:
    """Whether each cell is empty or a word for missing; asked once per distinct cell (a
    column of cities or indicators holds a few thousand at most), then spread to the rows."""
    codes, distinct = pd.factorize(raw, use_na_sentinel=False)
    answers = _is_missing(pd.Series(distinct, dtype=raw.dtype)).to_numpy(dtype=bool)
    return pd.Series(answers[codes], index=raw.index, name=raw.name)


def _is_missing(raw: pd.Series) -> pd.Series:
    return clean_number_text(raw).str.lower().isin(MISSING)


def decimal_style(text: pd.Series) -> str | None:
    """ "comma" or "dot" when the file's unambiguous numbers show which mark is decimal;
    None when they show neither or both."""
    ambiguous = text.str.match(AMBIGUOUS)
    comma = (text.str.match(COMMA_DECIMAL) & ~ambiguous) | text.str.match(
        rf"^{_SIGN}[1-9]\d{{0,2}}(\.\d{{3}})+,\d+$"
    )
    dot = (text.str.match(DOT_DECIMAL) & ~ambiguous) | text.str.match(
        rf"^{_SIGN}[1-9]\d{{0,2}}(,\d{{3}})+\.\d+$"
    )
    has_comma, has_dot = bool(comma.any()), bool(dot.any())
    if has_comma == has_dot:
        return None
    return "comma" if has_comma else "dot"


def parse_numbers(raw: pd.Series, typed: pd.Series | None = None) -> pd.DataFrame:
    """value (float, NaN when missing or bad), percent (had a % sign), and status:
    "ok", "missing", "not_a_number" or "ambiguous". `typed` marks cells that are numbers
    already (Excel), which parse as plain numbers and nothing else."""
    text = clean_number_text(raw)
    percent = text.str.endswith("%")
    text = text.str.rstrip("%")
    missing = text.str.lower().isin(MISSING)
    excel = (
        pd.Series(False, index=raw.index)
        if typed is None
        else pd.Series(typed.to_numpy(dtype=bool), index=raw.index)
    )
    written = ~missing & ~excel
    # Only what a person wrote shows their decimal mark; Excel's own numbers say nothing.
    style = decimal_style(text[written])
    ambiguous = text.str.match(AMBIGUOUS) & written

    value = pd.Series(np.nan, index=raw.index)
    plain = excel | (
        written
        & (
            text.str.match(PLAIN)
            | (text.str.match(DOT_DECIMAL) & ~ambiguous)
            | text.str.match(SCIENTIFIC)
        )
    )
    value[plain] = pd.to_numeric(text[plain], errors="coerce")
    comma_decimal = written & text.str.match(COMMA_DECIMAL) & ~ambiguous
    value[comma_decimal] = pd.to_numeric(text[comma_decimal].str.replace(",", "."), errors="coerce")
    comma_groups = written & text.str.match(COMMA_GROUPS) & ~ambiguous
    value[comma_groups] = pd.to_numeric(text[comma_groups].str.replace(",", ""), errors="coerce")
    dot_groups = written & text.str.match(DOT_GROUPS) & ~ambiguous
    value[dot_groups] = pd.to_numeric(
        text[dot_groups].str.replace(".", "").str.replace(",", "."), errors="coerce"
    )
    if style is not None:
        if style == "comma":  # "1,234" is 1.234; "1.234" is 1234
            converted = text[ambiguous].str.replace(".", "").str.replace(",", ".")
        else:
            converted = text[ambiguous].str.replace(",", "")
        value[ambiguous] = pd.to_numeric(converted, errors="coerce")
        ambiguous = pd.Series(False, index=raw.index)

    status = pd.Series("ok", index=raw.index)
    status[value.isna()] = "not_a_number"
    status[ambiguous] = "ambiguous"
    status[missing] = "missing"
    return pd.DataFrame({"value": value, "percent": percent, "status": status})
