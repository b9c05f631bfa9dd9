"""Charts of the PDF report's focus-area sections, in the shared status colours.

For one city: each indicator's 0-100 score, coloured by its progress status. For several
cities: how many cities are in each progress status, per indicator (stacked)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from mne import theme
from mne.charts import _wrap, layout
from mne.charts.tasks import _legend_under_axis
from mne.i18n import Translator
from mne.scoring import STATUS_LABELS, STATUS_ORDER

LABEL_WIDTH = 38


def _height(rows: int, lines: int = 1) -> int:
    """Room for `rows` bars whose labels take up to `lines` lines each."""
    return max(260, (34 + 18 * (lines - 1)) * rows + 150)


def _lines(labels: list[str]) -> int:
    return max((label.count("<br>") + 1 for label in labels), default=1)


# The gaps of a printed chart (px): between a bar's label and its bar, between the x-axis's
# ticks and its title, and at the right for the last tick's number.
LABEL_GAP = 8
AXIS_TITLE_GAP = 16
RIGHT_ROOM = 40


def for_print(fig: go.Figure) -> go.Figure:
    """A chart for the PDF: category labels apart from their bars and never clipped (the
    margins grow to hold them), the x-axis title below its ticks, room for the last tick."""
    if any(t.type in ("heatmap", "scattergeo", "choropleth") for t in fig.data):
        return fig  # maps and heatmaps keep their own frames
    fig.update_yaxes(automargin=True, ticklabelstandoff=LABEL_GAP)
    fig.update_xaxes(automargin=True, title_standoff=AXIS_TITLE_GAP)
    fig.update_layout(margin={"r": max(fig.layout.margin.r or 0, RIGHT_ROOM)})
    return fig


def indicator_scores(progress: pd.DataFrame, tr: Translator, title: str) -> go.Figure:
    """One bar per indicator: its score (0 = worst case, 100 = target), coloured by status.
    `progress` has indicator_name, score, status (one city)."""
    frame = progress.iloc[::-1]  # plotly draws the first bar at the bottom
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        fig.add_bar(
            x=part["score"].fillna(0),
            y=[_wrap(str(n), LABEL_WIDTH) for n in part["indicator_name"]],
            orientation="h",
            name=tr(STATUS_LABELS[status]),
            marker_color=theme.STATUS_COLOURS[status],
            text=[tr.number(s, 0) for s in part["score"]],
            textposition="outside",
        )
    order = [_wrap(str(n), LABEL_WIDTH) for n in frame["indicator_name"]]
    fig.update_yaxes(categoryorder="array", categoryarray=order, automargin=True)
    fig.update_xaxes(range=[0, 112])
    height = _height(len(frame), _lines(order))
    layout(fig, tr, title, height)
    fig.update_layout(barmode="overlay")
    _legend_under_axis(fig, height, 70)
    return fig


def indicator_statuses(progress: pd.DataFrame, tr: Translator, title: str) -> go.Figure:
    """Per indicator, the cities in each progress status (stacked, every status in the legend
    order). `progress` has indicator, indicator_name, status (one row per city x indicator)."""
    names = progress.drop_duplicates("indicator")[["indicator", "indicator_name"]]
    counts = (
        progress.groupby(["indicator", "status"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=names["indicator"], columns=list(STATUS_ORDER), fill_value=0)
    )
    labels = [_wrap(str(n), LABEL_WIDTH) for n in names["indicator_name"]]
    fig = go.Figure()
    for status in STATUS_ORDER:
        fig.add_bar(
            x=counts[status].iloc[::-1],
            y=labels[::-1],
            orientation="h",
            name=tr(STATUS_LABELS[status]),
            marker_color=theme.STATUS_COLOURS[status],
        )
    fig.update_yaxes(automargin=True)
    height = _height(len(names), _lines(labels))
    layout(fig, tr, title, height)
    fig.update_layout(barmode="stack")
    _legend_under_axis(fig, height, 90)
    return fig
