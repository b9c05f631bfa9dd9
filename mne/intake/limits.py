"""One set of limits for both stores, checked in the preview: what the preview accepts, SQLite
and PostgreSQL both store exactly.

SQLite stores any length in a VARCHAR and a NUL in text; PostgreSQL refuses both (a 301-character
source in VARCHAR(300), a NUL anywhere in text). So text is held to the column sizes of
db.models (read from the models, so the two never drift apart), to MNE_MAX_CELL_CHARS where
the column has no size, and to printable characters (tab and line breaks allowed in notes);
numbers to finite values both stores keep exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from db import models as m
from mne.i18n import Translator
from mne.intake.problems import ERRORS, empty_problems, problem_frame, render
from mne.intake.read import max_cell_chars

# Control characters no person means to store (NUL among them); tab, LF and CR are kept.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
LARGEST_NUMBER = 1e15  # beyond it a float no longer holds every whole number exactly
# Fields of the long table, the stored column that bounds their length (None: the cell limit).
TEXT_FIELDS = {
    "source": m.Observation.__table__.c.source,
    "note": None,
    "city": None,
    "indicator": None,
    "period": None,
    "value": None,
}


def length_limit(field: str) -> int:
    column = TEXT_FIELDS[field]
    length = getattr(column.type, "length", None) if column is not None else None
    return int(length) if length else max_cell_chars()


def limit_problems(frame: pd.DataFrame, headers: dict[str, str], tr: Translator) -> pd.DataFrame:
    """Cells over their length limit, text with control characters, numbers out of range."""
    found = [_too_long(frame, field, headers, tr) for field in TEXT_FIELDS if field in frame]
    found += [_control(frame, field, headers, tr) for field in ("note", "source") if field in frame]
    found.append(_too_large(frame, tr))
    found = [f for f in found if not f.empty]
    return pd.concat(found, ignore_index=True) if found else empty_problems()


def _column_of(bad: pd.DataFrame, field: str, headers: dict[str, str]) -> pd.Series:
    if field == "value":
        return bad["column"]
    return pd.Series(headers.get(field, field), index=bad.index)


def _too_long(
    frame: pd.DataFrame, field: str, headers: dict[str, str], tr: Translator
) -> pd.DataFrame:
    limit = length_limit(field)
    lengths = frame[field].astype(str).str.len()
    bad = frame[lengths > limit]
    if bad.empty:
        return empty_problems()
    values = pd.DataFrame(
        {"length": lengths[bad.index].map(tr.number), "limit": tr.number(limit)}, index=bad.index
    )
    messages = render(tr, ERRORS["text_too_long"], values)
    shown = bad[field].astype(str).str.slice(0, 40) + "…"
    return problem_frame(
        bad["row"], _column_of(bad, field, headers), "text_too_long", messages, shown
    )


def _control(
    frame: pd.DataFrame, field: str, headers: dict[str, str], tr: Translator
) -> pd.DataFrame:
    text = frame[field].astype(str)
    # A vectorised search first (the string array's own regex engine), so the Python regex
    # that names the first such character runs on the few cells that have one.
    flagged = text[text.str.contains(CONTROL_CHARACTERS, regex=True).fillna(False).astype(bool)]
    first = flagged.str.extract(f"({CONTROL_CHARACTERS})", expand=False).dropna()
    if first.empty:
        return empty_problems()
    bad = frame.loc[first.index]
    codes = first.map(lambda ch: f"U+{ord(ch):04X}")
    messages = render(tr, ERRORS["control_character"], pd.DataFrame({"code": codes}))
    return problem_frame(
        bad["row"], _column_of(bad, field, headers), "control_character", messages, codes
    )


def _too_large(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    if "number" not in frame:
        return empty_problems()
    number = frame["number"].astype(float)
    bad = frame[number.notna() & ~(np.abs(number) <= LARGEST_NUMBER)]
    if bad.empty:
        return empty_problems()
    values = pd.DataFrame(
        {"value": bad["value"].astype(str).str.slice(0, 40), "limit": "1,000,000,000,000,000"}
    )
    messages = render(tr, ERRORS["number_too_large"], values)
    return problem_frame(bad["row"], bad["column"], "number_too_large", messages, bad["value"])
