"""Charts of the Indicator explorer: cities ranked, the distribution, cities over time.

Each takes an explorer.IndicatorView; bars are coloured by progress status in
mne.theme.STATUS_COLOURS, and the network target is drawn as a line labelled with its kind.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from mne import scoring, theme
from mne.catalog import TARGET_KIND_LABELS
from mne.charts import layout
from mne.explorer import IndicatorView
from mne.i18n import Translator

TARGET_COLOUR = theme.BLACK
# Bars are thinner when there are many cities, so a large network's ranking stays scrollable.
BAR_PX, BAR_PX_MANY, MANY_BARS = 22, 12, 60
# Legends at the foot of the figure (in the margin, below the axis title), whatever its height.
BOTTOM_LEGEND = {
    "orientation": "h",
    "yref": "container",
    "y": 0.0,
    "yanchor": "bottom",
    "x": 0,
    "xanchor": "left",
}


def _value_format(view: IndicatorView) -> str:
    return f",.{int(str(view.indicator['decimals']))}f"


def _unit(view: IndicatorView) -> str:
    return str(view.indicator["unit"])


def target_label(view: IndicatorView, tr: Translator) -> str:
    """The target line's legend text, e.g. Target 2030: 5 µg/m³ (international guideline)."""
    target = view.target
    if target is None:
        return ""
    kind = tr(TARGET_KIND_LABELS.get(target.kind, target.kind)).lower()
    decimals = int(str(view.indicator["decimals"]))
    return tr(
        "Target {year}: {value} {unit} ({kind})",
        year=target.year,
        value=tr.number(target.value, decimals),
        unit=_unit(view),
        kind=kind,
    )


def _direction_note(view: IndicatorView, tr: Translator) -> str:
    return (
        tr("lower is better") if view.indicator["direction"] == "lower" else tr("higher is better")
    )


def ranked_bars(view: IndicatorView, tr: Translator) -> go.Figure:
    """One horizontal bar per city, best at the top, coloured by progress status, with the
    network target as a vertical line."""
    ranked = view.ranked.iloc[::-1]  # plotly draws the first row at the bottom
    fmt = _value_format(view)
    decimals = int(str(view.indicator["decimals"]))
    hover = (
        "<b>%{y}</b><br>"
        + tr(
            "Latest value: {value} {unit} ({year})",
            value="%{x:" + fmt + "}",
            unit=_unit(view),
            year="%{customdata[0]}",
        )
        + "<br>"
        + tr("Rank: %{customdata[1]}")
        + "<br>"
        + tr("Status: %{customdata[2]}")
        + "<extra></extra>"
    )
    fig = go.Figure()
    for status in scoring.STATUS_ORDER:
        part = ranked[ranked["status"] == status]
        if part.empty:
            continue
        label = tr(scoring.STATUS_LABELS[status])
        fig.add_bar(
            x=part["latest_value"],
            y=part["city_name"],
            orientation="h",
            name=label,
            marker_color=theme.STATUS_COLOURS[status],
            marker_line={"color": theme.EDGE_GREY, "width": 0.5},
            customdata=list(
                zip(part["latest_year"], part["rank"].astype(int), [label] * len(part), strict=True)
            ),
            hovertemplate=hover,
            # The value at the bar's end, so a zero (an empty bar) still reads.
            text=[tr.number(v, decimals) for v in part["latest_value"]],
            textposition="outside",
            cliponaxis=False,
        )
    order = list(ranked["city_name"])
    fig.update_yaxes(categoryorder="array", categoryarray=order, automargin=True)
    fig.update_xaxes(title={"text": _unit(view)}, zeroline=True, tickformat=fmt.replace("f", "~f"))
    _target_line(fig, view, tr, vertical=True)
    title = tr(
        "{indicator}: cities ranked by latest value ({unit}, {direction}), as of {year}",
        indicator=view.indicator["name"],
        unit=_unit(view),
        direction=_direction_note(view, tr),
        year=view.as_of,
    )
    row_px = BAR_PX if len(ranked) <= MANY_BARS else BAR_PX_MANY
    layout(fig, tr, title, max(320, row_px * len(ranked) + 150))
    fig.update_layout(
        barmode="overlay",
        legend=BOTTOM_LEGEND,
        margin={"t": 100, "b": 90},
    )
    return fig


def _target_line(fig: go.Figure, view: IndicatorView, tr: Translator, vertical: bool) -> None:
    """The network target as a dashed line across the plot, named with its year, value and
    kind in the legend."""
    if view.target is None:
        return
    line = {"color": TARGET_COLOUR, "dash": "dash", "width": 2}
    if vertical:
        fig.add_vline(x=view.target.value, line=line)
    else:
        fig.add_hline(y=view.target.value, line=line)
    # Shapes have no legend entry: an empty trace drawn like the line gives it one.
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="lines",
        line=line,
        name=target_label(view, tr),
        hoverinfo="skip",
        showlegend=True,
    )


def distribution(view: IndicatorView, tr: Translator) -> go.Figure:
    """The spread of the cities' latest values: a box with every city as a point."""
    ranked = view.ranked
    fmt = _value_format(view)
    fig = go.Figure(
        go.Box(
            x=ranked["latest_value"],
            text=ranked["city_name"],
            customdata=ranked[["latest_year"]].to_numpy(),
            name="",
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            marker={"color": theme.BLUE, "size": 8, "opacity": 0.8},
            line={"color": theme.BLUE},
            fillcolor=theme.translucent(theme.SKY_BLUE, 0.25),
            hoveron="points",
            hovertemplate="<b>%{text}</b><br>"
            + tr(
                "Latest value: {value} {unit} ({year})",
                value="%{x:" + fmt + "}",
                unit=_unit(view),
                year="%{customdata[0]}",
            )
            + "<extra></extra>",
            orientation="h",
            showlegend=False,
        )
    )
    fig.update_xaxes(title={"text": _unit(view)}, tickformat=fmt.replace("f", "~f"))
    fig.update_yaxes(showticklabels=False)
    _target_line(fig, view, tr, vertical=True)
    title = tr(
        "Distribution of the cities' latest values ({unit}), as of {year}",
        unit=_unit(view),
        year=view.as_of,
    )
    layout(fig, tr, title, 320)
    fig.update_layout(legend=BOTTOM_LEGEND, margin={"b": 90})
    return fig


def trends(view: IndicatorView, city_codes: list[str], tr: Translator) -> go.Figure:
    """The chosen cities' yearly values, one line each, with the target as a horizontal line."""
    history = view.history[view.history["city"].isin(city_codes)]
    fmt = _value_format(view)
    fig = go.Figure()
    for position, code in enumerate(city_codes):
        part: pd.DataFrame = history[history["city"] == code]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["year"],
            y=part["value"],
            mode="lines+markers",
            name=str(part["city_name"].iloc[0]),
            line={"color": theme.OKABE_ITO[position % len(theme.OKABE_ITO)], "width": 2},
            hovertemplate="<b>%{fullData.name}</b><br>"
            + tr("Year: %{x}")
            + "<br>"
            + tr("Value: {value} {unit}", value="%{y:" + fmt + "}", unit=_unit(view))
            + "<extra></extra>",
        )
    fig.update_xaxes(title={"text": tr("Year")}, dtick=1, tickformat="d")
    fig.update_yaxes(title={"text": _unit(view)}, tickformat=fmt.replace("f", "~f"))
    _target_line(fig, view, tr, vertical=False)
    last = int(history["year"].max()) if not history.empty else view.as_of
    title = tr(
        "{indicator} over time ({unit}), as of {year}",
        indicator=view.indicator["name"],
        unit=_unit(view),
        year=last,
    )
    layout(fig, tr, title, 420)
    fig.update_layout(legend=BOTTOM_LEGEND, margin={"t": 80, "b": 120})
    return fig
