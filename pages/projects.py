"""ASCN projects: Smart City Action Plan projects counted as the ASCN M&E reports count them,
by focus area x status, by country and city, by financing source; filters in the URL."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from mne import projects
from mne.charts import projects as project_charts
from mne.projects import FINANCING_LABELS, PROJECT_STATUS_LABELS
from pages import _ui as ui

tr = ui.translator()
today = dt.date.today()

ui.page_header(
    tr("ASCN projects"),
    tr(
        "Projects of the ASCN cities' Smart City Action Plans (SCAP), counted by focus area and "
        "status as in the ASCN monitoring and evaluation reports."
    ),
)

countries = ui.load_project_countries()
if countries.empty:
    ui.empty_state(
        tr(
            "No SCAP projects recorded yet. Load the demo data with `python -m mne init --demo` "
            "to try this page."
        )
    )
    st.stop()


def _from_url(name: str, allowed: list[str]) -> list[str]:
    """A comma-separated filter from the URL, keeping only values the page knows."""
    given = st.query_params.get(name, "")
    return [value for value in given.split(",") if value in allowed]


country_names = dict(zip(countries["iso2"], countries["name"], strict=True))
statuses = list(PROJECT_STATUS_LABELS)
left, right = st.columns(2)
chosen_countries = left.multiselect(
    tr("Countries"),
    list(country_names),
    default=_from_url("country", list(country_names)),
    format_func=country_names.__getitem__,
    placeholder=tr("All countries"),
)
chosen_statuses = right.multiselect(
    tr("Project status"),
    statuses,
    default=_from_url("status", statuses),
    format_func=lambda s: tr(PROJECT_STATUS_LABELS[s]),
    placeholder=tr("All statuses"),
)
ui.sync_query(
    {"country": (",".join(chosen_countries), ""), "status": (",".join(chosen_statuses), "")}
)

counts, listed = ui.load_projects(tuple(chosen_countries), tuple(chosen_statuses))
if counts.empty:
    ui.empty_state(tr("No project matches these filters. Choose other countries or statuses."))
    st.stop()

subtitle = " · ".join(
    [
        tr("Counted on {date}", date=tr.date(today)),
        ", ".join(country_names[c] for c in chosen_countries) or tr("All countries"),
        ", ".join(tr(PROJECT_STATUS_LABELS[s]) for s in chosen_statuses) or tr("All statuses"),
    ]
)

by_status = counts.groupby("status")["projects"].sum()
cols = st.columns(5)
cols[0].metric(tr("Projects"), tr.number(int(counts["projects"].sum())))
for col, (status, label) in zip(cols[1:4], PROJECT_STATUS_LABELS.items(), strict=True):
    col.metric(tr(label), tr.number(int(by_status.get(status, 0))))
cols[4].metric(tr("Cities with projects"), tr.number(counts["city"].nunique()))

areas = ui.load_focus_areas()
area_status = projects.by_focus_area_and_status(counts, areas)
ui.chart(
    project_charts.focus_area_status(area_status, tr, subtitle),
    area_status.assign(
        status_label=area_status["status"].map(lambda s: tr(PROJECT_STATUS_LABELS[s]))
    ),
    "projects_by_focus_area",
)

left, right = st.columns(2)
with left:
    by_country = projects.by_place_and_status(counts, "country")
    ui.chart(
        project_charts.place_status(
            by_country,
            tr,
            "country",
            tr("SCAP projects by country and status (number of projects)"),
            subtitle,
        ),
        by_country,
        "projects_by_country",
    )
with right:
    financing = projects.by_financing(counts)
    ui.chart(
        project_charts.financing(financing, tr, subtitle),
        financing.assign(label=financing["financing"].map(lambda f: tr(FINANCING_LABELS[f]))),
        "projects_by_financing",
    )
st.caption(
    tr(
        "ODA: official development assistance (concessional loans and grants); PPP: "
        "public–private partnership."
    )
)

by_city = projects.by_place_and_status(counts, "city")
ui.chart(
    project_charts.place_status(
        by_city, tr, "city", tr("SCAP projects by city and status (number of projects)"), subtitle
    ),
    by_city,
    "projects_by_city",
)

with st.expander(tr("The projects ({n})", n=len(listed))):
    st.dataframe(
        listed.assign(
            status=listed["status"].map(lambda s: tr(PROJECT_STATUS_LABELS[s])),
            financing=listed["financing"].map(lambda f: tr(FINANCING_LABELS[f])),
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "country": tr("Country"),
            "city_name": tr("City"),
            "focus_area": tr("Focus area"),
            "title": tr("Project"),
            "status": tr("Status"),
            "financing": tr("Financing"),
            "start_year": st.column_config.NumberColumn(tr("Start"), format="%d"),
            "end_year": st.column_config.NumberColumn(tr("End"), format="%d"),
        },
    )
