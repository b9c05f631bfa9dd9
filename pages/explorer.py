"""Indicator explorer: one indicator across cities, ranked, its distribution and its trends.

Every filter lives in the URL (?indicator=QE_PM25&country=VN&member=member&pop=1m_5m&cities=...)
so a view can be shared by link.
"""

from __future__ import annotations

import streamlit as st

from mne import explorer, scoring
from mne.charts import explorer as charts
from mne.theme import OKABE_ITO
from pages import _ui as ui

NO_VALUES = (
    "No indicator values yet. Upload a city's indicator file, or load the demo data "
    "with `python -m mne init --demo`."
)
KEYS = {
    "indicator": "explorer_indicator",
    "country": "explorer_country",
    "member": "explorer_member",
    "pop": "explorer_pop",
    "cities": "explorer_cities",
}

tr = ui.translator()
ui.page_header(
    tr("Indicator explorer"),
    tr(
        "One indicator across the cities: who leads, who lags, how values spread and how "
        "they changed. Statuses follow the Open SDG progress measure (see the Methodology)."
    ),
)

indicators = ui.load_indicators()
cities = ui.load_cities()
reported = set(ui.load_reported_indicators())
if not reported:
    ui.empty_state(tr(NO_VALUES))
    st.stop()


def url_list(name: str) -> list[str]:
    value = st.query_params.get(name, "")
    return [v for v in value.split(",") if v]


# --- Filters: read from the URL once, then kept by the widgets --------------------------------
codes = list(indicators["code"])
areas = indicators.drop_duplicates("focus_area")
area_names = dict(zip(areas["focus_area"], areas["focus_area_name"], strict=True))
area_of = dict(zip(indicators["code"], indicators["focus_area"], strict=True))
names = dict(zip(indicators["code"], indicators["name"], strict=True))
countries = cities.drop_duplicates("country")
country_names = dict(zip(countries["country"], countries["country_name"], strict=True))

first_reported = next(c for c in codes if c in reported)
if KEYS["indicator"] not in st.session_state:
    wanted = st.query_params.get("indicator", "")
    st.session_state[KEYS["indicator"]] = wanted if wanted in area_of else first_reported
    st.session_state["explorer_area"] = area_of[st.session_state[KEYS["indicator"]]]
    st.session_state[KEYS["country"]] = [c for c in url_list("country") if c in country_names]
    member = st.query_params.get("member", "all")
    st.session_state[KEYS["member"]] = member if member in explorer.MEMBERSHIP else "all"
    st.session_state[KEYS["pop"]] = [
        b for b in url_list("pop") if b in explorer.POPULATION_BAND_LABELS
    ]
    if url_list("cities"):
        st.session_state[KEYS["cities"]] = url_list("cities")


def first_of_area() -> None:
    """A new focus area: show its first indicator with data."""
    in_area = [c for c in codes if area_of[c] == st.session_state["explorer_area"]]
    with_data = [c for c in in_area if c in reported]
    st.session_state[KEYS["indicator"]] = (with_data or in_area)[0]


def indicator_label(code: str) -> str:
    return names[code] if code in reported else tr("{name} (no data)", name=names[code])


left, right = st.columns([1, 2])
left.selectbox(
    tr("Focus area"),
    list(area_names),
    format_func=area_names.__getitem__,
    key="explorer_area",
    on_change=first_of_area,
)
right.selectbox(
    tr("Indicator"),
    [c for c in codes if area_of[c] == st.session_state["explorer_area"]],
    format_func=indicator_label,
    key=KEYS["indicator"],
)
col_country, col_member, col_pop = st.columns(3)
col_country.multiselect(
    tr("Country"),
    list(country_names),
    format_func=country_names.__getitem__,
    key=KEYS["country"],
    placeholder=tr("All countries"),
)
col_member.radio(
    tr("ASCN membership"),
    explorer.MEMBERSHIP,
    format_func=lambda m: tr(explorer.MEMBERSHIP_LABELS[m]),
    key=KEYS["member"],
    horizontal=True,
)
col_pop.multiselect(
    tr("Population"),
    list(explorer.POPULATION_BAND_LABELS),
    format_func=lambda b: tr(explorer.POPULATION_BAND_LABELS[b]),
    key=KEYS["pop"],
    placeholder=tr("All sizes"),
)

indicator = st.session_state[KEYS["indicator"]]
chosen_countries = st.session_state[KEYS["country"]]
membership = st.session_state[KEYS["member"]]
bands = st.session_state[KEYS["pop"]]
ui.sync_query(
    {
        "indicator": (indicator, first_reported),
        "country": (",".join(chosen_countries), ""),
        "member": (membership, "all"),
        "pop": (",".join(bands), ""),
    }
)

filtered = explorer.filter_cities(cities, chosen_countries, membership, bands)
every_city = not chosen_countries and membership == "all" and not bands
if filtered.empty:
    ui.empty_state(
        tr("No city matches these filters. Choose more countries, another membership or size.")
    )
    st.stop()

view = ui.load_indicator_view(indicator, None if every_city else list(filtered["code"]))
unit = str(view.indicator["unit"])
if view.ranked.empty:
    ui.empty_state(
        tr(
            "No values reported for this indicator in the cities chosen. Choose another "
            "indicator or widen the filters."
        )
    )
    st.stop()

# --- Cities ranked ----------------------------------------------------------------------------
shown = tr(
    "{reporting} of {cities} cities report this indicator.",
    reporting=len(view.ranked),
    cities=len(filtered),
)
older = int((view.ranked["latest_year"] < view.as_of).sum())
if older:
    shown += " " + tr(
        "For {n} of them the latest value is older than {year} (see the year on hover).",
        n=older,
        year=view.as_of,
    )
st.caption(shown)
ranked_data = view.ranked.assign(
    unit=unit,
    status=view.ranked["status"].map(lambda s: tr(scoring.STATUS_LABELS[s])),
)[
    [
        "rank",
        "city",
        "city_name",
        "country",
        "latest_year",
        "latest_value",
        "unit",
        "status",
        "target_value",
        "target_year",
        "gap",
    ]
]
ui.chart(charts.ranked_bars(view, tr), ranked_data, f"{indicator}_ranked")
if view.target is None:
    st.caption(tr("No target is recorded for this indicator: statuses follow the trend alone."))

# --- Distribution -----------------------------------------------------------------------------
ui.chart(
    charts.distribution(view, tr),
    view.ranked[["city", "city_name", "latest_year", "latest_value"]].assign(unit=unit),
    f"{indicator}_distribution",
)

# --- Cities over time -------------------------------------------------------------------------
city_names = dict(zip(view.ranked["city"], view.ranked["city_name"], strict=True))
stored = st.session_state.get(KEYS["cities"])
kept = [c for c in stored or [] if c in city_names]
# Nothing chosen yet, or none of the chosen cities left after a filter: the default cities.
if stored is None or (stored and not kept):
    kept = explorer.default_trend_cities(view.ranked)
st.session_state[KEYS["cities"]] = kept
st.multiselect(
    tr("Cities over time (the best and worst three by default)"),
    list(city_names),
    placeholder=tr("Choose options"),
    format_func=city_names.__getitem__,
    key=KEYS["cities"],
    max_selections=len(OKABE_ITO),
)
chosen_cities = st.session_state[KEYS["cities"]]
ui.sync_query(
    {"cities": (",".join(chosen_cities), ",".join(explorer.default_trend_cities(view.ranked)))}
)
if chosen_cities:
    history = view.history[view.history["city"].isin(chosen_cities)].assign(unit=unit)
    ui.chart(charts.trends(view, chosen_cities, tr), history, f"{indicator}_over_time")
else:
    ui.empty_state(tr("Choose one or more cities to see their values over time."))
