"""Overview: how many cities report, data coverage, focus-area indices, task-group progress."""

from __future__ import annotations

import streamlit as st

from mne import charts, methodology
from mne.tasks import TASK_STATUS_LABELS
from pages import _ui as ui

tr = ui.translator()
data = ui.load_overview()

figures = data.figures
year = figures.year
ui.page_header(
    tr("Overview"),
    tr("Smart, green urban development in the ASEAN Smart Cities Network and Vietnam.")
    + " "
    + (tr("Data up to {year}.", year=year) if year is not None else ""),
)

cols = st.columns(4)
cols[0].metric(
    tr("Cities reporting in {year}", year=year) if year else tr("Cities reporting"),
    f"{figures.cities_reporting} / {figures.cities}",
)
cols[1].metric(tr("Indicators with data"), f"{figures.indicators_reported} / {figures.indicators}")
cols[2].metric(
    tr("Data coverage {year}", year=year) if year else tr("Data coverage"),
    tr.percent(figures.coverage),
    help=tr("Share of city × indicator cells with a value for the year."),
)
cols[3].metric(
    tr("Tasks late"),
    tr.number(figures.tasks_late),
    help=tr("Priority tasks past their due date and not done."),
)
ui.in_progress_note(figures.reporting)

if year is None:
    ui.empty_state(
        tr(
            "No indicator values yet. Upload a city's indicator file, or load the demo data "
            "with `python -m mne init --demo`."
        )
    )
else:
    table = data.index[["city", "city_name", "focus_area", "focus_area_name", "index", "coverage"]]
    ui.chart(charts.focus_area_heatmap(data.index, tr), table, "focus_area_index")
    st.caption(methodology.score_text(tr))
    as_of = tr("data up to {year}", year=year)
    ui.chart(
        charts.index_map(
            data.city_index, tr, tr("Cities by mean focus-area index ({as_of})", as_of=as_of)
        ),
        data.city_index,
        "city_index",
    )
    left, right = st.columns(2)
    with left:
        ui.chart(
            charts.progress_status_bars(
                data.status_counts,
                tr,
                tr("Progress status of every city × indicator ({as_of})", as_of=as_of),
            ),
            data.status_counts,
            "progress_status_counts",
        )
    right.subheader(tr("Biggest movers"))
    right.caption(
        tr(
            "Change of the 0–100 score from the year before the latest: up is towards the "
            "target, whatever the indicator's direction."
        )
    )
    if data.movers.empty:
        right.info(tr("No city has two consecutive years of values yet."), icon=":material/info:")
    else:
        # The change first and narrow columns, the indicator last: in the page's right
        # column at 1400 px the change, year, city and the start of the name are in sight.
        movers = data.movers[["change", "year", "city", "indicator"]]
        right.dataframe(
            movers.assign(
                change=movers["change"].map(tr.signed), year=movers["year"].astype(int).astype(str)
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "change": st.column_config.TextColumn(tr("Score change"), width="small"),
                "city": st.column_config.TextColumn(tr("City"), width="small"),
                "indicator": st.column_config.TextColumn(tr("Indicator"), width="large"),
                "year": st.column_config.TextColumn(tr("Year"), width="small"),
            },
        )
        right.download_button(
            tr("Download the data (CSV)"),
            ui.csv_bytes(data.movers),
            "biggest_movers.csv",
            "text/csv",
            icon=":material/download:",
            key="download-movers",
        )

st.subheader(tr("Priority task groups"))
status_cols = st.columns(len(TASK_STATUS_LABELS))
for col, (status, label) in zip(status_cols, TASK_STATUS_LABELS.items(), strict=True):
    col.metric(tr(label), tr.number(figures.task_statuses[status]))
if data.groups["tasks"].sum() == 0:
    ui.empty_state(tr("No tasks recorded yet for the six priority task groups."))
else:
    left, right = st.columns([3, 2])
    with left:
        ui.chart(charts.task_group_progress(data.groups, tr), data.groups, "task_group_progress")
    with right:
        ui.chart(charts.task_status_bars(data.groups, tr), None)
