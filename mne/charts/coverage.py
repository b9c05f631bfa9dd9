"""The Data coverage matrix: city x indicator, coloured by the latest year reported, with the
cells never reported (the gaps) drawn in vermillion so they stand out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mne import theme
from mne.charts import SCORE_SCALE, layout
from mne.i18n import MISSING, Translator

GAP_COLOUR = theme.VERMILLION
# Rows are thinner when there are many cities, so a large network still fits on a screen.
ROW_PX, ROW_PX_MANY, MANY_ROWS = 22, 12, 60


TICK_CHARS = 26


def indicator_label(code: str, name: str) -> str:
    """A column's label in the hover text: the indicator's name, its code beside it."""
    return f"{name} ({code})"


def tick_name(name: str) -> str:
    """A column's tick: the indicator's name, shortened to TICK_CHARS with an ellipsis."""
    return name if len(name) <= TICK_CHARS else name[: TICK_CHARS - 1].rstrip() + "…"


def coverage_heatmap(
    cells: pd.DataFrame, tr: Translator, first_year: int | None, as_of: int | None
) -> go.Figure:
    """Rows: cities (in the order of `cells`), columns: indicators by name, grouped by focus area;
    colour: the latest year reported; gaps (never reported) in GAP_COLOUR."""
    cities = list(pd.unique(cells["city_name"]))
    codes = list(pd.unique(cells["indicator"]))
    # Columns by name in the language: the ticks show the name (shortened), the hover the name
    # with the code beside it (the code an upload file is written with).
    names = dict(zip(cells["indicator"], cells["indicator_name"], strict=False))
    indicators = [indicator_label(code, str(names[code])) for code in codes]
    cells = cells.assign(
        indicator=cells["indicator"].map(dict(zip(codes, indicators, strict=True)))
    )
    latest = cells.pivot(index="city_name", columns="indicator", values="latest_year")
    latest = latest.reindex(index=cities[::-1], columns=indicators)  # first city at the top
    reported = cells.pivot(index="city_name", columns="indicator", values="years_reported")
    reported = reported.reindex(index=latest.index, columns=indicators)
    # Compact arrays (plotly sends them as typed binary): a large network's matrix stays small.
    z = latest.to_numpy(dtype="float32", na_value=np.nan)
    gaps = np.where(np.isnan(z), 1.0, np.nan).astype("float32")
    many = len(cities) > MANY_ROWS
    hover = (
        tr("City: %{y}")
        + "<br>"
        + tr("Indicator: %{x}")
        + "<br>"
        + tr("Latest year reported: %{z}")
        + "<br>"
        + tr("Years reported: %{customdata}")
    )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=indicators,
            y=list(latest.index),
            customdata=reported.to_numpy(dtype="uint16"),
            colorscale=SCORE_SCALE,
            zmin=first_year if first_year is not None else None,
            zmax=as_of if as_of is not None else None,
            hovertemplate=hover + "<extra></extra>",
            colorbar={"title": {"text": tr("Latest year")}, "tickformat": "d"},
            xgap=1,
            ygap=1,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=gaps,
            x=indicators,
            y=list(latest.index),
            colorscale=[[0, GAP_COLOUR], [1, GAP_COLOUR]],
            showscale=False,
            # A cross as well as the colour, so a gap shows without telling colours apart.
            # Too small to read in a large matrix, where it would only add to the payload.
            text=None if many else np.where(np.isnan(z), "×", ""),
            texttemplate=None if many else "%{text}",
            textfont={"color": "white", "size": 14},
            hovertemplate=tr("City: %{y}")
            + "<br>"
            + tr("Indicator: %{x}")
            + "<br><b>"
            + tr("Never reported")
            + "</b><extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    # A legend entry for the gaps (heatmaps have none of their own).
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        name=tr("Never reported"),
        marker={"symbol": "square", "size": 12, "color": GAP_COLOUR},
        showlegend=True,
    )
    areas = cells.drop_duplicates("indicator")["focus_area"].tolist()
    for position in range(1, len(areas)):
        if areas[position] != areas[position - 1]:
            fig.add_vline(x=position - 0.5, line={"color": theme.SEPARATOR_GREY, "width": 2})
    fig.update_xaxes(
        side="top",
        tickangle=-60,
        type="category",
        tickvals=indicators,
        ticktext=[tick_name(str(names[code])) for code in codes],
    )
    fig.update_yaxes(type="category")
    row_px = ROW_PX_MANY if many else ROW_PX
    title = tr(
        "Latest year each city reported each indicator, as of {year}",
        year=as_of if as_of is not None else MISSING,
    )
    layout(fig, tr, title, max(360, row_px * len(cities) + 260))
    fig.update_layout(
        plot_bgcolor="white",
        title={"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 16}},
        # Room for the title above the slanted names (26 characters at most), so they never meet.
        margin={"t": 280},
        legend={"orientation": "h", "y": -0.01, "yanchor": "top", "x": 0},
    )
    return fig
