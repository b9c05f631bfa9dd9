"""Scores and indices, against values computed by hand from ../shared/reference/scoring.md."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mne import scoring, theme


def test_normalised_score_higher_is_better() -> None:
    # worst 20, target 80: a value of 50 is half way; beyond the target is capped at 100.
    score = scoring.normalised_score(
        pd.Series([50.0, 20.0, 95.0, 10.0]), pd.Series([20.0] * 4), pd.Series([80.0] * 4)
    )
    assert score.tolist() == [50.0, 0.0, 100.0, 0.0]


def test_normalised_score_lower_is_better() -> None:
    # PM2.5: worst 45, target 5: 25 is half way, 5 or less is 100.
    score = scoring.normalised_score(
        pd.Series([25.0, 5.0, 60.0]), pd.Series([45.0] * 3), pd.Series([5.0] * 3)
    )
    assert score.tolist() == [50.0, 100.0, 0.0]


def test_equal_bounds_give_no_score() -> None:
    score = scoring.normalised_score(pd.Series([3.0]), pd.Series([3.0]), pd.Series([3.0]))
    assert np.isnan(score.iloc[0])


def test_bounds_use_the_network_target_or_the_optimum() -> None:
    latest = pd.DataFrame({"indicator_id": [1] * 41 + [2] * 41, "value": list(range(0, 41)) * 2})
    indicators = pd.DataFrame({"id": [1, 2], "direction": ["higher", "lower"]})
    targets = pd.DataFrame(
        {
            "indicator_id": [1, 1],
            "city_id": [None, None],
            "year": [2025, 2030],
            "value": [30.0, 35.0],
        }
    )
    bounds = scoring.score_bounds(latest, indicators, targets).set_index("indicator_id")
    assert bounds.loc[1, "worst"] == pytest.approx(1.0)  # 2.5th percentile of 0..40
    assert bounds.loc[1, "target"] == 35.0  # the latest target year
    assert bounds.loc[2, "worst"] == pytest.approx(39.0)  # lower is better: 97.5th percentile
    assert bounds.loc[2, "target"] == pytest.approx(1.0)  # no target: the optimum


def test_focus_area_index_needs_80_percent_coverage() -> None:
    indicators = pd.DataFrame({"id": [1, 2, 3, 4, 5], "focus_area": ["QE"] * 5})
    scores = pd.DataFrame(
        {
            "city_id": [10] * 4 + [11] * 3,
            "indicator_id": [1, 2, 3, 4, 1, 2, 3],
            "score": [40.0, 60.0, 80.0, 100.0, 50.0, 50.0, 50.0],
        }
    )
    index = scoring.focus_area_index(scores, indicators).set_index("city_id")
    assert index.loc[10, "index"] == 70.0 and index.loc[10, "coverage"] == 0.8
    assert np.isnan(index.loc[11, "index"]) and index.loc[11, "coverage"] == 0.6


def test_latest_per_pair_and_coverage() -> None:
    yearly = pd.DataFrame(
        {
            "city_id": [1, 1, 2],
            "indicator_id": [5, 5, 5],
            "year": [2023, 2024, 2023],
            "value": [1.0, 2.0, 3.0],
        }
    )
    latest = scoring.latest_per_pair(yearly).set_index("city_id")
    assert latest.loc[1, "value"] == 2.0 and latest.loc[2, "year"] == 2023
    assert scoring.coverage_share(yearly, 2024, cities=2, indicators=2) == 0.25


# --- helpers -------------------------------------------------------------------------------------


def series_frame(rows: list[tuple[int, int, int, float]]) -> pd.DataFrame:
    """city_id, indicator_id, year, value from tuples."""
    return pd.DataFrame(rows, columns=["city_id", "indicator_id", "year", "value"])


def status_of(progress: pd.DataFrame) -> dict[int, str]:
    return dict(zip(progress["city_id"], progress["status"], strict=True))


HIGHER = pd.DataFrame({"id": [1], "direction": ["higher"]})
LOWER = pd.DataFrame({"id": [1], "direction": ["lower"]})


def network_target(value: float, year: int, indicator_id: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {"indicator_id": [indicator_id], "city_id": [None], "year": [year], "value": [value]}
    )


def test_latest_per_pair_skips_an_empty_latest_year() -> None:
    yearly = series_frame([(1, 5, 2023, 4.0), (1, 5, 2024, np.nan)])
    latest = scoring.latest_per_pair(yearly)
    assert latest[["year", "value"]].values.tolist() == [[2023, 4.0]]


# --- Open SDG progress status with a target -------------------------------------------------------


def test_ratio_thresholds_with_a_target() -> None:
    # Base 2020 = 100, target 121 in 2022: CAGR_req = (121/100)^(1/2) - 1 = 1.1 - 1 = 0.10.
    # Latest 2021: CAGR_obs = y/100 - 1, R = CAGR_obs / 0.10.
    rows = []
    latest = {
        1: 109.5,  # 0.095 / 0.10 = 0.95 exactly -> on track
        2: 109.4,  # 0.094 / 0.10 = 0.94 -> moderate
        3: 106.0,  # 0.060 / 0.10 = 0.60 exactly -> moderate
        4: 105.9,  # 0.059 / 0.10 = 0.59 -> limited
        5: 100.0,  # 0 -> limited
        6: 99.0,  # -0.01 / 0.10 = -0.1 -> deterioration
        7: 121.0,  # at the target -> target achieved
    }
    for city, value in latest.items():
        rows += [(city, 1, 2020, 100.0), (city, 1, 2021, value)]
    progress = scoring.progress_status(series_frame(rows), HIGHER, network_target(121.0, 2022))
    assert status_of(progress) == {
        1: "on_track",
        2: "moderate",
        3: "moderate",
        4: "limited",
        5: "limited",
        6: "deterioration",
        7: "target_achieved",
    }
    first = progress.set_index("city_id").loc[1]
    assert first["base_year"] == 2020 and first["latest_year"] == 2021  # no 2015: first year
    assert first["cagr_req"] == pytest.approx(0.10)
    assert first["cagr_obs"] == pytest.approx(0.095)
    assert first["ratio"] == pytest.approx(0.95)
    assert first["method"] == "target" and first["target_scope"] == "network"


def test_lower_is_better_with_a_target() -> None:
    # PM2.5: base 2020 = 40, target 10 in 2022: CAGR_req = (10/40)^(1/2) - 1 = -0.5; d = -1.
    rows = []
    latest = {
        1: 30.0,  # CAGR_obs = 30/40 - 1 = -0.25; R = -1 x -0.25 / 0.5 = 0.5 -> limited
        2: 20.0,  # CAGR_obs = -0.5; R = 1.0 -> on track
        3: 10.0,  # at the target -> target achieved
        4: 44.0,  # CAGR_obs = +0.1; R = -0.2 -> deterioration
        5: 8.0,  # beyond the target (lower) -> target achieved
    }
    for city, value in latest.items():
        rows += [(city, 1, 2020, 40.0), (city, 1, 2021, value)]
    progress = scoring.progress_status(series_frame(rows), LOWER, network_target(10.0, 2022))
    assert status_of(progress) == {
        1: "limited",
        2: "on_track",
        3: "target_achieved",
        4: "deterioration",
        5: "target_achieved",
    }
    ratio = progress.set_index("city_id")["ratio"]
    assert ratio[1] == pytest.approx(0.5) and ratio[4] == pytest.approx(-0.2)
    assert (progress["direction"] == "lower").all()


def test_target_already_met_at_the_base_year() -> None:
    # Base 2020 = 90 already beyond the target 80 (higher is better); latest 2021 = 85 is still
    # beyond it: the status is target achieved whatever the trend (R would be negative).
    progress = scoring.progress_status(
        series_frame([(1, 1, 2020, 90.0), (1, 1, 2021, 85.0)]), HIGHER, network_target(80.0, 2030)
    )
    assert progress.loc[0, "status"] == "target_achieved"
    assert progress.loc[0, "reason"] is None


def test_negative_baseline() -> None:
    # Higher is better, base 2020 = -10, target -5 in 2021: CAGR_req = (-5/-10)^1 - 1 = -0.5.
    # Latest 2021 = -7.5: CAGR_obs = 0.75 - 1 = -0.25; s = -1: R = -1 x 1 x -0.25 / 0.5 = 0.5.
    with_target = scoring.progress_status(
        series_frame([(1, 1, 2020, -10.0), (1, 1, 2021, -7.5)]), HIGHER, network_target(-5.0, 2021)
    )
    assert with_target.loc[0, "ratio"] == pytest.approx(0.5)
    assert with_target.loc[0, "status"] == "limited"
    # No target, 2020 = -10, 2022 = -8.1: CAGR_obs = (0.81)^(1/2) - 1 = -0.1; P = -1 x -0.1 = 0.1.
    # 2022 = -12.1 instead: CAGR_obs = (1.21)^(1/2) - 1 = 0.1; P = -0.1 -> deterioration.
    rows = [(1, 1, 2020, -10.0), (1, 1, 2022, -8.1), (2, 1, 2020, -10.0), (2, 1, 2022, -12.1)]
    trend = scoring.progress_status(series_frame(rows), HIGHER).set_index("city_id")
    assert trend.loc[1, "growth"] == pytest.approx(0.1) and trend.loc[1, "status"] == "on_track"
    assert trend.loc[2, "growth"] == pytest.approx(-0.1)
    assert trend.loc[2, "status"] == "deterioration"


def test_values_across_zero_give_no_growth_rate() -> None:
    # -2 -> 3: y0 and yt have opposite signs, no CAGR: insufficient data, reason given.
    # Base -10 -> -5 with a target of +5: the target is across zero, so no CAGR_req; the
    # no-target measure is used: P = -1 x 1 x (-5/-10 - 1) = 0.5 -> on track, method "trend".
    rows = [(1, 1, 2020, -2.0), (1, 1, 2021, 3.0), (2, 1, 2020, -10.0), (2, 1, 2021, -5.0)]
    progress = scoring.progress_status(
        series_frame(rows), HIGHER, network_target(5.0, 2030)
    ).set_index("city_id")
    assert progress.loc[1, "status"] == "insufficient_data"
    assert progress.loc[1, "reason"] == "sign_change" and np.isnan(progress.loc[1, "cagr_obs"])
    assert progress.loc[2, "status"] == "on_track" and progress.loc[2, "method"] == "trend"
    assert np.isnan(progress.loc[2, "cagr_req"]) and progress.loc[2, "growth"] == pytest.approx(0.5)


def test_zero_values_are_replaced_by_a_thousandth() -> None:
    rows = [
        # 0 -> 0.01: y0 = 0.001, CAGR_obs = 0.01/0.001 - 1 = 9 -> on track.
        (1, 1, 2020, 0.0), (1, 1, 2021, 0.01),
        # 5 -> 0: yt = 0.001, CAGR_obs = 0.001/5 - 1 = -0.9998 -> deterioration (higher better).
        (2, 1, 2020, 5.0), (2, 1, 2021, 0.0),
        # 0 -> -4: y0 takes the sign of yt, -0.001: CAGR_obs = -4/-0.001 - 1 = 3999, s = -1,
        # P = -3999 -> deterioration (falling below zero is worse when higher is better).
        (3, 1, 2020, 0.0), (3, 1, 2021, -4.0),
    ]  # fmt: skip
    progress = scoring.progress_status(series_frame(rows), HIGHER).set_index("city_id")
    assert progress.loc[1, "cagr_obs"] == pytest.approx(9.0)
    assert progress.loc[1, "status"] == "on_track"
    assert progress.loc[2, "cagr_obs"] == pytest.approx(-0.9998)
    assert progress.loc[2, "status"] == "deterioration"
    assert progress.loc[3, "cagr_obs"] == pytest.approx(3999.0)
    assert progress.loc[3, "growth"] == pytest.approx(-3999.0)
    assert progress.loc[3, "status"] == "deterioration"


def test_zero_target_lower_is_better() -> None:
    # Road deaths: base 2020 = 8, target 0 (-> 0.001) in 2022, latest 2021 = 4.
    # CAGR_req = (0.001/8)^(1/2) - 1 = 0.0111803 - 1 = -0.9888197; CAGR_obs = 4/8 - 1 = -0.5;
    # R = 1 x -1 x -0.5 / 0.9888197 = 0.50565 -> limited.
    progress = scoring.progress_status(
        series_frame([(1, 1, 2020, 8.0), (1, 1, 2021, 4.0)]), LOWER, network_target(0.0, 2022)
    )
    assert progress.loc[0, "cagr_req"] == pytest.approx(-0.9888197)
    assert progress.loc[0, "ratio"] == pytest.approx(0.50565, abs=1e-5)
    assert progress.loc[0, "status"] == "limited"


def test_a_single_point_is_insufficient_data() -> None:
    # One value, below the target: no trend can be measured. One value already at the target is
    # target achieved (an observed fact, as in Open SDG). Only values from before the base year
    # 2015: insufficient data too, unless the base year is dropped (then 2012 -> 2014:
    # (121/100)^(1/2) - 1 = 0.1 -> on track).
    rows = [
        (1, 1, 2021, 50.0),
        (2, 1, 2021, 90.0),
        (3, 1, 2012, 100.0),
        (3, 1, 2014, 121.0),
    ]
    targets = network_target(130.0, 2030)
    progress = scoring.progress_status(series_frame(rows), HIGHER, targets).set_index("city_id")
    assert progress.loc[1, "status"] == "insufficient_data"
    assert progress.loc[1, "reason"] == "single_point" and progress.loc[1, "points"] == 1
    assert np.isnan(progress.loc[1, "cagr_obs"]) and np.isnan(progress.loc[1, "ratio"])
    progress_low = scoring.progress_status(
        series_frame(rows), HIGHER, network_target(80.0, 2030)
    ).set_index("city_id")
    assert progress_low.loc[2, "status"] == "target_achieved"
    assert progress.loc[3, "status"] == "insufficient_data"
    assert progress.loc[3, "reason"] == "no_data_since_base"
    assert progress.loc[3, "latest_year"] == 2014 and np.isnan(progress.loc[3, "base_year"])
    any_base = scoring.progress_status(series_frame(rows), HIGHER, base_year=None)
    assert any_base.set_index("city_id").loc[3, "cagr_obs"] == pytest.approx(0.1)
    assert any_base.set_index("city_id").loc[3, "status"] == "on_track"


def test_gaps_in_the_years() -> None:
    # 2015 = 100, 2016 and 2017 missing, 2018 = 133.1: CAGR = 1.331^(1/3) - 1 = 0.1 over 3 years.
    # Values before 2015 are not used: 2013 = 50 is ignored, the base is 2015.
    # No 2015 value: the base is the next year with data, 2016 = 100; 2018 = 121:
    # CAGR = 1.21^(1/2) - 1 = 0.1.
    rows = [
        (1, 1, 2013, 50.0), (1, 1, 2015, 100.0), (1, 1, 2018, 133.1),
        (2, 1, 2014, 1.0), (2, 1, 2016, 100.0), (2, 1, 2018, 121.0),
    ]  # fmt: skip
    progress = scoring.progress_status(series_frame(rows), HIGHER).set_index("city_id")
    assert progress.loc[1, "base_year"] == 2015 and progress.loc[1, "points"] == 2
    assert progress.loc[1, "cagr_obs"] == pytest.approx(0.1)
    assert progress.loc[2, "base_year"] == 2016 and progress.loc[2, "base_value"] == 100.0
    assert progress.loc[2, "cagr_obs"] == pytest.approx(0.1)


def test_no_target_statuses_at_each_threshold() -> None:
    # Base 2020 = 100, latest 2021: P = CAGR_obs = y/100 - 1 (higher is better).
    latest = {
        1: 101.5,  # 1.5 %/yr exactly -> on track
        2: 101.4,  # 1.4 % -> moderate
        3: 100.5,  # 0.5 % exactly -> moderate
        4: 100.4,  # 0.4 % -> limited
        5: 100.0,  # 0 -> limited
        6: 99.9,  # -0.1 % -> deterioration
    }
    rows = []
    for city, value in latest.items():
        rows += [(city, 1, 2020, 100.0), (city, 1, 2021, value)]
    progress = scoring.progress_status(series_frame(rows), HIGHER)
    assert status_of(progress) == {
        1: "on_track",
        2: "moderate",
        3: "moderate",
        4: "limited",
        5: "limited",
        6: "deterioration",
    }
    assert progress["method"].eq("trend").all() and progress["ratio"].isna().all()
    # Lower is better: 100 -> 98.5 is P = -1 x -0.015 = 1.5 % -> on track.
    lower = scoring.progress_status(series_frame([(1, 1, 2020, 100.0), (1, 1, 2021, 98.5)]), LOWER)
    assert lower.loc[0, "growth"] == pytest.approx(0.015) and lower.loc[0, "status"] == "on_track"


def test_a_city_target_wins_over_the_network_target() -> None:
    targets = pd.DataFrame(
        {
            "indicator_id": [1, 1, 1],
            "city_id": [None, None, 7],
            "year": [2025, 2030, 2028],
            "value": [150.0, 200.0, 300.0],
        }
    )
    pairs = pd.DataFrame({"city_id": [7, 8], "indicator_id": [1, 1]})
    resolved = scoring.resolve_targets(pairs, targets).set_index("city_id")
    assert resolved.loc[7, "target_value"] == 300.0 and resolved.loc[7, "target_scope"] == "city"
    assert resolved.loc[8, "target_value"] == 200.0 and resolved.loc[8, "target_year"] == 2030
    assert resolved.loc[8, "target_scope"] == "network"


def test_statuses_have_labels_and_distinct_colours() -> None:
    assert set(scoring.STATUS_LABELS) == set(scoring.STATUS_ORDER) == set(theme.STATUS_COLOURS)
    assert len(set(theme.STATUS_COLOURS.values())) == len(scoring.STATUS_ORDER)
    assert scoring.STATUS_LABELS["on_track"] == "On track"


# --- baseline to target ---------------------------------------------------------------------------


def test_path_to_target() -> None:
    # Target 200 in 2030 from base 100 in 2020; by 2022 a straight path covers 2/10 = 0.2.
    # City 1: 130 -> achieved (130-100)/(200-100) = 0.3 >= 0.2: on the path.
    # City 2: 110 -> 0.1 < 0.2: behind.
    rows = [(1, 1, 2020, 100.0), (1, 1, 2022, 130.0), (2, 1, 2020, 100.0), (2, 1, 2022, 110.0)]
    table = scoring.path_to_target(
        scoring.progress_status(series_frame(rows), HIGHER, network_target(200.0, 2030))
    ).set_index("city_id")
    assert table.loc[1, "achieved"] == pytest.approx(0.3)
    assert table.loc[1, "expected"] == pytest.approx(0.2)
    assert bool(table.loc[1, "on_path"]) is True and bool(table.loc[2, "on_path"]) is False
    # Lower is better: 40 -> 34 towards 10: (34-40)/(10-40) = 0.2, exactly the expected 0.2.
    lower = scoring.path_to_target(
        scoring.progress_status(
            series_frame([(1, 1, 2020, 40.0), (1, 1, 2022, 34.0)]),
            LOWER,
            network_target(10.0, 2030),
        )
    )
    assert lower.loc[0, "achieved"] == pytest.approx(0.2) and bool(lower.loc[0, "on_path"])
    # No target: nothing to compare.
    none = scoring.path_to_target(scoring.progress_status(series_frame(rows), HIGHER))
    assert none["on_path"].isna().all()


def test_achievement_and_expected_share_edges() -> None:
    # Moving away: (90-100)/(200-100) = -0.1. A target equal to the baseline: no share.
    achieved = scoring.achievement(
        pd.Series([90.0, 5.0]), pd.Series([100.0, 5.0]), pd.Series([200.0, 5.0])
    )
    assert achieved[0] == pytest.approx(-0.1) and np.isnan(achieved[1])
    # Past the target year (2032 for 2020->2030) the whole way is expected: 1.2 clipped to 1;
    # a target year not after the base year: 1.
    expected = scoring.expected_share(
        pd.Series([2032, 2022, 2025]), pd.Series([2020, 2020, 2020]), pd.Series([2030, 2030, 2020])
    )
    assert expected.tolist() == [1.0, 0.2, 1.0]


# --- gap and U4SSC bands --------------------------------------------------------------------------


def test_gap_to_target() -> None:
    # Higher: target 80, latest 60 -> 20 to go, 20/80 = 0.25; latest 90 -> -10 (beyond), -0.125.
    # Lower: target 10, latest 30 -> -1 x (10 - 30) = 20 to go, 20/10 = 2.
    # A zero target: gap 5, no relative gap.
    gap = scoring.gap_to_target(
        pd.Series([60.0, 90.0, 30.0, 5.0]),
        pd.Series([80.0, 80.0, 10.0, 0.0]),
        pd.Series(["higher", "higher", "lower", "lower"]),
    )
    assert gap["gap"].tolist() == [20.0, -10.0, 20.0, 5.0]
    assert gap["gap_relative"].tolist()[:3] == [0.25, -0.125, 2.0]
    assert np.isnan(gap["gap_relative"].iloc[3])


def test_u4ssc_band_edges() -> None:
    # Higher is better, target 100: % reached = value / 100.
    # Lower is better, target 10: % reached = 10 / value (20 -> 50 %, 10.5 -> 95.2 %,
    # 0 -> infinitely good, 100 -> 10 %). Negative values and missing targets: no points.
    values = [32.9, 33.0, 65.9, 66.0, 94.9, 95.0, 120.0, 0.0, 20.0, 10.5, 0.0, 100.0, -5.0, 50.0]
    targets = [100.0] * 8 + [10.0] * 5 + [np.nan]
    directions = ["higher"] * 8 + ["lower"] * 6
    points = scoring.u4ssc_points(pd.Series(values), pd.Series(targets), pd.Series(directions))
    expected = [1, 2, 2, 3, 3, 4, 4, 1, 2, 4, 4, 1, None, None]
    assert [None if pd.isna(p) else int(p) for p in points] == expected


def test_u4ssc_group_score() -> None:
    # City 1, area QE: 4 + 3 + 1 = 8 points from 3 indicators with a target (one has none):
    # 8 / (4 x 3) = 0.6667. City 2: 4 / 4 = 1.
    points = pd.DataFrame(
        {
            "city_id": [1, 1, 1, 1, 2],
            "indicator_id": [1, 2, 3, 4, 1],
            "points": pd.array([4, 3, None, 1, 4], dtype="Int64"),
        }
    )
    indicators = pd.DataFrame({"id": [1, 2, 3, 4], "focus_area": ["QE"] * 4})
    score = scoring.u4ssc_group_score(points, indicators).set_index("city_id")
    assert score.loc[1, "points"] == 8 and score.loc[1, "max_points"] == 12
    assert score.loc[1, "score"] == pytest.approx(8 / 12)
    assert score.loc[2, "score"] == 1.0


# --- index, aggregates, traffic lights ------------------------------------------------------------


def test_focus_area_index_always_gives_coverage() -> None:
    # City 10 has scores in QE only: it still gets a BE row, coverage 0 and no index.
    indicators = pd.DataFrame({"id": [1, 2, 3], "focus_area": ["QE", "QE", "BE"]})
    scores = pd.DataFrame({"city_id": [10, 10], "indicator_id": [1, 2], "score": [40.0, 60.0]})
    index = scoring.focus_area_index(scores, indicators).set_index("focus_area")
    assert index.loc["QE", "index"] == 50.0 and index.loc["QE", "coverage"] == 1.0
    assert index.loc["BE", "coverage"] == 0.0 and np.isnan(index.loc["BE", "index"])
    assert index.loc["BE", "scored"] == 0


def test_traffic_light_from_the_two_worst_scores() -> None:
    indicators = pd.DataFrame({"id": [1, 2, 3, 4], "focus_area": ["QE"] * 4})
    by_city = {
        10: [80.0, 90.0, 100.0, 76.0],  # (76 + 80) / 2 = 78, all green -> green
        11: [70.0, 100.0, 100.0, 100.0],  # (70 + 100) / 2 = 85 but 70 is not green -> yellow
        12: [20.0, 40.0, 90.0, 90.0],  # (20 + 40) / 2 = 30 -> orange
        13: [10.0, 30.0, 90.0],  # 3 of 4 indicators = 75 % coverage -> no light
        14: [50.0, 50.0, 60.0, 60.0],  # 50 exactly -> yellow
        15: [24.0, 26.0, 100.0, 100.0],  # 25 exactly -> orange
        16: [0.0, 40.0, 100.0, 100.0],  # 20 -> red
    }
    scores = pd.DataFrame(
        [(city, i + 1, s) for city, values in by_city.items() for i, s in enumerate(values)],
        columns=["city_id", "indicator_id", "score"],
    )
    lights = scoring.traffic_light(scores, indicators).set_index("city_id")
    assert lights["light"].to_dict() == {
        10: "green",
        11: "yellow",
        12: "orange",
        13: None,
        14: "yellow",
        15: "orange",
        16: "red",
    }
    assert lights.loc[10, "worst_two_mean"] == 78.0 and lights.loc[13, "coverage"] == 0.75
    assert set(scoring.LIGHT_LABELS) == set(scoring.LIGHT_ORDER) == set(theme.LIGHT_COLOURS)


# --- coverage and outliers ------------------------------------------------------------------------


def test_data_coverage_over_a_period() -> None:
    # Period 2020-2023 = 4 years.
    # (1, 5): 2020, 2021, 2023 -> 3/4 = 0.75 (2022 missing); (1, 6): 2023 -> 1/4 (2022 is empty);
    # (2, 5): 2018 (outside) and 2021 -> 1/4, first year 2018; (2, 6): never -> 0, no years.
    yearly = series_frame(
        [
            (1, 5, 2020, 1.0),
            (1, 5, 2021, 2.0),
            (1, 5, 2023, 3.0),
            (1, 6, 2022, np.nan),
            (1, 6, 2023, 4.0),
            (2, 5, 2018, 5.0),
            (2, 5, 2021, 6.0),
        ]
    )
    coverage = scoring.data_coverage(
        yearly, 2020, 2023, city_ids=[1, 2], indicator_ids=[5, 6]
    ).set_index(["city_id", "indicator_id"])
    assert coverage.loc[(1, 5), "share"] == 0.75 and coverage.loc[(1, 5), "latest_year"] == 2023
    assert coverage.loc[(1, 6), "years_reported"] == 1 and coverage.loc[(1, 6), "share"] == 0.25
    assert coverage.loc[(2, 5), "first_year"] == 2018 and coverage.loc[(2, 5), "share"] == 0.25
    assert coverage.loc[(2, 5), "latest_value"] == 6.0
    assert coverage.loc[(2, 6), "years_reported"] == 0 and coverage.loc[(2, 6), "share"] == 0.0
    assert np.isnan(coverage.loc[(2, 6), "latest_year"])
    assert (coverage["years_in_period"] == 4).all()
    # Without ids: only pairs with data, and the period from the data (2018-2023 = 6 years).
    plain = scoring.data_coverage(yearly)
    assert len(plain) == 3 and (plain["years_in_period"] == 6).all()
    # coverage_share ignores empty values: (1, 5) and (1, 6) in 2023 of 2 x 2 cells = 0.5;
    # in 2022 only an empty value: 0.
    assert scoring.coverage_share(yearly, 2023, cities=2, indicators=2) == 0.5
    assert scoring.coverage_share(yearly, 2022, cities=2, indicators=2) == 0.0


def test_outliers_by_modified_z_score() -> None:
    # (1, 5): 10, 11, 12, 13, 50: median 12, |x - 12| = 2, 1, 0, 1, 38 -> MAD 1;
    #         z(50) = 0.6745 x 38 = 25.63 -> outlier; z(10) = -1.349 -> not.
    # (1, 6): 10, 11, 12, 13, 17: z(17) = 0.6745 x 5 = 3.3725 <= 3.5 -> not an outlier;
    # (1, 7): 10, 11, 12, 13, 18: z(18) = 0.6745 x 6 = 4.047 -> outlier.
    # (2, 5): three points -> no z. (2, 6): 5, 5, 5, 9 -> MAD 0 -> no z.
    rows = []
    for indicator, last in ((5, 50.0), (6, 17.0), (7, 18.0)):
        rows += [(1, indicator, 2016 + i, v) for i, v in enumerate([10.0, 11.0, 12.0, 13.0, last])]
    rows += [(2, 5, 2016 + i, v) for i, v in enumerate([10.0, 11.0, 100.0])]
    rows += [(2, 6, 2016 + i, v) for i, v in enumerate([5.0, 5.0, 5.0, 9.0])]
    flags = scoring.outlier_flags(series_frame(rows)).set_index(["city_id", "indicator_id", "year"])
    assert flags.loc[(1, 5, 2020), "modified_z"] == pytest.approx(25.631)
    assert bool(flags.loc[(1, 5, 2020), "outlier"])
    assert flags.loc[(1, 5, 2016), "modified_z"] == pytest.approx(-1.349)
    assert flags.loc[(1, 6, 2020), "modified_z"] == pytest.approx(3.3725)
    assert not flags.loc[(1, 6, 2020), "outlier"]
    assert bool(flags.loc[(1, 7, 2020), "outlier"])
    assert flags.loc[(2, 5), "modified_z"].isna().all() and not flags.loc[(2, 5), "outlier"].any()
    assert flags.loc[(2, 6), "modified_z"].isna().all() and flags.loc[(2, 6, 2016), "mad"] == 0
    assert int(flags["outlier"].sum()) == 2


# --- one table, and purity ------------------------------------------------------------------------


def test_progress_table_has_every_column() -> None:
    # Base 2020 = 100, latest 2022 = 130, target 200 in 2030: gap 70, 70/200 = 0.35;
    # % reached 130/200 = 65 % -> 2 points.
    table = scoring.progress_table(
        series_frame([(1, 1, 2020, 100.0), (1, 1, 2022, 130.0)]),
        HIGHER,
        network_target(200.0, 2030),
    )
    row = table.iloc[0]
    assert row["gap"] == 70.0 and row["gap_relative"] == pytest.approx(0.35)
    assert row["target_share"] == pytest.approx(0.65) and row["u4ssc_points"] == 2
    assert {"status", "ratio", "achieved", "expected", "on_path"} <= set(table.columns)


def test_empty_inputs_give_empty_frames() -> None:
    empty = series_frame([])
    assert scoring.progress_status(empty, HIGHER).empty
    assert scoring.data_coverage(empty).empty
    assert scoring.outlier_flags(empty).empty


def test_scoring_is_pure() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(scoring))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"__future__", "numpy", "pandas", "mne"}


def test_data_coverage_of_an_empty_store_is_all_gaps() -> None:
    empty = pd.DataFrame(
        {
            "city_id": pd.Series(dtype=int),
            "indicator_id": pd.Series(dtype=int),
            "year": pd.Series(dtype=int),
            "value": pd.Series(dtype=float),
        }
    )
    frame = scoring.data_coverage(empty, city_ids=[1, 2], indicator_ids=[5])
    assert len(frame) == 2 and (frame["years_reported"] == 0).all()
    assert frame["latest_year"].isna().all()
