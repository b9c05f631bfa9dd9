"""Worked examples for the Methodology page: the same functions as every other page, applied
to small frames a reader can follow by hand, and to any city x indicator of the store."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from db import models as m
from mne import analysis, scoring

# A lower-is-better example a reader can redo with a calculator: PM2.5 from 40 µg/m³ in 2015
# to 30 in 2023, with the WHO guideline of 5 as the 2030 target.
EXAMPLE_YEARLY = pd.DataFrame(
    {
        "city_id": [1, 1, 1],
        "indicator_id": [1, 1, 1],
        "year": [2015, 2019, 2023],
        "value": [40.0, 35.0, 30.0],
    }
)
EXAMPLE_INDICATORS = pd.DataFrame({"id": [1], "direction": ["lower"], "focus_area": ["QE"]})
EXAMPLE_TARGETS = pd.DataFrame(
    {"indicator_id": [1], "city_id": [None], "year": [2030], "value": [5.0]}
)


def example_status() -> pd.Series:
    """The worked example's progress row (cagr_obs, cagr_req, ratio, status...)."""
    return scoring.progress_table(EXAMPLE_YEARLY, EXAMPLE_INDICATORS, EXAMPLE_TARGETS).iloc[0]


def example_score() -> float:
    """SDSN normalisation of 30 between a worst case of 45 and a target of 5 (lower is better)."""
    score = scoring.normalised_score(pd.Series([30.0]), pd.Series([45.0]), pd.Series([5.0]))
    return float(score.iloc[0])


def status_of(engine: Engine, city_code: str, indicator_code: str) -> pd.Series | None:
    """The progress row of one city x indicator from the store, as every page computes it."""
    with engine.connect() as conn:
        city_id = conn.execute(select(m.City.id).where(m.City.code == city_code)).scalar()
        indicator_id = conn.execute(
            select(m.Indicator.id).where(m.Indicator.code == indicator_code)
        ).scalar()
    if city_id is None or indicator_id is None:
        return None
    rows = analysis.progress(engine, [city_id], [indicator_id])
    return None if rows.empty else rows.iloc[0]
