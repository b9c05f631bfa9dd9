"""Priority task groups: each group's progress, a group's timeline, a task's progress reports,
a form to post a dated update, the status of the indicators the task should move, and forms
for analysts to add a task and edit one."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from mne import access
from mne import tasks as task_data
from mne.charts import tasks as task_charts
from mne.errors import UserError
from mne.i18n import MISSING, N_
from mne.scoring import STATUS_LABELS
from mne.tasks import NOTE_LIMIT, TASK_STATUS_LABELS
from pages import _task_forms as task_forms
from pages import _ui as ui

tr = ui.translator()
engine = ui.engine()
today = dt.date.today()

ui.page_header(
    tr("Priority task groups"),
    tr(
        "The six priority task groups set at the Vietnam Urban Forum 2025: how far their tasks "
        "have come, what is late, and whether the indicators they should move are moving."
    ),
    notice="task_notice",
)

groups = ui.load_task_groups()
if groups.empty or groups["tasks"].sum() == 0:
    ui.empty_state(
        tr(
            "No tasks recorded yet for the six priority task groups. Load the demo data with "
            "`python -m mne init --demo` to try this page."
        )
    )
    if ui.may("edit_task"):  # the first task is added here
        task_forms.add_form(tr)
    st.stop()

last = task_data.last_report(engine)
as_of = (
    tr("Latest progress report: {date}", date=tr.date(last))
    if last
    else tr("No progress report yet")
)

# --- All six groups --------------------------------------------------------------------------
totals = groups[list(TASK_STATUS_LABELS)].sum()
for col, (status, label) in zip(
    st.columns(len(TASK_STATUS_LABELS)), TASK_STATUS_LABELS.items(), strict=True
):
    col.metric(tr(label), tr.number(int(totals[status])))
st.caption(tr("Tasks per status, as of each task's latest progress report."))
ui.chart(task_charts.group_progress(groups, tr, as_of), groups, "task_group_progress")
ui.chart(task_charts.group_status(groups, tr, as_of), None)

# --- One group: its timeline -----------------------------------------------------------------
st.subheader(tr("A group's tasks"))
codes = groups["group"].tolist()
names = dict(zip(groups["group"], groups["name"], strict=True))
wanted = st.query_params.get("group", codes[0])
group = st.selectbox(
    tr("Task group"),
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda code: f"{code} · {names[code]}",
)
ui.sync_query({"group": (group, codes[0])})

tasks = task_data.timeline(ui.load_group_tasks(group), today)
if tasks.empty:
    ui.empty_state(tr("No tasks recorded yet in this group."))
    if ui.may("edit_task"):
        task_forms.add_form(tr)
    st.stop()

overdue = int(tasks["overdue"].sum())
cols = st.columns(3)
cols[0].metric(tr("Tasks"), tr.number(len(tasks)))
cols[1].metric(tr("Mean % complete"), tr.percent(tasks["percent_complete"].mean() / 100))
cols[2].metric(
    tr("Overdue"),
    tr.number(overdue),
    help=tr("Past the due date and not done (under 100 %)."),
)
timeline_data = tasks[
    ["code", "title", "start_date", "due_date", "status", "percent_complete", "overdue"]
]
ui.chart(
    task_charts.gantt(tasks, tr, today, tr("As of {date}", date=tr.date(today)) + " · " + as_of),
    timeline_data,
    f"timeline_{group}",
)
st.caption(
    tr(
        "Each bar runs from the task's start to its due date, in the colour of its status at "
        "its latest report; a black cross marks a task past its due date and not done."
    )
)

# --- One task: its reports, the update form, its linked indicators ---------------------------
st.subheader(tr("A task's progress"))
task_codes = tasks["code"].tolist()
titles = dict(zip(tasks["code"], tasks["title"], strict=True))
wanted_task = st.query_params.get("task", task_codes[0])
code = st.selectbox(
    tr("Task"),
    task_codes,
    index=task_codes.index(wanted_task) if wanted_task in task_codes else 0,
    format_func=lambda c: f"{c} · {titles[c]}",
)
ui.sync_query({"task": (code, task_codes[0])})
task = tasks.set_index("code").loc[code]

cols = st.columns(3)
cols[0].metric(tr("% complete"), tr.percent(float(task["percent_complete"]) / 100))
cols[1].metric(tr("Status"), tr(TASK_STATUS_LABELS[str(task["status"])]))
cols[2].metric(
    tr("Due"),
    tr.date(task["due_date"]),
    delta=tr("Overdue") if task["overdue"] else None,
    delta_color="inverse",
    delta_arrow="off",
)
st.text(
    tr("Start: {date}", date=tr.date(task["start_date"]))
    + "\n"
    + tr("Lead agency: {agency}", agency=task["lead_agency"] or MISSING)
    + "\n"
    + tr("Partners: {partners}", partners=task["partners"] or MISSING)
)

reports = ui.load_task_history(code)
if reports.empty:
    ui.empty_state(tr("No progress report on this task yet. Post the first one below."))
else:
    ui.chart(
        task_charts.history(
            reports,
            tr,
            task["start_date"],
            task["due_date"],
            tr("Progress reports on task {task} (% complete)", task=code),
            tr("Latest report: {date}", date=tr.date(reports["report_date"].iloc[-1])),
        ),
        reports,
        f"task_reports_{code}",
    )
    shown = reports.iloc[::-1].assign(
        status=lambda f: f["status"].map(lambda s: tr(TASK_STATUS_LABELS[s]))
    )
    # Notes are people's own words: a dataframe shows them as plain text, never as markdown.
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "report_date": st.column_config.DateColumn(tr("Report date"), format="DD/MM/YYYY"),
            "percent_complete": st.column_config.NumberColumn(tr("% complete"), format="%.0f %%"),
            "status": tr("Status"),
            "note": st.column_config.TextColumn(tr("Note"), width="large"),
        },
    )


def update_form(actor: access.Actor) -> None:
    """The form to post a dated progress update (roles that edit tasks)."""
    with st.form(f"task-update-{code}"):
        st.markdown("**" + tr("Post a progress update") + "**")
        st.caption(
            tr(
                "The report date may not be in the future or before the task's start. A percent "
                "lower than the previous report needs a note saying why."
            )
        )
        left, right = st.columns(2)
        report_date = left.date_input(tr("Report date"), value=today, format="DD/MM/YYYY")
        percent = right.number_input(
            tr("% complete"),
            min_value=0.0,
            max_value=100.0,
            value=float(task["percent_complete"]),
            step=1.0,
            format="%.0f",
        )
        note = st.text_area(
            tr("Note"),
            max_chars=NOTE_LIMIT,
            help=tr("What was done, and why when the progress went down."),
        )
        submitted = st.form_submit_button(tr("Post the update"), icon=":material/send:")
    if submitted:
        try:
            posted = task_data.post_update(
                engine, code, report_date, float(percent), note, actor, today=today
            )
        except UserError as error:  # an update refused, or a role that may not
            ui.show_error(error)
        else:
            ui.after_write()
            ui.keep(
                "task_notice",
                tr.on("markdown")(
                    # N_ marks it for extraction: babel sees tr(...) calls, not tr.on(...)(...).
                    N_(
                        "Update on {task} stored: {before} % → {after} % complete, status {status}."
                    ),
                    task=code,
                    before=tr.number(posted.percent_before),
                    after=tr.number(posted.percent_after),
                    status=tr(TASK_STATUS_LABELS[posted.status_after]),
                ),
            )
            st.rerun()


current = ui.actor()
if current is None:
    ui.explain_first_admin()
elif current.may("edit_task"):
    update_form(current)
else:
    st.caption(tr("Ministry analysts post progress updates on tasks."))

st.markdown("**" + tr("Indicators this task should move") + "**")
cities, linked = ui.load_task_links(code)
if linked.empty:
    ui.empty_state(tr("No indicator is linked to this task."))
else:
    scope = (
        tr("In the task's cities: {cities}", cities=", ".join(cities["name"]))
        if not cities.empty
        else tr("In every city of the network (the task names no city)")
    )
    year = linked["latest_year"].max()
    subtitle = scope + (" · " + tr("latest data: {year}", year=int(year)) if pd.notna(year) else "")
    table = linked.assign(status_label=linked["status"].map(lambda s: tr(STATUS_LABELS[s])))
    ui.chart(task_charts.linked_status(linked, tr, subtitle), table, f"linked_indicators_{code}")
    st.caption(
        tr(
            "Status of each city's indicator by the Open SDG progress measure (see the "
            "Methodology page); a city without values for an indicator counts as "
            "insufficient data."
        )
    )

# --- Analysts add and edit tasks (after the update form, which comes first for them) ---------
if ui.may("edit_task"):
    st.subheader(tr("Add or edit tasks"))
    task_forms.edit_form(tr, code)
    task_forms.add_form(tr)
