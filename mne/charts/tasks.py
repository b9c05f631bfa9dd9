"""Charts of the Priority task groups page: a group's timeline (Gantt), a task's progress
reports, and the progress status of the indicators a task is meant to move.

Task statuses in mne.theme.TASK_STATUS_COLOURS, indicator statuses in mne.theme.STATUS_COLOURS:
the same colours as everywhere else in the dashboard.
"""

from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mne import charts, scoring, theme
from mne.charts import _wrap, layout
from mne.i18n import Translator
from mne.tasks import TASK_STATUS_LABELS

OVERDUE_COLOUR = theme.BLACK
PATH_COLOUR = theme.PATH_GREY
DAY_MS = 86_400_000


def titled(fig: go.Figure, tr: Translator, title: str, subtitle: str, height: int) -> go.Figure:
    """layout() with a second title line (what the data covers and as of when)."""
    layout(fig, tr, title, height)
    fig.update_layout(
        title={"subtitle": {"text": subtitle, "font": {"size": 12}}},
        margin={"t": (fig.layout.margin.t or 60) + 24},
    )
    return fig


def _legend_under_axis(fig: go.Figure, height: int, bottom: int) -> None:
    """A horizontal legend just under the x axis's tick labels, whatever the figure's height
    (legend positions are fractions of the plot area, tick labels take fixed pixels)."""
    plot_height = max(height - (fig.layout.margin.t or 0) - bottom, 1)
    fig.update_layout(
        margin={"b": bottom},
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -34 / plot_height,
            "traceorder": "normal",
        },
    )


def _plain_title(fig: go.Figure) -> str:
    """A built figure's title as one line again (layout() wraps it once more)."""
    return str(fig.layout.title.text).replace("<br>", " ")


def group_progress(groups: pd.DataFrame, tr: Translator, subtitle: str) -> go.Figure:
    """charts.task_group_progress with the figures' "as of" line."""
    fig = charts.task_group_progress(groups, tr)
    return titled(fig, tr, _plain_title(fig), subtitle, 400)


def group_status(groups: pd.DataFrame, tr: Translator, subtitle: str) -> go.Figure:
    """charts.task_status_bars with the figures' "as of" line."""
    fig = charts.task_status_bars(groups, tr)
    titled(fig, tr, _plain_title(fig), subtitle, 400)
    fig.update_layout(margin={"b": 70}, legend={"traceorder": "normal"})
    return fig


def _task_label(code: str, title: str) -> str:
    """Code in bold and the title wrapped; the title is escaped (plotly reads labels as HTML)."""
    return f"<b>{html.escape(code)}</b> · {_wrap(html.escape(title), 38)}"


def gantt(tasks: pd.DataFrame, tr: Translator, today: dt.date, subtitle: str) -> go.Figure:
    """One bar per task from its start to its due date, coloured by status, with today's
    date as a vertical line and a black cross at the due date of each overdue task.

    `tasks` is mne.tasks.timeline's frame (code, title, start_date, due_date, status,
    percent_complete, overdue); tasks without both dates are left out."""
    frame = tasks.dropna(subset=["start_date", "due_date"]).copy()
    start = pd.to_datetime(frame["start_date"])
    due = pd.to_datetime(frame["due_date"])
    frame["label"] = [_task_label(c, t) for c, t in zip(frame["code"], frame["title"], strict=True)]
    frame["length"] = ((due - start).dt.days + 1) * DAY_MS
    frame["start_text"] = [tr.date(d) for d in frame["start_date"]]
    frame["due_text"] = [tr.date(d) for d in frame["due_date"]]
    frame["status_text"] = [tr(TASK_STATUS_LABELS[s]) for s in frame["status"]]
    hover = (
        "%{y}<br>"
        + tr("From {start} to {due}", start="%{customdata[0]}", due="%{customdata[1]}")
        + "<br>"
        + tr("Status: {status}", status="%{customdata[2]}")
        + "<br>"
        + tr("Complete: {percent} %", percent="%{customdata[3]:.0f}")
        + "<extra></extra>"
    )
    fig = go.Figure()
    for status, label in TASK_STATUS_LABELS.items():
        part = frame[frame["status"] == status]
        fig.add_bar(
            y=part["label"],
            x=part["length"],
            base=start[part.index].dt.strftime("%Y-%m-%d"),
            orientation="h",
            name=tr(label),
            marker_color=theme.TASK_STATUS_COLOURS[status],
            text=[tr.percent(p / 100) for p in part["percent_complete"]],
            textposition="inside",
            insidetextanchor="start",
            customdata=part[
                ["start_text", "due_text", "status_text", "percent_complete"]
            ].to_numpy(),
            hovertemplate=hover,
        )
    late = frame[frame["overdue"]]
    fig.add_scatter(
        y=late["label"],
        x=pd.to_datetime(late["due_date"]).dt.strftime("%Y-%m-%d"),
        mode="markers",
        name=tr("Overdue (past the due date, not done)"),
        marker={"symbol": "x", "size": 13, "color": OVERDUE_COLOUR, "line": {"width": 1}},
        customdata=late[["due_text"]].to_numpy(),
        hovertemplate="%{y}<br>"
        + tr("Overdue since {due}", due="%{customdata[0]}")
        + "<extra></extra>",
    )
    today_text = today.isoformat()
    fig.add_shape(
        type="line",
        x0=today_text,
        x1=today_text,
        yref="paper",
        y0=0,
        y1=1,
        line={"color": OVERDUE_COLOUR, "dash": "dot", "width": 2},
    )
    fig.add_annotation(
        x=today_text,
        y=1,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=tr("Today ({date})", date=tr.date(today)),
        font={"size": 12},
    )
    fig.update_xaxes(type="date")
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_layout(barmode="overlay")
    height = max(320, 58 * len(frame) + 200)
    titled(
        fig,
        tr,
        tr("Timeline of the group's tasks (start to due date, coloured by status)"),
        subtitle,
        height,
    )
    _legend_under_axis(fig, height, bottom=90)
    return fig


def history(
    reports: pd.DataFrame,
    tr: Translator,
    start: dt.date | None,
    due: dt.date | None,
    title: str,
    subtitle: str,
) -> go.Figure:
    """A task's reported percent complete over time, each report coloured by the status it
    had on its date, with the straight path from 0 % at the start to 100 % at the due date."""
    fig = go.Figure()
    if start is not None and due is not None:
        fig.add_scatter(
            x=[start.isoformat(), due.isoformat()],
            y=[0, 100],
            mode="lines",
            name=tr("Straight path from start to due date"),
            line={"color": PATH_COLOUR, "dash": "dash"},
            hoverinfo="skip",
        )
    dates = pd.to_datetime(reports["report_date"]).dt.strftime("%Y-%m-%d")
    fig.add_scatter(
        x=dates,
        y=reports["percent_complete"],
        mode="lines+markers",
        name=tr("Reported % complete"),
        line={"color": theme.EDGE_GREY},
        marker={
            "size": 11,
            "color": [theme.TASK_STATUS_COLOURS[s] for s in reports["status"]],
            "line": {"width": 1, "color": "white"},
        },
        customdata=np.column_stack(
            [
                [tr.date(d) for d in reports["report_date"]],
                [tr(TASK_STATUS_LABELS[s]) for s in reports["status"]],
            ]
        )
        if len(reports)
        else None,
        hovertemplate=tr("Report of {date}", date="%{customdata[0]}")
        + "<br>"
        + tr("Complete: {percent} %", percent="%{y:.0f}")
        + "<br>"
        + tr("Status: {status}", status="%{customdata[1]}")
        + "<extra></extra>",
    )
    fig.update_yaxes(range=[0, 105], ticksuffix="%", title=tr("% complete"))
    fig.update_xaxes(type="date")
    titled(fig, tr, title, subtitle, 380)
    _legend_under_axis(fig, 380, bottom=60)
    return fig


def linked_status(counts: pd.DataFrame, tr: Translator, subtitle: str) -> go.Figure:
    """Per linked indicator, the number of cities in each progress status, stacked, in
    mne.theme.STATUS_COLOURS. `counts` is mne.tasks.linked_indicator_status's frame."""
    names = counts.drop_duplicates("indicator")
    labels = dict(
        zip(
            names["indicator"],
            [
                _wrap(html.escape(f"{n} ({u})"), 40)
                for n, u in zip(names["indicator_name"], names["unit"], strict=True)
            ],
            strict=True,
        )
    )
    fig = go.Figure()
    for status in scoring.STATUS_ORDER:
        part = counts[counts["status"] == status]
        label = tr(scoring.STATUS_LABELS[status])
        fig.add_bar(
            y=part["indicator"].map(labels),
            x=part["cities"],
            orientation="h",
            name=label,
            marker_color=theme.STATUS_COLOURS[status],
            hovertemplate="%{y}<br>" + label + ": %{x}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(dtick=1 if counts["cities"].max() <= 10 else None)
    height = max(300, 70 * len(names) + 220)
    titled(
        fig,
        tr,
        tr("Progress status of the indicators this task should move (number of cities)"),
        subtitle,
        height,
    )
    _legend_under_axis(fig, height, bottom=110)
    return fig
