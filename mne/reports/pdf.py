"""The PDF report (A4, fpdf2): cover, executive summary, a section per focus area, the priority
task groups, and a methodology and sources annex.

Text uses the bundled DejaVu Sans (static/fonts, with its licence), so Vietnamese diacritics are
exact whatever fonts the server has. Charts are plotly figures exported as PNG by kaleido, all
of them in one Chromium started for the report; maps draw their boundaries from
static/topojson (no network). A chart, a table row and a heading with what follows it never
split across pages; every page but the cover carries a running header and its page number.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from fpdf import FPDF
from fpdf.fonts import FontFace

from mne import charts, methodology, scoring, theme
from mne.charts import reports as report_charts
from mne.i18n import MISSING, Translator
from mne.reports.chart_images import CHART_WIDTH_PX, export_charts
from mne.reports.content import DEMO_MARK, DEMO_NOTICE, ReportContent
from mne.reports.tables import (
    REPORT_TITLE,
    data_up_to,
    period_text,
    summary_items,
    values_note,
)
from mne.tasks import TASK_STATUS_LABELS

ROOT = Path(__file__).resolve().parent.parent.parent
FONT_DIR = ROOT / "static" / "fonts"
FONT = "DejaVu"
PAGE_MARGIN = 15.0
BOTTOM_MARGIN = 16.0
TEXT_WIDTH = 210.0 - 2 * PAGE_MARGIN
# A heading is kept with at least this much of what follows it (mm).
KEEP_WITH_HEADING = 45.0
# Up to this many cities, a focus-area section lists every city x indicator; above, one row per
# indicator with the cities in each status (the Excel report has every row).
DETAIL_CITIES = 12
BLUE = theme.rgb(theme.BLUE)
GREY = theme.rgb(theme.TEXT_GREY)
DEMO_RED = theme.rgb(theme.VERMILLION)  # the demo notice
LIGHT = theme.rgb(theme.LIGHT_BLUE)


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", "" if text is None else str(text))


# --- The document ----------------------------------------------------------------------------


class ReportDocument(FPDF):
    """A4 portrait with the running header (report title and scope) and page numbers."""

    def __init__(self, running_header: str, page_word: str, demo_mark: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.demo_mark = demo_mark  # said in every footer when the figures are demo data
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.running_header = running_header
        self.page_word = page_word
        self.set_margins(PAGE_MARGIN, 18, PAGE_MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM_MARGIN)
        self.set_font(FONT, size=10)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=7.5)
        self.set_text_color(*GREY)
        self.set_xy(PAGE_MARGIN, 8)
        self.cell(TEXT_WIDTH, 5, self.running_header, align="L")
        self.set_draw_color(*BLUE)
        self.line(PAGE_MARGIN, 13.5, 210 - PAGE_MARGIN, 13.5)
        self.set_text_color(0, 0, 0)
        self.set_y(18)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-11)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*GREY)
        if self.demo_mark:
            self.set_text_color(*DEMO_RED)
            self.cell(TEXT_WIDTH / 2, 5, self.demo_mark, align="L")
            self.set_text_color(*GREY)
            self.set_x(PAGE_MARGIN)
        self.cell(TEXT_WIDTH, 5, f"{self.page_word} {self.page_no()} / {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    @property
    def room(self) -> float:
        """Height left on the page above the bottom margin (mm)."""
        return float(self.page_break_trigger - self.get_y())

    def ensure_room(self, height: float) -> None:
        if height > self.room:
            self.add_page()

    def heading(self, text: str, level: int = 1, keep: float = KEEP_WITH_HEADING) -> None:
        size = {1: 15, 2: 12, 3: 10.5}[level]
        self.ensure_room(size * 0.6 + keep)
        if level == 1:
            self.start_section(_nfc(text), level=0)
        elif level == 2:
            self.start_section(_nfc(text), level=1)
        self.set_font(FONT, "B", size)
        self.set_text_color(*(BLUE if level < 3 else (0, 0, 0)))
        self.multi_cell(
            TEXT_WIDTH, size * 0.5, _nfc(text), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(0, 0, 0)
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 9.5) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(
            TEXT_WIDTH, size * 0.5, _nfc(text), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        self.ln(1.5)

    def image_block(self, png: bytes, height_px: int) -> None:
        """A chart the text width wide, moved whole to the next page when it does not fit."""
        height = TEXT_WIDTH * height_px / CHART_WIDTH_PX
        if height > self.page_break_trigger - 20:
            height = self.page_break_trigger - 20
        self.ensure_room(height + 2)
        width = height * CHART_WIDTH_PX / height_px
        self.image(io.BytesIO(png), x=PAGE_MARGIN + (TEXT_WIDTH - width) / 2, w=width, h=height)
        self.ln(3)

    def table_block(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        align: Sequence[str] | None = None,
        fills: Sequence[Sequence[tuple[int, int, int] | None]] | None = None,
        size: float = 8,
        heading_size: float | None = None,
    ) -> None:
        """A table whose rows never split across pages and whose header repeats on each."""
        self.set_font(FONT, size=size)
        self.ensure_room(size * 1.6 + 8)
        heading_style = FontFace(
            emphasis="BOLD" if heading_size is None else None,
            size_pt=heading_size,
            color=(255, 255, 255),
            fill_color=BLUE,
        )
        with self.table(
            col_widths=tuple(widths),
            width=TEXT_WIDTH,
            line_height=size * 0.48,
            text_align=tuple(align) if align else "LEFT",
            headings_style=heading_style,
            repeat_headings=1,
            borders_layout="HORIZONTAL_LINES",
            cell_fill_color=LIGHT,
            cell_fill_mode="ROWS",
            padding=(0.8, 1.0),
        ) as table:
            heading_row = table.row()
            for label in header:
                heading_row.cell(_nfc(label))
            for number, values in enumerate(rows):
                row = table.row()
                for column, value in enumerate(values):
                    fill = fills[number][column] if fills else None
                    if fill is not None:
                        row.cell(_nfc(value), style=FontFace(fill_color=fill, color=_ink(fill)))
                    else:
                        row.cell(_nfc(value))
        self.ln(3)


def _ink(fill: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black text, or white on the dark status blue."""
    return (255, 255, 255) if sum(fill) < 300 else (0, 0, 0)


STATUS_FILLS = {s: theme.rgb(c) for s, c in theme.STATUS_COLOURS.items()}


# --- Sections --------------------------------------------------------------------------------


@dataclass
class Charts:
    """The figures of a report by role, exported together."""

    figures: dict[str, go.Figure]
    images: dict[str, bytes]

    def put(self, pdf: ReportDocument, key: str) -> None:
        if key in self.images:
            height = int(self.figures[key].layout.height or 450)
            pdf.image_block(self.images[key], height)


def _as_of_text(content: ReportContent, tr: Translator) -> str:
    latest = content.latest_year
    return tr("data up to {year}", year=latest) if latest else tr("no data")


def build_figures(content: ReportContent, tr: Translator) -> dict[str, go.Figure]:
    figures: dict[str, go.Figure] = {}
    as_of = _as_of_text(content, tr)
    if not content.progress.empty:
        figures["statuses"] = charts.progress_status_bars(
            content.status_counts,
            tr,
            tr("Progress status of every city × indicator ({as_of})", as_of=as_of),
        )
        if len(content.cities) > 1 and content.index["index"].notna().any():
            figures["heatmap"] = charts.focus_area_heatmap(content.index, tr, short=False)
    located = content.city_index.dropna(subset=["lat", "lon"])
    if len(located) > 1:  # one dot on a map of South-East Asia says nothing
        figures["map"] = charts.index_map(
            located, tr, tr("Cities by mean focus-area index ({as_of})", as_of=as_of)
        )
    single = len(content.cities) == 1
    for area, part in content.progress.groupby("focus_area", sort=False):
        name = str(part["focus_area_name"].iloc[0])
        if single:
            figures[f"area:{area}"] = report_charts.indicator_scores(
                part,
                tr,
                tr(
                    "{area}: indicator scores, 0 = worst case, 100 = target reached ({as_of})",
                    area=name,
                    as_of=as_of,
                ),
            )
        else:
            figures[f"area:{area}"] = report_charts.indicator_statuses(
                part, tr, tr("{area}: cities by progress status ({as_of})", area=name, as_of=as_of)
            )
    if content.groups["tasks"].sum() > 0:
        figures["groups"] = charts.task_group_progress(content.groups, tr)
        figures["group_statuses"] = charts.task_status_bars(content.groups, tr)
    for figure in figures.values():
        report_charts.for_print(figure)
    return figures


def _cover(pdf: ReportDocument, content: ReportContent, tr: Translator) -> None:
    pdf.add_page()
    pdf.set_fill_color(*BLUE)
    pdf.rect(0, 0, 210, 12, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_y(55)
    pdf.set_font(FONT, "B", 22)
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(TEXT_WIDTH, 10, _nfc(tr(REPORT_TITLE)), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(
        TEXT_WIDTH, 8, _nfc(content.scope_name), align="L", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(10)
    lines = [
        (tr("Period"), period_text(content, tr)),
        (tr("Made on"), tr.date(content.generated)),
        (tr("Data up to"), data_up_to(content, tr)),
        (tr("Values shown"), values_note(content, tr)),
    ]
    for label, value in lines:
        pdf.set_font(FONT, "B", 11)
        pdf.cell(45, 7, _nfc(label))
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(TEXT_WIDTH - 45, 7, _nfc(value), align="L", new_x="LMARGIN", new_y="NEXT")
    if content.counts_demo:
        pdf.ln(6)
        pdf.set_font(FONT, "B", 11)
        pdf.set_text_color(*DEMO_RED)
        pdf.multi_cell(
            TEXT_WIDTH, 6, _nfc(tr(DEMO_NOTICE)), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_text_color(0, 0, 0)
    pdf.set_y(-60)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(
        TEXT_WIDTH,
        4.5,
        _nfc(
            tr(
                "Ministry of Construction of Viet Nam · ASEAN Smart Cities Network. Figures "
                "computed from the monitoring and evaluation store by the methods in the annex."
            )
        ),
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)


def _summary(pdf: ReportDocument, content: ReportContent, tr: Translator, figs: Charts) -> None:
    pdf.add_page()
    pdf.heading(tr("Executive summary"))
    items = summary_items(content, tr)[6:]
    rows = [(label, tr.number(v) if isinstance(v, int) else v) for label, v in items]
    coverage = content.figures["coverage"]
    year = content.latest_year
    label = tr("Data coverage {year}", year=year) if year else tr("Data coverage")
    rows.append((label, tr.percent(float(str(coverage)))))
    pdf.heading(tr("Key figures"), 2)
    pdf.table_block([tr("Item"), tr("Figure")], rows, (130, 50), ("LEFT", "RIGHT"))

    pdf.heading(tr("Progress statuses"), 2)
    counts = content.status_counts
    pdf.table_block(
        [tr("Status"), tr("City × indicator pairs")],
        [(tr(scoring.STATUS_LABELS[s]), tr.number(n)) for s, n in counts.itertuples(index=False)],
        (130, 50),
        ("LEFT", "RIGHT"),
        [[STATUS_FILLS[s], None] for s in counts["status"]],
    )
    figs.put(pdf, "statuses")

    pdf.heading(tr("Largest gaps to target"), 2)
    gaps = content.largest_gaps
    if gaps.empty:
        pdf.paragraph(tr("No city × indicator with a target still to reach."))
    else:
        pdf.paragraph(
            tr(
                "The city × indicator pairs furthest from their target relative to the target, "
                "with the distance in the indicator's unit."
            ),
            8.5,
        )
        pdf.table_block(
            [tr("City"), tr("Indicator"), tr("Latest"), tr("Target"), tr("Gap")],
            [
                (
                    r.city_name,
                    r.indicator_name,
                    f"{tr.number(r.latest_value, int(r.decimals))} {r.unit} ({int(r.latest_year)})",
                    f"{tr.number(r.target_value, int(r.decimals))} ({int(r.target_year)})",
                    gap_phrase(r, tr),
                )
                for r in gaps.itertuples()
            ],
            (30, 62, 30, 24, 34),
            ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        )
    pdf.heading(tr("Late tasks"), 2)
    _task_table(pdf, content.late_tasks, tr, tr("No priority task is late."))
    figs.put(pdf, "map")
    figs.put(pdf, "heatmap")
    if len(content.cities) > 1:
        pdf.heading(tr("Cities"), 2, keep=25)
        cities = content.city_table
        pdf.table_block(
            [
                tr("City"),
                tr("Country"),
                tr("Indicators with data"),
                tr("Mean focus-area index"),
                tr("Achieved or on track"),
            ],
            [
                (
                    c.name,
                    c.country_name,
                    tr.number(c.indicators),
                    tr.number(c.index, 1),
                    tr.number(c.good),
                )
                for c in cities.itertuples()
            ],
            (50, 40, 30, 30, 30),
            ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        )


def gap_phrase(row: Any, tr: Translator) -> str:
    """The distance to the target in the indicator's unit and the way it has to move: "64,1
    µg/m³ above the target" for a lower-is-better indicator (never "356 % still to go")."""
    gap = abs(float(row.latest_value) - float(row.target_value))
    amount = f"{tr.number(gap, int(row.decimals))} {row.unit}".strip()
    if str(row.direction) == "lower":
        return tr("{amount} above the target", amount=amount)
    if str(row.unit).strip() == "%":  # a share of a share would read twice as "%"
        return tr("{amount} below the target", amount=amount)
    share = tr.percent(float(row.gap_relative))
    return tr("{amount} below the target ({share} to go)", amount=amount, share=share)


def _task_table(pdf: ReportDocument, tasks: pd.DataFrame, tr: Translator, empty: str) -> None:
    if tasks.empty:
        pdf.paragraph(empty)
        return
    pdf.table_block(
        [tr("Task"), tr("Lead agency"), tr("Due"), tr("Status"), tr("% complete")],
        [
            (
                f"{t.code} · {t.title}"
                + (
                    " (" + tr("network-wide task") + ")"
                    if getattr(t, "network_wide", False)
                    else ""
                ),
                t.lead_agency or "",
                tr.date(pd.Timestamp(t.due_date).date()) if pd.notna(t.due_date) else MISSING,
                tr(TASK_STATUS_LABELS.get(t.status, t.status))
                + (" · " + tr("overdue") if t.overdue and t.status != "late" else ""),
                tr.number(t.percent_complete),
            )
            for t in tasks.itertuples()
        ],
        (72, 34, 24, 32, 18),
        ("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
    )


def _city_rows(part: pd.DataFrame, tr: Translator, with_city: bool) -> list[list[str]]:
    rows = []
    for r in part.itertuples():
        d = int(r.decimals)

        def number(value: object, year: object, d: int = d) -> str:
            if pd.isna(value):
                return MISSING
            text = tr.number(float(value), d)  # type: ignore[arg-type]
            return text if pd.isna(year) else f"{text} ({int(year)})"  # type: ignore[call-overload]

        first = r.city_name if with_city else f"{r.indicator_name} ({r.unit})"
        rows.append(
            [
                str(first),
                number(r.base_value, r.base_year),
                number(r.latest_value, r.latest_year),
                number(r.target_value, r.target_year),
                number(r.gap, None),
                tr.number(r.score, 0),
                tr(scoring.STATUS_LABELS[r.status]),
            ]
        )
    return rows


def _area_section(
    pdf: ReportDocument,
    content: ReportContent,
    tr: Translator,
    figs: Charts,
    area: str,
    number: int,
) -> None:
    part = content.progress[content.progress["focus_area"] == area]
    name = str(part["focus_area_name"].iloc[0])
    pdf.add_page()
    pdf.heading(f"{number}. {name}")
    described = content.areas[content.areas["code"] == area]["description"]
    if not described.empty and described.iloc[0]:
        pdf.paragraph(str(described.iloc[0]), 8.5)
    figs.put(pdf, f"area:{area}")
    header = [
        tr("Baseline"),
        tr("Latest"),
        tr("Target"),
        tr("Gap"),
        tr("Score"),
        tr("Status"),
    ]
    widths = (54, 24, 24, 24, 16, 12, 26)
    align = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT")
    if len(content.cities) == 1:
        pdf.table_block(
            [tr("Indicator"), *header],
            _city_rows(part, tr, with_city=False),
            widths,
            align,
            [[None] * 6 + [STATUS_FILLS[s]] for s in part["status"]],
            size=7.5,
        )
        return
    _indicator_summary(pdf, part, tr)
    if len(content.cities) > DETAIL_CITIES:
        pdf.paragraph(
            tr(
                "Every city's baseline, latest value, target, gap, score and status is in "
                "the Excel report (sheet Indicators)."
            ),
            8.5,
        )
        return
    for _indicator, rows in part.groupby("indicator", sort=False):
        first = rows.iloc[0]
        pdf.heading(f"{first['indicator_name']} ({first['unit']})", 3, keep=25)
        pdf.table_block(
            [tr("City"), *header],
            _city_rows(rows, tr, with_city=True),
            widths,
            align,
            [[None] * 6 + [STATUS_FILLS[s]] for s in rows["status"]],
            size=7.5,
        )


def _indicator_summary(pdf: ReportDocument, part: pd.DataFrame, tr: Translator) -> None:
    """Per indicator: target, cities with data, median latest value, cities per status."""
    counts = (
        part.groupby(["indicator", "status"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(scoring.STATUS_ORDER), fill_value=0)
    )
    facts = part.groupby("indicator", sort=False).agg(
        name=("indicator_name", "first"),
        unit=("unit", "first"),
        decimals=("decimals", "first"),
        cities=("city", "nunique"),
        median=("latest_value", "median"),
        target=("target_value", "median"),
    )
    rows = []
    for code, f in facts.iterrows():
        d = int(f["decimals"])
        facts_line = tr(
            "target {target} · median {median} · {cities} cities",
            target=tr.number(f["target"], d),
            median=tr.number(f["median"], d),
            cities=tr.number(int(f["cities"])),
        )
        rows.append(
            [
                f"{f['name']} ({f['unit']})\n{facts_line}",
                *[tr.number(int(counts.loc[code, s])) for s in scoring.STATUS_ORDER],
            ]
        )
    header = [tr("Indicator"), *[tr(scoring.STATUS_LABELS[s]) for s in scoring.STATUS_ORDER]]
    fills: list[list[tuple[int, int, int] | None]] = [
        [None] + [STATUS_FILLS[s] for s in scoring.STATUS_ORDER] for _ in rows
    ]
    pdf.table_block(
        header,
        rows,
        (60, 20, 20, 20, 20, 20, 20),
        ("LEFT", *["RIGHT"] * 6),
        fills,
        size=7,
        heading_size=6.5,
    )


def _tasks_section(
    pdf: ReportDocument, content: ReportContent, tr: Translator, figs: Charts, number: int
) -> None:
    pdf.add_page()
    title = tr("Priority task groups")
    pdf.heading(f"{number}. {title}")
    if content.tasks.empty:
        pdf.paragraph(tr("No tasks recorded yet for the six priority task groups."))
        return
    figs.put(pdf, "groups")
    figs.put(pdf, "group_statuses")
    for group, tasks in content.tasks.groupby("group", sort=False):
        pdf.heading(f"{group} · {tasks['group_name'].iloc[0]}", 3, keep=25)
        _task_table(pdf, tasks, tr, "")


def _annex(pdf: ReportDocument, content: ReportContent, tr: Translator, number: int) -> None:
    pdf.add_page()
    title = tr("Methodology and sources")
    pdf.heading(f"{number}. {title}")
    for title, text in methodology.method_paragraphs(tr):
        pdf.heading(title, 3, keep=15)
        pdf.paragraph(text, 8.5)
    pdf.heading(tr("Values shown"), 3, keep=15)
    pdf.paragraph(values_note(content, tr), 8.5)
    pdf.heading(tr("Indicators and their sources"), 2)
    indicators = content.indicators
    targets = content.targets[content.targets["city"].isna()].drop_duplicates(
        "indicator", keep="last"
    )
    target_source = targets.set_index("indicator")["source"]
    pdf.table_block(
        [
            tr("Code"),
            tr("Indicator"),
            tr("Unit"),
            tr("Source standard"),
            tr("Source of the target"),
        ],
        [
            (
                i.code,
                i.name,
                i.unit,
                i.source_standard or MISSING,
                target_source.get(i.code, MISSING) or MISSING,
            )
            for i in indicators.itertuples()
        ],
        (30, 58, 22, 35, 35),
        size=7,
    )


def report_pdf(content: ReportContent) -> bytes:
    tr = Translator(content.lang)
    figures = build_figures(content, tr)
    images = export_charts(list(figures.values()))
    figs = Charts(figures, dict(zip(figures, images, strict=True)))
    pdf = ReportDocument(
        f"{tr(REPORT_TITLE)} · {content.scope_name}",
        tr("Page"),
        _nfc(tr(DEMO_MARK)) if content.counts_demo else "",
    )
    pdf.set_title(_nfc(f"{tr(REPORT_TITLE)} · {content.scope_name}"))
    pdf.set_creator("mne")
    _cover(pdf, content, tr)
    _summary(pdf, content, tr, figs)
    number = 1
    for area in content.areas["code"]:
        if (content.progress["focus_area"] == area).any():
            _area_section(pdf, content, tr, figs, str(area), number)
            number += 1
    _tasks_section(pdf, content, tr, figs, number)
    _annex(pdf, content, tr, number + 1)
    return bytes(pdf.output())
