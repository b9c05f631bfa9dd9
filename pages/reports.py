"""Reports: choose a scope, period, language and format, preview what the report holds, make
it and download it (PDF, Excel or CSV; the same as `python -m mne report`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from mne import exchange, reports
from mne.i18n import LANGUAGE_NAMES, LANGUAGES, MISSING, N_, Translator
from mne.reports.content import DEMO_NOTICE
from mne.reports.tables import period_text, summary_items
from mne.scoring import STATUS_LABELS
from pages import _ui as ui

TASKS_TITLE = N_("Priority task groups")
ANNEX_TITLE = N_("Methodology and sources")

tr = ui.translator()
ui.page_header(
    tr("Reports"),
    tr(
        "A report to send on: PDF for reading and printing (A4), Excel with every number, or "
        "CSV of the values. The same reports come from `python -m mne report`."
    ),
)

FORMAT_NAMES = {
    "pdf": tr("PDF (A4, charts and tables)"),
    "xlsx": tr("Excel (every number, one sheet per table)"),
    "csv": tr("CSV (the values, long)"),
}
SCOPE_NAMES = {
    "network": tr("The whole network"),
    "country": tr("A country"),
    "city": tr("A city"),
    "task-group": tr("A priority task group"),
}

cities = ui.load_cities()
groups = ui.load_task_groups()

left, right = st.columns(2)
with left:
    kind = st.radio(
        tr("Scope"), list(SCOPE_NAMES), format_func=SCOPE_NAMES.__getitem__, key="report_scope"
    )
    code: str | None = None
    if kind == "country":
        countries = cities.drop_duplicates("country")[["country", "country_name"]]
        names = dict(zip(countries["country"], countries["country_name"], strict=True))
        code = st.selectbox(tr("Country"), list(names), format_func=names.__getitem__)
    elif kind == "city":
        names = dict(zip(cities["code"], cities["name"], strict=True))
        options = ui.find_city("report_city", list(names))
        first = options.index("VNHAN") if "VNHAN" in options else 0
        code = st.selectbox(
            tr("City"), options, index=first, format_func=names.__getitem__, key="report_city"
        )
    elif kind == "task-group":
        names = {g: f"{g} · {n}" for g, n in zip(groups["group"], groups["name"], strict=True)}
        code = st.selectbox(tr("Task group"), list(names), format_func=names.__getitem__)
    all_years = st.checkbox(tr("All years"), value=True)
    first_year: int | None = None
    last_year: int | None = None
    if not all_years:
        this_year = dt.date.today().year
        first_year, last_year = st.slider(
            tr("Period"), 2000, this_year, (2015, this_year), key="report_period"
        )
with right:
    lang = st.selectbox(
        tr("Language of the report"),
        LANGUAGES,
        index=LANGUAGES.index(ui.language()),
        format_func=LANGUAGE_NAMES.__getitem__,
        key="report_lang",
    )
    fmt = st.radio(tr("Format"), list(FORMAT_NAMES), format_func=FORMAT_NAMES.__getitem__)
    bom = True
    if fmt == "csv":
        bom = st.checkbox(tr("With a byte-order mark, so Excel reads the diacritics"), value=True)
    include_submitted = st.toggle(
        tr("Include submitted values not yet approved"),
        value=False,
        help=tr("By default a report counts approved values only, and says so on its cover."),
    )

scope = reports.Scope(kind, code)
report_tr = Translator(lang)
try:
    content = reports.gather(ui.engine(), scope, lang, include_submitted, first_year, last_year)
except reports.ReportError as error:
    ui.show_error(error)
    st.stop()

st.subheader(tr("Preview"))
if content.counts_demo:
    st.warning(tr(DEMO_NOTICE), icon=":material/science:")
items = dict(summary_items(content, report_tr)[:6])
st.markdown("  \n".join(f"**{label}**: {value}" for label, value in list(items.items())[1:]))
figures = content.figures
cols = st.columns(4)
cols[0].metric(tr("Cities"), f"{figures['cities_reporting']} / {figures['cities']}")
cols[1].metric(
    tr("Indicators with data"), f"{figures['indicators_reported']} / {figures['indicators']}"
)
cols[2].metric(tr("Values"), tr.number(int(str(figures["values"]))))
cols[3].metric(tr("Tasks late"), tr.number(int(str(figures["tasks_late"]))))

if content.progress.empty:
    ui.empty_state(tr("No indicator values in this scope and period: the report will say so."))

if fmt == "pdf":
    sections = [report_tr("Executive summary")]
    areas = content.areas[content.areas["code"].isin(content.progress["focus_area"])]
    sections += [f"{n}. {name}" for n, name in enumerate(areas["name"], start=1)]
    sections += [
        f"{len(areas) + 1}. {report_tr(TASKS_TITLE)}",
        f"{len(areas) + 2}. {report_tr(ANNEX_TITLE)}",
    ]
    st.markdown(tr("**Contents**") + "\n" + "\n".join(f"- {s}" for s in sections))
elif fmt == "xlsx":
    sheets = [
        report_tr(s)
        for s in ("Summary", "Indicators", "Observations", "Tasks", "Projects", "Sources")
    ]
    st.markdown(tr("**Sheets**") + ": " + ", ".join(sheets))
else:
    st.markdown(
        tr(
            "**Rows**: {rows} values with codes and names",
            rows=tr.number(len(content.observations)),
        )
    )
shown = content.progress.head(200)
st.dataframe(
    shown[["city_name", "indicator_name", "latest_year"]].assign(
        latest_year=shown["latest_year"].map(lambda y: MISSING if pd.isna(y) else str(int(y))),
        latest_value=[
            f"{tr.number(v, int(d))} {u}" if pd.notna(v) else MISSING
            for v, d, u in zip(shown["latest_value"], shown["decimals"], shown["unit"], strict=True)
        ],
        target_value=[
            tr.number(v, int(d)) if pd.notna(v) else MISSING
            for v, d in zip(shown["target_value"], shown["decimals"], strict=True)
        ],
        status=shown["status"].map(lambda s: tr(STATUS_LABELS[s])),
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "city_name": tr("City"),
        "indicator_name": tr("Indicator"),
        "latest_year": tr("Year"),
        "latest_value": tr("Latest value"),
        "target_value": tr("Target"),
        "status": tr("Status"),
    },
)
st.caption(
    tr(
        "The first 200 city × indicator rows of the report; period: {period}.",
        period=period_text(content, tr),
    )
)

request = (scope.text, lang, fmt, bom, include_submitted, first_year, last_year)
if st.button(tr("Make the report"), type="primary", icon=":material/summarize:"):
    try:
        with st.spinner(tr("Making the report…")):
            data = reports.render(content, fmt, bom)
        ui.keep("report_file", (request, data, reports.file_name(content, fmt)))
    except reports.ExportFailed as error:
        ui.take("report_file")
        ui.show_error(error)

made = ui.kept("report_file")
if made is not None and made[0] == request:
    _request, data, name = made
    st.download_button(
        tr("Download {name}", name=name),
        data=data,
        file_name=name,
        mime=reports.MIME_TYPES[fmt],
        icon=":material/download:",
        key="download-report",
    )
    st.caption(tr("{size} KB", size=tr.number(len(data) / 1024, 0)))


st.divider()
st.subheader(tr("Data for partners' systems"))
st.caption(
    tr(
        "The values of this scope and period in the formats DHIS2, SDMX tools and Open SDG "
        "sites read; each imports back here unchanged."
    )
)
exchange_format = st.selectbox(
    tr("Exchange format"),
    exchange.FORMATS,
    format_func=lambda f: tr(exchange.FORMAT_NAMES[f]),
    key="exchange_format",
)
chosen_values = exchange.ValueFilter(
    cities=(code,) if kind == "city" and code else (),
    countries=(code,) if kind == "country" and code else (),
    first_year=first_year,
    last_year=last_year,
    status="all" if include_submitted else "approved",
)
exchange_request = (exchange_format, chosen_values)
if st.button(tr("Prepare the file"), icon=":material/swap_horiz:", key="prepare-exchange"):
    with st.spinner(tr("Making the report…")):
        ui.keep(
            "exchange_file",
            (exchange_request, *exchange.export_file(ui.engine(), chosen_values, exchange_format)),
        )
exchanged = ui.kept("exchange_file")
if exchanged is not None and exchanged[0] == exchange_request:
    _request, exchange_data, exchanged_count = exchanged
    exchange_name = f"mne-{scope.slug}-{exchange_format}.{exchange.SUFFIXES[exchange_format]}"
    st.download_button(
        tr("Download {name}", name=exchange_name),
        data=exchange_data,
        file_name=exchange_name,
        mime=exchange.MIME_TYPES[exchange_format],
        icon=":material/download:",
        key="download-exchange",
    )
    st.caption(tr("{n} values", n=tr.number(exchanged_count)))
