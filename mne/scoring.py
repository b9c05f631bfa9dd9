"""Scores, progress statuses, indices, coverage and data quality: pure functions over frames.

Every formula is given in its function's docstring, as in ../shared/reference/scoring.md and on
the Methodology page, so that any figure on screen can be checked by hand.

Conventions:
- `yearly` frames have city_id, indicator_id, year, value: one row per city x indicator x year
  (`mne.analysis.yearly_values` makes one in SQL from annual, quarterly and monthly periods).
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

from mne import outliers
from mne.i18n import N_

PAIR = ["city_id", "indicator_id"]

# SDSN publishes no group index when more than 20 % of its indicators lack data.
MIN_INDEX_COVERAGE = 0.8
WORST_QUANTILE = 0.025
# With fewer cities reporting an indicator there is no worst-case bound (one city's own value
# would be its worst case): see pair_scores.
MIN_CITIES_FOR_BOUNDS = 2

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
# Each status's colour, and each light's, is mne.theme's.
STATUS_LABELS = {
    "target_achieved": N_("Target achieved"),
    "on_track": N_("On track"),
    "moderate": N_("Progress made, acceleration needed"),
    "limited": N_("Limited progress"),
    "deterioration": N_("Deterioration"),
    "insufficient_data": N_("Insufficient data"),
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


# --- Normalised score (SDSN) ------------------------------------------------------------------


def normalised_score(
    value: pd.Series,
    worst: pd.Series,
    target: pd.Series,
    direction: pd.Series | None = None,
) -> pd.Series:
    """SDSN normalisation: x' = (x - worst) / (target - worst) x 100, clipped to [0, 100].

    With `direction` ("higher"/"lower"), d = +1 / -1; without it d = sign(target - worst).
    - a value at or beyond the target in the better direction, d x (x - target) >= 0, scores
      100 whatever the worst bound (a city past the target never scores less);
    - a worst bound on the better side of the target, d x (target - worst) <= 0, leaves no
      room below the target: a value short of the target is then worse than the worst bound
      and scores 0;
    - otherwise the formula, clipped. For lower-is-better both the numerator and the
      denominator change sign. Equal bounds without a direction give no score (NaN)."""
    if direction is None:
        d = pd.Series(np.sign(target - worst), index=value.index).where(target != worst)
    else:
        d = pd.Series(np.where(direction.eq("lower").to_numpy(), -1.0, 1.0), index=value.index)
    span = (target - worst).where(target != worst)
    score = ((value - worst) / span * 100).clip(lower=0, upper=100)
    past = (d * (value - target)).round(THRESHOLD_DECIMALS) >= 0
    inverted = (d * (target - worst)) <= 0
    score = score.where(~inverted, 0.0)
    score = score.where(~past, 100.0)
    return score.where(d.notna() & value.notna() & target.notna())


def score_bounds(
    latest: pd.DataFrame, indicators: pd.DataFrame, targets: pd.DataFrame
) -> pd.DataFrame:
    """Per indicator: the worst-case bound and the network target used for normalising.

    worst = the 2.5th percentile of the cities' latest values (97.5th when lower is better),
    left empty when fewer than MIN_CITIES_FOR_BOUNDS cities report the indicator (one city's
    own value is no worst case); target = the network-wide target of the latest target year,
    else the technical optimum, the 97.5th percentile (2.5th when lower is better).
    `latest` has indicator_id and value; `targets` has indicator_id, year, value, city_id.
    Returns indicator_id, worst, target, direction, cities (how many reported)."""
    lower_better = indicators.set_index("id")["direction"].eq("lower")
    by_indicator = latest.groupby("indicator_id")["value"]
    low = by_indicator.quantile(WORST_QUANTILE)
    high = by_indicator.quantile(1 - WORST_QUANTILE)
    count = by_indicator.count()
    lb = lower_better.reindex(low.index, fill_value=False)
    worst = high.where(lb, low).where(count >= MIN_CITIES_FOR_BOUNDS)
    optimum = low.where(lb, high)
    network = _normalise_targets(targets)
    network = network[network["scope"] == "network"].sort_values("year")
    target = network.groupby("indicator_id")["value"].last()
    bounds = pd.DataFrame({"worst": worst, "target": target.reindex(worst.index)})
    bounds["target"] = bounds["target"].fillna(optimum)
    bounds["direction"] = np.where(lb, "lower", "higher")
    bounds["cities"] = count
    return bounds.rename_axis("indicator_id").reset_index()


SCORE_REASONS = ("not_comparable", "single_city", "")


def pair_scores(
    latest: pd.DataFrame, indicators: pd.DataFrame, targets: pd.DataFrame | None
) -> pd.DataFrame:
    """The 0-100 score of each city's latest value (`latest`: city_id, indicator_id, year,
    value; pass every city of the network, as the worst bound is the network's).

    - The target is the pair's own (resolve_targets: a city's, else its country's, else the
      network's, of the final target year); without one, the technical optimum of score_bounds.
    - A band target (value..target_high): the value is replaced by its distance outside the
      band, max(low - x, x - high, 0), lower is better, target 0, and the worst bound is the
      97.5th percentile of those distances over the cities scored against a band.
    - normalised_score then gives 100 at or beyond the target and 0 at or past the worst.
    - An indicator marked not comparable across cities (raw counts) gets no score
      (reason "not_comparable"); with fewer than MIN_CITIES_FOR_BOUNDS cities there is no worst
      bound: a city at or beyond its target still scores 100, any other gets no score
      (reason "single_city").
    Returns the `latest` columns with worst, target, target_high, target_scope, direction,
    score, score_reason."""
    if latest.empty:
        return latest.assign(
            worst=pd.Series(dtype=float),
            target=pd.Series(dtype=float),
            target_high=pd.Series(dtype=float),
            target_scope=pd.Series(dtype=object),
            direction=pd.Series(dtype=object),
            score=pd.Series(dtype=float),
            score_reason=pd.Series(dtype=object),
        )
    empty_targets = pd.DataFrame(columns=["indicator_id", "city_id", "year", "value"])
    target_frame = empty_targets if targets is None else targets
    bounds = score_bounds(latest, indicators, target_frame)
    frame = latest.merge(bounds.drop(columns="target"), on="indicator_id", how="left")
    frame = frame.merge(bounds[["indicator_id", "target"]].rename(columns={"target": "optimum"}))
    own = resolve_targets(frame, target_frame)
    frame = frame.merge(own, on=PAIR, how="left")
    band = frame["target_high"].notna()
    below = frame["target_value"] - frame["value"]
    distance = below.where(below > 0, frame["value"] - frame["target_high"]).clip(lower=0)
    band_worst = (
        distance.where(band)
        .groupby(frame["indicator_id"])
        .transform(lambda s: s.quantile(1 - WORST_QUANTILE))
    )
    band_cities = band.groupby(frame["indicator_id"]).transform("sum")
    has_target = frame["target_value"].notna()
    frame["target"] = frame["target_value"].where(has_target, frame["optimum"]).astype(float)
    value = frame["value"].where(~band, distance)
    worst = frame["worst"].where(~band, band_worst.where(band_cities >= MIN_CITIES_FOR_BOUNDS))
    target = frame["target"].where(~band, 0.0)
    direction = frame["direction"].where(~band, "lower")
    score = normalised_score(value, worst.fillna(target), target, direction)
    few = worst.isna()
    past = score.eq(100.0)
    comparable = _indicator_flag(frame["indicator_id"], indicators, "comparable", True)
    frame["score"] = score.where(comparable & (~few | past))
    reason = np.where(~comparable, "not_comparable", np.where(few & ~past, "single_city", ""))
    frame["score_reason"] = _codes(reason, frame.index)
    frame["worst"] = worst
    columns = [*latest.columns, "worst", "target", "target_high", "target_scope", "direction"]
    return frame[[*columns, "score", "score_reason"]]


def rescore(value: pd.Series, scored: pd.DataFrame) -> pd.Series:
    """The 0-100 score another value would have on the bounds of `scored`'s rows (a
    pair_scores frame, aligned with `value`): the same transform, so a band target measures
    the distance outside the band here too. Empty where the row itself has no score."""
    band = scored["target_high"].notna()
    below = scored["target"] - value
    distance = below.where(below > 0, value - scored["target_high"]).clip(lower=0)
    target = scored["target"].where(~band, 0.0)
    score = normalised_score(
        value.where(~band, distance),
        scored["worst"].fillna(target),
        target,
        scored["direction"].where(~band, "lower"),
    )
    return score.where(scored["score"].notna())


def _indicator_flag(
    indicator_ids: pd.Series, indicators: pd.DataFrame, column: str, default: object
) -> pd.Series:
    """A per-indicator catalog column spread over `indicator_ids` (the default when the
    indicators frame has no such column, or for an unknown indicator)."""
    if column not in indicators.columns:
        return pd.Series(default, index=indicator_ids.index)
    mapped = indicator_ids.map(indicators.set_index("id")[column])
    return mapped.where(mapped.notna(), default).astype(type(default))


# --- Yearly values, latest values, targets ------------------------------------------------------


def latest_per_pair(yearly: pd.DataFrame) -> pd.DataFrame:
    """The latest yearly value of each city x indicator (yearly has city_id, indicator_id,
    year, value); a year with an empty value does not count. Returns the input's columns."""
    if yearly.empty:
        return yearly.copy()
    ordered = yearly.dropna(subset=["value"]).sort_values([*PAIR, "year"])
    return ordered.drop_duplicates(PAIR, keep="last").reset_index(drop=True)


# Which target applies to a city: its own, else its country's, else the network's.
SCOPE_RANK = {"city": 0, "country": 1, "network": 2}
TARGET_COLUMNS = ["year", "value", "value_high", "scope", "kind"]


def _normalise_targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    """Targets with every column scoring reads: indicator_id, city_id, year, value, value_high
    (the upper edge of a band target, else empty), scope ("city", "country" or "network";
    by default "city" with a city_id, else "network"), kind (empty when not given).
    A country's target arrives spread over its cities (analysis.targets), city_id set."""
    columns = ["indicator_id", "city_id", *TARGET_COLUMNS]
    if targets is None or targets.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = targets.dropna(subset=["value", "year"]).copy()
    default_scope = pd.Series(
        np.where(frame["city_id"].notna(), "city", "network"), index=frame.index
    )
    frame["scope"] = frame["scope"].fillna(default_scope) if "scope" in frame else default_scope
    if "value_high" not in frame:
        frame["value_high"] = np.nan
    if "kind" not in frame:
        frame["kind"] = None
    frame["value_high"] = frame["value_high"].astype(float)
    frame["value"] = frame["value"].astype(float)
    return frame[columns]


def target_milestones(pairs: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """Every (year, value) milestone of the target that applies to each city x indicator of
    `pairs`: the milestones of the narrowest scope that has any (city, then country, then
    network). Returns city_id, indicator_id, year, value, value_high, scope, kind, in year
    order; a pair without a target has no rows."""
    out = pairs[PAIR].drop_duplicates()
    frame = _normalise_targets(targets)
    if frame.empty or out.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*PAIR, *TARGET_COLUMNS]})
    network = frame[frame["city_id"].isna()].drop(columns="city_id")
    own = frame[frame["city_id"].notna()].astype({"city_id": out["city_id"].dtype})
    candidates = pd.concat(
        [out.merge(own, on=PAIR), out.merge(network, on="indicator_id")], ignore_index=True
    )
    candidates["rank"] = candidates["scope"].map(SCOPE_RANK).fillna(len(SCOPE_RANK))
    best = candidates.groupby(PAIR)["rank"].transform("min")
    chosen = candidates[candidates["rank"] == best].sort_values([*PAIR, "year"])
    chosen = chosen.drop_duplicates([*PAIR, "year"], keep="last")
    return chosen[[*PAIR, *TARGET_COLUMNS]].reset_index(drop=True)


def resolve_targets(pairs: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """The target that applies to each city x indicator of `pairs`: a city's own target wins
    over its country's, which wins over the target of every city (target_milestones); its
    final milestone (the latest target year) is the target. Returns city_id, indicator_id,
    target_value, target_high (upper edge of a band, else empty), target_year, target_scope
    ("city", "country", "network" or empty) and target_kind."""
    out = pairs[PAIR].drop_duplicates().reset_index(drop=True)
    milestones = target_milestones(out, targets)
    final = milestones.drop_duplicates(PAIR, keep="last").rename(
        columns={
            "year": "target_year",
            "value": "target_value",
            "value_high": "target_high",
            "scope": "target_scope",
            "kind": "target_kind",
        }
    )
    out = out.merge(final, on=PAIR, how="left")
    for column in ("target_value", "target_high", "target_year"):
        out[column] = out[column].astype(float)
    for column in ("target_scope", "target_kind"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out[[*PAIR, "target_value", "target_high", "target_year", "target_scope", "target_kind"]]


def next_milestone(progress: pd.DataFrame, milestones: pd.DataFrame) -> pd.DataFrame:
    """Per pair of `progress` (city_id, indicator_id, latest_year, base_year): the milestone
    due next, the first whose year is at or after the latest year and after the base year;
    past the last milestone, the final one. Returns city_id, indicator_id, milestone_year,
    milestone_value, milestone_high."""
    keys = progress[[*PAIR, "latest_year", "base_year"]]
    joined = keys.merge(milestones[[*PAIR, "year", "value", "value_high"]], on=PAIR)
    due = joined[(joined["year"] >= joined["latest_year"]) & (joined["year"] > joined["base_year"])]
    chosen = pd.concat([due.drop_duplicates(PAIR), joined.drop_duplicates(PAIR, keep="last")])
    chosen = chosen.drop_duplicates(PAIR, keep="first")
    return chosen.rename(
        columns={
            "year": "milestone_year",
            "value": "milestone_value",
            "value_high": "milestone_high",
        }
    )[[*PAIR, "milestone_year", "milestone_value", "milestone_high"]]


def expected_value(progress: pd.DataFrame, milestones: pd.DataFrame) -> pd.Series:
    """The value a straight path from the base (base_year, base_value) through every
    milestone after the base year would have reached in the latest year (linear between
    neighbouring points; the final value at or after the final year). For a band milestone
    the path runs to the edge nearest the base value. NaN without a target."""
    base = progress[[*PAIR, "base_year", "base_value"]].rename(
        columns={"base_year": "year", "base_value": "value"}
    )
    stones = milestones.merge(progress[[*PAIR, "base_year", "base_value"]], on=PAIR)
    stones = stones[stones["year"] > stones["base_year"]]
    above = stones["value_high"].notna() & (stones["base_value"] > stones["value_high"])
    stones = stones.assign(value=stones["value_high"].where(above, stones["value"]))
    knots = pd.concat([base, stones[[*PAIR, "year", "value"]]], ignore_index=True)
    knots = knots.dropna(subset=["year", "value"]).astype({"year": float, "value": float})
    knots = knots[knots.set_index(PAIR).index.isin(stones.set_index(PAIR).index)]
    now = progress[[*PAIR, "latest_year"]].reset_index(names="row")
    joined = now.merge(knots, on=PAIR)
    before = joined[joined["year"] <= joined["latest_year"]].sort_values("year")
    after = joined[joined["year"] > joined["latest_year"]].sort_values("year")
    prev = before.drop_duplicates("row", keep="last").set_index("row")
    nxt = after.drop_duplicates("row", keep="first").set_index("row")
    prev, nxt = prev.reindex(now["row"]), nxt.reindex(now["row"])
    share = (now.set_index("row")["latest_year"] - prev["year"]) / (nxt["year"] - prev["year"])
    interpolated = prev["value"] + share * (nxt["value"] - prev["value"])
    value = interpolated.where(nxt["year"].notna(), prev["value"])
    return pd.Series(value.to_numpy(dtype=float), index=progress.index)


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


def path_to_target(progress: pd.DataFrame, milestones: pd.DataFrame | None = None) -> pd.DataFrame:
    """Adds to a `progress_status` frame: achieved = (latest - base) / (target - base), the
    share of the way to the final target covered; expected = the share a straight path would
    have covered by the latest year, and on_path = achieved >= expected (empty when either is
    unknown).

    Without `milestones`: expected = (latest_year - base_year) / (target_year - base_year)
    clipped to [0, 1]. With them (target_milestones), the path runs from the base through
    every milestone (expected_value, also returned), and expected = (expected_value - base) /
    (target - base). For a band target the target is the edge nearest the base value.
    The baseline is the progress measure's base value and year; "now" is the latest year with
    data, so the value and the straight path are compared in the same year."""
    out = progress.copy()
    final = out["target_value"]
    if "target_high" in out.columns:
        above = out["target_high"].notna() & (out["base_value"] > out["target_high"])
        final = final.where(~above, out["target_high"])
    out["achieved"] = achievement(out["latest_value"], out["base_value"], final)
    if milestones is None:
        out["expected_value"] = np.nan
        out["expected"] = expected_share(out["latest_year"], out["base_year"], out["target_year"])
    else:
        out["expected_value"] = expected_value(out, milestones)
        share = achievement(out["expected_value"], out["base_value"], final)
        out["expected"] = share.clip(lower=0.0, upper=1.0)
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
    "target_high",
    "target_year",
    "target_scope",
    "target_kind",
    "milestone_year",
    "milestone_value",
    "milestone_high",
    "series_start",
    "method",
    "cagr_obs",
    "cagr_req",
    "ratio",
    "growth",
    "limit_factor",
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
    simply the first year with data when base_year is None); years before it are not used, nor
    years before a series break of the city (a `break_year` column of `yearly`, see
    analysis.yearly_values: a merger or split changes what the series counts).
    Latest year t: the last year with data. y0, yt: the values in those years.
    Zeros in y0, yt and the target are replaced by 0.001 (with the sign of the base value, or
    for a zero base value the sign of the latest value), so a growth rate exists.
      CAGR_obs = (yt / y0)^(1 / (t - t0)) - 1
      s = -1 if y0 < 0 else 1;  d = 1 if higher is better else -1
    With a target (target_milestones: a city's own, else its country's, else the network's),
    the milestone m due next (next_milestone) is the one measured against, value ym in tm:
      CAGR_req = (ym / y0)^(1 / (tm - t0)) - 1;  R = s * d * CAGR_obs / |CAGR_req|
      target_achieved when yt is at or beyond the final target in the desired direction, else
      on_track when yt is already at or beyond the milestone due next (method "milestone"),
      else on_track R >= 0.95; moderate 0.60 <= R < 0.95; limited 0 <= R < 0.60;
      deterioration R < 0.
    A zero base value (y0 = 0) gives no meaningful growth rate towards a target (0.001 would
    make any rise look huge): R is then the linear ratio (method "linear")
      R = [(yt - y0) / (ym - y0)] / [(t - t0) / (tm - t0)],
    the share of the way covered over the share of the time gone, as the straight path.
    A band target (value .. target_high): inside the final band is target_achieved, inside the
    band due next on_track; outside, d points towards the band and ym is its nearest edge.
    Without a target:
      P = s * d * CAGR_obs: on_track P >= 1.5 %/yr; moderate 0.5-1.5 %; limited 0-0.5 %;
      deterioration P < 0. For an indicator with a natural limit L (e.g. 100 %, column
      natural_limit), Open SDG's factor C scales the thresholds above 0: with b = |y0|,
      C = 1 - (b/L)^4.44 for b <= L, 1 - ((2L - b)/L)^4.44 for L < b < 2L, 1 for b >= 2L;
      C = 0 (the base at the limit) with P >= 0 is on_track.
    R and P are compared after rounding to 10 decimals (a value on a threshold by hand is on it).

    insufficient_data, never a guessed status, with the reason in `reason`:
    - "no_data_since_base": no value in or after the base year;
    - "single_point": one value from the base year on;
    - "series_break": one value since the city's last series break (earlier ones not used);
    - "sign_change": y0 and yt on opposite sides of zero, where a growth rate has no meaning;
    - "not_computable": a degenerate case left, e.g. a required rate of exactly 0 with no
      observed change.
    A latest value at or beyond the target is target_achieved even then: it is an observed
    fact, not a trend (Open SDG does the same).
    A target that cannot give a required rate (its year not after t0, or its value on the
    other side of zero from y0) is not used for R: the no-target measure P is, and `method`
    says "trend" rather than "target".

    Returns one row per city x indicator in `yearly`: PROGRESS_COLUMNS."""
    obs = yearly[[*PAIR, "year", "value"]].dropna(subset=["value"])
    if "break_year" in yearly.columns:
        obs = obs.assign(break_year=yearly.loc[obs.index, "break_year"].astype(float))
    else:
        obs = obs.assign(break_year=np.nan)
    obs = obs.sort_values([*PAIR, "year"])
    frame = obs.drop_duplicates(PAIR, keep="last").rename(
        columns={"year": "latest_year", "value": "latest_value", "break_year": "series_start"}
    )
    start = obs[PAIR].merge(frame[[*PAIR, "series_start"]], on=PAIR, how="left")
    since_break = ~(obs["year"].to_numpy() < start["series_start"].to_numpy())
    window = (
        obs[since_break] if base_year is None else obs[since_break & (obs["year"] >= base_year)]
    )
    before = obs["year"].to_numpy() < start["series_start"].to_numpy()
    broke = obs[before].groupby(PAIR).size().rename("before_break").reset_index()
    base = window.drop_duplicates(PAIR, keep="first")[[*PAIR, "year", "value"]].rename(
        columns={"year": "base_year", "value": "base_value"}
    )
    points = window.groupby(PAIR).size().rename("points").reset_index()
    frame = frame.merge(base, on=PAIR, how="left").merge(points, on=PAIR, how="left")
    frame = frame.merge(broke, on=PAIR, how="left")
    frame["points"] = frame["points"].fillna(0).astype(int)
    frame = frame.merge(resolve_targets(frame, targets), on=PAIR, how="left")
    milestones = target_milestones(frame, targets)
    frame = frame.merge(next_milestone(frame, milestones), on=PAIR, how="left")
    d_indicator = _direction_sign(frame["indicator_id"], indicators)
    frame["direction"] = np.where(d_indicator < 0, "lower", "higher")

    y0_raw = frame["base_value"].to_numpy(dtype=float)
    yt_raw = frame["latest_value"].to_numpy(dtype=float)
    final_raw = frame["target_value"].to_numpy(dtype=float)
    final_high = frame["target_high"].to_numpy(dtype=float)
    m_low = frame["milestone_value"].to_numpy(dtype=float)
    m_high = frame["milestone_high"].to_numpy(dtype=float)
    m_band = ~np.isnan(m_high)
    # A band: d points towards it from where the city is, ym is its nearest edge.
    above_band = m_band & (yt_raw > m_high)
    d = np.where(m_band, np.where(above_band, -1.0, 1.0), d_indicator)
    m_raw = np.where(above_band, m_high, m_low)

    y0 = _replace_zero(y0_raw, np.where(y0_raw == 0, yt_raw, y0_raw))
    yt = _replace_zero(yt_raw, y0)
    target = _replace_zero(m_raw, y0)
    t0 = frame["base_year"].to_numpy(dtype=float)
    t = frame["latest_year"].to_numpy(dtype=float)
    t_target = frame["milestone_year"].to_numpy(dtype=float)
    s = np.where(y0 < 0, -1.0, 1.0)

    has_target = ~np.isnan(final_raw)
    final_band = ~np.isnan(final_high)
    with np.errstate(invalid="ignore"):
        achieved = has_target & np.where(
            final_band,
            (yt_raw >= final_raw) & (yt_raw <= final_high),
            d_indicator * (yt_raw - final_raw) >= 0,
        )
        milestone_met = (
            has_target
            & ~achieved
            & (t_target < frame["target_year"].to_numpy(dtype=float))
            & np.where(m_band, (yt_raw >= m_low) & (yt_raw <= m_high), d * (yt_raw - m_raw) >= 0)
        )
    no_base = frame["points"].to_numpy() == 0
    # A repeated year (input not one row per year) must not pass for two points.
    single = (frame["points"].to_numpy() == 1) | (~no_base & (t <= t0))
    after_break = single & (frame["before_break"].fillna(0).to_numpy() > 0)
    sign_change = ~no_base & ~single & (y0 * yt < 0)
    computable = ~no_base & ~single & ~sign_change
    usable_target = computable & has_target & (t_target > t0) & (target * y0 > 0)
    linear = usable_target & (y0_raw == 0) & (m_raw != y0_raw)

    with np.errstate(divide="ignore", invalid="ignore"):
        cagr_obs = np.where(computable, (yt / y0) ** (1.0 / (t - t0)) - 1.0, np.nan)
        cagr_req = np.where(usable_target, (target / y0) ** (1.0 / (t_target - t0)) - 1.0, np.nan)
        growth = s * d * cagr_obs
        ratio = np.where(usable_target, growth / np.abs(cagr_req), np.nan)
        linear_ratio = ((yt_raw - y0_raw) / (m_raw - y0_raw)) / ((t - t0) / (t_target - t0))
        ratio = np.where(linear, linear_ratio, ratio)
    c = np.where(usable_target, 1.0, _limit_factor(frame, indicators, y0_raw, d))
    measure = np.round(np.where(usable_target, ratio, growth), THRESHOLD_DECIMALS)
    high = np.where(usable_target, RATIO_ON_TRACK, GROWTH_ON_TRACK * c)
    med = np.where(usable_target, RATIO_MODERATE, GROWTH_MODERATE * c)
    high, med = np.round(high, THRESHOLD_DECIMALS), np.round(med, THRESHOLD_DECIMALS)
    valid_measure = computable & ~np.isnan(measure)

    method = np.where(
        milestone_met & computable,
        "milestone",
        np.where(
            computable, np.where(linear, "linear", np.where(usable_target, "target", "trend")), ""
        ),
    )
    frame["method"] = _codes(method, frame.index)
    frame["cagr_obs"] = cagr_obs
    frame["cagr_req"] = np.where(linear, np.nan, cagr_req)
    frame["ratio"] = ratio
    frame["growth"] = growth
    frame["limit_factor"] = c
    frame["status"] = np.select(
        [
            achieved,
            milestone_met & computable,
            valid_measure & (measure >= high),
            valid_measure & (measure >= med),
            valid_measure & (measure >= 0),
            valid_measure,
        ],
        ["target_achieved", "on_track", "on_track", "moderate", "limited", "deterioration"],
        default="insufficient_data",
    )
    reason = np.select(
        [achieved, no_base, after_break, single, sign_change, ~valid_measure],
        ["", "no_data_since_base", "series_break", "single_point", "sign_change", "not_computable"],
        default="",
    )
    frame["reason"] = _codes(reason, frame.index)
    return frame[PROGRESS_COLUMNS].reset_index(drop=True)


# Open SDG's exponent in the natural-limit factor C (sdg-build, ProgressMeasure).
LIMIT_EXPONENT = 4.44


def _limit_factor(
    frame: pd.DataFrame, indicators: pd.DataFrame, y0: np.ndarray, d: np.ndarray
) -> np.ndarray:
    """Open SDG's factor C for indicators with a natural limit L (1 without one):
    with b = |y0|: 1 - (b/L)^4.44 when b <= L, 1 - ((2L - b)/L)^4.44 when L < b < 2L, else 1.
    Only a limit in the desired direction counts (a maximum when higher is better, a minimum
    when lower is better)."""
    limit = _indicator_flag(frame["indicator_id"], indicators, "natural_limit", np.nan)
    lim = np.abs(limit.to_numpy(dtype=float))
    b = np.abs(y0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(
            b >= 2 * lim,
            1.0,
            np.where(
                b <= lim,
                1.0 - (b / lim) ** LIMIT_EXPONENT,
                1.0 - ((2 * lim - b) / lim) ** LIMIT_EXPONENT,
            ),
        )
    # A maximum limit (at or above the base) for higher-is-better, a minimum for lower.
    wanted = np.where(d > 0, lim >= b, lim <= b)
    factor = np.where(np.isnan(lim) | ~wanted | np.isnan(factor), 1.0, factor)
    return np.clip(factor, 0.0, 1.0)


# --- Gap to target, U4SSC bands -------------------------------------------------------------------


def gap_to_target(
    latest: pd.Series,
    target: pd.Series,
    direction: pd.Series,
    target_high: pd.Series | None = None,
) -> pd.DataFrame:
    """Distance still to go: gap = d x (target - latest), d = 1 when higher is better, -1 when
    lower is better, so a positive gap is still to go and a negative one is beyond the target;
    gap_relative = gap / |target| (empty for a zero target). For a band target
    (target .. target_high) the gap is the distance to the nearest edge, 0 inside the band
    (never negative: beyond a band is off it). Returns gap, gap_relative."""
    d = np.where(direction.eq("lower").to_numpy(), -1.0, 1.0)
    gap = (target - latest) * d
    edge = target
    if target_high is not None:
        band = target_high.notna()
        distance = np.maximum(target - latest, latest - target_high).clip(lower=0)
        gap = gap.where(~band, distance)
        edge = target.where(~band | (latest < target), target_high)
    magnitude = edge.abs()
    return pd.DataFrame({"gap": gap, "gap_relative": gap / magnitude.where(magnitude > 0)})


def target_share(
    value: pd.Series,
    target: pd.Series,
    direction: pd.Series,
    base: pd.Series | None = None,
    target_high: pd.Series | None = None,
) -> pd.Series:
    """Share of the target reached, as U4SSC reads it: value / target when higher is better,
    target / value when lower is better.

    - A value at or beyond the target (inside a band target) has reached all of it: 1 or more.
    - A zero target when lower is better (no slums, no deaths): target / value is 0 for any
      value above it, which says nothing; the share is then the reduction achieved since the
      base value, (base - value) / base, 0 when there is no reduction, empty without a base
      value above zero or with one value only (base = value).
    - A band target: below it value / low edge, above it high edge / value.
    Defined for values >= 0 and targets > 0 (>= 0 when lower is better): a ratio of numbers
    of mixed or negative sign does not read as "% of target", so those give NaN."""
    lower = direction.eq("lower")
    high = pd.Series(np.nan, index=value.index) if target_high is None else target_high
    band = high.notna()
    above = band & (value > high)
    lower = lower.where(~band, above)
    edge = target.where(~above, high)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (edge / value).where(lower, value / edge)
    reached = (value <= edge).where(lower, value >= edge) & ~(band & ~above & (value < target))
    if base is None:
        base = pd.Series(np.nan, index=value.index)
    zero_target = lower & (edge == 0) & ~reached
    reduction = ((base - value) / base).clip(lower=0).where((base > 0) & (base != value))
    share = share.where(~zero_target, reduction)
    share = share.where(~reached | share.ge(1), 1.0)
    defined = (value >= 0) & ((edge > 0) | (lower & (edge >= 0)))
    return share.where(defined & share.notna())


def u4ssc_points(
    value: pd.Series,
    target: pd.Series,
    direction: pd.Series,
    base: pd.Series | None = None,
    target_high: pd.Series | None = None,
) -> pd.Series:
    """U4SSC 4-band score of the share of the target reached (see target_share):
    below 33 % -> 1 point, 33 % to below 66 % -> 2, 66 % to below 95 % -> 3, 95 % or more -> 4.
    A band includes its lower edge (exactly 33 % is 2 points). Empty without a value or target.
    Returns a nullable integer series."""
    share = target_share(value, target, direction, base, target_high).round(THRESHOLD_DECIMALS)
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
    coverage, index. Indicators marked not comparable across cities (column `comparable`
    False: raw counts) are left out of the area's indicators: they are no part of an index."""
    indicators = comparable_indicators(indicators)
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


def comparable_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators a network score or index may use: those not marked `comparable` False
    (a raw count, such as flood points, says nothing when set beside another city's)."""
    if "comparable" not in indicators.columns:
        return indicators
    return indicators[indicators["comparable"].fillna(True).astype(bool)]


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
    Indicators not comparable across cities are left out, as from the index.
    """
    indicators = comparable_indicators(indicators)
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


def outlier_flags(yearly: pd.DataFrame) -> pd.DataFrame:
    """Robust outlier flags within each city x indicator's own history: mne.outliers' rule.
    A series break (a `break_year` column, see progress_status) splits the history: each part
    is checked on its own, so a merger's jump is no outlier.
    Returns the rows of `yearly` that have a value, with median, mad, modified_z, outlier."""
    frame = yearly.dropna(subset=["value"]).copy()
    part = frame["break_year"].fillna(-1) if "break_year" in frame else pd.Series(-1, frame.index)
    stats = outliers.series_stats(frame["value"], [frame["city_id"], frame["indicator_id"], part])
    frame["median"], frame["mad"] = stats["median"], stats["mad"]
    frame["modified_z"] = outliers.modified_z(frame["value"], stats)
    frame["outlier"] = outliers.unusual(frame["modified_z"])
    return frame.reset_index(drop=True)


# --- One table for an indicator view ------------------------------------------------------------


def progress_table(
    yearly: pd.DataFrame,
    indicators: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    base_year: int | None = BASE_YEAR,
) -> pd.DataFrame:
    """progress_status, with path_to_target through the target's milestones (achieved,
    expected_value, expected, on_path, and `milestones`, the [year, value] points of the
    target, for a chart), gap_to_target (gap, gap_relative) and the U4SSC band (target_share,
    u4ssc_points) of the latest value: what an indicator table shows per city x indicator,
    each column traceable to its formula."""
    status = progress_status(yearly, indicators, targets, base_year)
    milestones = target_milestones(status, targets)
    table = path_to_target(status, milestones)
    gap = gap_to_target(
        table["latest_value"], table["target_value"], table["direction"], table["target_high"]
    )
    table["gap"] = gap["gap"]
    table["gap_relative"] = gap["gap_relative"]
    args = (table["latest_value"], table["target_value"], table["direction"])
    table["target_share"] = target_share(*args, table["base_value"], table["target_high"])
    table["u4ssc_points"] = u4ssc_points(*args, table["base_value"], table["target_high"])
    points = milestones.assign(point=milestones[["year", "value"]].values.tolist())
    listed = points.groupby(PAIR)["point"].agg(list).rename("milestones").reset_index()
    table = table.merge(listed, on=PAIR, how="left")
    table["milestones"] = table["milestones"].map(lambda v: v if isinstance(v, list) else [])
    return table
