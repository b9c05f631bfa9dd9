"""Catalog: the ASCN framework, indicators with definitions, targets, cities and task groups."""

from __future__ import annotations

import streamlit as st

from mne import access, catalog, charts
from mne import targets as targets_data
from mne.catalog import ASCN_LIST_AS_OF, TARGET_KIND_LABELS
from mne.i18n import N_
from pages import _catalog_forms as catalog_forms
from pages import _ui as ui

DIRECTION_LABELS = {"higher": N_("Higher is better"), "lower": N_("Lower is better")}

tr = ui.translator()
lang = ui.language()
ui.page_header(
    tr("Catalog"),
    tr("The indicators, targets, cities and task groups the dashboard follows."),
    notice="catalog_notice",
)

tab_framework, tab_indicators, tab_targets, tab_cities, tab_tasks = st.tabs(
    [tr("Framework"), tr("Indicators"), tr("Targets"), tr("Cities"), tr("Task groups")]
)
engine = ui.engine()

with tab_framework:
    st.subheader(tr("ASEAN Smart Cities Framework: strategic outcomes"))
    outcomes = catalog.named(engine, "strategic_outcome", lang)
    st.markdown("\n".join(f"- **{r.name}**" for r in outcomes.itertuples()))
    st.subheader(tr("Focus areas"))
    areas = ui.load_focus_areas()
    indicators = ui.load_indicators()
    counts = indicators.groupby("focus_area")["code"].count()
    for area in areas.itertuples():
        count = tr("{n} indicators", n=int(counts.get(area.code, 0)))
        st.markdown(f"**{area.code} · {area.name}** — {area.description} ({count})")

with tab_indicators:
    area_names = dict(zip(areas["code"], areas["name"], strict=True))
    chosen = st.multiselect(
        tr("Focus areas"),
        list(area_names),
        format_func=area_names.__getitem__,
        placeholder=tr("Choose options"),
    )
    shown = indicators[indicators["focus_area"].isin(chosen)] if chosen else indicators
    table = shown.assign(direction=shown["direction"].map(lambda d: tr(DIRECTION_LABELS[d])))[
        [
            "code",
            "name",
            "focus_area_name",
            "unit",
            "direction",
            "plausible_min",
            "plausible_max",
            "definition",
            "source_standard",
        ]
    ]
    st.dataframe(
        tr.readable(table, values=("plausible_min", "plausible_max")),
        hide_index=True,
        width="stretch",
        column_config={
            "code": tr("Code"),
            "name": tr("Indicator"),
            "focus_area_name": tr("Focus area"),
            "unit": tr("Unit"),
            "direction": tr("Direction"),
            "plausible_min": tr("Plausible min"),
            "plausible_max": tr("Plausible max"),
            "definition": tr("Definition"),
            "source_standard": tr("Source standard"),
        },
    )
    st.download_button(
        tr("Download the data (CSV)"), ui.csv_bytes(table), "indicators.csv", "text/csv"
    )
    if ui.may("edit_catalog"):
        catalog_forms.indicator_forms(tr, indicators, areas)


def target_form() -> None:
    """Analysts set a user-set target (one city, or every city); catalog targets stay."""
    indicators, cities = ui.load_indicators(), ui.load_cities()
    names = dict(zip(indicators["code"], indicators["name"], strict=True))
    city_names = dict(zip(cities["code"], cities["name"], strict=True))
    # Outside the form: a form's widgets do not rerun the page as people type.
    city_options = ui.find_city("target-city", list(city_names))
    with st.form("set-target", clear_on_submit=True):
        st.markdown("**" + tr("Set a target") + "**")
        left, middle, right = st.columns([3, 2, 1])
        indicator = left.selectbox(
            tr("Indicator"), list(names), format_func=lambda c: f"{c} · {names[c]}"
        )
        city = middle.selectbox(
            tr("City"),
            ["", *city_options],
            format_func=lambda c: f"{c} · {city_names[c]}" if c else tr("All cities"),
            key="target-city",
        )
        year = right.number_input(tr("Year"), 2000, 2100, 2030, step=1)
        value = left.number_input(tr("Target"), value=0.0, format="%.2f")
        note = middle.text_input(tr("Note"), max_chars=targets_data.NOTE_LIMIT)
        if st.form_submit_button(tr("Save the target"), icon=":material/flag:"):
            try:
                actor = ui.actor()
                assert actor is not None  # the form is drawn for those who may edit targets
                targets_data.set_target(
                    ui.engine(), actor, indicator, int(year), float(value), city or None, note
                )
            except access.AccessError as error:
                ui.show_error(error)
            else:
                ui.after_write()
                st.success(tr("Target saved."), icon=":material/check:")


with tab_targets:
    targets = ui.load_targets()
    if targets.empty:
        ui.empty_state(tr("No targets recorded yet."))
    else:
        st.caption(
            tr(
                "Only targets set in a country's law or policy are called official, and they "
                "apply to that country's cities only; the others are global aims (SDG), "
                "international guidelines or illustrative values for comparison. A target with "
                "two values is a band: inside it is achieved."
            )
        )
        whose = [
            city
            if isinstance(city, str)
            else tr("Cities of {country}", country=country)
            if scope == "country"
            else tr("All cities")
            for city, scope, country in zip(
                targets["city"], targets["scope"], targets["country"], strict=True
            )
        ]
        shown_targets = targets.assign(
            kind=targets["kind"].map(lambda k: tr(TARGET_KIND_LABELS[k])),
            city=whose,
            value=[
                f"{tr.number(low, 1)}–{tr.number(high, 1)}" if high == high else tr.number(low, 1)
                for low, high in zip(targets["value"], targets["value_high"], strict=True)
            ],
        )
        st.dataframe(
            shown_targets[
                [
                    "indicator",
                    "indicator_name",
                    "city",
                    "year",
                    "value",
                    "unit",
                    "kind",
                    "source",
                    "note",
                ]
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "indicator": tr("Code"),
                "indicator_name": tr("Indicator"),
                "city": tr("City"),
                "year": st.column_config.NumberColumn(tr("Year"), format="%d"),
                "value": tr("Target"),
                "unit": tr("Unit"),
                "kind": tr("Kind"),
                "source": tr("Source"),
                "note": tr("Note"),
            },
        )

    if ui.may("edit_target"):
        target_form()

with tab_cities:
    cities = ui.load_cities()
    if cities.empty:
        ui.empty_state(tr("No cities in the catalog yet."))
    else:
        mapped = cities.assign(
            member=cities["ascn_joined"].notna(),
            joined=cities["ascn_joined"].map(
                lambda y: (
                    tr("ASCN member since {year}", year=int(y))
                    if y == y and y
                    else tr("Not an ASCN member")
                )
            ),
        )
        st.caption(
            tr(
                "ASCN membership as of {year} (31 cities); later reports speak of more members, "
                "not yet in an official list.",
                year=ASCN_LIST_AS_OF,
            )
        )
        ui.chart(
            charts.city_map(
                mapped, tr, tr("ASCN member cities and other Vietnamese cities followed")
            ),
            mapped[["code", "name", "country", "lat", "lon", "ascn_joined"]],
            "cities",
        )
        st.dataframe(
            tr.readable(
                cities.assign(
                    lat=cities["lat"].map(lambda v: tr.number(v, 2)),
                    lon=cities["lon"].map(lambda v: tr.number(v, 2)),
                )[
                    [
                        "code",
                        "name",
                        "country_name",
                        "ascn_joined",
                        "population",
                        "population_year",
                        "valid_to",
                        "lat",
                        "lon",
                    ]
                ],
                counts=("population",),
                dates=("valid_to",),
                years=("ascn_joined", "population_year"),
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "code": tr("Code"),
                "name": tr("City"),
                "country_name": tr("Country"),
                "ascn_joined": tr("ASCN member since"),
                "population": tr("Population (approx.)"),
                "valid_to": tr("Reporting unit until"),
                "population_year": tr("Population year"),
                "lat": tr("Latitude"),
                "lon": tr("Longitude"),
            },
        )
    if ui.may("edit_catalog") and not cities.empty:
        catalog_forms.city_forms(tr, cities)

with tab_tasks:
    st.subheader(tr("Thematic tracks of the Vietnam Urban Forum 2025"))
    tracks = catalog.named(engine, "thematic_track", lang)
    st.markdown("\n".join(f"- **{r.code}** · {r.name}" for r in tracks.itertuples()))
    st.subheader(tr("Priority task groups for the new period"))
    groups = catalog.named(engine, "task_group", lang)
    st.markdown("\n".join(f"- **{r.code}** · {r.name}" for r in groups.itertuples()))
    st.subheader(tr("Implementation instruments"))
    instruments = catalog.named(engine, "instrument", lang)
    st.markdown("\n".join(f"- **{r.code}** · {r.name}" for r in instruments.itertuples()))
