"""Run one page of the app with Streamlit's AppTest against a store, twice, and print JSON:
the cold run (empty caches, fresh process), the warm run (caches filled), and the bytes of
every element the page sends to the browser. Used by `python -m mne bench dashboard`, which
keeps Streamlit out of mne/ by running this file in a subprocess."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def payload_bytes(node: object) -> int:
    """Serialised size of an element tree: what the server sends for the page."""
    total = 0
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ByteSize"):
        total += proto.ByteSize()
    children = getattr(node, "children", None) or {}
    for child in children.values() if isinstance(children, dict) else children:
        total += payload_bytes(child)
    return total


def main(page: str) -> None:
    logging.disable(logging.WARNING)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.session_state["lang"] = "en"
    # A light page first, so that the cold figure is the page's own work (its reads and
    # figures with empty caches), not the interpreter importing pandas and plotly.
    app.switch_page("pages/upload.py")
    app.run()
    st.cache_data.clear()
    app.switch_page(f"pages/{page}")
    start = time.perf_counter()
    app.run()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    app.run()
    warm = time.perf_counter() - start
    errors = [str(e.value) for e in app.exception]
    print(
        json.dumps(
            {
                "page": page,
                "cold_seconds": round(cold, 2),
                "warm_seconds": round(warm, 3),
                "payload_kb": round(payload_bytes(app._tree) / 1024, 1),
                "errors": errors,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
