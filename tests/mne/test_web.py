"""The app's own HTTP routes (mne.web) through Starlette's test client: the sign-in form, its
cookie, the page gate and /healthz, on both stores."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from db.migrate import downgrade
from mne import accounts, audit, sessions, signin, web
from mne.access import operator
from mne.i18n import Translator

PASSWORD = "a long test password"


def _streamlit_stand_in(request: object) -> PlainTextResponse:
    return PlainTextResponse("streamlit")


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The own routes and the page gate in front of a stand-in for Streamlit's catch-all."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    accounts.create_user(engine, operator(), "analyst.w", PASSWORD, "analyst", "Analyst W")
    app = Starlette(
        routes=[*web.routes(), Route("/{path:path}", _streamlit_stand_in)],
        middleware=[Middleware(web.SecurityHeaders), Middleware(web.PageGate)],
    )
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def _sign_in(client: TestClient, password: str = PASSWORD, **form: str) -> object:
    return client.post(
        "/signin",
        data={"username": "analyst.w", "password": password, **form},
        headers={"origin": "http://testserver"},
    )


@pytest.mark.parametrize("lang", ["vi", "en", "id"])
def test_the_sign_in_form_names_the_system_in_the_language_of_the_page_asked_for(
    client: TestClient, lang: str
) -> None:
    tr = Translator(lang)
    page = client.get("/signin", params={"next": f"/city?code=VNDAD&lang={lang}"})
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert html.escape(web.APP_TITLE[lang]) in page.text and tr("Sign in") in page.text
    assert tr("User name") in page.text and "<script" not in page.text
    assert 'value="/city?code=VNDAD&amp;lang=' + lang + '"' in page.text


def test_a_right_password_sets_an_http_only_same_site_cookie_and_goes_back_to_the_page(
    client: TestClient, engine: Engine
) -> None:
    answer = _sign_in(client, next="/city?code=VNDAD&lang=en", lang="en")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/city?code=VNDAD&lang=en"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind TLS, see the next test
    token = cookie.split(";")[0].split("=", 1)[1]
    actor = accounts.load_actor_by_name(engine, "analyst.w")
    assert actor is not None and sessions.check(engine, token).user_id == actor.user_id
    assert client.get("/city?code=VNDAD&lang=en").text != "streamlit"  # the app's page


def test_the_cookie_is_secure_behind_https(client: TestClient) -> None:
    answer = client.post(
        "/signin",
        data={"username": "analyst.w", "password": PASSWORD},
        headers={"origin": "http://testserver", "x-forwarded-proto": "https"},
    )
    assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_shows_the_form_again_with_why_and_is_audited(
    client: TestClient, engine: Engine
) -> None:
    answer = _sign_in(client, password="wrong password!", lang="en")
    assert answer.status_code == 401
    refused = Translator("en")(
        signin.REFUSED, n=signin.MAX_FAILED_SIGN_INS, minutes=signin.LOCK_MINUTES
    )
    assert refused in answer.text
    assert "set-cookie" not in answer.headers
    log = audit.audit_frame(engine, audit.AuditFilter(user="analyst.w"))
    assert log["action"].tolist() == ["sign_in.failed"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_after_sign_in_the_browser_never_leaves_the_app(client: TestClient, target: str) -> None:
    location = urlsplit(_sign_in(client, next=target, lang="en").headers["location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", "/")
    assert location.query == "lang=en"  # the form's language carries on


def test_a_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/signin",
        data={"username": "analyst.w", "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_a_signed_out_deep_link_goes_to_the_form_and_comes_back_with_its_query(
    client: TestClient,
) -> None:
    answer = client.get("/city?code=VNDAD&lang=en")
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/signin"
    assert parse_qs(location.query)["next"] == ["/city?code=VNDAD&lang=en"]
    # Not pages: Streamlit's own routes and files pass untouched.
    assert client.get("/_stcore/health").text == "streamlit"
    assert client.get("/static/js/x.js").text == "streamlit"


def test_a_page_is_served_with_its_language_title_and_the_base_script(
    client: TestClient,
) -> None:
    _sign_in(client)
    page = client.get("/explorer?lang=id")
    assert page.status_code == 200
    assert f"<title>{html.escape(web.APP_TITLE['id'])}</title>" in page.text
    assert f'<script src="{web.BASE_SCRIPT_PATH}"></script>' in page.text
    assert "BACKEND_BASE_URL" in client.get(web.BASE_SCRIPT_PATH).text


def test_a_stale_cookie_is_dropped_on_the_way_to_the_form(
    client: TestClient, engine: Engine
) -> None:
    client.cookies.set(sessions.COOKIE_NAME, "forged-token")
    answer = client.get("/tasks")
    assert answer.status_code == 303
    assert f'{sessions.COOKIE_NAME}=""' in answer.headers["set-cookie"]
    refused = audit.audit_frame(engine, audit.AuditFilter(actions=("session.refused",)))
    assert [json.loads(a) for a in refused["after"]] == [{"reason": "unknown"}]


def test_an_expired_session_says_why_on_the_form(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    actor = accounts.load_actor_by_name(engine, "analyst.w")
    assert actor is not None and actor.user_id is not None
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=sessions.idle_minutes() + 1)
    client.cookies.set(sessions.COOKIE_NAME, sessions.start(engine, actor.user_id, now=old))
    location = client.get("/?lang=en").headers["location"]
    assert parse_qs(urlsplit(location).query)["ended"] == ["expired"]
    form = client.get(location)
    assert "without activity" in form.text


def test_health_is_ok_on_a_migrated_store_and_503_on_one_behind(
    client: TestClient, engine: Engine
) -> None:
    healthy = client.get("/healthz")
    assert healthy.status_code == 200 and healthy.json()["status"] == "ok"
    with engine.begin() as conn:
        downgrade(conn, "0006")
    behind = client.get("/healthz")
    assert behind.status_code == 503
    assert behind.json() == {
        "status": "store not migrated",
        "migration": "0006",
        "migration_expected": healthy.json()["migration_expected"],
    }


def test_health_is_503_when_the_store_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:x@127.0.0.1:9/none")
    app = Starlette(routes=web.routes())
    with TestClient(app) as test_client:
        answer = test_client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["status"] == "store unreachable"


def test_the_demo_mode_serves_pages_without_sign_in(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM app_user")).scalar() == 0
    app = Starlette(
        routes=[*web.routes(), Route("/{path:path}", _streamlit_stand_in)],
        middleware=[Middleware(web.PageGate)],
    )
    with TestClient(app, follow_redirects=False) as test_client:
        assert test_client.get("/city").status_code == 200


def test_every_response_carries_the_browser_policy(client: TestClient) -> None:
    """A page, a static file, a JSON route and a redirect: each says only this origin may
    provide scripts, styles, images, fonts and connections, and must not be framed elsewhere."""
    _sign_in(client)
    for path in ("/city?lang=en", "/app/static/favicon.png", "/healthz", "/signin"):
        headers = client.get(path).headers
        policy = dict(
            part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";")
        )
        assert policy["script-src"].split() == ["'self'", "'wasm-unsafe-eval'"], path
        assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'self'"
        assert "'unsafe-inline'" not in policy["script-src"] and "*" not in str(policy)
        assert policy["report-uri"] == web.CSP_REPORT_PATH
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    signed_out = TestClient(client.app, follow_redirects=False).get("/tasks")
    assert signed_out.status_code == 303 and "content-security-policy" in signed_out.headers


def test_a_policy_violation_is_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    report = {
        "csp-report": {"blocked-uri": "http://10.0.0.1/x.png", "violated-directive": "img-src"}
    }
    answer = client.post(web.CSP_REPORT_PATH, content=json.dumps(report))
    assert answer.status_code == 204
    assert "http://10.0.0.1/x.png" in caplog.text and "violation" in caplog.text
