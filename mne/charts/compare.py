"""Figures of the Compare page: focus-area indices side by side, indicators over time."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mne import theme
from mne.charts import _wrap, layout
from mne.i18n import Translator


def city_colours(city_names: list[str]) -> dict[str, str]:
    """One Okabe-Ito colour per city, the same in every chart of the page."""
    return {name: theme.OKABE_ITO[n % len(theme.OKABE_ITO)] for n, name in enumerate(city_names)}


def focus_area_bars(indices: pd.DataFrame, tr: Translator, as_of: str) -> go.Figure:
    """Grouped bars: per focus area, one bar per city with its index (0-100). An area without
    an index (coverage under 80 %) has no bar; the hover gives the coverage.

    `indices` is mne.compare.focus_area_indices."""
    names = list(dict.fromkeys(indices["city_name"]))
    colours = city_colours(names)
    fig = go.Figure()
    for name in names:
        part = indices[indices["city_name"] == name]
        fig.add_bar(
            x=[_wrap(a, 18) for a in part["focus_area_name"]],
            y=part["index"],
            name=name,
            marker_color=colours[name],
            customdata=part[["coverage"]].to_numpy(),
            text=[tr.number(v, 0) if pd.notna(v) else "" for v in part["index"]],
            textposition="outside",
            hovertemplate="<b>"
            + name
            + "</b> · %{x}<br>"
            + tr("Index: %{y:.1f} / 100")
            + "<br>"
            + tr("Indicators with data: %{customdata[0]:.0%}")
            + "<extra></extra>",
        )
    fig.update_yaxes(range=[0, 110], title=tr("Index (0–100)"), tickvals=[0, 25, 50, 75, 100])
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2, "yanchor": "top"})
    title = tr(
        "Focus-area index by city (0 = worst case, 100 = target reached), as of {date}", date=as_of
    )
    layout(fig, tr, title, 440)
    fig.update_layout(margin={"b": 90})
    return fig


def indicator_lines(
    yearly: pd.DataFrame, indicators: pd.DataFrame, tr: Translator, as_of: str
) -> go.Figure:
    """Small multiples: one panel per indicator (its own unit on the y axis), one line per
    city in the same colour in every panel.

    `yearly` is mne.compare.Comparison.yearly; `indicators` has indicator, indicator_name, unit,
    decimals in the order the panels are drawn."""
    names = list(dict.fromkeys(yearly["city_name"]))
    colours = city_colours(names)
    panels = len(indicators)
    columns = 1 if panels == 1 else 2
    rows = max(1, math.ceil(panels / columns))
    titles = [_wrap(f"{r.indicator_name} ({r.unit})", 50) for r in indicators.itertuples()]
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        vertical_spacing=0.32 / rows,
        horizontal_spacing=0.08,
    )
    for n, info in enumerate(indicators.itertuples()):
        row, col = n // columns + 1, n % columns + 1
        number = f"%{{y:,.{int(info.decimals)}f}}"
        part = yearly[yearly["indicator"] == info.indicator]
        for name in names:
            line = part[part["city_name"] == name]
            fig.add_trace(
                go.Scatter(
                    x=line["year"],
                    y=line["value"],
                    name=name,
                    legendgroup=name,
                    showlegend=n == 0,
                    mode="lines+markers",
                    line={"color": colours[name], "width": 2},
                    marker={"size": 6},
                    hovertemplate=f"<b>{name}</b> · %{{x}}: {number} {info.unit}<extra></extra>",
                ),
                row=row,
                col=col,
            )
        fig.update_yaxes(title_text=str(info.unit), row=row, col=col, gridcolor=theme.GRID_GREY)
        fig.update_xaxes(tickformat="d", row=row, col=col, gridcolor=theme.GRID_GREY)
    fig.update_annotations(font_size=13)
    fig.update_layout(legend={"orientation": "h", "y": -0.12 / rows, "yanchor": "top", "x": 0})
    title = tr("The chosen indicators over time, by city (as of {date})", date=as_of)
    layout(fig, tr, title, 120 + 300 * rows)
    fig.update_layout(margin={"t": 120, "b": 70})
    return fig
