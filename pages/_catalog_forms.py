"""The Catalog page's forms for administrators (mne.catalog_admin): edit, add and retire
indicators; rename cities and add the names files call them by."""

from __future__ import annotations

from typing import Any

import streamlit as st

from mne import access, catalog_admin
from mne.i18n import LANGUAGE_NAMES, N_
from pages import _ui as ui

DIRECTIONS = {"higher": N_("Higher is better"), "lower": N_("Lower is better")}


def _saved(message: str) -> None:
    ui.after_write()
    ui.keep("catalog_notice", message)
    st.rerun()


def _indicator_inputs(tr: Any, key: str, current: dict[str, Any]) -> dict[str, Any]:
    """The fields of an indicator, as inputs filled with `current`."""
    values: dict[str, Any] = {}
    columns = st.columns(3)
    for column, lang in zip(columns, LANGUAGE_NAMES, strict=True):
        values[f"name_{lang}"] = column.text_input(
            tr("Name ({language})", language=LANGUAGE_NAMES[lang]),
            current.get(f"name_{lang}", ""),
            max_chars=catalog_admin.NAME_LIMIT,
            key=f"{key}-name-{lang}",
        )
    left, middle, right = st.columns(3)
    values["unit"] = left.text_input(tr("Unit"), current.get("unit", ""), key=f"{key}-unit")
    values["direction"] = middle.selectbox(
        tr("Direction"),
        list(DIRECTIONS),
        index=list(DIRECTIONS).index(current.get("direction", "higher")),
        format_func=lambda d: tr(DIRECTIONS[d]),
        key=f"{key}-direction",
    )
    values["decimals"] = right.number_input(
        tr("Decimals"), 0, 6, int(current.get("decimals", 1)), key=f"{key}-decimals"
    )
    values["plausible_min"] = left.number_input(
        tr("Plausible min"), value=float(current.get("plausible_min", 0.0)), key=f"{key}-min"
    )
    values["plausible_max"] = middle.number_input(
        tr("Plausible max"), value=float(current.get("plausible_max", 100.0)), key=f"{key}-max"
    )
    values["comparable"] = right.checkbox(
        tr("Comparable between cities"), bool(current.get("comparable", True)), key=f"{key}-cmp"
    )
    values["source_standard"] = st.text_input(
        tr("Source standard"), current.get("source_standard", ""), key=f"{key}-source"
    )
    for lang in LANGUAGE_NAMES:
        values[f"definition_{lang}"] = st.text_area(
            tr("Definition ({language})", language=LANGUAGE_NAMES[lang]),
            current.get(f"definition_{lang}", ""),
            key=f"{key}-definition-{lang}",
        )
    return values


def indicator_forms(tr: Any, indicators: Any, areas: Any) -> None:
    engine, actor = ui.engine(), ui.actor()
    assert actor is not None
    names = dict(zip(indicators["code"], indicators["name"], strict=True))
    with st.expander(tr("Edit an indicator"), icon=":material/edit:"):
        code = st.selectbox(
            tr("Indicator"), list(names), format_func=lambda c: f"{c} · {names[c]}", key="edit-ind"
        )
        with st.form(f"edit-indicator-{code}"):
            values = _indicator_inputs(
                tr, f"edit-{code}", catalog_admin.indicator_fields(engine, code)
            )
            if st.form_submit_button(tr("Save the indicator"), icon=":material/save:"):
                try:
                    changed = catalog_admin.edit_indicator(engine, actor, code, values)
                except access.AccessError as error:
                    ui.show_error(error)
                else:
                    _saved(tr("{code}: {n} fields changed.", code=code, n=len(changed)))
        if st.button(tr("Retire {code}", code=code), icon=":material/archive:", key="retire-ind"):
            try:
                catalog_admin.set_indicator_active(engine, actor, code, False)
            except access.AccessError as error:
                ui.show_error(error)
            else:
                _saved(tr("{code} is retired: its values stay; it leaves the template.", code=code))
    retired = catalog_admin.retired_indicators(engine, tr.lang)
    if retired:
        with st.expander(tr("Bring back a retired indicator"), icon=":material/unarchive:"):
            back = st.selectbox(
                tr("Indicator"),
                list(retired),
                format_func=lambda c: f"{c} · {retired[c]}",
                key="restore-ind",
            )
            if st.button(tr("Bring back {code}", code=back), key="restore-ind-go"):
                try:
                    catalog_admin.set_indicator_active(engine, actor, back, True)
                except access.AccessError as error:
                    ui.show_error(error)
                else:
                    _saved(tr("{code} is back in the template and the pickers.", code=back))
    with st.expander(tr("Add an indicator"), icon=":material/add:"):
        area_names = dict(zip(areas["code"], areas["name"], strict=True))
        with st.form("add-indicator", clear_on_submit=False):
            left, right = st.columns(2)
            new_code = left.text_input(tr("Code"), max_chars=32, key="add-ind-code")
            area = right.selectbox(
                tr("Focus area"),
                list(area_names),
                format_func=area_names.__getitem__,
                key="add-ind-area",
            )
            values = _indicator_inputs(tr, "add", {})
            if st.form_submit_button(tr("Add the indicator"), icon=":material/add:"):
                try:
                    catalog_admin.add_indicator(engine, actor, new_code, area, values)
                except access.AccessError as error:
                    ui.show_error(error)
                else:
                    _saved(tr("{code} added.", code=new_code.strip().upper()))


def city_forms(tr: Any, cities: Any) -> None:
    engine, actor = ui.engine(), ui.actor()
    assert actor is not None
    with st.expander(tr("Edit a city"), icon=":material/edit:"):
        codes = list(cities["code"])
        labels = dict(zip(cities["code"], cities["name"], strict=True))
        code = st.selectbox(
            tr("City"),
            ui.find_city("edit-city", codes),
            format_func=labels.__getitem__,
            key="edit-city",
        )
        row = cities.set_index("code").loc[code]
        with st.form(f"edit-city-{code}"):
            left, right = st.columns(2)
            name_vi = left.text_input(
                tr("Name ({language})", language="Tiếng Việt"), row["name_vi"]
            )
            name_en = right.text_input(tr("Name ({language})", language="English"), row["name_en"])
            alias = st.text_input(
                tr("Another name files use for it"),
                placeholder=tr("e.g. TP.HCM, Sài Gòn"),
                key=f"alias-{code}",
            )
            if st.form_submit_button(tr("Save the city"), icon=":material/save:"):
                try:
                    catalog_admin.edit_city(engine, actor, code, name_vi, name_en)
                    if alias.strip():
                        catalog_admin.add_city_alias(engine, actor, code, alias)
                except access.AccessError as error:
                    ui.show_error(error)
                else:
                    _saved(tr("{code} saved.", code=code))
    with st.expander(tr("Add a city"), icon=":material/add_location:"):
        countries = dict(zip(cities["country"], cities["country_name"], strict=False))
        with st.form("add-city"):
            left, middle, right = st.columns(3)
            new_code = left.text_input(tr("Code"), max_chars=5, key="add-city-code")
            country = middle.selectbox(
                tr("Country"),
                list(countries),
                format_func=countries.__getitem__,
                key="add-city-country",
            )
            since = right.date_input(
                tr("Reporting unit since"), value=None, format="DD/MM/YYYY", key="add-city-since"
            )
            left, right = st.columns(2)
            new_vi = left.text_input(
                tr("Name ({language})", language="Tiếng Việt"), key="add-city-vi"
            )
            new_en = right.text_input(
                tr("Name ({language})", language="English"), key="add-city-en"
            )
            other = st.text_input(
                tr("Another name files use for it"),
                placeholder=tr("e.g. TP.HCM, Sài Gòn"),
                key="add-city-alias",
            )
            if st.form_submit_button(tr("Add the city"), icon=":material/add:"):
                try:
                    catalog_admin.add_city(
                        engine,
                        actor,
                        new_code,
                        new_vi,
                        new_en,
                        str(country),
                        valid_from=since,
                        aliases=(other,),
                    )
                except access.AccessError as error:
                    ui.show_error(error)
                else:
                    _saved(tr("{code} added.", code=new_code.strip().upper()))
    with st.expander(tr("Record a merger, split, rename or dissolution"), icon=":material/merge:"):
        kinds = {
            "merge": tr("Merger"),
            "split": tr("Split"),
            "rename": tr("Rename"),
            "dissolve": tr("Dissolution"),
        }
        # The find boxes stand outside the form: its widgets do not rerun the page as people
        # type.
        find_before, find_after = st.columns(2)
        with find_before:
            before_options = ui.find_city("event-before", codes, tr("Find a city before"))
        with find_after:
            after_options = ui.find_city("event-after", codes, tr("Find a city after"))
        with st.form("city-event"):
            left, middle, right = st.columns(3)
            event_code = left.text_input(tr("Code"), max_chars=32, key="event-code")
            kind = middle.selectbox(
                tr("Kind"), list(kinds), format_func=kinds.__getitem__, key="event-kind"
            )
            day = right.date_input(tr("In force on"), format="DD/MM/YYYY", key="event-date")
            before = st.multiselect(
                tr("Cities before"),
                before_options,
                format_func=labels.__getitem__,
                placeholder=tr("Choose options"),
                key="event-before",
            )
            after = st.multiselect(
                tr("Cities after"),
                after_options,
                format_func=labels.__getitem__,
                placeholder=tr("Choose options"),
                key="event-after",
            )
            source = st.text_input(tr("Source"), key="event-source")
            others = st.text_input(
                tr("Units outside the catalog"),
                placeholder=tr("e.g. the wards of Đắk Lắk province"),
                help=tr("Who takes over a dissolved city, or what else merged in."),
                key="event-others",
            )
            if st.form_submit_button(tr("Record the event"), icon=":material/save:"):
                try:
                    catalog_admin.record_city_event(
                        engine, actor, event_code, day, kind, before, after, source, others
                    )
                except access.AccessError as error:
                    ui.show_error(error)
                else:
                    _saved(tr("{code} recorded.", code=event_code.strip().upper()))
