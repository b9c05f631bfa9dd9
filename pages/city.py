"""City profile: a city's focus areas against the network median, its indicators with target,
gap, status and data-quality flags, an indicator's trend to its target, and its SCAP projects.

The chosen city and indicator live in the URL (?code=VNDAD&indicator=QE_PM25)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mne import city
from mne.catalog import ASCN_LIST_AS_OF, TARGET_KIND_LABELS, TARGET_SCOPE_LABELS
from mne.charts import city as city_charts
from mne.charts import sparkline
from mne.i18n import MISSING, N_
from mne.projects import FINANCING_LABELS, PROJECT_STATUS_LABELS
from mne.scoring import LIGHT_LABELS, STATUS_LABELS, WORST_QUANTILE
from pages import _ui as ui

# Text on a status colour: white on the dark blue, black on the others (contrast >= 4.5).

tr = ui.translator()
ui.page_header(tr("City profile"))

cities = ui.load_cities()
if cities.empty:
    ui.empty_state(tr("No cities in the catalog yet."))
    st.stop()

counts = ui.load_data_counts()
codes = list(cities.sort_values(["country_name", "name"])["code"])
labels = {r.code: f"{r.name} · {r.country_name}" for r in cities.itertuples()}
asked = str(st.query_params.get("code", "")).upper()
default_code = city.default_city(counts, cities)
initial = asked if asked in labels else default_code
options = ui.find_city("city_code", codes)
code = st.selectbox(
    tr("City"),
    options,
    index=options.index(initial) if initial in options else 0,
    format_func=labels.__getitem__,
    key="city_code",
)
ui.sync_query({"code": (code, default_code or "")})
city_row = cities[cities["code"] == code].iloc[0]
city_name = str(city_row["name"])

profile = ui.load_city_profile(code)
as_of = str(profile.as_of) if profile.as_of is not None else MISSING
population = (
    tr(
        "population {n} ({year})",
        n=tr.number(city_row["population"]),
        year=int(city_row["population_year"]),
    )
    if pd.notna(city_row["population"])
    else ""
)
st.caption(
    " · ".join(
        part
        for part in [
            str(city_row["country_name"]),
            population,
            tr(
                "ASCN member since {year} (member list as of {as_of})",
                year=int(city_row["ascn_joined"]),
                as_of=ASCN_LIST_AS_OF,
            )
            if pd.notna(city_row["ascn_joined"])
            else tr("Not an ASCN member (member list as of {as_of})", as_of=ASCN_LIST_AS_OF),
            tr("Reporting unit until {date}", date=tr.date(pd.Timestamp(city_row["valid_to"])))
            if pd.notna(city_row["valid_to"])
            else "",
            tr("Data up to {year}.", year=profile.as_of) if profile.as_of is not None else "",
        ]
        if part
    )
)

EVENT_TEXT = {
    "merge": N_(
        "On {date} {city} took in {others}: values from {year} count the new, larger area, "
        "so trends and outlier checks start again in {year} (a series break). Source: {source}."
    ),
    "split": N_(
        "On {date} {city} was split ({others}): values from {year} count the new area, so "
        "trends and outlier checks start again in {year} (a series break). Source: {source}."
    ),
    "rename": N_("On {date} {city} was renamed ({others}). Source: {source}."),
    "dissolve": N_(
        "On {date} {city} ceased to be a reporting unit; its area now belongs to {others}. "
        "Values after that date are refused. Source: {source}."
    ),
}
for event in profile.events.itertuples():
    st.info(
        tr.on("markdown")(
            EVENT_TEXT[str(event.kind)],
            date=tr.date(pd.Timestamp(event.event_date)),
            city=city_name,
            others=event.others or MISSING,
            year=pd.Timestamp(event.event_date).year,
            source=event.source,
        ),
        icon=":material/history:",
    )

table = profile.table
if table.empty:
    ui.empty_state(
        tr.on("markdown")(
            N_(
                "No indicator values for {city} yet. Upload the city's indicator file on the "
                "Upload page, or choose another city."
            ),
            city=city_name,
        )
    )
else:
    # --- Focus areas: radar against the network median -------------------------------------
    st.subheader(tr("Focus areas against the network median"))
    radar = city.radar_frame(ui.load_network_index(), ui.load_focus_areas(), profile.city_id)
    left, right = st.columns([1, 1])
    with left:
        ui.chart(
            city_charts.focus_area_radar(radar, city_name, tr, as_of),
            radar.assign(city=code),
            f"focus_areas_{code}",
        )
    with right:
        u4ssc = city.u4ssc_by_area(table).set_index("focus_area")["score"]
        areas_shown = pd.DataFrame(
            {
                tr("Focus area"): radar["focus_area_name"],
                tr("Index"): radar["index"].map(lambda v: tr.number(v, 1)),
                tr("Network median"): radar["network_median"].map(lambda v: tr.number(v, 1)),
                tr("Traffic light"): radar["light"].map(
                    lambda v: tr(LIGHT_LABELS[v]) if isinstance(v, str) else MISSING
                ),
                tr("U4SSC score"): radar["focus_area"].map(
                    lambda a: tr.percent(u4ssc[a]) if a in u4ssc.index else MISSING
                ),
                tr("Indicators with data"): [
                    f"{s} / {n:.0f} ({tr.percent(c)})" if pd.notna(n) else MISSING
                    for s, n, c in zip(
                        radar["scored"], radar["indicators"], radar["coverage"], strict=True
                    )
                ],
            }
        )
        st.dataframe(areas_shown, hide_index=True, width="stretch")
        missing = radar[radar["index"].isna()]
        if not missing.empty:
            st.caption(
                tr(
                    "No index for {areas}: fewer than 80 % of the area's indicators have data "
                    "(coverage shown above).",
                    areas=", ".join(missing["focus_area_name"]),
                )
            )
        st.caption(
            tr(
                "Each indicator is scored 0–100 from a worst-case bound (percentile {low} of "
                "the cities' latest values) to its target; an area's index is the mean of its "
                "indicator "
                "scores. Traffic light: the mean of the area's two worst scores (SDSN). U4SSC "
                "score: points for the share of each target reached ÷ 4 × indicators with a "
                "target. Raw counts are not compared across cities and stay out of both.",
                low=tr.number(WORST_QUANTILE * 100, 1),
            )
        )

    # --- Indicator table -------------------------------------------------------------------
    st.subheader(tr("Indicators"))

    def flags(row: pd.Series) -> str:
        found = []
        if row["outlier"]:
            years = ", ".join(str(y) for y in row["outlier_years"])
            found.append(tr("Outlier ({years})", years=years))
        if row["stale"]:
            found.append(tr("Stale (latest {year})", year=int(row["latest_year"])))
        if row["single_point"]:
            found.append(tr("Single point"))
        if pd.notna(row["series_start"]):
            found.append(tr("Series break {year}", year=int(row["series_start"])))
        if not row["comparable"]:
            found.append(tr("Not compared across cities"))
        return "; ".join(found)

    cells = ui.progress_cells(table)
    shown = cells.assign(
        name=table["name"],
        history=table["history"].map(sparkline),
        kind=[
            f"{tr(TARGET_KIND_LABELS[k])} · {tr(TARGET_SCOPE_LABELS[str(scope)])}"
            if isinstance(k, str)
            else MISSING
            for k, scope in zip(table["target_kind"], table["target_scope"], strict=True)
        ],
        flags=table.apply(flags, axis=1),
    )[["name", "status", "latest", "target", "gap", "history", "year", "kind", "flags"]]

    st.dataframe(
        ui.status_coloured(shown, table["status"]),
        hide_index=True,
        width="stretch",
        height=min(36 * len(shown) + 40, 720),
        column_config={
            # Widths in pixels: at 1400 px the name, status, latest value, target and gap are
            # in sight; the kind of target and the data-quality flags follow on scrolling.
            "name": st.column_config.TextColumn(tr("Indicator"), width=290),
            "status": st.column_config.TextColumn(tr("Status"), width=135),
            "history": st.column_config.LineChartColumn(
                tr("Trend"), width=70, y_min=0.0, y_max=1.0
            ),
            "latest": st.column_config.TextColumn(tr("Latest value"), width=150),
            "year": st.column_config.TextColumn(tr("Year"), width=50),
            "target": st.column_config.TextColumn(tr("Target (year)"), width=100),
            "kind": tr("Kind of target"),
            "gap": st.column_config.TextColumn(
                tr("Gap"),
                width=70,
                help=tr("Distance still to go to the target; negative: beyond it."),
            ),
            "flags": tr("Data quality"),
        },
    )
    st.download_button(
        tr("Download the indicator table (CSV)"),
        ui.csv_bytes(
            table.drop(columns=["indicator_id", "history", "years"]).assign(
                city=code, outlier_years=table["outlier_years"].map(lambda y: " ".join(map(str, y)))
            )
        ),
        f"indicators_{code}.csv",
        "text/csv",
        key="download-indicator-table",
        icon=":material/download:",
    )
    st.caption(
        tr(
            "Status: Open SDG progress measure from the base year (2015 or the first year with "
            "data) to the latest year; gap = target − latest value, in the direction that is "
            "better. Outliers: modified z-score above 3.5 in the city's own history; stale: "
            "latest value 3 or more years old. The Methodology page gives every formula."
        )
    )

    # --- One indicator's trend -------------------------------------------------------------
    st.subheader(tr("Trend to the target"))
    indicator_codes = list(table["code"])
    names = dict(zip(table["code"], table["name"], strict=True))
    asked_indicator = str(st.query_params.get("indicator", ""))
    with_target = table.loc[table["target_value"].notna() & (table["history"].map(len) > 1), "code"]
    first = with_target.iloc[0] if not with_target.empty else indicator_codes[0]
    chosen = asked_indicator if asked_indicator in names else first
    indicator = st.selectbox(
        tr("Indicator"),
        indicator_codes,
        index=indicator_codes.index(chosen),
        format_func=lambda c: f"{names[c]} ({c})",
        key="city_indicator",
    )
    ui.sync_query({"indicator": (indicator, first)})
    row = table[table["code"] == indicator].iloc[0]
    values = pd.DataFrame({"year": row["years"], "value": row["history"]})
    path = city.target_path(row)
    series = [values.assign(series="reported")]
    if not path.empty:
        series.append(path.assign(series="path_to_target"))
    if pd.notna(row["target_value"]):
        series.append(
            pd.DataFrame(
                {
                    "year": [int(row["target_year"])],
                    "value": [row["target_value"]],
                    "series": "target",
                }
            )
        )
    trend_data = pd.concat(series, ignore_index=True).assign(
        city=code, indicator=indicator, unit=row["unit"]
    )[["city", "indicator", "series", "year", "value", "unit"]]
    ui.chart(
        city_charts.indicator_trend(values, path, row, city_name, tr, as_of),
        trend_data,
        f"trend_{code}_{indicator}",
    )
    row_status = str(row["status"])
    status_label = tr(STATUS_LABELS[row_status])
    decimals = int(row["decimals"])
    if pd.notna(row["target_value"]):
        st.caption(
            tr(
                "Status: {status}. From {base} in {base_year} to {latest} in {latest_year}; "
                "target {target} by {target_year}. The dotted line is the straight path from "
                "the base year through each milestone to the target.",
                status=status_label,
                base=tr.number(row["base_value"], decimals),
                base_year=int(row["base_year"]) if pd.notna(row["base_year"]) else MISSING,
                latest=tr.number(row["latest_value"], decimals),
                latest_year=int(row["latest_year"]),
                target=tr.number(row["target_value"], decimals),
                target_year=int(row["target_year"]),
            )
        )
    if pd.notna(row["series_start"]):
        st.caption(
            tr(
                "Series break in {year}: the city's borders changed, so the values before "
                "{year} count a different area. The status and the outlier check use the "
                "values from {year} on.",
                year=int(row["series_start"]),
            )
        )
    if pd.isna(row["target_value"]):
        st.caption(
            tr(
                "Status: {status}. No target is set for this indicator: the status comes from "
                "its growth rate alone.",
                status=status_label,
            )
        )

# --- SCAP projects ---------------------------------------------------------------------------
st.subheader(tr("Smart City Action Plan projects"))
projects = profile.projects
if projects.empty:
    ui.empty_state(tr.on("markdown")(N_("No SCAP projects recorded for {city}."), city=city_name))
else:
    st.dataframe(
        pd.DataFrame(
            {
                "title": projects["title"],
                "focus_area": projects["focus_area_name"],
                "status": projects["status"].map(lambda s: tr(PROJECT_STATUS_LABELS[s])),
                "financing": projects["financing"].map(lambda f: tr(FINANCING_LABELS[f])),
                "start": projects["start_year"],
                "end": projects["end_year"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "title": st.column_config.TextColumn(tr("Project"), width="large"),
            "focus_area": tr("Focus area"),
            "status": tr("Status"),
            "financing": tr("Financing"),
            "start": st.column_config.NumberColumn(tr("Start"), format="%d"),
            "end": st.column_config.NumberColumn(tr("End"), format="%d"),
        },
    )
