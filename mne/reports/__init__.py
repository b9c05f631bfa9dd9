"""Reports staff send on: PDF, Excel and CSV, in vi, en or id, for the network, a country, a
city or a priority task group (see content.py for what each holds).

`make_report` is the one entry point of the Reports page, the command line and the benchmark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from mne.reports.content import (
    ExportFailed,
    ReportContent,
    ReportError,
    Scope,
    gather,
    parse_scope,
)

FORMATS = ("pdf", "xlsx", "csv")
MIME_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}

__all__ = [
    "FORMATS",
    "MIME_TYPES",
    "ExportFailed",
    "Report",
    "ReportContent",
    "ReportError",
    "Scope",
    "file_name",
    "gather",
    "make_report",
    "parse_scope",
    "render",
]


@dataclass(frozen=True)
class Report:
    data: bytes
    file_name: str
    mime: str
    content: ReportContent


def file_name(content: ReportContent, fmt: str) -> str:
    """mne-report-city-VNHAN-vi-2026-11-24.pdf (…-demo.pdf when it counts demo data)"""
    demo = "-demo" if content.counts_demo else ""
    made = content.generated.isoformat()
    return f"mne-report-{content.scope.slug}-{content.lang}-{made}{demo}.{fmt}"


def render(content: ReportContent, fmt: str, bom: bool = True) -> bytes:
    """The gathered content written as `fmt` (pdf, xlsx or csv)."""
    if fmt == "pdf":
        from mne.reports.pdf import report_pdf

        return report_pdf(content)
    if fmt == "xlsx":
        from mne.reports.xlsx import report_xlsx

        return report_xlsx(content)
    if fmt == "csv":
        from mne.reports.csv import report_csv

        return report_csv(content, bom=bom)
    raise ValueError(f"unknown report format {fmt!r}")


def make_report(
    engine: Engine,
    scope: Scope | str,
    fmt: str,
    lang: str,
    include_submitted: bool = False,
    first_year: int | None = None,
    last_year: int | None = None,
    bom: bool = True,
    today: dt.date | None = None,
) -> Report:
    """Gather the scope's content (its values through StoreView(engine, include_submitted))
    and write it."""
    chosen = parse_scope(scope) if isinstance(scope, str) else scope
    content = gather(engine, chosen, lang, include_submitted, first_year, last_year, today)
    return Report(render(content, fmt, bom), file_name(content, fmt), MIME_TYPES[fmt], content)
