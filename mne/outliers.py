"""The one outlier rule (DHIS2-style), for the dashboard's flags and the upload's warnings.

Iglewicz & Hoaglin's modified z-score: z = 0.6745 × (x − median) / MAD, with the median and
MAD = median(|x − median|) of a city × indicator's own values; unusual when |z| > 3.5. Only
for series of at least 4 values with MAD > 0: with fewer, or half of them equal, "unusual" has
no robust meaning. A flag asks a person to look; it never rejects a value.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FACTOR = 0.6745  # the 75th percentile of the standard normal
THRESHOLD = 3.5
MIN_POINTS = 4


def series_stats(values: pd.Series, keys: Any) -> pd.DataFrame:
    """For each row of `values`: the median, MAD and count of its series (`keys`: the group
    labels, as pandas' groupby takes them)."""
    grouped = values.groupby(keys)
    median = grouped.transform("median")
    mad = (values - median).abs().groupby(keys).transform("median")
    return pd.DataFrame({"median": median, "mad": mad, "count": grouped.transform("count")})


def modified_z(values: pd.Series, stats: pd.DataFrame) -> pd.Series:
    """z of each value against `stats` (median, mad, count, aligned with `values`); NaN where
    the series is too short or too flat to say."""
    enough = (stats["count"] >= MIN_POINTS) & (stats["mad"] > 0)
    return FACTOR * (values - stats["median"]) / stats["mad"].where(enough)


def unusual(z: pd.Series) -> pd.Series:
    return (z.abs() > THRESHOLD).fillna(False).astype(bool)
