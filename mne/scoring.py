"""Scores, progress statuses, indices, coverage and data quality: pure functions over frames.

Every formula is given in its function's docstring, as in ../shared/reference/scoring.md and on
the Methodology page, so that any figure on screen can be checked by hand.

Conventions:
- `yearly` frames have city_id, indicator_id, year, value: one row per city x indicator x year
  (`roll_up_to_years` makes one from quarterly and monthly periods).
- `indicators` frames have id, direction ("higher" or "lower" is better) and, where a group is
  needed, focus_area. An indicator missing from it is taken as higher-is-better.
- `targets` frames have indicator_id, city_id (empty for a target of every city), year, value.
- A score is 0-100, "% of the way from the worst-case bound to the target".
- Statuses and lights are stable codes (STATUS_ORDER, LIGHT_ORDER); their English labels are
  marked for translation and translated where they are shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mne.i18n import N_

PAIR = ["city_id", "indicator_id"]

# SDSN publishes no group index when more than 20 % of its indicators lack data.
MIN_INDEX_COVERAGE = 0.8
WORST_QUANTILE = 0.025

# Open SDG progress measure (Statistics Canada / Eurostat).
BASE_YEAR = 2015
ZERO_REPLACEMENT = 0.001
RATIO_ON_TRACK, RATIO_MODERATE = 0.95, 0.60
GROWTH_ON_TRACK, GROWTH_MODERATE = 0.015, 0.005
# Thresholds are compared after rounding to this many decimals, so a value that is exactly on a
# threshold by hand (R = 0.95) is on it here too, whatever the floating-point noise.
THRESHOLD_DECIMALS = 10

STATUS_ORDER = (
    "target_achieved",
    "on_track",
    "moderate",
    "limited",
    "deterioration",
    "insufficient_data",
)
STATUS_LABELS = {
    "target_achieved": N_("Target achieved"),
    "on_track": N_("On track"),
    "moderate": N_("Progress made, acceleration needed"),
    "limited": N_("Limited progress"),
    "deterioration": N_("Deterioration"),
    "insufficient_data": N_("Insufficient data"),
}
# Okabe-Ito palette, distinct for the common colour-vision deficiencies: blue for achieved,
# bluish green for on track, then yellow, orange and vermillion as things get worse, grey for
# no status. Yellow (moderate) and orange (limited) differ in lightness as well as hue.
STATUS_COLOURS = {
    "target_achieved": "#0072B2",
    "on_track": "#009E73",
    "moderate": "#F0E442",
    "limited": "#E69F00",
    "deterioration": "#D55E00",
    "insufficient_data": "#999999",
}

# U4SSC banded score: lower edges of the 2-, 3- and 4-point bands (share of target reached).
U4SSC_EDGES = (0.33, 0.66, 0.95)

# SDSN traffic light on the 0-100 score (see traffic_light).
LIGHT_ORDER = ("green", "yellow", "orange", "red")
LIGHT_EDGES = (25.0, 50.0, 75.0)
LIGHT_LABELS = {
    "green": N_("Goal achieved"),
    "yellow": N_("Challenges remain"),
    "orange": N_("Significant challenges"),
    "red": N_("Major challenges"),
}
LIGHT_COLOURS = {
    "green": "#009E73",
    "yellow": "#F0E442",
    "orange": "#E69F00",
    "red": "#D55E00",
}

# Modified z-score (Iglewicz & Hoaglin): 0.6745 = the 75th percentile of the standard normal.
MODIFIED_Z_FACTOR = 0.6745
OUTLIER_THRESHOLD = 3.5
OUTLIER_MIN_POINTS = 4


# --- Normalised score (SDSN) ------------------------------------------------------------------


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
    `latest` has indicator_id and value; `targets` has indicator_id, year, value, city_id.
    Returns indicator_id, worst, target, direction."""
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


# --- Yearly values, latest values, targets ------------------------------------------------------


PERIOD_PATTERN = r"^(?P<year>\d{4})(?:-(?P<sub>Q[1-4]|0[1-9]|1[0-2]))?$"


def roll_up_to_years(observations: pd.DataFrame) -> pd.DataFrame:
    """Values of any period rolled up to years.

    `observations` has city_id, indicator_id, period and value; a period is a year ("2024"), a
    quarter ("2024-Q1") or a month ("2024-03"), as the intake writes them. Per city x indicator
    x year:
    - when the year has an annual value, that value is the year's value and its quarters and
      months are ignored: the annual figure is the one the reporting unit published for the
      year, while sub-periods may be incomplete or provisional;
    - otherwise value = the mean of the year's sub-period values (quarters and months alike,
      each counting once), right for rates and levels, the indicators this framework holds.
    Empty values are dropped first. Returns city_id, indicator_id, year, value, sub_periods
    (how many sub-period values were averaged; 0 for an annual value). A period written in any
    other form raises ValueError (the intake only stores these three forms)."""
    columns = [*PAIR, "year", "value", "sub_periods"]
    obs = observations.dropna(subset=["value"])
    if obs.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    # Periods repeat: parse each distinct one once, then spread by position.
    codes, distinct = pd.factorize(obs["period"].astype(str).str.strip())
    parts = pd.Series(distinct).str.extract(PERIOD_PATTERN)
    unreadable = parts["year"].isna()
    if unreadable.any():
        examples = ", ".join(pd.Series(distinct)[unreadable].head(5))
        raise ValueError(f"periods not written as 2024, 2024-Q1 or 2024-03: {examples}")
    years = parts["year"].astype(int).to_numpy()[codes]
    annual_flags = parts["sub"].isna().to_numpy()[codes]
    frame = pd.DataFrame(
        {
            "city_id": obs["city_id"],
            "indicator_id": obs["indicator_id"],
            "year": years,
            "value": obs["value"].astype(float),
            "annual": annual_flags,
        }
    )
    key = [*PAIR, "year"]
    annual = frame[frame["annual"]].groupby(key, as_index=False)["value"].mean()
    annual["sub_periods"] = 0
    sub = frame[~frame["annual"]].groupby(key, as_index=False)["value"].agg(["mean", "count"])
    sub = sub.rename(columns={"mean": "value", "count": "sub_periods"})
    sub = sub.merge(annual[key], on=key, how="left", indicator=True)
    sub = sub[sub["_merge"] == "left_only"].drop(columns="_merge")
    yearly = pd.concat([annual, sub], ignore_index=True)
    return yearly.sort_values(key, ignore_index=True)[columns]


def latest_per_pair(yearly: pd.DataFrame) -> pd.DataFrame:
    """The latest yearly value of each city x indicator (yearly has city_id, indicator_id,
    year, value); a year with an empty value does not count. Returns the input's columns."""
    if yearly.empty:
        return yearly.copy()
    ordered = yearly.dropna(subset=["value"]).sort_values([*PAIR, "year"])
    return ordered.drop_duplicates(PAIR, keep="last").reset_index(drop=True)


def resolve_targets(pairs: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """The target that applies to each city x indicator of `pairs`.

    A city's own target wins over the target of every city (city_id empty); within the winning
    scope the target of the latest target year is used (the final target, as score_bounds
    does). Returns city_id, indicator_id, target_value, target_year, target_scope ("city",
    "network" or empty)."""
    out = pairs[PAIR].drop_duplicates().reset_index(drop=True)
    if targets is None or targets.empty:
        return out.assign(
            target_value=np.nan, target_year=np.nan, target_scope=pd.Series(None, dtype=object)
        )
    usable = targets.dropna(subset=["value", "year"]).sort_values("year")
    is_network = usable["city_id"].isna()
    network = usable.loc[is_network, ["indicator_id", "year", "value"]].drop_duplicates(
        "indicator_id", keep="last"
    )
    city = usable.loc[~is_network, ["city_id", "indicator_id", "year", "value"]]
    city = city.drop_duplicates(PAIR, keep="last")
    if not city.empty:
        city = city.astype({"city_id": out["city_id"].dtype})
    out = out.merge(
        city.rename(columns={"year": "city_year", "value": "city_value"}), on=PAIR, how="left"
    ).merge(
        network.rename(columns={"year": "network_year", "value": "network_value"}),
        on="indicator_id",
        how="left",
    )
    has_city = out["city_value"].notna()
    out["target_value"] = out["city_value"].where(has_city, out["network_value"]).astype(float)
    out["target_year"] = out["city_year"].where(has_city, out["network_year"]).astype(float)
    scope = np.where(has_city, "city", np.where(out["network_value"].notna(), "network", ""))
    out["target_scope"] = _codes(scope, out.index)
    return out[[*PAIR, "target_value", "target_year", "target_scope"]]


def _codes(values: np.ndarray, index: pd.Index) -> pd.Series:
    """A column of text codes, empty ("") made None."""
    codes = pd.Series(values, index=index, dtype=object)
    return codes.where(codes != "", None)


def _direction_sign(indicator_ids: pd.Series, indicators: pd.DataFrame) -> np.ndarray:
    """d = +1 when higher is better, -1 when lower is better (unknown indicators: +1)."""
    lower = indicator_ids.map(indicators.set_index("id")["direction"].eq("lower"))
    return np.where(lower.fillna(False).astype(bool).to_numpy(), -1.0, 1.0)


# --- Progress: baseline to target (UNESCAP style) ----------------------------------------------


def achievement(current: pd.Series, baseline: pd.Series, target: pd.Series) -> pd.Series:
    """Share of the way from the baseline to the target covered so far:
    achieved = (current - baseline) / (target - baseline).

    1 means the target is reached, above 1 beyond it, below 0 moving away from it. The formula
    needs no direction: for a lower-is-better indicator both differences are negative when
    things improve. A target equal to the baseline gives no share (NaN)."""
    span = (target - baseline).where(target != baseline)
    return (current - baseline) / span


def expected_share(year_now: pd.Series, year_base: pd.Series, year_target: pd.Series) -> pd.Series:
    """Share of the way a straight path from the baseline would have covered by `year_now`:
    expected = (year_now - year_base) / (year_target - year_base), clipped to [0, 1].

    At or past the target year the whole way is expected (1), also when the target year is not
    after the base year."""
    span = (year_target - year_base).astype(float)
    share = (year_now - year_base) / span.where(span > 0)
    share = share.where(span > 0, 1.0).where(year_target.notna() & year_base.notna())
    return share.clip(lower=0.0, upper=1.0)


def path_to_target(progress: pd.DataFrame) -> pd.DataFrame:
    """Adds to a `progress_status` frame: achieved = (latest - base) / (target - base),
    expected = (latest_year - base_year) / (target_year - base_year) clipped to [0, 1], and
    on_path = achieved >= expected (empty when either is unknown).

    The baseline is the progress measure's base value and year; "now" is the latest year with
    data, so the value and the straight path are compared in the same year."""
    out = progress.copy()
    out["achieved"] = achievement(out["latest_value"], out["base_value"], out["target_value"])
    out["expected"] = expected_share(out["latest_year"], out["base_year"], out["target_year"])
    known = out["achieved"].notna() & out["expected"].notna()
    on_path = out["achieved"].round(THRESHOLD_DECIMALS) >= out["expected"].round(THRESHOLD_DECIMALS)
    out["on_path"] = pd.Series(on_path, dtype="boolean").where(known, pd.NA)
    return out


# --- Progress status (Open SDG progress measure) -------------------------------------------------


PROGRESS_COLUMNS = [
    *PAIR,
    "direction",
    "base_year",
    "base_value",
    "latest_year",
    "latest_value",
    "points",
    "target_value",
    "target_year",
    "target_scope",
    "method",
    "cagr_obs",
    "cagr_req",
    "ratio",
    "growth",
    "status",
    "reason",
]


def _replace_zero(values: np.ndarray, sign_from: np.ndarray) -> np.ndarray:
    """Zero replaced by 0.001, carrying the sign of `sign_from` (positive when that is zero
    or unknown), so a zero next to negative values stays on their side of zero."""
    sign = np.where(np.nan_to_num(sign_from) < 0, -1.0, 1.0)
    return np.where(values == 0, ZERO_REPLACEMENT * sign, values)


def progress_status(
    yearly: pd.DataFrame,
    indicators: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    base_year: int | None = BASE_YEAR,
) -> pd.DataFrame:
    """Progress status of each city x indicator by the Open SDG progress measure.

    Base year t0: `base_year` (2015) when it has data, else the first later year with data (or
    simply the first year with data when base_year is None); years before it are not used.
    Latest year t: the last year with data. y0, yt: the values in those years.
    Zeros in y0, yt and the target are replaced by 0.001 (with the sign of the base value, or
    for a zero base value the sign of the latest value), so a growth rate exists.
      CAGR_obs = (yt / y0)^(1 / (t - t0)) - 1
      s = -1 if y0 < 0 else 1;  d = 1 if higher is better else -1
    With a target (value yT in year tT, a city's own target winning over the network's):
      CAGR_req = (yT / y0)^(1 / (tT - t0)) - 1;  R = s * d * CAGR_obs / |CAGR_req|
      target_achieved when yt is at or beyond yT in the desired direction, else
      on_track R >= 0.95; moderate 0.60 <= R < 0.95; limited 0 <= R < 0.60; deterioration R < 0.
    Without a target:
      P = s * d * CAGR_obs: on_track P >= 1.5 %/yr; moderate 0.5-1.5 %; limited 0-0.5 %;
      deterioration P < 0.
    R and P are compared after rounding to 10 decimals (a value on a threshold by hand is on it).

    insufficient_data, never a guessed status, with the reason in `reason`:
    - "no_data_since_base": no value in or after the base year;
    - "single_point": one value from the base year on;
    - "sign_change": y0 and yt on opposite sides of zero, where a growth rate has no meaning
      (Open SDG gives no status either; a person should look at the values instead);
    - "not_computable": a degenerate case left, e.g. a required rate of exactly 0 with no
      observed change (the target is then normally achieved, so this is rare).
    A latest value at or beyond the target is target_achieved even then: it is an observed
    fact, not a trend (Open SDG does the same).
    A target that cannot give a required rate (its year not after t0, or its value on the
    other side of zero from y0) is not used for R: the no-target measure P is, and `method`
    says "trend" rather than "target".

    Returns one row per city x indicator in `yearly`: city_id, indicator_id, direction,
    base_year, base_value, latest_year, latest_value, points (values from t0 to t),
    target_value, target_year, target_scope, method ("target", "trend" or empty), cagr_obs,
    cagr_req, ratio (R), growth (P = s * d * CAGR_obs), status, reason."""
    obs = yearly[[*PAIR, "year", "value"]].dropna(subset=["value"])
    obs = obs.sort_values([*PAIR, "year"])
    frame = obs.drop_duplicates(PAIR, keep="last").rename(
        columns={"year": "latest_year", "value": "latest_value"}
    )
    window = obs if base_year is None else obs[obs["year"] >= base_year]
    base = window.drop_duplicates(PAIR, keep="first").rename(
        columns={"year": "base_year", "value": "base_value"}
    )
    points = window.groupby(PAIR).size().rename("points").reset_index()
    frame = frame.merge(base, on=PAIR, how="left").merge(points, on=PAIR, how="left")
    frame["points"] = frame["points"].fillna(0).astype(int)
    frame = frame.merge(resolve_targets(frame, targets), on=PAIR, how="left")
    d = _direction_sign(frame["indicator_id"], indicators)
    frame["direction"] = np.where(d < 0, "lower", "higher")

    y0_raw = frame["base_value"].to_numpy(dtype=float)
    yt_raw = frame["latest_value"].to_numpy(dtype=float)
    target_raw = frame["target_value"].to_numpy(dtype=float)
    y0 = _replace_zero(y0_raw, np.where(y0_raw == 0, yt_raw, y0_raw))
    yt = _replace_zero(yt_raw, y0)
    target = _replace_zero(target_raw, y0)
    t0 = frame["base_year"].to_numpy(dtype=float)
    t = frame["latest_year"].to_numpy(dtype=float)
    t_target = frame["target_year"].to_numpy(dtype=float)
    s = np.where(y0 < 0, -1.0, 1.0)

    has_target = ~np.isnan(target_raw)
    achieved = has_target & (d * (yt_raw - target_raw) >= 0)
    no_base = frame["points"].to_numpy() == 0
    # A repeated year (input not one row per year) must not pass for two points.
    single = (frame["points"].to_numpy() == 1) | (~no_base & (t <= t0))
    sign_change = ~no_base & ~single & (y0 * yt < 0)
    computable = ~no_base & ~single & ~sign_change
    usable_target = computable & has_target & (t_target > t0) & (target * y0 > 0)

    with np.errstate(divide="ignore", invalid="ignore"):
        cagr_obs = np.where(computable, (yt / y0) ** (1.0 / (t - t0)) - 1.0, np.nan)
        cagr_req = np.where(usable_target, (target / y0) ** (1.0 / (t_target - t0)) - 1.0, np.nan)
        growth = s * d * cagr_obs
        ratio = np.where(usable_target, growth / np.abs(cagr_req), np.nan)
    measure = np.round(np.where(usable_target, ratio, growth), THRESHOLD_DECIMALS)
    high = np.where(usable_target, RATIO_ON_TRACK, GROWTH_ON_TRACK)
    med = np.where(usable_target, RATIO_MODERATE, GROWTH_MODERATE)
    valid_measure = computable & ~np.isnan(measure)

    method = np.where(computable, np.where(usable_target, "target", "trend"), "")
    frame["method"] = _codes(method, frame.index)
    frame["cagr_obs"] = cagr_obs
    frame["cagr_req"] = cagr_req
    frame["ratio"] = ratio
    frame["growth"] = growth
    frame["status"] = np.select(
        [
            achieved,
            valid_measure & (measure >= high),
            valid_measure & (measure >= med),
            valid_measure & (measure >= 0),
            valid_measure,
        ],
        ["target_achieved", "on_track", "moderate", "limited", "deterioration"],
        default="insufficient_data",
    )
    reason = np.select(
        [achieved, no_base, single, sign_change, ~valid_measure],
        ["", "no_data_since_base", "single_point", "sign_change", "not_computable"],
        default="",
    )
    frame["reason"] = _codes(reason, frame.index)
    return frame[PROGRESS_COLUMNS].reset_index(drop=True)


# --- Gap to target, U4SSC bands -------------------------------------------------------------------


def gap_to_target(latest: pd.Series, target: pd.Series, direction: pd.Series) -> pd.DataFrame:
    """Distance still to go: gap = d x (target - latest), d = 1 when higher is better, -1 when
    lower is better, so a positive gap is still to go and a negative one is beyond the target;
    gap_relative = gap / |target| (empty for a zero target). Returns gap, gap_relative."""
    d = np.where(direction.eq("lower").to_numpy(), -1.0, 1.0)
    gap = (target - latest) * d
    magnitude = target.abs()
    return pd.DataFrame({"gap": gap, "gap_relative": gap / magnitude.where(magnitude > 0)})


def target_share(value: pd.Series, target: pd.Series, direction: pd.Series) -> pd.Series:
    """Share of the target reached, as U4SSC reads it: value / target when higher is better,
    target / value when lower is better (a value of 0 is then infinitely good).

    Defined for values >= 0 and targets > 0 (>= 0 when lower is better): a ratio of numbers
    of mixed or negative sign does not read as "% of target", so those give NaN."""
    lower = direction.eq("lower")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (target / value).where(lower, value / target)
    defined = (value >= 0) & ((target > 0) | (lower & (target >= 0)))
    return share.where(defined & share.notna())


def u4ssc_points(value: pd.Series, target: pd.Series, direction: pd.Series) -> pd.Series:
    """U4SSC 4-band score of the share of the target reached (see target_share):
    below 33 % -> 1 point, 33 % to below 66 % -> 2, 66 % to below 95 % -> 3, 95 % or more -> 4.
    A band includes its lower edge (exactly 33 % is 2 points). Empty without a value or target.
    Returns a nullable integer series."""
    share = target_share(value, target, direction).round(THRESHOLD_DECIMALS)
    bands = sum((share >= edge).astype(int) for edge in U4SSC_EDGES)
    points = (1 + bands).where(share.notna())
    return points.astype("Int64")


def u4ssc_group_score(
    points: pd.DataFrame, indicators: pd.DataFrame, group: str = "focus_area"
) -> pd.DataFrame:
    """U4SSC group score per city x group: score = points / (4 x indicators with points), the
    indicators with data and a target; between 0.25 and 1 (shown as a percentage).

    `points` has city_id, indicator_id, points; `indicators` id and the `group` column.
    Returns city_id, <group>, points, indicators_scored, max_points, score."""
    scored = points.dropna(subset=["points"]).merge(
        indicators[["id", group]], left_on="indicator_id", right_on="id"
    )
    out = scored.groupby(["city_id", group], as_index=False).agg(
        points=("points", "sum"), indicators_scored=("points", "count")
    )
    out["points"] = out["points"].astype(int)
    out["max_points"] = 4 * out["indicators_scored"]
    out["score"] = out["points"] / out["max_points"]
    return out


# --- Focus-area index and its aggregates ---------------------------------------------------------


def focus_area_index(scores: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Per city x focus area: the mean of its indicator scores (equal weights), the coverage
    (share of the area's indicators with a score) and the index, left empty when coverage is
    under 80 % (SDSN: no aggregate when more than 20 % of the indicators are missing).

    `scores` has city_id, indicator_id, score; `indicators` id and focus_area. Every city in
    `scores` gets a row for every focus area, so coverage is always given (0 when the city has
    no score in the area). Returns city_id, focus_area, mean_score, scored, indicators,
    coverage, index."""
    per_area = indicators.groupby("focus_area")["id"].count().rename("indicators").reset_index()
    scored = scores.dropna(subset=["score"]).merge(
        indicators[["id", "focus_area"]], left_on="indicator_id", right_on="id"
    )
    grouped = (
        scored.groupby(["city_id", "focus_area"])["score"].agg(["mean", "count"]).reset_index()
    )
    grid = pd.DataFrame({"city_id": scores["city_id"].drop_duplicates()}).merge(
        per_area, how="cross"
    )
    frame = grid.merge(grouped, on=["city_id", "focus_area"], how="left")
    frame["count"] = frame["count"].fillna(0).astype(int)
    frame["coverage"] = frame["count"] / frame["indicators"]
    frame["index"] = frame["mean"].where(
        frame["coverage"].round(THRESHOLD_DECIMALS) >= MIN_INDEX_COVERAGE
    )
    frame = frame.rename(columns={"mean": "mean_score", "count": "scored"})
    return frame[
        ["city_id", "focus_area", "mean_score", "scored", "indicators", "coverage", "index"]
    ]


def aggregate_index(index: pd.DataFrame, cities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Country or network focus-area index: the mean of the index over the cities that have
    one (equal weight per city, as the SDSN averages units), with the count of those cities.

    `index` is a focus_area_index frame. With `cities` (id, country) the result is per country
    x focus area; without, per focus area for the whole network. Returns [country,]
    focus_area, index, cities_with_index, cities_in_scope (cities with a row, index or not)."""
    frame = index[["city_id", "focus_area", "index"]]
    keys = ["focus_area"]
    if cities is not None:
        frame = frame.merge(
            cities[["id", "country"]].rename(columns={"id": "city_id"}), on="city_id"
        )
        keys = ["country", "focus_area"]
    return frame.groupby(keys, as_index=False).agg(
        index=("index", "mean"),
        cities_with_index=("index", "count"),
        cities_in_scope=("city_id", "nunique"),
    )


def traffic_light(
    scores: pd.DataFrame, indicators: pd.DataFrame, group: str = "focus_area"
) -> pd.DataFrame:
    """SDSN-style traffic light per city x group, from the 0-100 indicator scores.

    An indicator's light: green when its score >= 75, yellow 50-75, orange 25-50, red < 25
    (lower edges included). SDSN sets green and red thresholds per indicator and rescales each
    indicator to 0-4 with them; the catalog has no such thresholds, so the score, already "%
    of the way from the worst case to the target", is cut in four equal bands (score / 25 is
    that 0-4 scale). The group's light is the light of the mean of its two worst scores (the
    one score when only one), and green only when every scored indicator is green (lowest
    score >= 75), else yellow. No light when coverage is under 80 %, as for the index.
    Returns city_id, <group>, worst_two_mean, lowest_score, scored, indicators, coverage, light.
    """
    per_group = indicators.groupby(group)["id"].count().rename("indicators").reset_index()
    scored = scores.dropna(subset=["score"]).merge(
        indicators[["id", group]], left_on="indicator_id", right_on="id"
    )
    keys = ["city_id", group]
    ordered = scored.sort_values([*keys, "score"])
    worst_two = ordered.groupby(keys).head(2).groupby(keys)["score"].mean().rename("worst_two_mean")
    stats = ordered.groupby(keys)["score"].agg(lowest_score="min", scored="count")
    frame = stats.join(worst_two).reset_index().merge(per_group, on=group)
    frame["coverage"] = frame["scored"] / frame["indicators"]
    light = score_light(frame["worst_two_mean"])
    light = light.where(~(light.eq("green") & (frame["lowest_score"] < LIGHT_EDGES[2])), "yellow")
    covered = frame["coverage"].round(THRESHOLD_DECIMALS) >= MIN_INDEX_COVERAGE
    frame["light"] = light.where(covered, None)
    return frame[
        [*keys, "worst_two_mean", "lowest_score", "scored", "indicators", "coverage", "light"]
    ]


def score_light(score: pd.Series) -> pd.Series:
    """The light of a 0-100 score: red < 25 <= orange < 50 <= yellow < 75 <= green."""
    bands = np.select(
        [score >= LIGHT_EDGES[2], score >= LIGHT_EDGES[1], score >= LIGHT_EDGES[0], score.notna()],
        ["green", "yellow", "orange", "red"],
        default="",
    )
    return _codes(bands, score.index)


# --- Coverage and data quality ----------------------------------------------------------------


def coverage_share(yearly: pd.DataFrame, year: int, cities: int, indicators: int) -> float:
    """Share of the city x indicator cells that have a value in `year`:
    cells with a value / (cities x indicators)."""
    if cities == 0 or indicators == 0:
        return 0.0
    in_year = yearly["year"] == year
    if "value" in yearly.columns:
        in_year &= yearly["value"].notna()
    reported = yearly.loc[in_year, PAIR]
    return len(reported.drop_duplicates()) / (cities * indicators)


def data_coverage(
    yearly: pd.DataFrame,
    first_year: int | None = None,
    last_year: int | None = None,
    city_ids: pd.Series | list[int] | None = None,
    indicator_ids: pd.Series | list[int] | None = None,
) -> pd.DataFrame:
    """Which city reported which indicator, and how regularly, over the years
    first_year..last_year (default: the earliest and latest year in `yearly`).

    Per city x indicator: first_year and latest_year with a value (over all years), latest
    value, years_reported (years in the period with a value), years_in_period
    (= last_year - first_year + 1, the same for every pair) and share = years_reported /
    years_in_period. With city_ids and indicator_ids, every pair of them gets a row, those
    never reported with 0 years and empty years: the gaps a coverage matrix highlights."""
    reported = yearly.dropna(subset=["value"])
    columns = [
        *PAIR,
        "first_year",
        "latest_year",
        "latest_value",
        "years_reported",
        "years_in_period",
        "share",
    ]
    if reported.empty and (city_ids is None or indicator_ids is None):
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    # With nothing reported and no period given the period is empty: every pair is a gap.
    years = reported["year"]
    start = first_year if first_year is not None else int(years.min()) if len(years) else 0
    end = last_year if last_year is not None else int(years.max()) if len(years) else -1
    ordered = reported.sort_values([*PAIR, "year"])
    span = ordered.groupby(PAIR)["year"].agg(first_year="min", latest_year="max")
    latest = ordered.drop_duplicates(PAIR, keep="last").set_index(PAIR)["value"]
    in_period = ordered[ordered["year"].between(start, end)]
    counted = in_period.drop_duplicates([*PAIR, "year"]).groupby(PAIR).size()
    frame = span.assign(latest_value=latest, years_reported=counted).reset_index()
    if city_ids is not None and indicator_ids is not None:
        grid = pd.DataFrame({"city_id": pd.unique(pd.Series(city_ids))}).merge(
            pd.DataFrame({"indicator_id": pd.unique(pd.Series(indicator_ids))}), how="cross"
        )
        frame = grid.merge(frame, on=PAIR, how="left")
    frame["years_reported"] = frame["years_reported"].fillna(0).astype(int)
    frame["years_in_period"] = max(end - start + 1, 0)
    frame["share"] = frame["years_reported"] / frame["years_in_period"].where(
        frame["years_in_period"] > 0
    )
    return frame[columns]


def outlier_flags(
    yearly: pd.DataFrame,
    threshold: float = OUTLIER_THRESHOLD,
    min_points: int = OUTLIER_MIN_POINTS,
) -> pd.DataFrame:
    """Robust outlier flags within each city x indicator's own history (DHIS2-style).

    Modified z-score (Iglewicz & Hoaglin): z = 0.6745 x (x - median) / MAD, with median and
    MAD = median(|x - median|) over the pair's values; outlier when |z| > 3.5. Computed only
    for pairs with at least 4 values and MAD > 0 (else z is empty and the flag False): with
    fewer points, or half of them equal, "unusual" has no robust meaning. A flag is a warning
    for a person to confirm, not a rejection.
    Returns the rows of `yearly` that have a value, with median, mad, modified_z, outlier."""
    frame = yearly.dropna(subset=["value"]).copy()
    grouped = frame.groupby(PAIR)["value"]
    frame["median"] = grouped.transform("median")
    deviation = (frame["value"] - frame["median"]).abs()
    frame["mad"] = deviation.groupby([frame["city_id"], frame["indicator_id"]]).transform("median")
    enough = (grouped.transform("count") >= min_points) & (frame["mad"] > 0)
    z = MODIFIED_Z_FACTOR * (frame["value"] - frame["median"]) / frame["mad"].where(enough)
    frame["modified_z"] = z
    frame["outlier"] = (z.abs() > threshold).fillna(False).astype(bool)
    return frame.reset_index(drop=True)


# --- One table for an indicator view ------------------------------------------------------------


def progress_table(
    yearly: pd.DataFrame,
    indicators: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    base_year: int | None = BASE_YEAR,
) -> pd.DataFrame:
    """progress_status, with path_to_target (achieved, expected, on_path), gap_to_target (gap,
    gap_relative) and the U4SSC band (target_share, u4ssc_points) of the latest value: what
    an indicator table shows per city x indicator, each column traceable to its formula."""
    table = path_to_target(progress_status(yearly, indicators, targets, base_year))
    gap = gap_to_target(table["latest_value"], table["target_value"], table["direction"])
    table["gap"] = gap["gap"]
    table["gap_relative"] = gap["gap_relative"]
    table["target_share"] = target_share(
        table["latest_value"], table["target_value"], table["direction"]
    )
    table["u4ssc_points"] = u4ssc_points(
        table["latest_value"], table["target_value"], table["direction"]
    )
    return table
