"""Scores, indices and coverage: pure functions over frames (formulas in
../shared/reference/scoring.md, and on the Methodology page).

Conventions: a score is 0-100, "% of the way from the worst-case bound to the target"; an
indicator's direction is "higher" or "lower" (is better).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# SDSN publishes no group index when more than 20 % of its indicators lack data.
MIN_INDEX_COVERAGE = 0.8
WORST_QUANTILE = 0.025


def normalised_score(value: pd.Series, worst: pd.Series, target: pd.Series) -> pd.Series:
    """SDSN normalisation: x' = (x - worst) / (target - worst) x 100, clipped to [0, 100].

    For lower-is-better indicators worst > target and the same formula holds, since both the
    numerator and the denominator change sign. Equal bounds give no score (NaN)."""
    span = (target - worst).where(target != worst)
    score = (value - worst) / span * 100
    return score.clip(lower=0, upper=100)


def score_bounds(
    latest: pd.DataFrame, indicators: pd.DataFrame, targets: pd.DataFrame
) -> pd.DataFrame:
    """Per indicator: the worst-case bound and the target used for normalising.

    worst = the 2.5th percentile of the cities' latest values (97.5th when lower is better);
    target = the network-wide target of the latest target year, else the technical optimum,
    the 97.5th percentile (2.5th when lower is better).
    `latest` has indicator_id and value; `targets` has indicator_id, year, value, city_id."""
    lower_better = indicators.set_index("id")["direction"].eq("lower")
    by_indicator = latest.groupby("indicator_id")["value"]
    low = by_indicator.quantile(WORST_QUANTILE)
    high = by_indicator.quantile(1 - WORST_QUANTILE)
    lb = lower_better.reindex(low.index, fill_value=False)
    worst = high.where(lb, low)
    optimum = low.where(lb, high)
    network = targets[targets["city_id"].isna()].sort_values("year")
    target = network.groupby("indicator_id")["value"].last()
    bounds = pd.DataFrame({"worst": worst, "target": target.reindex(worst.index)})
    bounds["target"] = bounds["target"].fillna(optimum)
    bounds["direction"] = np.where(lb, "lower", "higher")
    return bounds.rename_axis("indicator_id").reset_index()


def focus_area_index(scores: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Per city x focus area: the mean of its indicator scores (equal weights), the coverage
    (share of the area's indicators with a score) and the index, left empty when coverage is
    under 80 %. `scores` has city_id, indicator_id, score; `indicators` id and focus_area."""
    per_area = indicators.groupby("focus_area")["id"].count().rename("indicators")
    scored = scores.dropna(subset=["score"]).merge(
        indicators[["id", "focus_area"]], left_on="indicator_id", right_on="id"
    )
    grouped = scored.groupby(["city_id", "focus_area"])["score"].agg(["mean", "count"])
    frame = grouped.reset_index().merge(per_area.reset_index(), on="focus_area")
    frame["coverage"] = frame["count"] / frame["indicators"]
    frame["index"] = frame["mean"].where(frame["coverage"] >= MIN_INDEX_COVERAGE)
    return frame.rename(columns={"mean": "mean_score", "count": "scored"})


def latest_per_pair(yearly: pd.DataFrame) -> pd.DataFrame:
    """The latest yearly value of each city x indicator (yearly has city_id, indicator_id,
    year, value)."""
    if yearly.empty:
        return yearly.copy()
    ordered = yearly.sort_values("year")
    return ordered.groupby(["city_id", "indicator_id"], as_index=False).last()


def coverage_share(yearly: pd.DataFrame, year: int, cities: int, indicators: int) -> float:
    """Share of the city x indicator cells that have a value in `year`."""
    if cities == 0 or indicators == 0:
        return 0.0
    cells = yearly.loc[yearly["year"] == year, ["city_id", "indicator_id"]].drop_duplicates()
    return len(cells) / (cities * indicators)
