"""Worked examples for the Methodology page: the same functions as every other page, applied
to small frames a reader can follow by hand, and to any city x indicator of the store."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from db import models as m
from mne import analysis, outliers, scoring
from mne.analysis import StoreView
from mne.i18n import Translator

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


def status_of(store: StoreView | Engine, city_code: str, indicator_code: str) -> pd.Series | None:
    """The progress row of one city x indicator from the store, as every page computes it."""
    view = StoreView.of(store)
    with view.engine.connect() as conn:
        city_id = conn.execute(select(m.City.id).where(m.City.code == city_code)).scalar()
        indicator_id = conn.execute(
            select(m.Indicator.id).where(m.Indicator.code == indicator_code)
        ).scalar()
    if city_id is None or indicator_id is None:
        return None
    rows = analysis.progress(view, [city_id], [indicator_id])
    return None if rows.empty else rows.iloc[0]


# --- The methodology text, generated from the constants the code uses --------------------------
#
# Every number a reader sees in these sentences is the constant scoring (and the city profile,
# the headline figures, the tasks) computes with: change a constant and every page, report
# and annex that states it changes with it.


def _pct(tr: Translator, share: float) -> str:
    """A share (0.8) as the language writes a percentage (80 %, 80%)."""
    return tr.percent(share, 0 if round(share * 100, 6).is_integer() else 1)


def score_text(tr: Translator) -> str:
    """The 0-100 score and the focus-area index, in one paragraph."""
    return tr(
        "Each indicator is scored 0–100 from a worst-case bound (percentile {low} of the "
        "cities' latest values; percentile {high} when lower is better) to its target (SDSN "
        "normalisation); a city at or beyond its target scores 100. With fewer than {cities} "
        "cities reporting there is no worst-case bound, and raw counts are not compared "
        "across cities. An area's index is the mean of its indicator scores and is left empty "
        "when fewer than {coverage} of its indicators have data.",
        low=tr.number(scoring.WORST_QUANTILE * 100, 1),
        high=tr.number((1 - scoring.WORST_QUANTILE) * 100, 1),
        cities=scoring.MIN_CITIES_FOR_BOUNDS,
        coverage=_pct(tr, scoring.MIN_INDEX_COVERAGE),
    )


def status_text(tr: Translator) -> str:
    """The progress status (Open SDG), in one paragraph."""
    return tr(
        "The Open SDG progress measure: the observed yearly growth from the base year ({base}, "
        "or the first later year with data, and never before a series break) to the latest "
        "year, compared with the growth needed to reach the target milestone due next; on "
        "track from R = {on_track}, progress made from R = {moderate}. Without a target, the "
        "growth itself: on track from {growth_on_track} a year, progress made from "
        "{growth_moderate}, thresholds scaled down near a natural limit. A zero base value is "
        "measured on the straight path. One value only, or values on both sides of zero, give "
        "Insufficient data.",
        base=scoring.BASE_YEAR,
        on_track=tr.number(scoring.RATIO_ON_TRACK, 2),
        moderate=tr.number(scoring.RATIO_MODERATE, 2),
        growth_on_track=_pct(tr, scoring.GROWTH_ON_TRACK),
        growth_moderate=_pct(tr, scoring.GROWTH_MODERATE),
    )


def outlier_text(tr: Translator) -> str:
    return tr(
        "A value is flagged when its modified z-score within the city's own history (since "
        "its last series break), {factor} × (x − median) / MAD, is beyond {threshold} (at "
        "least {points} values). A flag asks a person to confirm the value; it is never a "
        "rejection.",
        factor=tr.number(outliers.FACTOR, 4),
        threshold=tr.number(outliers.THRESHOLD, 1),
        points=outliers.MIN_POINTS,
    )


def u4ssc_text(tr: Translator) -> str:
    first, second, third = scoring.U4SSC_EDGES
    return tr(
        "U4SSC points from the share of the target reached: under {a} 1, {a}–{b} 2, {b}–{c} 3, "
        "{c} and more 4 (at or beyond the target, or inside a target band: 4). With a zero "
        "target the share is the reduction achieved since the base year. A group's U4SSC "
        "score is its points ÷ (4 × indicators with data and a target).",
        a=_pct(tr, first),
        b=_pct(tr, second),
        c=_pct(tr, third),
    )


def light_text(tr: Translator) -> str:
    low, mid, high = scoring.LIGHT_EDGES
    return tr(
        "Traffic light of a focus area (SDSN): the mean of its two worst scores, green from "
        "{high}, yellow from {mid}, orange from {low}, red below; green only when every score "
        "is green; none under {coverage} coverage.",
        low=tr.number(low),
        mid=tr.number(mid),
        high=tr.number(high),
        coverage=_pct(tr, scoring.MIN_INDEX_COVERAGE),
    )


def method_paragraphs(tr: Translator) -> list[tuple[str, str]]:
    """(title, text) of the methodology annex of the reports, already translated."""
    return [
        (tr("Score"), score_text(tr)),
        (tr("Progress status"), status_text(tr)),
        (
            tr("Gap"),
            tr(
                "The distance still to go to the target in the indicator's unit, positive "
                "while the target is not reached, whatever the indicator's direction; for a "
                "target band, the distance to its nearest edge."
            ),
        ),
        (tr("U4SSC points"), u4ssc_text(tr)),
        (tr("Data quality"), outlier_text(tr)),
        (
            tr("Values"),
            tr("Values are yearly: a year's own value, else the mean of its quarters and months."),
        ),
    ]
