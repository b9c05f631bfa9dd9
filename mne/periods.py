"""Periods: the one place that knows how they are written.

Stored periods are canonical text: a year "2024", a quarter "2024-Q1" or a month "2024-03"
(CANONICAL). People and partner systems write them as "2024", "2024-Q1", "2024Q1",
"2024 Q1", "Q1 2024", "2024-03", "202403" (DHIS2 monthly) or "2024-03-31"
(WRITTEN_FORMS); parse_periods reads those, period_bounds gives a canonical period's days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CANONICAL = r"^(?P<year>\d{4})(?:-(?:Q(?P<q>[1-4])|(?P<m>0[1-9]|1[0-2])))?$"

WRITTEN_FORMS = [
    (r"^(?P<y>\d{4})$", "year"),
    (r"^(?P<y>\d{4})\.0$", "year"),  # a year read from Excel as a float
    (r"^(?P<y>\d{4})\s*-?\s*[Qq](?P<q>[1-4])$", "quarter"),
    (r"^[Qq](?P<q>[1-4])\s*[-/ ]\s*(?P<y>\d{4})$", "quarter"),
    (r"^(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])(-\d{2})?$", "month"),
    (r"^(?P<y>\d{4})(?P<m>0[1-9]|1[0-2])$", "month"),  # DHIS2 monthly: 202403
]


def parse_periods(raw: pd.Series) -> pd.DataFrame:
    """period (canonical text: 2024, 2024-Q1, 2024-03) and year; NaN/None where unreadable.

    Each distinct cell is parsed once (a file of a million values has a few dozen periods),
    then the results are spread to the rows."""
    codes, distinct = pd.factorize(raw, use_na_sentinel=False)
    parsed = _parse_periods(pd.Series(distinct, dtype=raw.dtype))
    return parsed.iloc[codes].set_axis(raw.index)


def _parse_periods(raw: pd.Series) -> pd.DataFrame:
    text = raw.astype(str).str.strip()
    period = pd.Series(None, index=raw.index, dtype=object)
    year = pd.Series(np.nan, index=raw.index)
    # Fast path for the common case, plain years, on the whole column at once.
    plain_year = text.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
    period[plain_year] = text[plain_year].to_numpy()
    year[plain_year] = pd.to_numeric(text[plain_year]).to_numpy()
    for pattern, kind in WRITTEN_FORMS:
        todo = period.isna()
        if not todo.any():
            break
        found = text[todo].str.extract(pattern)
        hit = found["y"].notna()
        if not hit.any():
            continue
        found = found[hit]
        if kind == "year":
            canonical = found["y"]
        elif kind == "quarter":
            canonical = found["y"] + "-Q" + found["q"]
        else:
            canonical = found["y"] + "-" + found["m"]
        period[found.index] = canonical
        year[found.index] = found["y"].astype(int)
    return pd.DataFrame({"period": period, "year": year})


def period_bounds(periods: pd.Series) -> pd.DataFrame:
    """First and last day of canonical periods (2024, 2024-Q1, 2024-03): start, end, indexed
    as `periods`. Worked out once per distinct period (a million-value upload has a few
    dozen), then spread to the rows."""
    codes = periods.astype(str)
    distinct = pd.Index(codes.unique())
    bounds = _distinct_bounds(pd.Series(distinct))
    return bounds.iloc[distinct.get_indexer(codes)].set_axis(periods.index)


def _distinct_bounds(periods: pd.Series) -> pd.DataFrame:
    parts = periods.str.extract(CANONICAL)
    year = pd.to_numeric(parts["year"])
    quarter, month = pd.to_numeric(parts["q"]), pd.to_numeric(parts["m"])
    first = ((quarter - 1) * 3 + 1).fillna(month).fillna(1)
    length = pd.Series(12, index=parts.index).where(quarter.isna(), 3).where(month.isna(), 1)
    after = first + length - 1  # months since January of `year`, 0-based, of the next period
    start = pd.to_datetime(pd.DataFrame({"year": year, "month": first, "day": 1}), errors="coerce")
    following = pd.to_datetime(
        pd.DataFrame({"year": year + after // 12, "month": after % 12 + 1, "day": 1}),
        errors="coerce",
    )
    return pd.DataFrame({"start": start, "end": following - pd.Timedelta(days=1)})
