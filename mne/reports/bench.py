"""`python -m mne bench report`: a city report and the network report, PDF and Excel, each in
a fresh process on a demo store, against two same-run floors (mne.bench's conventions: a
readable table, then one JSON line with the same figures)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from db.engine import dispose_engines, get_engine
from mne.bench import _timed

REPORT_CITY = "VNHAN"


def _report_step(url: str, scope: str, fmt: str) -> None:
    from mne.reports import make_report

    report = make_report(get_engine(url), scope, fmt, "vi")
    assert report.data, (scope, fmt)


def _floor_one_chart() -> None:
    """kaleido starting its browser and exporting one chart: what any PDF pays at least."""
    import plotly.graph_objects as go

    from mne.reports.chart_images import export_charts

    export_charts([go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2]), layout={"height": 400})])


def _floor_bare_workbook(url: str) -> None:
    """The network's observations written to a bare openpyxl workbook (no styles, one sheet)."""
    from openpyxl import Workbook

    from mne.reports.content import gather, parse_scope

    content = gather(get_engine(url), parse_scope("network"), "vi")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(list(content.observations.columns))
    for row in content.observations.astype(object).itertuples(index=False, name=None):
        sheet.append([None if pd.isna(v) else v for v in row])
    workbook.save(io.BytesIO())


STEPS = [
    ("floor_chart", "floor: kaleido exports one chart", "pdf"),
    ("floor_workbook", "floor: bare openpyxl, network values", "xlsx"),
    ("city_pdf", f"city PDF ({REPORT_CITY})", "pdf"),
    ("network_pdf", "network PDF", "pdf"),
    ("city_xlsx", f"city Excel ({REPORT_CITY})", "xlsx"),
    ("network_xlsx", "network Excel", "xlsx"),
]


def bench_report(rows: int = 0) -> dict[str, Any]:
    """City and network reports on a demo store (35 cities x 37 indicators x 2015-2025); `rows`
    is not used: the demo network is the size of the real one."""
    from mne.store import init_store

    with tempfile.TemporaryDirectory(prefix="mne-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        init_store(get_engine(url), with_demo=True)
        dispose_engines()
        city = f"city:{REPORT_CITY}"
        results = {
            "floor_chart": _timed(_floor_one_chart),
            "floor_workbook": _timed(_floor_bare_workbook, url),
            "city_pdf": _timed(_report_step, url, city, "pdf"),
            "network_pdf": _timed(_report_step, url, "network", "pdf"),
            "city_xlsx": _timed(_report_step, url, city, "xlsx"),
            "network_xlsx": _timed(_report_step, url, "network", "xlsx"),
        }
    floors = {
        "pdf": results["floor_chart"]["seconds"],
        "xlsx": results["floor_workbook"]["seconds"],
    }
    print("report benchmark: demo store (35 cities x 37 indicators, 2015-2025), language vi")
    print(f"{'step':<40}{'seconds':>9}{'x floor':>9}{'peak MB':>9}")
    figures: dict[str, Any] = {"benchmark": "report"}
    for key, label, kind in STEPS:
        result = results[key]
        print(
            f"{label:<40}{result['seconds']:>9.2f}{result['seconds'] / floors[kind]:>9.2f}"
            f"{result['peak_mb']:>9.0f}"
        )
        figures[f"{key}_seconds"] = result["seconds"]
        figures[f"{key}_peak_mb"] = result["peak_mb"]
    print(json.dumps(figures))
    return figures
