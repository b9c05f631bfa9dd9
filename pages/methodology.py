"""Methodology: every score and status with its formula and a worked example, and any status
shown elsewhere reproduced step by step."""

from __future__ import annotations

import math

import streamlit as st

from mne import methodology, scoring
from mne.headline import REPORTING_SHARE
from mne.i18n import MISSING
from mne.tasks import AT_RISK_SHARE
from pages import _ui as ui

tr = ui.translator()
engine = ui.engine()


def number(value: float | None, decimals: int = 4) -> str:
    return (
        MISSING
        if value is None or (isinstance(value, float) and math.isnan(value))
        else tr.number(value, decimals)
    )


def year(value: float | None) -> str:
    return MISSING if value is None or value != value else str(int(value))


ui.page_header(
    tr("Methodology"),
    tr(
        "How every score and status on this dashboard is computed, so anyone can check "
        "it by hand. Sources: SDSN Sustainable Development Report, Open SDG progress "
        "measure, ITU U4SSC, DHIS2 data quality."
    ),
)

st.header(tr("1. Normalised score (0–100)"))
st.markdown(methodology.score_text(tr))
st.latex(
    r"x' = \frac{x - \text{worst}}{\text{target} - \text{worst}} \times 100,\ "
    r"\text{clipped to } [0, 100]"
)
st.markdown(
    tr(
        "Example: PM2.5 of 30 µg/m³, worst case 45, target 5 (lower is better): "
        "(30 − 45) / (5 − 45) × 100 = {score}.",
        score=tr.number(methodology.example_score(), 1),
    )
)

st.header(tr("2. Focus-area index"))
st.markdown(
    tr(
        "The mean of the area's indicator scores, with equal weights. No index is shown "
        "when more than {missing} of the area's indicators have no data; the coverage is "
        "always shown.",
        missing=tr.percent(1 - scoring.MIN_INDEX_COVERAGE),
    )
)
st.markdown(methodology.light_text(tr))

st.header(tr("3. Progress status (Open SDG progress measure)"))
st.markdown(methodology.status_text(tr))
st.markdown(
    tr(
        "From the base year ({base}, or the first year with data) to the latest year, "
        "with at least two values; zeros are replaced by {zero}.",
        base=scoring.BASE_YEAR,
        zero=tr.number(scoring.ZERO_REPLACEMENT, 3),
    )
)
st.latex(
    r"\text{CAGR}_{obs} = \left(\frac{y_t}{y_0}\right)^{\frac{1}{t - t_0}} - 1 \qquad "
    r"\text{CAGR}_{req} = \left(\frac{y_T}{y_0}\right)^{\frac{1}{t_T - t_0}} - 1"
)
st.latex(
    r"R = s \cdot d \cdot \frac{\text{CAGR}_{obs}}{|\text{CAGR}_{req}|}\qquad "
    r"s = -1 \text{ if } y_0 < 0,\ d = -1 \text{ if lower is better}"
)
r95, r60 = tr.number(scoring.RATIO_ON_TRACK, 2), tr.number(scoring.RATIO_MODERATE, 2)
p15 = tr.number(scoring.GROWTH_ON_TRACK * 100, 1)
p05 = tr.number(scoring.GROWTH_MODERATE * 100, 1)
per_year = tr("% a year")
thresholds = [
    ("target_achieved", tr("latest value at or beyond the target"), MISSING),
    ("on_track", f"R ≥ {r95}", f"P ≥ {p15} {per_year}"),
    ("moderate", f"{r60} ≤ R < {r95}", f"{p05} ≤ P < {p15} {per_year}"),
    ("limited", f"0 ≤ R < {r60}", f"0 ≤ P < {p05} {per_year}"),
    ("deterioration", "R < 0", "P < 0"),
    ("insufficient_data", tr("fewer than two values"), tr("fewer than two values")),
]
st.table(
    {
        tr("Status"): [tr(scoring.STATUS_LABELS[t[0]]) for t in thresholds],
        tr("With a target"): [t[1] for t in thresholds],
        tr("Without a target (P = s·d·CAGR)"): [t[2] for t in thresholds],
    },
)

example = methodology.example_status()
st.subheader(tr("Worked example"))
st.markdown(
    tr(
        "PM2.5 (lower is better): {y0} µg/m³ in {t0}, {yt} in {t}; target {target} in {tT}.",
        y0=number(example["base_value"], 0),
        t0=int(example["base_year"]),
        yt=number(example["latest_value"], 0),
        t=int(example["latest_year"]),
        target=number(example["target_value"], 0),
        tT=int(example["target_year"]),
    )
)
st.latex(
    rf"\text{{CAGR}}_{{obs}} = (30/40)^{{1/8}} - 1 = {example['cagr_obs']:.4f}\quad "
    rf"\text{{CAGR}}_{{req}} = (5/40)^{{1/15}} - 1 = {example['cagr_req']:.4f}"
)
st.latex(
    rf"R = 1 \cdot (-1) \cdot \frac{{{example['cagr_obs']:.4f}}}{{{abs(example['cagr_req']):.4f}}}"
    rf" = {example['ratio']:.3f}"
)
st.markdown(
    tr(
        "R is between 0 and {moderate}: {status}.",
        moderate=r60,
        status=tr(scoring.STATUS_LABELS[str(example["status"])]),
    )
)

st.header(tr("4. Gap, path and U4SSC points"))
st.markdown(
    tr(
        "Gap = target − latest (signed so that a positive gap is still to go; for a target "
        "band, the distance to its nearest edge). Achievement = (latest − base) / (target − "
        "base); the share expected by now runs on a straight path from the base through each "
        "milestone of the target (a target may have several: 2025 and 2030)."
    )
)
st.markdown(methodology.u4ssc_text(tr))

st.header(tr("5. Data quality"))
st.markdown(methodology.outlier_text(tr))

st.header(tr("6. Priority tasks"))
st.markdown(
    tr(
        "Done at 100 %; late when past the due date and not done; at risk when the "
        "percent complete is under {share} of the straight path from start to due date; "
        "otherwise on track.",
        share=tr.percent(AT_RISK_SHARE),
    )
)

st.header(tr("7. Reporting year and data coverage"))
st.markdown(
    tr(
        'Headline figures (cities reporting, data coverage, and the "as of" year of charts '
        "and reports) use the reporting year: the latest year in which at least {share} of "
        "the cities that report at all have reported a value. A newer year that fewer "
        "cities have reported so far is shown as in progress, with how many cities so far. "
        "Data coverage is the share of city × indicator cells with a value in the reporting "
        "year.",
        share=tr.percent(REPORTING_SHARE),
    )
)

st.header(tr("Reproduce a status"))
st.caption(tr("Pick any city and indicator: the numbers below are the ones every page uses."))
cities, indicators = ui.load_cities(), ui.load_indicators()
left, right = st.columns(2)
with left:
    city_options = ui.find_city("method_city", list(cities["code"]))
    city = st.selectbox(
        tr("City"),
        city_options,
        format_func=dict(zip(cities["code"], cities["name"], strict=True)).__getitem__,
        key="method_city",
    )
indicator = right.selectbox(
    tr("Indicator"),
    indicators["code"],
    format_func=dict(zip(indicators["code"], indicators["name"], strict=True)).__getitem__,
)
row = methodology.status_of(ui.view(), str(city), str(indicator))
if row is None:
    ui.empty_state(tr("No values for this city and indicator yet."))
else:
    steps = {
        tr("Base year and value"): f"{year(row['base_year'])}: {number(row['base_value'], 2)}",
        tr("Latest year and value"): f"{year(row['latest_year'])}: "
        f"{number(row['latest_value'], 2)}",
        tr("Target"): f"{number(row['target_value'], 2)} ({year(row['target_year'])})",
        tr("Milestone due next"): f"{number(row['milestone_value'], 2)} "
        f"({year(row['milestone_year'])})",
        tr("Method"): str(row["method"] or MISSING),
        "CAGR obs": number(row["cagr_obs"]),
        "CAGR req": number(row["cagr_req"]),
        "R": number(row["ratio"], 3),
        "P": number(row["growth"]),
        tr("Status"): tr(scoring.STATUS_LABELS[str(row["status"])]),
    }
    st.table({tr("Step"): list(steps), tr("Value"): list(steps.values())})
