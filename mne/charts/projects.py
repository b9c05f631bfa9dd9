"""Charts of the ASCN projects page: SCAP projects by focus area x status, by country and
city, and by financing source.

Project statuses have their own three colours from the Okabe-Ito palette (distinct for the
common colour-vision deficiencies and in lightness): reddish purple for planning, sky blue for
ongoing and blue for completed (the blue of "done" in the task statuses).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from mne import theme
from mne.charts import _wrap
from mne.charts.tasks import titled
from mne.i18n import Translator
from mne.projects import FINANCING_LABELS, PROJECT_STATUS_LABELS

FINANCING_COLOURS = dict(zip(FINANCING_LABELS, theme.OKABE_ITO, strict=False))


def _legend_right(fig: go.Figure) -> None:
    """Statuses listed top to bottom in their own order, right of the bars (below them the
    legend would collide with wrapped axis labels)."""
    fig.update_layout(legend={"orientation": "v", "x": 1.01, "y": 1, "traceorder": "normal"})


def focus_area_status(frame: pd.DataFrame, tr: Translator, subtitle: str) -> go.Figure:
    """Stacked bars: projects per focus area, split by status (by_focus_area_and_status)."""
    fig = go.Figure()
    for status, label in PROJECT_STATUS_LABELS.items():
        part = frame[frame["status"] == status]
        fig.add_bar(
            x=[_wrap(n, 14) for n in part["focus_area_name"]],
            y=part["projects"],
            name=tr(label),
            marker_color=theme.PROJECT_STATUS_COLOURS[status],
            hovertemplate="%{x}<br>" + tr(label) + ": %{y}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickangle=0)
    _legend_right(fig)
    titled(
        fig, tr, tr("SCAP projects by focus area and status (number of projects)"), subtitle, 430
    )
    return fig


def place_status(
    frame: pd.DataFrame, tr: Translator, place: str, title: str, subtitle: str
) -> go.Figure:
    """Horizontal stacked bars: projects per country or city (by_place_and_status), most
    projects at the top."""
    name = f"{place}_name"
    places = frame.drop_duplicates(place)
    fig = go.Figure()
    for status, label in PROJECT_STATUS_LABELS.items():
        part = frame[frame["status"] == status]
        fig.add_bar(
            y=part[name],
            x=part["projects"],
            orientation="h",
            name=tr(label),
            marker_color=theme.PROJECT_STATUS_COLOURS[status],
            customdata=part[["total"]].to_numpy(),
            hovertemplate="%{y}<br>"
            + tr(label)
            + ": %{x}<br>"
            + tr("All statuses: {total}", total="%{customdata[0]}")
            + "<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(dtick=1 if frame["total"].max() <= 12 else None)
    _legend_right(fig)
    titled(fig, tr, title, subtitle, max(300, 26 * len(places) + 160))
    return fig


def financing(frame: pd.DataFrame, tr: Translator, subtitle: str) -> go.Figure:
    """One bar per financing source (by_financing), with its share of the projects."""
    total = int(frame["projects"].sum())
    labels = [_wrap(tr(FINANCING_LABELS[f]), 14) for f in frame["financing"]]
    shares = frame["projects"] / total if total else frame["projects"] * 0.0
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=frame["projects"],
            marker_color=[FINANCING_COLOURS[f] for f in frame["financing"]],
            text=[
                f"{tr.number(n)} ({tr.percent(s)})"
                for n, s in zip(frame["projects"], shares, strict=True)
            ],
            textposition="outside",
            customdata=shares.to_numpy(),
            hovertemplate="%{x}: %{y} (%{customdata:.1%})<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, max(1, frame["projects"].max()) * 1.2])
    fig.update_xaxes(tickangle=0)
    return titled(
        fig, tr, tr("SCAP projects by financing source (number of projects)"), subtitle, 380
    )
