"""Compare: two to four cities side by side on chosen focus areas and indicators.

The choice lives in the URL (?cities=VNHAN,VNSGN&areas=QE,BI&indicators=QE_PM25,...)."""

from __future__ import annotations

import streamlit as st

from mne import compare
from mne.charts import compare as compare_charts
from mne.i18n import MISSING, N_
from mne.scoring import MIN_INDEX_COVERAGE
from pages import _ui as ui

tr = ui.translator()
ui.page_header(
    tr("Compare cities"),
    tr("Two to four cities side by side on the focus areas and indicators you choose."),
)

cities = ui.load_cities()
counts = ui.load_data_counts()
if counts.empty:
    ui.empty_state(
        tr(
            "No indicator values yet. Upload a city's indicator file, or load the demo data "
            "with `python -m mne init --demo`."
        )
    )
    st.stop()

codes = list(cities.sort_values(["country_name", "name"])["code"])
labels = {r.code: f"{r.name} · {r.country_name}" for r in cities.itertuples()}
asked = compare.parse_codes(st.query_params.get("cities"), codes, compare.MAX_CITIES)
default_cities = compare.default_cities(counts)
chosen_cities = st.multiselect(
    tr("Cities (two to four)"),
    ui.find_city("compare_cities", codes),
    placeholder=tr("Choose options"),
    default=asked if len(asked) >= compare.MIN_CITIES else default_cities,
    format_func=labels.__getitem__,
    max_selections=compare.MAX_CITIES,
    key="compare_cities",
)

areas = ui.load_focus_areas()
area_names = dict(zip(areas["code"], areas["name"], strict=True))
asked_areas = compare.parse_codes(st.query_params.get("areas"), list(area_names))
chosen_areas = st.multiselect(
    tr("Focus areas"),
    list(area_names),
    placeholder=tr("Choose options"),
    default=asked_areas or list(area_names),
    format_func=area_names.__getitem__,
    key="compare_areas",
)
areas_shown = ",".join(chosen_areas) if len(chosen_areas) < len(area_names) else ""
ui.sync_query(
    {"cities": (",".join(chosen_cities), ",".join(default_cities)), "areas": (areas_shown, "")}
)

if len(chosen_cities) < compare.MIN_CITIES:
    ui.empty_state(tr("Choose at least two cities to compare."))
    st.stop()

indicators = ui.load_indicators()
in_areas = indicators[indicators["focus_area"].isin(chosen_areas or list(area_names))]
indicator_names = dict(zip(in_areas["code"], in_areas["name"], strict=True))
asked_indicators = compare.parse_codes(st.query_params.get("indicators"), list(indicator_names))
default_indicators = ui.load_default_indicators(tuple(chosen_cities), tuple(chosen_areas))
chosen_indicators = st.multiselect(
    tr("Indicators"),
    list(indicator_names),
    placeholder=tr("Choose options"),
    default=asked_indicators or default_indicators,
    format_func=lambda c: f"{indicator_names[c]} ({c})",
    key="compare_indicators",
)
ui.sync_query({"indicators": (",".join(chosen_indicators), ",".join(default_indicators))})

names = ", ".join(labels[c].split(" · ")[0] for c in chosen_cities)
data = ui.load_comparison(tuple(chosen_cities), tuple(chosen_indicators))
as_of = str(data.as_of) if data.as_of is not None else MISSING

# --- Focus-area indices ----------------------------------------------------------------------
st.subheader(tr("Focus-area indices"))
indices = compare.focus_area_indices(ui.load_network_index(), cities, chosen_cities, chosen_areas)
if indices["index"].notna().any():
    ui.chart(
        compare_charts.focus_area_bars(indices, tr, as_of),
        indices,
        "compare_focus_areas",
    )
    missing = indices[indices["index"].isna()]
    if not missing.empty:
        st.caption(
            tr(
                "No bar where fewer than {coverage} of an area's indicators have data: {pairs}.",
                coverage=tr.percent(MIN_INDEX_COVERAGE),
                pairs="; ".join(
                    f"{r.city_name} · {r.focus_area_name} ({tr.percent(r.coverage)})"
                    for r in missing.itertuples()
                ),
            )
        )
else:
    ui.empty_state(
        tr.on("markdown")(
            N_(
                "None of {cities} has enough data for a focus-area index ({coverage} of its "
                "indicators)."
            ),
            coverage=tr.percent(MIN_INDEX_COVERAGE),
            cities=names,
        )
    )

# --- Indicators over time --------------------------------------------------------------------
st.subheader(tr("Indicators"))
if not chosen_indicators:
    ui.empty_state(tr("Choose one or more indicators to compare."))
elif data.latest.empty:
    ui.empty_state(
        tr.on("markdown")(N_("No values of the chosen indicators for {cities} yet."), cities=names)
    )
else:
    latest = data.latest
    shown = ui.progress_cells(latest).assign(
        indicator=latest["indicator_name"], city=latest["city_name"]
    )[["indicator", "city", "status", "latest", "year", "target", "gap"]]

    st.dataframe(
        ui.status_coloured(shown, latest["status"]),
        hide_index=True,
        width="stretch",
        column_config={
            "indicator": st.column_config.TextColumn(tr("Indicator"), width="medium"),
            "city": tr("City"),
            "status": tr("Status"),
            "latest": tr("Latest value"),
            "year": tr("Year"),
            "target": tr("Target (year)"),
            "gap": tr("Gap"),
        },
    )
    st.download_button(
        tr("Download the table (CSV)"),
        ui.csv_bytes(latest),
        "compare_latest.csv",
        "text/csv",
        key="download-compare-latest",
        icon=":material/download:",
    )
    panels = (
        latest[["indicator", "indicator_name", "unit", "decimals"]]
        .drop_duplicates("indicator")
        .reset_index(drop=True)
    )
    ui.chart(
        compare_charts.indicator_lines(data.yearly, panels, tr, as_of),
        data.yearly,
        "compare_indicators",
    )
