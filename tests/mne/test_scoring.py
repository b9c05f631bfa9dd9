"""Scores and indices, against values computed by hand from ../shared/reference/scoring.md."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mne import scoring


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
