"""The CSV report: the long observations with codes and names, headers in the report's
language; UTF-8, with a byte-order mark on request so Excel reads the diacritics right."""

from __future__ import annotations

import csv
import io

from mne.i18n import Translator
from mne.reports.cells import neutralise_formulas
from mne.reports.content import DEMO_NOTICE, ReportContent
from mne.reports.tables import observations_frame


def report_csv(content: ReportContent, bom: bool = True) -> bytes:
    """Values as plain numbers (a dot for the decimal mark), whatever the language. When the
    values are demo data, a first line says so (the upload skips such title lines)."""
    tr = Translator(content.lang)
    frame = neutralise_formulas(observations_frame(content, tr))
    buffer = io.StringIO()
    if content.counts_demo:
        csv.writer(buffer, lineterminator="\n").writerow([tr(DEMO_NOTICE)])
    frame.to_csv(buffer, index=False, date_format="%Y-%m-%d %H:%M:%S")
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
