"""Data entry: a city's every indicator for one period, typed, checked like an upload, stored
as one batch (mne.entry)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd
import streamlit as st

from mne import access, entry
from mne.approval import REVIEW_STATE_LABELS
from pages import _ui as ui

FIRST_YEAR = 2000

tr = ui.translator()
engine = ui.engine()
actor = ui.page_header(
    tr("Enter values"),
    tr(
        "Type the values a city reported for one year. They are checked exactly like an "
        "uploaded file, and stored as one batch you can see and revert on History."
    ),
    signed_in=True,
    notice="entry_notice",
)

cities = ui.load_cities()
if not actor.every_city:
    cities = cities[cities["id"].isin(actor.city_ids)]
if cities.empty:
    ui.empty_state(tr("Your account has no cities to enter values for. Ask an administrator."))
    st.stop()
names = dict(zip(cities["code"], cities["name"] + " · " + cities["country_name"], strict=True))

left, right = st.columns([3, 1])
with left:
    options = ui.find_city("entry_city", list(names))
    city = st.selectbox(tr("City"), options, format_func=names.__getitem__, key="entry_city")
years = [str(y) for y in range(dt.date.today().year, FIRST_YEAR - 1, -1)]
period = right.selectbox(tr("Year"), years, index=1, key="entry_year")

grid = ui.load_entry_grid(city, period)
form_key = f"entry-{city}-{period}"
cell_keys = {code: f"{form_key}-{code}" for code in grid["code"]}


def typed() -> dict[str, str]:
    """The cells as last sent with the form (Streamlit keeps them under their keys)."""
    return {code: str(st.session_state.get(key, "")) for code, key in cell_keys.items()}


def number(value: object, decimals: object) -> str:
    places = int(cast(float, decimals)) if pd.notna(decimals) else 2
    return tr.number(value, places)  # type: ignore[arg-type]


def describe(row: pd.Series) -> str:
    """What a person needs beside the cell: unit, plausible range, last and stored values."""
    parts = [ui.plain(row["unit"])]
    if pd.notna(row["plausible_min"]) and pd.notna(row["plausible_max"]):
        parts.append(
            tr(
                "plausible {low}–{high}",
                low=number(row["plausible_min"], row["decimals"]),
                high=number(row["plausible_max"], row["decimals"]),
            )
        )
    if pd.notna(row["previous"]):
        parts.append(
            tr(
                "{period}: {value}",
                period=row["previous_period"],
                value=number(row["previous"], row["decimals"]),
            )
        )
    if pd.notna(row["value"]):
        parts.append(
            tr(
                "stored: {value} ({status})",
                value=number(row["value"], row["decimals"]),
                status=tr(REVIEW_STATE_LABELS.get(row["status"], row["status"])).lower(),
            )
        )
    return " · ".join(parts)


checked = ui.kept("entry_checked")
changes = entry.changed(grid, typed())
current = checked if checked and checked["key"] == (form_key, changes) else None
cell_problems: dict[str, list[str]] = {}
if current is not None:
    rows = current["rows"]
    for problems in (current["preview"].errors, current["preview"].warnings):
        for row, message in zip(problems["row"], problems["message"], strict=True):
            cell_problems.setdefault(rows.get(int(row), ""), []).append(message)

ui.guard_unsaved(pending=bool(changes))
with st.form(form_key, enter_to_submit=False):
    for area, indicators in grid.groupby("focus_area_name", sort=False):
        st.subheader(ui.plain(area))
        for _, row in indicators.iterrows():
            label, cell = st.columns([3, 1], vertical_alignment="center")
            label.markdown(f"**{ui.plain(row['name'])}**  \n{describe(row)}")
            cell.text_input(
                ui.plain(row["name"]),
                value=entry.shown_value(row["value"]),
                key=cell_keys[row["code"]],
                label_visibility="collapsed",
            )
            if pd.notna(row["returned"]):
                st.caption(
                    ":material/assignment_return: "
                    + tr("Returned: {comment}", comment=ui.plain(row["returned"]))
                )
            for message in cell_problems.get(row["code"], []):
                st.caption(f":material/error: {ui.plain(message)}")
    sent = st.form_submit_button(tr("Check the values"), icon=":material/rule:", type="primary")

if sent:
    changes = entry.changed(grid, typed())
    if not changes:
        ui.forget("entry_checked")
        st.info(tr("No value differs from what is stored: nothing to check."))
        st.stop()
    preview = entry.check(engine, city, period, changes, tr, actor)
    ui.keep(
        "entry_checked",
        {"key": (form_key, changes), "preview": preview, "rows": entry.indicator_of_row(changes)},
    )
    st.rerun()

if current is None:
    st.stop()
preview = current["preview"]
if preview.file_problem:
    st.error(ui.plain(preview.file_problem), icon=":material/error:")
    st.stop()
if preview.has_errors:
    st.error(
        tr(
            "{n} values need fixing (marked under their cells). Nothing is saved until they "
            "are fixed.",
            n=len(preview.errors),
        ),
        icon=":material/error:",
    )
    st.stop()
if not preview.warnings.empty:
    st.warning(
        tr(
            "{n} values look unusual (marked under their cells). Check them; you may still "
            "save them.",
            n=len(preview.warnings),
        ),
        icon=":material/warning:",
    )
counts = preview.counts
if st.button(
    tr("Save {n} values", n=counts["new"] + counts["changed"]),
    type="primary",
    icon=":material/save:",
):
    try:
        result = entry.save(engine, preview, actor)
    except access.AccessError as error:
        ui.show_error(error)
        st.stop()
    ui.after_write()
    ui.forget("entry_checked")
    if result["status"] == "committed":
        status = tr("approved") if actor.may("approve") else tr("submitted for approval")
        ui.keep(
            "entry_notice",
            tr(
                "Saved {n} values as batch #{batch}: {status}.",
                n=int(cast(int, result["inserted"])) + int(cast(int, result["updated"])),
                batch=result["batch_id"],
                status=status,
            ),
        )
    st.rerun()
