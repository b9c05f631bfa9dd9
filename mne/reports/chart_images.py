"""A report's charts as PNG images: plotly figures exported by kaleido, all of them in one
Chromium started for the report and stopped after its last chart; maps draw their boundaries
from static/topojson (no network)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from mne.reports.content import ExportFailed

ROOT = Path(__file__).resolve().parent.parent.parent
TOPOJSON_DIR = ROOT / "static" / "topojson"
CHART_WIDTH_PX = 900
CHART_SCALE = 2

# One report exports its charts at a time in a process: the Chromium kaleido drives is
# started for a report and stopped after its last chart.
_EXPORT_LOCK = threading.Lock()
log = logging.getLogger(__name__)


def topojson_url() -> str:
    """static/topojson as a file:// URL, where plotly's geo reads its boundaries offline."""
    return TOPOJSON_DIR.resolve().as_uri() + "/"


async def _export_all(figures: Sequence[go.Figure]) -> list[bytes]:
    import kaleido

    images = []
    async with kaleido.Kaleido(n=1) as browser:
        for figure in figures:
            height = int(figure.layout.height or 450)
            image = await browser.calc_fig(
                figure,
                opts={
                    "format": "png",
                    "width": CHART_WIDTH_PX,
                    "height": height,
                    "scale": CHART_SCALE,
                },
                topojson=topojson_url(),
            )
            images.append(bytes(image))
    return images


def export_charts(figures: Sequence[go.Figure]) -> list[bytes]:
    """PNG images of `figures`, drawn by plotly's exporter in one browser started for them.

    kaleido's own `start_sync_server` keeps one browser too, but a browser that fails to start
    leaves its callers waiting forever; here its error comes back as ExportFailed."""
    if not figures:
        return []
    with _EXPORT_LOCK:
        try:
            return asyncio.run(_export_all(figures))
        except Exception:
            # On a loaded machine kaleido can ask its page to draw before the page's own
            # script has loaded ("kaleido_scopes is not defined"): a new browser, once.
            log.warning("chart export failed; trying once more in a new browser", exc_info=True)
        try:
            return asyncio.run(_export_all(figures))
        except Exception as error:  # the browser or the exporter: say so, never a traceback
            raise ExportFailed(type(error).__name__) from error
