"""Issue 12's counter-examples, each computed by hand, with the corrected result.

Every case the issue found on main is here with the figure main gave (in a comment) and the
one a statistician would defend (asserted)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mne import scoring


def series(rows: list[tuple[int, int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["city_id", "indicator_id", "year", "value"])


def latest(values: list[float], indicator_id: int = 1) -> pd.DataFrame:
    """One latest value per city (cities 1, 2, ...) in 2024."""
    return pd.DataFrame(
        {
            "city_id": range(1, len(values) + 1),
            "indicator_id": indicator_id,
            "year": 2024,
            "value": values,
        }
    )


def targets(*rows: tuple[int, int | None, int, float, float | None]) -> pd.DataFrame:
    """indicator_id, city_id, year, value, value_high."""
    return pd.DataFrame(rows, columns=["indicator_id", "city_id", "year", "value", "value_high"])


HIGHER = pd.DataFrame({"id": [1], "direction": ["higher"], "focus_area": ["QE"]})
LOWER = pd.DataFrame({"id": [1], "direction": ["lower"], "focus_area": ["HW"]})


# --- 0-100 score ------------------------------------------------------------------------------


def test_every_city_past_a_lower_is_better_target_scores_100() -> None:
    # Under-five mortality, target 25, cities at 12, 15, 18, 20: all are below (better than)
    # 25. Main: worst = 97.5th percentile = 20 - 0.075 x (20 - 18) = 19.85, and the formula
    # (x - 19.85) / (25 - 19.85) gave [0, 0, 0, 2.9]: the best city 0.
    scored = scoring.pair_scores(
        latest([12.0, 15.0, 18.0, 20.0]), LOWER, targets((1, None, 2030, 25.0, None))
    )
    assert scored["worst"].tolist() == pytest.approx([19.85] * 4)
    assert scored["score"].tolist() == [100.0, 100.0, 100.0, 100.0]


def test_every_city_past_a_higher_is_better_target_scores_100() -> None:
    # Green space, target 8, cities at 9, 12, 20, 30. Main: worst = 2.5th percentile =
    # 9 + 0.075 x 3 = 9.225, scores [18.4, 0, 0, 0]. All are above 8: 100 each.
    scored = scoring.pair_scores(
        latest([9.0, 12.0, 20.0, 30.0]), HIGHER, targets((1, None, 2030, 8.0, None))
    )
    assert scored["score"].tolist() == [100.0, 100.0, 100.0, 100.0]


def test_cities_short_of_the_target_keep_the_sdsn_formula() -> None:
    # Higher is better, target 50, cities 10, 20, 30, 60: worst = 10 + 0.075 x 10 = 10.75.
    # 10 -> below the worst: 0; 20 -> (20 - 10.75) / (50 - 10.75) x 100 = 9.25 / 39.25 x 100
    # = 23.567; 30 -> 19.25 / 39.25 x 100 = 49.045; 60 -> past the target: 100.
    scored = scoring.pair_scores(
        latest([10.0, 20.0, 30.0, 60.0]), HIGHER, targets((1, None, 2030, 50.0, None))
    )
    assert scored["score"].tolist() == pytest.approx([0.0, 23.567, 49.045, 100.0], abs=1e-3)


def test_a_single_reporting_city_is_not_scored_against_itself() -> None:
    # Main: one city's own value was the worst bound, so it scored 0 whatever it was.
    # Now: no worst bound below two cities; a city short of the target gets no score and the
    # reason says so; a single city at or beyond its target still scores 100.
    short = scoring.pair_scores(latest([20.0]), HIGHER, targets((1, None, 2030, 50.0, None)))
    assert math.isnan(short.loc[0, "score"]) and short.loc[0, "score_reason"] == "single_city"
    past = scoring.pair_scores(latest([60.0]), HIGHER, targets((1, None, 2030, 50.0, None)))
    assert past.loc[0, "score"] == 100.0 and past.loc[0, "score_reason"] is None


def test_a_city_s_own_target_is_used_by_the_score() -> None:
    # Cities 10, 30, 45; network target 50; city 3's own target 40 (city 1's own target 20).
    # worst = 2.5th percentile of [10, 30, 45] = 10 + 0.05 x 20 = 11.
    # City 3: 45 >= its own 40 -> 100 (main: (45 - 11) / (50 - 11) = 87.2, its target ignored).
    # City 2: the network's 50: (30 - 11) / (50 - 11) x 100 = 48.718.
    # City 1: its own 20, 10 is below the worst bound 11: 0.
    frame = targets((1, None, 2030, 50.0, None), (1, 3, 2030, 40.0, None), (1, 1, 2030, 20.0, None))
    scored = scoring.pair_scores(latest([10.0, 30.0, 45.0]), HIGHER, frame).set_index("city_id")
    assert scored.loc[3, "score"] == 100.0 and scored.loc[3, "target"] == 40.0
    assert scored.loc[2, "score"] == pytest.approx(48.718, abs=1e-3)
    assert scored.loc[1, "score"] == 0.0 and scored.loc[1, "target_scope"] == "city"


def test_a_raw_count_stays_out_of_network_scores_and_indices() -> None:
    # Flood points (a count) next to a share: the count gets no score, and the area's index
    # counts one indicator, not two (main: the count fed the 0-100 index).
    indicators = pd.DataFrame(
        {
            "id": [1, 2],
            "direction": ["lower", "higher"],
            "focus_area": ["BI", "BI"],
            "comparable": [False, True],
        }
    )
    values = pd.concat([latest([180.0, 2.0], 1), latest([40.0, 80.0], 2)], ignore_index=True)
    scored = scoring.pair_scores(values, indicators, None)
    counts = scored[scored["indicator_id"] == 1]
    assert counts["score"].isna().all() and (counts["score_reason"] == "not_comparable").all()
    index = scoring.focus_area_index(scored, indicators).set_index("city_id")
    assert (index["indicators"] == 1).all() and (index["coverage"] == 1.0).all()
    # No target: worst 40 + 0.025 x 40 = 41, optimum 80 - 0.025 x 40 = 79:
    # city 1 (40) -> 0; city 2 (80) -> 100; the index is that one score.
    assert index.loc[1, "index"] == 0.0 and index.loc[2, "index"] == 100.0
    lights = scoring.traffic_light(scored, indicators)
    assert (lights["indicators"] == 1).all()


def test_a_band_target_scores_the_distance_outside_the_band() -> None:
    # Transport land, band 16-26 %, cities at 20 (inside), 30 (4 above) and 40 (14 above).
    # Distances [0, 4, 14]; worst = their 97.5th percentile = 4 + 0.95 x 10 = 13.5.
    # 20 -> 100; 30 -> (4 - 13.5) / (0 - 13.5) x 100 = 70.370; 40 -> beyond the worst: 0.
    frame = targets((1, None, 2030, 16.0, 26.0))
    scored = scoring.pair_scores(latest([20.0, 30.0, 40.0]), HIGHER, frame)
    assert scored["score"].tolist() == pytest.approx([100.0, 70.370, 0.0], abs=1e-3)


# --- U4SSC points -----------------------------------------------------------------------------


def test_u4ssc_points_with_a_zero_target() -> None:
    # Slum share, target 0 (lower is better). Main: 0.4 % -> 0 / 0.4 = 0 % of the target: 1
    # point; 0 % -> 0 / 0 undefined: no points, while its status said "target achieved".
    # Now: at the target (0) -> reached: 4 points; 0.4 % from a base of 2.0 % -> the reduction
    # achieved, (2.0 - 0.4) / 2.0 = 80 % -> 3 points; a single value (base = latest): no share.
    points = scoring.u4ssc_points(
        pd.Series([0.0, 0.4, 0.4]),
        pd.Series([0.0, 0.0, 0.0]),
        pd.Series(["lower"] * 3),
        base=pd.Series([1.0, 2.0, 0.4]),
    )
    assert [None if pd.isna(p) else int(p) for p in points] == [4, 3, None]
    table = scoring.progress_table(
        series([(1, 1, 2015, 1.0), (1, 1, 2024, 0.0), (2, 1, 2015, 2.0), (2, 1, 2024, 0.4)]),
        LOWER,
        targets((1, None, 2030, 0.0, None)),
    ).set_index("city_id")
    assert table.loc[1, "status"] == "target_achieved" and table.loc[1, "u4ssc_points"] == 4
    assert table.loc[2, "target_share"] == pytest.approx(0.8) and table.loc[2, "u4ssc_points"] == 3


def test_u4ssc_points_of_a_band() -> None:
    # Band 16-26: 20 inside -> 4; 40 above -> 26 / 40 = 65 % -> 2; 8 below -> 8 / 16 = 50 % -> 2.
    points = scoring.u4ssc_points(
        pd.Series([20.0, 40.0, 8.0]),
        pd.Series([16.0] * 3),
        pd.Series(["higher"] * 3),
        target_high=pd.Series([26.0] * 3),
    )
    assert points.tolist() == [4, 2, 2]


# --- Progress status --------------------------------------------------------------------------


def test_natural_limit_scales_the_no_target_thresholds() -> None:
    # A share from 98 % (2015) to 99 % (2024), no target, natural limit 100 %.
    # CAGR = (99/98)^(1/9) - 1 = 0.0011287. Main: P < 0.5 % -> "limited progress".
    # Open SDG: C = 1 - (98/100)^4.44 = 1 - 0.914205 = 0.085795; thresholds 1.5 % x C =
    # 0.12869 % and 0.5 % x C = 0.042897 %: 0.042897 % <= 0.11287 % < 0.12869 % -> moderate.
    indicators = HIGHER.assign(natural_limit=100.0)
    progress = scoring.progress_status(series([(1, 1, 2015, 98.0), (1, 1, 2024, 99.0)]), indicators)
    row = progress.iloc[0]
    assert row["growth"] == pytest.approx(0.0011287, abs=1e-7)
    assert row["limit_factor"] == pytest.approx(0.085795, abs=1e-6)
    assert row["status"] == "moderate"
    # The same without a limit is limited progress, as on main.
    plain = scoring.progress_status(series([(1, 1, 2015, 98.0), (1, 1, 2024, 99.0)]), HIGHER)
    assert plain.loc[0, "status"] == "limited"
    # At the limit (C = 0) and holding it: on track (Open SDG's special case).
    held = scoring.progress_status(series([(1, 1, 2015, 100.0), (1, 1, 2024, 100.0)]), indicators)
    assert held.loc[0, "limit_factor"] == 0.0 and held.loc[0, "status"] == "on_track"


def test_a_zero_base_is_measured_on_the_straight_path() -> None:
    # 0 (2015) -> 30 % (2024), target 100 by 2030. Main: y0 -> 0.001 made CAGR_obs huge and
    # R = 1.86: "on track", while the straight path said 0.30 done against 0.60 expected.
    # Now: R = [(30 - 0) / (100 - 0)] / [(2024 - 2015) / (2030 - 2015)] = 0.30 / 0.60 = 0.5
    # -> limited progress, the same reading as the path.
    table = scoring.progress_table(
        series([(1, 1, 2015, 0.0), (1, 1, 2024, 30.0)]),
        HIGHER,
        targets((1, None, 2030, 100.0, None)),
    )
    row = table.iloc[0]
    assert row["method"] == "linear" and row["ratio"] == pytest.approx(0.5)
    assert row["status"] == "limited"
    assert row["achieved"] == pytest.approx(0.3) and row["expected"] == pytest.approx(0.6)
    assert not bool(row["on_path"])


def test_a_band_target_is_not_read_as_higher_is_better() -> None:
    # Transport land: official band 16-26 % by 2030 (11-16 % by 2025). Main read the lower
    # edge as "higher is better": a city at 40 % showed "target achieved".
    # Now, with base 45 % (2015) and 40 % (2024): outside the band due next (2025: 11-16),
    # above it, so d = -1 and ym = 16: CAGR_obs = (40/45)^(1/9) - 1 = -0.0130017,
    # CAGR_req = (16/45)^(1/10) - 1 = -0.0982405, R = -1 x -0.0130017 / 0.0982405 = 0.13235
    # -> limited progress. Gap: the nearest edge of the final band, 40 - 26 = 14 still to go.
    frame = targets((1, None, 2025, 11.0, 16.0), (1, None, 2030, 16.0, 26.0))
    rows = [
        (1, 1, 2015, 45.0), (1, 1, 2024, 40.0),
        (2, 1, 2015, 10.0), (2, 1, 2024, 20.0),  # inside the final band: achieved
        (3, 1, 2015, 10.0), (3, 1, 2024, 14.0),  # inside the 2025 band only: on track
    ]  # fmt: skip
    table = scoring.progress_table(series(rows), HIGHER, frame).set_index("city_id")
    assert table.loc[1, "status"] == "limited"
    assert table.loc[1, "ratio"] == pytest.approx(0.13235, abs=1e-5)
    assert table.loc[1, "gap"] == pytest.approx(14.0)
    assert table.loc[2, "status"] == "target_achieved" and table.loc[2, "gap"] == 0.0
    assert table.loc[3, "status"] == "on_track" and table.loc[3, "method"] == "milestone"


def test_milestones_drive_the_status_and_the_straight_path() -> None:
    # Housing floor area: 28 m² by 2025, 32 by 2030; base 20 in 2015. Main used 2030 alone.
    # City 1, 23 in 2020: the milestone due is 2025: CAGR_obs = (23/20)^(1/5) - 1 = 0.0283467,
    # CAGR_req = (28/20)^(1/10) - 1 = 0.0342197, R = 0.82837 -> moderate (with 2030 alone,
    # CAGR_req = (32/20)^(1/15) - 1 = 0.0318296 and R = 0.89058: the same band here, but the
    # path differs). Expected by 2020 on the path 20 -> 28 (2025): 20 + 5/10 x 8 = 24;
    # achieved (23 - 20) / (32 - 20) = 0.25 < expected (24 - 20) / 12 = 0.3333: behind.
    # City 2, 29 in 2027: past the 2025 milestone, the path 28 -> 32 gives 28 + 2/5 x 4 = 29.6;
    # 29 < 29.6: behind the path, and the 2030 target is the one due: CAGR_obs =
    # (29/20)^(1/12) - 1 = 0.0314480, CAGR_req = 0.0318296, R = 0.98801 -> on track.
    # City 3, 28.5 in 2024: the 2025 milestone (28) is already met -> on track ("milestone").
    frame = targets((1, None, 2025, 28.0, None), (1, None, 2030, 32.0, None))
    rows = [
        (1, 1, 2015, 20.0), (1, 1, 2020, 23.0),
        (2, 1, 2015, 20.0), (2, 1, 2027, 29.0),
        (3, 1, 2015, 20.0), (3, 1, 2024, 28.5),
    ]  # fmt: skip
    table = scoring.progress_table(series(rows), HIGHER, frame).set_index("city_id")
    assert table.loc[1, "milestone_year"] == 2025
    assert table.loc[1, "ratio"] == pytest.approx(0.82837, abs=1e-5)
    assert table.loc[1, "status"] == "moderate"
    assert table.loc[1, "expected_value"] == pytest.approx(24.0)
    assert table.loc[1, "expected"] == pytest.approx(1 / 3) and not bool(table.loc[1, "on_path"])
    assert table.loc[2, "milestone_year"] == 2030
    assert table.loc[2, "expected_value"] == pytest.approx(29.6)
    assert table.loc[2, "ratio"] == pytest.approx(0.98801, abs=1e-5)
    assert table.loc[2, "status"] == "on_track"
    assert table.loc[3, "status"] == "on_track" and table.loc[3, "method"] == "milestone"
    assert table.loc[1, "milestones"] == [[2025.0, 28.0], [2030.0, 32.0]]


def test_the_narrowest_target_wins_city_then_country_then_network() -> None:
    # City 1 has its own target; city 2 only its country's (spread to it, scope country);
    # city 3 the network's.
    frame = pd.DataFrame(
        {
            "indicator_id": [1, 1, 1, 1],
            "city_id": [None, 2, 1, 1],
            "scope": ["network", "country", "country", "city"],
            "year": [2030, 2030, 2030, 2030],
            "value": [50.0, 40.0, 40.0, 35.0],
            "kind": ["international", "official", "official", "user_set"],
        }
    )
    pairs = pd.DataFrame({"city_id": [1, 2, 3], "indicator_id": [1, 1, 1]})
    resolved = scoring.resolve_targets(pairs, frame).set_index("city_id")
    assert resolved["target_value"].to_dict() == {1: 35.0, 2: 40.0, 3: 50.0}
    assert resolved["target_scope"].to_dict() == {1: "city", 2: "country", 3: "network"}
    assert resolved["target_kind"].to_dict() == {1: "user_set", 2: "official", 3: "international"}


# --- Series breaks ------------------------------------------------------------------------------


def test_a_series_break_is_neither_an_outlier_nor_a_deterioration() -> None:
    # Đà Nẵng's series, lower is better (PM2.5): 20 a year 2015-2024, then 35 in 2025 when the
    # city took in Quảng Nam (break year 2025). Main: 2025 was an outlier (median 20, MAD 0 ->
    # no z; with small noise, |z| >> 3.5) and the status "deterioration" across the break.
    values = [20.0, 21.0, 20.0, 19.0, 20.0, 21.0, 20.0, 19.0, 20.0, 21.0, 35.0]
    rows = [(1, 1, 2015 + i, v) for i, v in enumerate(values)]
    broken = series(rows).assign(break_year=[np.nan] * 10 + [2025.0])
    flags = scoring.outlier_flags(broken)
    assert not flags["outlier"].any()
    status = scoring.progress_status(broken, LOWER)
    assert status.loc[0, "status"] == "insufficient_data"
    assert status.loc[0, "reason"] == "series_break" and status.loc[0, "series_start"] == 2025
    # Without the break the same numbers do flag 2025 and read as deterioration.
    assert scoring.outlier_flags(series(rows))["outlier"].iloc[-1]
    assert scoring.progress_status(series(rows), LOWER).loc[0, "status"] == "deterioration"
    # Two values after the break: the trend runs from the first of them.
    later = pd.concat(
        [broken, series([(1, 1, 2026, 33.0)]).assign(break_year=2025.0)], ignore_index=True
    )
    after = scoring.progress_status(later, LOWER).iloc[0]
    assert after["base_year"] == 2025 and after["base_value"] == 35.0
    # CAGR_obs = 33/35 - 1 = -0.057143; P = -1 x -0.057143 -> on track (>= 1.5 % a year).
    assert after["growth"] == pytest.approx(0.057143, abs=1e-6) and after["status"] == "on_track"
