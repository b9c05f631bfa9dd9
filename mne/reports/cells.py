"""Cells that are safe to open in a spreadsheet.

A text cell starting with = + - @ (or a tab or carriage return) is read by Excel, LibreOffice
and Google Sheets as a formula: a city name "=HYPERLINK(...)" in an export would run when the
file is opened. OWASP's advice (CSV injection) is to prefix such cells with a single quote, so
they show as the text they are. Numbers are left alone, negative ones included.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = r"^[=+\-@\t\r]"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells that a spreadsheet would run as a formula start with
    a single quote. Only text columns are looked at (vectorised, per column); numeric columns
    and the numbers inside mixed columns are unchanged."""
    result = frame.copy()
    for column in result.columns:
        values = result[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        risky = values.str.contains(FORMULA_START, regex=True, na=False)
        risky = risky.fillna(False).astype(bool)  # non-text cells of a mixed column
        if risky.any():
            result[column] = values.where(~risky, "'" + values.astype("string"))
    return result
