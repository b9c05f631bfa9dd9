"""The Tasks page's forms for analysts (mne.task_admin): add a task, and edit the task picked
on the page, every field filled in with what it holds."""

from __future__ import annotations

from typing import Any

import streamlit as st

from mne import access, task_admin
from mne.i18n import LANGUAGE_NAMES, N_
from mne.task_admin import TaskFields
from pages import _ui as ui


def _saved(message: str, group: str, code: str) -> None:
    ui.after_write()
    # An empty add form for the next task (it keeps what was typed when a change is refused).
    for key in [k for k in st.session_state if str(k).startswith("add-task-")]:
        del st.session_state[key]
    ui.keep("task_notice", message)
    # Open the page on the task just written, so it shows in its group's list.
    st.query_params["group"], st.query_params["task"] = group, code
    st.rerun()


def _options(known: list[str], current: tuple[str, ...]) -> list[str]:
    """The codes offered, with those the task holds even when no longer listed (a retired
    indicator): a multiselect refuses a default outside its options."""
    return known + [code for code in current if code not in known]


def _task_inputs(tr: Any, key: str, current: TaskFields | None) -> TaskFields:
    """The fields of a task, as inputs filled with `current`."""
    groups, cities, indicators = ui.load_task_groups(), ui.load_cities(), ui.load_indicators()
    group_names = dict(zip(groups["group"], groups["name"], strict=True))
    city_names = dict(zip(cities["code"], cities["name"], strict=True))
    indicator_names = dict(zip(indicators["code"], indicators["name"], strict=True))
    codes = list(group_names)
    group = st.selectbox(
        tr("Task group"),
        codes,
        index=codes.index(current.group) if current and current.group in codes else 0,
        format_func=lambda g: f"{g} · {group_names.get(g, g)}",
        key=f"{key}-group",
    )
    titles = {}
    for column, lang in zip(st.columns(3), LANGUAGE_NAMES, strict=True):
        titles[lang] = column.text_input(
            tr("Title ({language})", language=LANGUAGE_NAMES[lang]),
            getattr(current, f"title_{lang}", ""),
            max_chars=task_admin.TEXT_LIMITS[f"title_{lang}"],
            key=f"{key}-title-{lang}",
        )
    left, right = st.columns(2)
    lead = left.text_input(
        tr("Lead agency"),
        current.lead_agency if current else "",
        max_chars=task_admin.TEXT_LIMITS["lead_agency"],
        key=f"{key}-lead",
    )
    partners = right.text_input(
        tr("Partners"),
        current.partners if current else "",
        max_chars=task_admin.TEXT_LIMITS["partners"],
        help=tr("Separate partners with a semicolon, e.g. World Bank; GIZ."),
        key=f"{key}-partners",
    )
    start = left.date_input(
        tr("Start"),
        current.start_date if current else None,
        format="DD/MM/YYYY",
        key=f"{key}-start",
    )
    due = right.date_input(
        tr("Due"), current.due_date if current else None, format="DD/MM/YYYY", key=f"{key}-due"
    )
    held_cities = current.cities if current else ()
    chosen_cities = st.multiselect(
        tr("Cities"),
        _options(list(city_names), held_cities),
        default=list(held_cities),
        format_func=lambda c: city_names.get(c, c),
        help=tr("None chosen: the task is nationwide."),
        placeholder=tr("Nationwide"),
        key=f"{key}-cities",
    )
    held_indicators = current.indicators if current else ()
    chosen_indicators = st.multiselect(
        tr("Indicators this task should move"),
        _options(list(indicator_names), held_indicators),
        default=list(held_indicators),
        format_func=lambda i: f"{i} · {indicator_names.get(i, i)}",
        placeholder=tr("Choose options"),
        key=f"{key}-indicators",
    )
    return TaskFields(
        group=str(group),
        title_vi=titles["vi"],
        title_en=titles["en"],
        title_id=titles["id"],
        lead_agency=lead,
        partners=partners,
        start_date=start,
        due_date=due,
        cities=tuple(chosen_cities),
        indicators=tuple(chosen_indicators),
    )


def edit_form(tr: Any, code: str) -> None:
    """Edit the task picked on the page."""
    engine, actor = ui.engine(), ui.actor()
    assert actor is not None
    title = tr("Edit task {code}", code=code)
    with st.expander(title, icon=":material/edit:"), st.form(f"edit-task-{code}"):
        fields = _task_inputs(tr, f"edit-task-{code}", task_admin.task_fields(engine, code))
        if st.form_submit_button(tr("Save the task"), icon=":material/save:"):
            try:
                changed = task_admin.edit_task(engine, actor, code, fields)
            except access.AccessError as error:
                ui.show_error(error)
            else:
                message = tr.on("markdown")(
                    N_("{code}: {n} fields changed."), code=code, n=len(changed)
                )
                _saved(message, fields.group, code)


def add_form(tr: Any) -> None:
    """Add a task (0 % complete; its progress is reported with the update form)."""
    engine, actor = ui.engine(), ui.actor()
    assert actor is not None
    with st.expander(tr("Add a task"), icon=":material/add_task:"), st.form("add-task"):
        new_code = st.text_input(
            tr("Code"),
            max_chars=task_admin.CODE_LIMIT,
            placeholder=tr("e.g. G1-04"),
            key="add-task-code",
        )
        fields = _task_inputs(tr, "add-task", None)
        if st.form_submit_button(tr("Add the task"), icon=":material/add:"):
            code = new_code.strip().upper()
            try:
                task_admin.add_task(engine, actor, code, fields)
            except access.AccessError as error:
                ui.show_error(error)
            else:
                _saved(tr.on("markdown")(N_("Task {code} added."), code=code), fields.group, code)
