"""Reports: PDF, Excel and CSV exports (being built for issue 6)."""

from __future__ import annotations

import streamlit as st

from pages import _ui as ui

tr = ui.translator()
st.title(tr("Reports"))
