"""Cells that are safe to open in a spreadsheet.

A text cell starting with = + - @ (or a tab or carriage return) is read by Excel, LibreOffice
and Google Sheets as a formula: a city name "=HYPERLINK(...)" in an export would run when the
file is opened. OWASP's advice (CSV injection) is to prefix such cells with a single quote, so
they show as the text they are. Numbers are left alone, negative ones included.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import pandas as pd

from mne.markup import FORMULA_START
from mne.markup import cell as _cell


def neutralise_text(value: object) -> object:
    """One text the way `neutralise_formulas` writes a cell; anything else unchanged."""
    return _cell(value) if isinstance(value, str) else value


def download_name(prefix: str, file_name: str, extension: str = "csv") -> str:
    """The name of a download made from an uploaded file: "rejected-hdr.csv" for "hdr.csv"
    (never "rejected-hdr.csv.csv"), the upload's own extension replaced by `extension`."""
    stem = PurePath(file_name.replace("\\", "/")).name
    stem = re.sub(r"(\.(csv|tsv|txt|xlsx|xls|xlsm|json))+$", "", stem, flags=re.IGNORECASE)
    return f"{prefix}-{stem or 'file'}.{extension}"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells that a spreadsheet would run as a formula start with
    a single quote, and so do its column headers. Only text columns are looked at (vectorised,
    per column); numeric columns and the numbers inside mixed columns are unchanged."""
    result = frame.copy()
    # Header cells are written first in the file and run the same way.
    result.columns = [neutralise_text(column) for column in result.columns]
    for column in result.columns:
        values = result[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        risky = values.str.contains(FORMULA_START, regex=True, na=False)
        risky = risky.fillna(False).astype(bool)  # non-text cells of a mixed column
        if risky.any():
            result[column] = values.where(~risky, "'" + values.astype("string"))
    return result
