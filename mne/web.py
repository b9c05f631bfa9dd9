"""The app's own HTTP layer, next to Streamlit's pages (mounted by server.py through st.App).

- `/signin` (GET the form, POST it): a password sign-in that ends in a real HTTP response
  setting the session cookie (mne.sessions), then back to the page the user asked for.
- `/session?code=…`: exchanges a single-use code (single sign-on ends in a Streamlit page,
  which cannot set a cookie) for the cookie.
- `/healthz`: 200 with the store reachable and migrated to this code's head, else 503.
- `/_mne/base.js`: tells Streamlit's frontend where its server is, so a page opened at a deep
  path (`/city?code=…`) does not first probe `/city/_stcore/health` (a console 404).
- `/_mne/unsaved.js`: warns before values typed in a guarded form are lost (mne/unsaved.js).
- `PageGate`: a browser asking for a page while accounts exist and its session is not live is
  sent to `/signin?next=<the page with its query>`; a page is served as Streamlit's own
  index.html with the language's title and the base script.

Blocking work (the store, Argon2) runs in Starlette's thread pool, never on the event loop.
"""

from __future__ import annotations

import html
import importlib.util
import logging
import os
import re
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from db.engine import get_engine
from db.migrate import current_revision, head_revision
from mne import accounts, failures, sessions, signin
from mne.i18n import LANGUAGES, N_, Translator, normalise_language
from mne.navigation import PAGE_PATHS

log = logging.getLogger(__name__)

SIGNIN_PATH = "/signin"
SESSION_PATH = "/session"
HEALTH_PATH = "/healthz"
BASE_SCRIPT_PATH = "/_mne/base.js"
UNSAVED_SCRIPT_PATH = "/_mne/unsaved.js"
UNSAVED_SCRIPT = Path(__file__).with_name("unsaved.js")
# Streamlit's own page, found without importing Streamlit (mne stays free of the UI).
STREAMLIT_INDEX = (
    Path(str(importlib.util.find_spec("streamlit").origin)).parent / "static" / "index.html"  # type: ignore[union-attr]
)
STATIC_CSS = "/app/static/signin.css"
# The browser tab's title, per language.
APP_TITLE = {
    "vi": "Theo dõi – đánh giá đô thị thông minh",
    "en": "Smart urban M&E",
    "id": "Pemantauan dan evaluasi kota cerdas",
}


# --- Where a browser goes back to --------------------------------------------------------


def safe_next(target: str | None) -> str:
    """`target` when it is a path of this app (with its query), else the Overview: never
    another site (`//evil`, `https://…`, `\\evil`)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def language_of(request: Request, target: str = "") -> str:
    """The language the page asked for (`?lang=` of the request or of the page to go back
    to), else the browser's first of ours, else Vietnamese."""
    asked = (
        request.query_params.get("lang") or parse_qs(urlsplit(target).query).get("lang", [""])[0]
    )
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return normalise_language(None)


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def _with_cookie(response: Response, request: Request, token: str) -> Response:
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=sessions.absolute_hours() * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
    )
    return response


def _without_cookie(response: Response) -> Response:
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


def _user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:300]


# --- The sign-in form --------------------------------------------------------------------

ENDED_NOTICES = {
    "expired": N_("Your session ended after {minutes} minutes without activity. Sign in again."),
    "disabled": N_("Your account was disabled. Ask an administrator."),
    "revoked": N_("You were signed out. Sign in again."),
}


def signin_form(
    lang: str,
    target: str,
    error: str = "",
    notice: str = "",
    name: str = "",
    single_sign_on: bool = False,
) -> str:
    """The sign-in page: plain HTML (no script), in the user's language, naming the system."""
    tr = Translator(lang)
    e = html.escape
    switch = " · ".join(
        f'<a href="{SIGNIN_PATH}?{urlencode({"next": target, "lang": code})}"'
        f"{' aria-current=page' if code == lang else ''}>{e(code.upper())}</a>"
        for code in LANGUAGES
    )
    sso_label = tr("Sign in with single sign-on")
    sso = (
        f'<p><a class="button" href="/sso?{urlencode({"next": target, "lang": lang})}">'
        f"{e(sso_label)}</a></p>"
        if single_sign_on
        else ""
    )
    system = tr("Ministry of Construction · ASEAN Smart Cities Network")
    title, user_name, password = tr("Sign in"), tr("User name"), tr("Password")
    alert = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    info = f'<p class="notice" role="status">{e(notice)}</p>' if notice else ""
    help_text = tr(
        "Forgot your password? An administrator sets a new one on the Accounts page. After {n} "
        "wrong passwords in a row, sign-in from this device is paused for {minutes} minutes.",
        n=signin.MAX_FAILED_SIGN_INS,
        minutes=signin.LOCK_MINUTES,
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · {e(APP_TITLE[lang])}</title>
<link rel="icon" href="/app/static/favicon.png"><link rel="stylesheet" href="{STATIC_CSS}">
</head><body><main>
<nav class="languages">{switch}</nav>
<p class="system">{e(system)}</p>
<h1>{e(APP_TITLE[lang])}</h1>
<h2>{e(title)}</h2>
{info}{alert}{sso}
<form method="post" action="{SIGNIN_PATH}">
<input type="hidden" name="next" value="{e(target)}">
<input type="hidden" name="lang" value="{lang}">
<label for="username">{e(user_name)}</label>
<input id="username" name="username" autocomplete="username" required maxlength="120"
 value="{e(name)}" autofocus>
<label for="password">{e(password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required
 maxlength="1000">
<button type="submit">{e(title)}</button>
</form>
<p class="help">{e(help_text)}</p>
</main></body></html>"""


def _same_origin(request: Request) -> bool:
    """A form posted from this app (or a client that sends no Origin), not from another site."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def client_address(request: Request) -> str:
    """The browser's address: nginx's X-Real-IP when the request comes through a proxy on
    this machine (deploy/nginx sets it), else the peer's own. It scopes the sign-in throttle."""
    peer = request.client.host if request.client else ""
    if peer in ("127.0.0.1", "::1") and request.headers.get("x-real-ip"):
        return request.headers["x-real-ip"][:64]
    return peer


def _authenticate(username: str, password: str, user_agent: str, source: str) -> str:
    """The new session's token; `SignInRefused` when the sign-in is refused."""
    engine = get_engine()
    actor = signin.authenticate(engine, username, password, source=source)
    assert actor.user_id is not None  # an account, not the command line's operator
    return sessions.start(engine, actor.user_id, user_agent)


class SignInForm:
    """The sign-in form's two routes: GET draws it, POST checks it. `single_sign_on` (from
    server.py, which reads Streamlit's secrets) says whether it offers the identity provider."""

    def __init__(self, single_sign_on: bool = False) -> None:
        self.single_sign_on = single_sign_on

    def answer(
        self, lang: str, target: str, status: int = 200, error: str = "", **shown: str
    ) -> Response:
        page = signin_form(lang, target, error, single_sign_on=self.single_sign_on, **shown)
        return HTMLResponse(page, status_code=status, headers=_NO_STORE)

    async def page(self, request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        lang = language_of(request, target)
        ended = request.query_params.get("ended", "")
        notice = ""
        if ended in ENDED_NOTICES:
            notice = Translator(lang)(ENDED_NOTICES[ended], minutes=sessions.idle_minutes())
        return self.answer(lang, target, notice=notice)

    async def submit(self, request: Request) -> Response:
        form = await request.form()
        target = safe_next(str(form.get("next", "")))
        lang = normalise_language(str(form.get("lang", "")) or language_of(request, target))
        username = str(form.get("username", ""))[:120]
        password = str(form.get("password", ""))[:1000]
        tr = Translator(lang)
        if not _same_origin(request):
            return self.answer(lang, target, 403, tr(N_("This form must be sent from this site.")))
        try:
            token = await run_in_threadpool(
                _authenticate, username, password, _user_agent(request), client_address(request)
            )
        except signin.SignInRefused as refused:
            return self.answer(lang, target, 401, refused.message(tr), name=username)
        except Exception as failure:  # the store full, read-only, down or busy: said, not a 500
            message, _reference = failures.explain(failure, tr)
            return self.answer(lang, target, 503, message, name=username)
        redirect = RedirectResponse(_in_language(target, lang), status_code=303)
        return _with_cookie(redirect, request, token)


def _in_language(target: str, lang: str) -> str:
    """The page to go back to, in the language the form was in unless it names its own."""
    parts = urlsplit(target)
    if "lang" in parse_qs(parts.query):
        return target
    return f"{parts.path}?{parts.query + '&' if parts.query else ''}lang={lang}"


async def session_exchange(request: Request) -> Response:
    """Single sign-on's last step: a single-use code for the cookie, then the page."""
    target = safe_next(request.query_params.get("next"))
    code = request.query_params.get("code", "")
    token = await run_in_threadpool(
        sessions.redeem_code, get_engine(), code[:100], _user_agent(request)
    )
    if token is None:
        query = urlencode({"next": target, "ended": "revoked"})
        return RedirectResponse(f"{SIGNIN_PATH}?{query}", status_code=303)
    return _with_cookie(RedirectResponse(target, status_code=303), request, token)


# --- Health ------------------------------------------------------------------------------


def store_health() -> tuple[bool, dict[str, Any]]:
    """Whether the store answers and is migrated to this code's newest migration."""
    head = head_revision()
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            current = current_revision(conn)
    except Exception as error:  # any failure to reach the store is "unhealthy", said why
        log.warning("health check: the store does not answer: %s", error)
        return False, {"status": "store unreachable", "migration_expected": head}
    body = {"migration": current, "migration_expected": head}
    if current != head:
        return False, {"status": "store not migrated", **body}
    return True, {"status": "ok", **body}


async def healthz(request: Request) -> Response:
    healthy, body = await run_in_threadpool(store_health)
    return JSONResponse(body, status_code=200 if healthy else 503, headers=_NO_STORE)


# --- Pages -------------------------------------------------------------------------------

_NO_STORE = {"Cache-Control": "no-store"}


async def base_script(request: Request) -> Response:
    script = (
        "// Where the Streamlit server is: this origin, whatever page path the browser opened.\n"
        "window.__streamlit = Object.assign(window.__streamlit || {}, "
        "{BACKEND_BASE_URL: window.location.origin + '/'});\n"
        "// Streamlit's index.html sets this inline; here, so the policy allows no inline script.\n"
        "window.prerenderReady = false;\n"
    )
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


async def unsaved_script(request: Request) -> Response:
    return Response(
        UNSAVED_SCRIPT.read_text(encoding="utf-8"),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@cache
def _index_template() -> str:
    """Streamlit's index.html with the base and unsaved-values scripts before its module and
    a title slot."""
    page = STREAMLIT_INDEX.read_text(encoding="utf-8")
    page = page.replace("<title>Streamlit</title>", "<title>{title}</title>", 1)
    page = page.replace('<html lang="en">', '<html lang="{lang}">', 1)
    page = re.sub(r"<script>\s*window\.prerenderReady = false\s*</script>", "", page, count=1)
    assert "<script>" not in page, "Streamlit's index.html has a new inline script"
    return page.replace(
        '<script type="module"',
        f'<script src="{BASE_SCRIPT_PATH}"></script>\n'
        f'    <script src="{UNSAVED_SCRIPT_PATH}"></script>\n    <script type="module"',
        1,
    )


def index_page(lang: str) -> str:
    return (
        _index_template()
        .replace("{title}", html.escape(APP_TITLE[lang]), 1)
        .replace("{lang}", lang, 1)
    )


def page_path(path: str) -> bool:
    """Whether `path` is one of the dashboard's pages (with or without a trailing slash)."""
    return path.startswith("/") and path.strip("/") in PAGE_PATHS


def gate(token: str | None) -> sessions.Check | None:
    """None when the page may be served (demo mode, or a live session); else the check that
    says why the browser must sign in first."""
    engine = get_engine()
    if not accounts.has_accounts(engine):
        return None
    checked = sessions.check(engine, token)
    return None if checked.user_id is not None else checked


# Which app server answered (set by scripts/serve.sh): for a ministry's IT behind a balancer.
SERVER_NAME = os.environ.get("MNE_SERVER_NAME", "")


class PageGate(BaseHTTPMiddleware):
    """Pages are served only to a live session once accounts exist; everyone else signs in
    first and comes back to the page they opened, with its query."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await self._answer(request, call_next)
        if SERVER_NAME:
            response.headers["X-MNE-Server"] = SERVER_NAME
        return response

    async def _answer(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method not in ("GET", "HEAD") or not page_path(request.url.path):
            return await call_next(request)
        token = request.cookies.get(sessions.COOKIE_NAME)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            refused = await run_in_threadpool(gate, token)
        except Exception:  # the store is down: Streamlit's page says so in the user's words
            log.exception("the page gate could not read the store")
            return await call_next(request)
        if refused is not None:
            query = {"next": target}
            if refused.ended in ENDED_NOTICES:
                query["ended"] = str(refused.ended)
            response = RedirectResponse(f"{SIGNIN_PATH}?{urlencode(query)}", status_code=303)
            return _without_cookie(response) if token else response
        lang = language_of(request)
        return HTMLResponse(index_page(lang), headers={"Cache-Control": "no-cache"})


# --- The browser's policy ------------------------------------------------------------------
#
# The second wall behind escaping: only this origin may provide scripts, styles, images, fonts
# and connections (Streamlit's styles are inline, its images and plotly's downloads data: and
# blob: URLs). A violation is reported to CSP_REPORT_PATH and logged.

CSP_REPORT_PATH = "/_mne/csp-report"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",  # Streamlit's protobuf decoder is WebAssembly
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
        f"report-uri {CSP_REPORT_PATH}",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}
MAX_REPORT_BYTES = 16_384


class SecurityHeaders:
    """Every HTTP response, Streamlit's and the app's own, carries SECURITY_HEADERS (pure ASGI,
    so streamed responses stream and the WebSocket passes untouched)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() not in _SECURITY_HEADER_NAMES
                ]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


_SECURITY_HEADER_NAMES = frozenset(name.lower() for name in SECURITY_HEADERS)


async def csp_report(request: Request) -> Response:
    """A browser reports what the policy blocked: logged, so a violation is never silent."""
    body = (await request.body())[:MAX_REPORT_BYTES]
    log.warning("content security policy violation: %s", body.decode("utf-8", "replace"))
    return Response(status_code=204)


def routes(single_sign_on: bool = False) -> list[Route]:
    form = SignInForm(single_sign_on)
    return [
        Route(SIGNIN_PATH, form.page, methods=["GET"]),
        Route(SIGNIN_PATH, form.submit, methods=["POST"]),
        Route(SESSION_PATH, session_exchange, methods=["GET"]),
        Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"]),
        Route(BASE_SCRIPT_PATH, base_script, methods=["GET"]),
        Route(UNSAVED_SCRIPT_PATH, unsaved_script, methods=["GET"]),
        Route(CSP_REPORT_PATH, csp_report, methods=["POST"]),
    ]


def signin_url(target: str, ended: str = "") -> str:
    """The sign-in page that brings the browser back to `target` (a path with its query)."""
    query = {"next": safe_next(target)}
    if ended:
        query["ended"] = ended
    return f"{SIGNIN_PATH}?{urlencode(query, quote_via=quote)}"
