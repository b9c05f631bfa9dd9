"""Data coverage: which city reported which indicator, how recently, and where the gaps are.

Filters live in the URL (?area=QE&country=VN,TH) so a view can be shared by link.
"""

from __future__ import annotations

import streamlit as st

from mne.charts.coverage import coverage_heatmap
from mne.coverage import MOST_GAPS_SHOWN, city_gaps, in_year_share, reported_share
from pages import _ui as ui

NO_VALUES = (
    "No indicator values yet. Upload a city's indicator file, or load the demo data "
    "with `python -m mne init --demo`."
)
ALL = ""

tr = ui.translator()
ui.page_header(
    tr("Data coverage"),
    tr(
        "Which city reported which indicator, and the latest year it did. Cells never "
        "reported are the gaps to close first."
    ),
)

areas = ui.load_focus_areas()
cities = ui.load_cities()
area_names = {ALL: tr("All focus areas"), **dict(zip(areas["code"], areas["name"], strict=True))}
countries = cities.drop_duplicates("country")
country_names = dict(zip(countries["country"], countries["country_name"], strict=True))

if "coverage_area" not in st.session_state:
    wanted = st.query_params.get("area", ALL)
    st.session_state["coverage_area"] = wanted if wanted in area_names else ALL
    wanted_countries = st.query_params.get("country", "").split(",")
    st.session_state["coverage_country"] = [c for c in wanted_countries if c in country_names]

left, right = st.columns([1, 2])
left.selectbox(
    tr("Focus area"), list(area_names), format_func=area_names.__getitem__, key="coverage_area"
)
right.multiselect(
    tr("Country"),
    list(country_names),
    format_func=country_names.__getitem__,
    key="coverage_country",
    placeholder=tr("All countries"),
)
area = st.session_state["coverage_area"]
chosen = st.session_state["coverage_country"]
ui.sync_query({"area": (area or "", ""), "country": (",".join(chosen), "")})

data = ui.load_coverage(area or None, chosen)
cells = data.cells
if data.as_of is None:
    ui.empty_state(tr(NO_VALUES))
    st.stop()

ui.in_progress_note(data.reporting)
gaps = int(cells["latest_year"].isna().sum())
cols = st.columns(3)
cols[0].metric(
    tr("Cells ever reported"),
    tr.percent(reported_share(cells)),
    help=tr("Share of the city × indicator cells with at least one value."),
)
cols[1].metric(
    tr("Cells reported in {year}", year=data.as_of),
    tr.percent(in_year_share(data)),
    help=tr(
        "Share of the city × indicator cells with a value in the reporting year: the latest "
        "year that at least half the reporting cities have reported."
    ),
)
cols[2].metric(
    tr("Gaps (never reported)"),
    f"{tr.number(gaps)} / {tr.number(len(cells))}",
)

figure = ui.cached_figure(
    ("coverage", area, tuple(chosen)),
    lambda: coverage_heatmap(cells, tr, data.first_year, data.as_of),
)
ui.chart(figure, cells, "coverage")
st.caption(
    tr(
        "Colour: the latest year with a value (darker is older); vermillion: never reported. "
        "Hover a cell for the number of years reported since {year}.",
        year=data.first_year,
    )
)

st.subheader(tr("Cities with the most gaps"))
most = city_gaps(cells).head(MOST_GAPS_SHOWN)
st.dataframe(
    # The share in whole percent: the bar's label has no decimal mark to get wrong.
    most[["city_name", "country", "gaps", "reported", "indicators", "share"]].assign(
        share=(most["share"] * 100).round(),
        country=most["country"].map(lambda c: country_names.get(c, c)),  # a name, not VN
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "city_name": tr("City"),
        "country": tr("Country"),
        "gaps": st.column_config.NumberColumn(tr("Gaps (never reported)"), format="%d"),
        "reported": st.column_config.NumberColumn(tr("Indicators reported"), format="%d"),
        "indicators": st.column_config.NumberColumn(tr("Indicators"), format="%d"),
        "share": st.column_config.ProgressColumn(
            tr("Share reported"), min_value=0, max_value=100, format="%d %%"
        ),
    },
)
