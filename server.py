"""The dashboard's ASGI app: Streamlit's pages (app.py) with the app's own HTTP routes and
middleware (mne.web): the sign-in form that sets the session cookie, /healthz, the browser's
security policy, and the page gate that sends a signed-out browser to sign in and back to the
page it opened.

Start one app server with `scripts/serve.sh PORT` (which runs `streamlit run server.py`);
`uvicorn server:app` works too.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

from mne import api, failures, web
from mne.i18n import Translator, normalise_language

# The pages/ folder (a name the brief fixes) would start Streamlit in its old multipage mode,
# listing every file of the folder until app.py's st.navigation first runs. app.py always
# navigates, so say so before Streamlit looks at the folder.
PagesManager.uses_pages_directory = False
# Import what every page run imports once, here, before two browsers' first runs import it at
# the same moment in two threads (Python's import locks then hand one of them a half-made module).
import pages._ui  # noqa: E402, F401


def show_failure(error: Exception) -> bool:
    """A page run failed (the store full, read-only, down or busy, or a bug): say so in the
    user's language, that nothing was half-saved, and what to do; never Streamlit's generic
    error page. The full error goes to the log under the reference shown."""
    lang = normalise_language(str(st.session_state.get("lang", "")))
    message, _reference = failures.explain(error, Translator(lang))
    st.error(message, icon=":material/error:")
    return True  # Streamlit shows no traceback of its own


def single_sign_on_configured() -> bool:
    """Streamlit's st.login is set up: .streamlit/secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or a malformed one: password sign-in still works
        return False


app = st.App(
    "app.py",
    routes=[*web.routes(single_sign_on=single_sign_on_configured()), *api.routes()],
    middleware=[Middleware(web.SecurityHeaders), Middleware(web.PageGate)],
    on_script_error=show_failure,
)
