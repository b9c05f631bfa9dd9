"""Figures of the City profile: the focus-area radar and an indicator's trend to its target."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from mne import theme
from mne.charts import _wrap, layout
from mne.i18n import Translator


def _closed(values: list[object]) -> list[object]:
    """A radar's values with the first repeated at the end, so the outline closes."""
    return [*values, values[0]] if values else values


def focus_area_radar(radar: pd.DataFrame, city_name: str, tr: Translator, as_of: str) -> go.Figure:
    """The city's focus-area indices (0-100) against the network median of each area.

    `radar` is mne.city.radar_frame: focus_area_name, index, coverage, network_median. An area
    without an index (coverage under 80 %) leaves a gap in the city's outline."""
    theta = _closed([_wrap(str(name), 18) for name in radar["focus_area_name"]])
    hover_city = (
        "<b>%{theta}</b><br>"
        + tr("Index: %{r:.1f} / 100")
        + "<br>"
        + tr("Indicators with data: %{customdata:.0%}")
        + "<extra>"
        + city_name
        + "</extra>"
    )
    hover_median = (
        "<b>%{theta}</b><br>"
        + tr("Network median: %{r:.1f} / 100")
        + "<extra>"
        + tr("Network median")
        + "</extra>"
    )
    fig = go.Figure()
    fig.add_trace(
        go.Scatterpolar(
            r=_closed(list(radar["network_median"])),
            theta=theta,
            name=tr("Network median"),
            mode="lines+markers",
            line={"color": theme.ORANGE, "dash": "dash", "width": 2},
            marker={"symbol": "diamond", "size": 7},
            hovertemplate=hover_median,
        )
    )
    fig.add_trace(
        go.Scatterpolar(
            r=_closed(list(radar["index"])),
            theta=theta,
            name=city_name,
            mode="lines+markers",
            fill="toself",
            fillcolor=theme.translucent(theme.BLUE, 0.15),
            line={"color": theme.BLUE, "width": 3},
            marker={"size": 8},
            customdata=_closed(list(radar["coverage"])),
            hovertemplate=hover_city,
            connectgaps=False,
        )
    )
    fig.update_polars(
        radialaxis={
            "range": [0, 100],
            "tickvals": [0, 25, 50, 75, 100],
            "angle": 0,
            "tickfont": {"size": 10},
        },
        angularaxis={"direction": "clockwise", "rotation": 90},
        bgcolor=theme.PANEL,
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"})
    title = tr(
        "{city}: focus-area index against the network median (0–100), data as of {date}",
        city=city_name,
        date=as_of,
    )
    layout(fig, tr, title, 480)
    fig.update_layout(margin={"l": 90, "r": 90, "t": 90, "b": 60})
    return fig


def indicator_trend(
    values: pd.DataFrame,
    path: pd.DataFrame,
    row: pd.Series,
    city_name: str,
    tr: Translator,
    as_of: str,
) -> go.Figure:
    """The city's yearly values of one indicator, its target as a horizontal line up to the
    target year, and the straight path from the base value and year to the target.

    `values` has year, value; `path` has year, value (the base, then each milestone; none
    without a target); `row` is the indicator's row of mne.city.indicator_table (name, unit,
    decimals, target_value, target_high, target_year, series_start). A band target draws both
    edges; a series break (the city's borders changed) is a vertical line before its first
    year, labelled, since values on either side of it count different areas."""
    unit = str(row.get("unit") or "")
    decimals = int(row.get("decimals") or 0)
    number = f"%{{y:,.{decimals}f}}"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=values["year"],
            y=values["value"],
            name=tr("Reported value"),
            mode="lines+markers",
            line={"color": theme.BLUE, "width": 3},
            marker={"size": 8},
            hovertemplate=tr("Year %{x}") + f": <b>{number}</b> {unit}<extra></extra>",
        )
    )
    if not path.empty:
        fig.add_trace(
            go.Scatter(
                x=path["year"],
                y=path["value"],
                name=tr("Straight path to the target"),
                mode="lines",
                line={"color": theme.BLUISH_GREEN, "dash": "dot", "width": 2},
                hovertemplate=tr("Path to the target, %{x}") + f": {number} {unit}<extra></extra>",
            )
        )
    if pd.notna(row.get("target_value")):
        first = int(values["year"].min()) if not values.empty else int(row["target_year"])
        last = int(row["target_year"]) if pd.notna(row.get("target_year")) else first
        target = float(row["target_value"])
        fig.add_trace(
            go.Scatter(
                x=[min(first, last), max(first, last)],
                y=[target, target],
                name=tr("Target {year}", year=last),
                mode="lines+markers",
                line={"color": theme.VERMILLION, "dash": "dash", "width": 2},
                marker={"symbol": ["line-ew", "star"], "size": [1, 12]},
                hovertemplate=tr("Target %{x}") + f": {number} {unit}<extra></extra>",
            )
        )
        if pd.notna(row.get("target_high")):
            high = float(row["target_high"])
            fig.add_trace(
                go.Scatter(
                    x=[min(first, last), max(first, last)],
                    y=[high, high],
                    name=tr("Upper edge of the target band {year}", year=last),
                    mode="lines",
                    line={"color": theme.VERMILLION, "dash": "dash", "width": 2},
                    hovertemplate=tr("Target %{x}") + f": {number} {unit}<extra></extra>",
                )
            )
    if str(row.get("status")) == "target_achieved":
        # No path is drawn when there is no way left to go: say so where the path would be.
        fig.add_annotation(
            x=1,
            xref="paper",
            xanchor="right",
            y=float(row["target_value"]),
            yanchor="bottom",
            text="<b>" + tr("Target met") + "</b>",
            showarrow=False,
            font={"color": theme.BLUISH_GREEN},
        )
    if pd.notna(row.get("series_start")):
        start = int(row["series_start"])
        fig.add_vline(
            x=start - 0.5,
            line={"color": theme.BLACK, "dash": "dashdot", "width": 2},
            annotation_text=tr("Series break {year}: new borders", year=start),
            annotation_position="top left",
        )
    fig.update_xaxes(
        title=tr("Year"), dtick=1, tickformat="d", showgrid=True, gridcolor=theme.GRID_GREY
    )
    fig.update_yaxes(title=unit, showgrid=True, gridcolor=theme.GRID_GREY, rangemode="tozero")
    fig.update_layout(
        hovermode="x unified", legend={"orientation": "h", "y": -0.2, "yanchor": "top"}
    )
    title = tr(
        "{indicator} ({unit}) in {city}: trend and path to the target, data as of {date}",
        indicator=row["name"],
        unit=unit,
        city=city_name,
        date=as_of,
    )
    layout(fig, tr, title, 440)
    fig.update_layout(margin={"b": 90})
    return fig
