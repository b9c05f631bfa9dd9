"""plotly figure builders: data in, figure out. No Streamlit here.

One palette everywhere, mne.theme's: Okabe-Ito (safe for the common colour-vision
deficiencies) for categories and statuses, cividis for continuous scores. Every figure gets a
title that says what it shows, and the language's number separators.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mne import theme
from mne.i18n import N_, Translator
from mne.tasks import TASK_STATUS_LABELS
from mne.theme import NO_INDEX_GREY

SCORE_SCALE = "Cividis"
# The map's frame: South-East Asia, drawn from plotly's bundled-offline topojson (static/).
ASEAN_LON = (91.0, 132.0)
ASEAN_LAT = (-11.0, 28.5)
# Where the app serves static/ (Streamlit's static serving) for plotly's geo boundaries.
TOPOJSON_URL = "app/static/topojson/"
NO_INDEX_LABEL = N_("Grey: no index (too few of the area's indicators have data)")
# The focus areas' short names: a heatmap's column labels, which stay apart on a phone (the
# full name is in the cell's hover text).
FOCUS_AREA_SHORT = {
    "CS": N_("Civic"),
    "HW": N_("Health"),
    "SS": N_("Safety"),
    "QE": N_("Environ."),
    "BI": N_("Infra."),
    "II": N_("Industry"),
}


def focus_area_short(code: str, name: str, tr: Translator) -> str:
    """The focus area's short name in the language (its full name when it has none)."""
    return tr(FOCUS_AREA_SHORT[code]) if code in FOCUS_AREA_SHORT else name


# Longer chart titles are broken onto a second line (plotly does not wrap them).
TITLE_WIDTH = 60


def _wrap(text: str, width: int) -> str:
    """Break a long axis label into lines (plotly does not wrap labels itself)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def sparkline(values: object) -> list[float]:
    """A series on a 0..1 scale of its own for a table's small trend line drawn between 0 and 1:
    its lowest value at 0.1, its highest at 0.9, and a constant series as a flat line at 0.5
    (a table draws each row on the row's own range, where a constant would sit at the bottom
    and read as zero)."""
    numbers = [float(v) for v in values if v is not None and v == v]  # type: ignore[attr-defined]
    if not numbers:
        return []
    low, high = min(numbers), max(numbers)
    if high == low:
        return [0.5] * len(numbers)
    return [0.1 + 0.8 * (v - low) / (high - low) for v in numbers]


def layout(fig: go.Figure, tr: Translator, title: str, height: int) -> go.Figure:
    """Title (wrapped onto two lines when long), the language's separators, margins."""
    wrapped = _wrap(title, TITLE_WIDTH)
    lines = wrapped.count("<br>") + 1
    fig.update_layout(
        title={"text": wrapped, "x": 0, "xanchor": "left", "font": {"size": 16}},
        separators=tr.plotly_separators,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 + 22 * lines, "b": 10},
        font={"family": "sans-serif"},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return fig


def focus_area_heatmap(index: pd.DataFrame, tr: Translator, short: bool = True) -> go.Figure:
    """City x focus area, coloured by the focus-area index (0-100); an empty cell means
    fewer than 80 % of the area's indicators have data. The columns carry the areas' short
    names (the full name on hover), or with `short=False` their full names (print: no hover)."""
    wide = index.pivot_table(
        index="city_name",
        columns="focus_area_name",
        values="index",
        aggfunc="first",
        dropna=False,
        sort=False,
    )
    coverage = index.pivot_table(
        index="city_name",
        columns="focus_area_name",
        values="coverage",
        aggfunc="first",
        dropna=False,
        sort=False,
    ).reindex_like(wide)
    wide = wide.iloc[::-1]  # plotly draws the first row at the bottom
    coverage = coverage.loc[wide.index]
    # Short column labels (they stay apart on a phone); the full name in the hover text.
    codes = dict(zip(index["focus_area_name"], index["focus_area"], strict=False))
    if short:
        columns = [focus_area_short(str(codes[name]), str(name), tr) for name in wide.columns]
    else:
        columns = [_wrap(str(name), 16) for name in wide.columns]
    full = [[str(name) for name in wide.columns]] * len(wide)
    hover = tr("City: %{y}<br>Focus area: %{customdata[1]}<br>Index: %{z:.1f} / 100")
    hover += "<br>" + tr("Indicators with data: %{customdata[0]:.0%}")
    fig = go.Figure(
        go.Heatmap(
            z=wide.to_numpy(),
            x=columns,
            y=list(wide.index),
            customdata=np.dstack([coverage.to_numpy(dtype=float), np.array(full, dtype=object)]),
            colorscale=SCORE_SCALE,
            zmin=0,
            zmax=100,
            hovertemplate=hover + "<extra></extra>",
            colorbar={"title": {"text": tr("Index (0–100)")}},
            xgap=2,
            ygap=2,
        )
    )
    fig.update_xaxes(side="top", automargin=True)  # room above for tilted labels
    height = max(320, 22 * len(wide) + 170)
    title = tr("Focus-area index by city (0 = worst case, 100 = target reached)")
    layout(fig, tr, title, height)
    # Grey shows through where a cell is empty: too few indicators with data for an index;
    # a legend entry says so (the colour bar covers the indices only).
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": NO_INDEX_GREY},
            name=tr(NO_INDEX_LABEL),
            showlegend=True,
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        plot_bgcolor=NO_INDEX_GREY,
        # The title's lines, then room for the column labels (tilted on a phone) under it.
        margin={"t": (fig.layout.margin.t or 62) + 80, "b": 40},
        title={"yref": "container", "y": 1 - 24 / height, "yanchor": "top"},
        legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top", "xanchor": "left"},
    )
    return fig


def task_group_progress(groups: pd.DataFrame, tr: Translator) -> go.Figure:
    """One bar per task group: the mean percent complete of its tasks."""
    frame = groups.iloc[::-1]
    labels = [f"{code} · {name}" for code, name in zip(frame["group"], frame["name"], strict=True)]
    percent = frame["percent_complete"].fillna(0)
    fig = go.Figure(
        go.Bar(
            x=percent,
            y=labels,
            orientation="h",
            marker_color=theme.BLUE,
            text=[tr.percent(p / 100) for p in percent],
            textposition="outside",
            customdata=frame[["tasks"]].to_numpy(),
            hovertemplate="%{y}<br>"
            + tr("Complete: %{x:.0f} % of %{customdata[0]} tasks")
            + "<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 105], ticksuffix="%")
    fig.update_yaxes(automargin=True)
    return layout(
        fig,
        tr,
        tr("Progress of the six priority task groups (mean % complete of their tasks)"),
        360,
    )


def task_status_bars(groups: pd.DataFrame, tr: Translator) -> go.Figure:
    """Tasks per status in each group, stacked, in the shared status colours."""
    frame = groups.iloc[::-1]
    fig = go.Figure()
    for status, label in TASK_STATUS_LABELS.items():
        fig.add_bar(
            x=frame[status],
            y=frame["group"],
            orientation="h",
            name=tr(label),
            marker_color=theme.TASK_STATUS_COLOURS[status],
            hovertemplate="%{y}: %{x} " + tr(label) + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.12, "yanchor": "top"})
    fig.update_xaxes(dtick=1)
    layout(fig, tr, tr("Tasks by status in each group"), 380)
    fig.update_layout(margin={"b": 70})
    return fig


def city_map(cities: pd.DataFrame, tr: Translator, title: str) -> go.Figure:
    """The cities as points over country boundaries that the app serves itself (offline).

    `cities` has name, country_name, lat, lon and `member` (True for ASCN members)."""
    fig = go.Figure()
    groups = [
        (True, tr("ASCN member city"), theme.BLUE),
        (False, tr("Other Vietnamese city"), theme.VERMILLION),
    ]
    for member, label, colour in groups:
        part = cities[cities["member"] == member]
        fig.add_trace(
            go.Scattergeo(
                lon=part["lon"],
                lat=part["lat"],
                text=part["name"],
                name=label,
                customdata=part[["country_name", "joined"]].to_numpy(),
                mode="markers",
                marker={"size": 9, "color": colour, "line": {"width": 1, "color": "white"}},
                hovertemplate="<b>%{text}</b><br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            )
        )
    asean_map_frame(fig)
    return layout(fig, tr, title, 640)


def asean_map_frame(fig: go.Figure) -> None:
    """South-East Asia with country boundaries from static/topojson (no tiles, no CDN)."""
    fig.update_geos(
        scope="asia",
        resolution=50,
        showcountries=True,
        countrycolor=theme.BORDER_GREY,
        showland=True,
        landcolor=theme.LAND,
        showocean=True,
        oceancolor=theme.OCEAN,
        lonaxis_range=list(ASEAN_LON),
        lataxis_range=list(ASEAN_LAT),
        projection_type="mercator",
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.02})


def progress_status_bars(counts: pd.DataFrame, tr: Translator, title: str) -> go.Figure:
    """City x indicator pairs in each progress status, in the shared status colours."""
    from mne.scoring import STATUS_LABELS

    frame = counts.iloc[::-1]  # plotly draws the first bar at the bottom
    fig = go.Figure(
        go.Bar(
            x=frame["pairs"],
            y=[tr(STATUS_LABELS[s]) for s in frame["status"]],
            orientation="h",
            marker_color=[theme.STATUS_COLOURS[s] for s in frame["status"]],
            text=frame["pairs"],
            textposition="outside",
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_xaxes(
        title=tr("City × indicator pairs"), range=[0, max(1, frame["pairs"].max()) * 1.15]
    )
    fig.update_yaxes(automargin=True)
    return layout(fig, tr, title, 380)


def index_map(cities: pd.DataFrame, tr: Translator, title: str) -> go.Figure:
    """Cities coloured by the mean of their focus-area indices (grey: no index), over the
    boundaries the app serves itself. `cities` has name, country_name, lat, lon, index."""
    fig = go.Figure()
    missing = cities[cities["index"].isna()]
    shown = cities[cities["index"].notna()]
    fig.add_trace(
        go.Scattergeo(
            lon=missing["lon"],
            lat=missing["lat"],
            text=missing["name"],
            mode="markers",
            name=tr("No index (too few indicators with data)"),
            marker={"size": 9, "color": theme.OTHER_GREY, "line": {"width": 1, "color": "white"}},
            hovertemplate="<b>%{text}</b><br>" + tr("No index") + "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scattergeo(
            lon=shown["lon"],
            lat=shown["lat"],
            text=shown["name"],
            mode="markers",
            name=tr("Mean focus-area index"),
            customdata=shown[["country_name", "index"]].to_numpy(),
            marker={
                "size": 11,
                "color": shown["index"],
                "colorscale": SCORE_SCALE,
                "cmin": 0,
                "cmax": 100,
                "line": {"width": 1, "color": "white"},
                "colorbar": {"title": {"text": tr("Index (0–100)")}},
            },
            hovertemplate="<b>%{text}</b><br>%{customdata[0]}<br>"
            + tr("Index: %{customdata[1]:.1f} / 100")
            + "<extra></extra>",
        )
    )
    asean_map_frame(fig)
    return layout(fig, tr, title, 600)
