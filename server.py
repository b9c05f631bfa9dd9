"""The dashboard's ASGI app: Streamlit's pages (app.py) with the app's own HTTP routes and
middleware (mne.web): the sign-in form that sets the session cookie, /healthz, and the page
gate that sends a signed-out browser to sign in and back to the page it opened.

Start one app server with `scripts/serve.sh PORT` (which runs `streamlit run server.py`);
`uvicorn server:app` works too.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from mne import web

app = st.App(
    "app.py",
    routes=web.routes(),
    middleware=[Middleware(web.SecurityHeaders), Middleware(web.PageGate)],
)
