"""The HTTP API (mne.api) and its tokens (mne.api_tokens) through a real server: uvicorn on
127.0.0.1 serving the app's own routes, the API and the page gate, on both stores.
Expectations are read from the store (mne.intake.batches.values_frame), not from demo data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from db import models as m
from mne import api, api_tokens, cli, intake, web
from mne.access import operator
from mne.accounts import create_user, load_actor_by_name
from mne.i18n import Translator
from mne.intake.batches import values_frame

PASSWORD = "a long test password"
APPROVED = """city,indicator,period,value
VNHAN,CS_BROADBAND_HH,2022,40
VNHAN,CS_BROADBAND_HH,2023,45
VNSGN,CS_BROADBAND_HH,2023,50
VNSGN,CS_EGOV_ONLINE,2021,30
THBKK,CS_EGOV_ONLINE,2024,70
"""
SUBMITTED = """city,indicator,period,value
VNHAN,CS_EGOV_ONLINE,2024,61
"""


def _stand_in(request: object) -> PlainTextResponse:
    return PlainTextResponse("streamlit")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Api:
    url: str
    engine: Engine
    tokens: dict[str, str]

    def get(self, path: str, token: str | None = "", **kwargs: object) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.get(self.url + path, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]

    def post(
        self, path: str, token: str, content: bytes, lang: str = "en", **kwargs: object
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": lang}
        return httpx.post(self.url + path, headers=headers, content=content, timeout=60, **kwargs)  # type: ignore[arg-type]


def _import(engine: Engine, text: str, user: str) -> None:
    actor = load_actor_by_name(engine, user)
    assert actor is not None
    preview = intake.check(engine, text.encode(), f"{user}.csv", Translator("en"), actor=actor)
    assert intake.commit_preview(engine, preview, actor)["status"] == "committed"


def serve(app: Starlette) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def served(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """A store with one account per role, values approved (an analyst's) and submitted (a
    focal point's), a token per account, and the app's routes served on 127.0.0.1."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("MNE_OPEN_DATA", raising=False)
    accounts = {
        "admin.api": ("admin", ()),
        "analyst.api": ("analyst", ()),
        "focal.api": ("focal_point", ("VNHAN",)),
        "viewer.api": ("viewer", ()),
    }
    for name, (role, cities) in accounts.items():
        create_user(engine, operator(), name, PASSWORD, role, name, cities)
    _import(engine, APPROVED, "analyst.api")
    _import(engine, SUBMITTED, "focal.api")
    tokens = {
        name: api_tokens.add(engine, operator(), name, "tests", "read+import")[1]
        for name in accounts
    }
    tokens["viewer.read"] = api_tokens.add(engine, operator(), "viewer.api", "r", "read")[1]
    tokens["focal.read"] = api_tokens.add(engine, operator(), "focal.api", "r", "read")[1]
    app = Starlette(
        routes=[*web.routes(), *api.routes(), Route("/{path:path}", _stand_in)],
        middleware=[Middleware(web.SecurityHeaders), Middleware(web.PageGate)],
    )
    for url in serve(app):
        yield Api(url, engine, tokens)


def _stored(engine: Engine, statuses: tuple[str, ...] = ("approved",)) -> set[tuple]:
    frame = values_frame(engine)
    frame = frame[frame["status"].isin(statuses)]
    return {(r.city, r.indicator, r.period, float(r.value)) for r in frame.itertuples()}


def _keys(rows: list[dict]) -> set[tuple]:
    return {(r["city"], r["indicator"], r["period"], float(r["value"])) for r in rows}


def _audit_actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(m.AuditLog.action).order_by(m.AuditLog.id)).scalars())


# --- Tokens -----------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_acts_as_its_account(engine: Engine) -> None:
    create_user(engine, operator(), "viewer.t", PASSWORD, "viewer")
    token_id, token = api_tokens.add(engine, operator(), "viewer.t", "partner", "read", 30)
    with engine.connect() as conn:
        stored = conn.execute(select(m.ApiToken.token_hash, m.ApiToken.scope)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    checked = api_tokens.check(engine, token)
    assert checked.actor is not None and checked.actor.username == "viewer.t"
    assert checked.scope == "read" and not checked.may_import()
    assert "api_token.create" in _audit_actions(engine)
    assert api_tokens.revoke(engine, operator(), token_id)
    assert api_tokens.check(engine, token).refused == "revoked"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    _, other = api_tokens.add(engine, operator(), "viewer.t", "partner", "read", 30)
    assert api_tokens.check(engine, other, now=later).refused == "expired"
    actions = _audit_actions(engine)
    assert "api_token.revoke" in actions and actions.count("api_token.refused") == 2


def test_only_an_administrator_makes_tokens_and_the_refusal_is_audited(engine: Engine) -> None:
    from mne.access import Refused

    create_user(engine, operator(), "analyst.t", PASSWORD, "analyst")
    analyst = load_actor_by_name(engine, "analyst.t")
    assert analyst is not None
    with pytest.raises(Refused):
        api_tokens.add(engine, analyst, "analyst.t", "mine")
    assert "manage_users.denied" in _audit_actions(engine)


def test_token_add_prints_the_token_alone_on_its_last_line(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    create_user(engine, operator(), "viewer.c", PASSWORD, "viewer")
    assert cli.main(["token", "add", "viewer.c", "--name", "partner", "--days", "10"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith(api_tokens.PREFIX) and " " not in token
    checked = api_tokens.check(engine, token)
    assert checked.actor is not None and checked.actor.username == "viewer.c"
    assert cli.main(["token", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["username"] for t in listed] == ["viewer.c"] and token not in json.dumps(listed)
    assert cli.main(["token", "revoke", str(listed[0]["id"])]) == 0
    assert api_tokens.check(engine, token).refused == "revoked"
    assert cli.main(["token", "revoke", str(listed[0]["id"])]) == 1


# --- Reads ------------------------------------------------------------------------------------


def test_reads_without_a_token_get_401_unless_open_data(
    served: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in ("/api/v1/catalog", "/api/v1/values", "/api/v1/progress", "/api/v1/tasks"):
        answer = served.get(path, None, headers={"Accept-Language": "vi"})
        assert answer.status_code == 401, path
        error = answer.json()["error"]
        assert error["code"] == "unauthorized"
        assert error["message"] == Translator("vi")(api.MESSAGES["unauthorized"])
    monkeypatch.setenv("MNE_OPEN_DATA", "1")
    answer = served.get("/api/v1/values", None)
    assert answer.status_code == 200
    assert _keys(answer.json()["data"]) == _stored(served.engine)  # approved only
    assert served.get("/api/v1/values?status=all", None).status_code == 403


def test_a_revoked_an_expired_or_a_made_up_token_gets_401(served: Api) -> None:
    engine = served.engine
    token_id, token = api_tokens.add(engine, operator(), "viewer.api", "soon", "read", 1)
    assert served.get("/api/v1/values", token).status_code == 200
    api_tokens.revoke(engine, operator(), token_id)
    answer = served.get("/api/v1/values", token, headers={"Accept-Language": "en"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_token"
    assert "revoked" in answer.json()["error"]["message"]
    _, expiring = api_tokens.add(engine, operator(), "viewer.api", "past", "read", 1)
    with engine.begin() as conn:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        conn.execute(
            m.table(m.ApiToken).update().where(m.ApiToken.name == "past").values(expires_at=past)
        )
    assert served.get("/api/v1/values", expiring).status_code == 401
    assert served.get("/api/v1/values", "mne_made_up").status_code == 401
    assert _audit_actions(engine).count("api_token.refused") >= 3


def test_a_token_in_the_query_is_refused_even_a_good_one(served: Api) -> None:
    token = served.tokens["viewer.api"]
    answer = served.get(f"/api/v1/values?access_token={token}", None)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "token_in_query"
    answer = served.get(f"/api/v1/values?token={token}", token)
    assert answer.status_code == 400


def test_values_filter_by_city_indicator_country_and_years(served: Api) -> None:
    token = served.tokens["viewer.api"]
    approved = _stored(served.engine)
    cases = {
        "city=VNHAN": {k for k in approved if k[0] == "VNHAN"},
        "city=VNHAN,THBKK": {k for k in approved if k[0] in ("VNHAN", "THBKK")},
        "indicator=CS_EGOV_ONLINE": {k for k in approved if k[1] == "CS_EGOV_ONLINE"},
        "country=TH": {k for k in approved if k[0].startswith("TH")},
        "from=2023": {k for k in approved if int(k[2][:4]) >= 2023},
        "from=2022&to=2023": {k for k in approved if 2022 <= int(k[2][:4]) <= 2023},
        "city=VNSGN&indicator=CS_BROADBAND_HH": {
            k for k in approved if k[:2] == ("VNSGN", "CS_BROADBAND_HH")
        },
    }
    for query, expected in cases.items():
        answer = served.get(f"/api/v1/values?{query}", token)
        assert answer.status_code == 200, query
        assert _keys(answer.json()["data"]) == expected, query
        assert expected, query  # each case selects something


def test_values_pages_follow_the_cursor_and_the_page_size_is_capped(served: Api) -> None:
    token = served.tokens["analyst.api"]
    seen: list[dict] = []
    cursor = ""
    pages = 0
    while True:
        answer = served.get(f"/api/v1/values?limit=2&cursor={cursor}", token).json()
        assert len(answer["data"]) <= 2
        seen += answer["data"]
        pages += 1
        if answer["next_cursor"] is None:
            break
        cursor = answer["next_cursor"]
    assert len(seen) == len(_keys(seen)) and _keys(seen) == _stored(served.engine)
    assert pages == 3
    capped = served.get(f"/api/v1/values?limit={api.MAX_PAGE * 10}", token).json()
    assert capped["limit"] == api.MAX_PAGE


def test_values_as_csv_are_the_same_rows(served: Api) -> None:
    answer = served.get("/api/v1/values?format=csv&status=all", served.tokens["analyst.api"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0]) == api.VALUE_COLUMNS
    assert _keys(rows) == _stored(served.engine, ("approved", "submitted"))


def test_submitted_values_stay_hidden_from_tokens_that_may_not_see_them(served: Api) -> None:
    engine = served.engine
    submitted = _stored(engine, ("submitted",))
    assert submitted  # the focal point's upload waits for approval
    viewer = served.tokens["viewer.api"]
    default = served.get("/api/v1/values", viewer).json()["data"]
    assert not _keys(default) & submitted
    for status in ("submitted", "all"):
        answer = served.get(f"/api/v1/values?status={status}", viewer)
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "forbidden_submitted"
    assert served.get("/api/v1/progress?status=all", viewer).status_code == 403
    analyst = served.get("/api/v1/values?status=submitted", served.tokens["analyst.api"])
    assert _keys(analyst.json()["data"]) == submitted
    focal = served.get("/api/v1/values?status=submitted", served.tokens["focal.read"])
    assert _keys(focal.json()["data"]) == submitted  # its own city's
    assert "api.read_submitted.denied" in _audit_actions(engine)


def test_bad_parameters_are_json_errors_in_the_callers_language(served: Api) -> None:
    token = served.tokens["viewer.api"]
    for query, code in (
        ("city=XXNOPE", "unknown_code"),
        ("indicator=NOPE", "unknown_code"),
        ("from=last", "bad_parameter"),
        ("limit=-3", "bad_parameter"),
        ("status=draft", "bad_parameter"),
        ("format=xml", "bad_parameter"),
    ):
        for lang in ("vi", "en", "id"):
            answer = served.get(f"/api/v1/values?{query}", token, headers={"Accept-Language": lang})
            assert answer.status_code == 400, query
            error = answer.json()["error"]
            assert error["code"] == code and "Traceback" not in answer.text
            assert error["message"]
    vi = served.get("/api/v1/values?city=XXNOPE", token, headers={"Accept-Language": "vi"})
    en = served.get("/api/v1/values?city=XXNOPE", token, headers={"Accept-Language": "en"})
    assert vi.json()["error"]["message"] != en.json()["error"]["message"]
    missing = served.get("/api/v1/nothing-here", token)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_catalog_progress_and_tasks_answer_with_their_filters(served: Api) -> None:
    from mne.progress import progress_json

    token = served.tokens["viewer.api"]
    catalog = served.get("/api/v1/catalog", token).json()
    assert {"cities", "indicators", "task_groups", "focus_areas", "targets"} <= set(catalog)
    with served.engine.connect() as conn:
        cities = set(conn.execute(select(m.City.code)).scalars())
    assert {c["code"] for c in catalog["cities"]} == cities
    everything = served.get("/api/v1/progress", token).json()["data"]
    assert everything == json.loads(json.dumps(progress_json(served.engine)))
    one = served.get("/api/v1/progress?city=VNHAN", token).json()["data"]
    assert one == json.loads(json.dumps(progress_json(served.engine, "VNHAN")))
    assert one and {r["city"] for r in one} == {"VNHAN"}
    tasks = served.get("/api/v1/tasks", token).json()["data"]
    with served.engine.connect() as conn:
        codes = set(conn.execute(select(m.Task.code)).scalars())
    assert {t["code"] for t in tasks} == codes
    if tasks:
        group = tasks[0]["group"]
        grouped = served.get(f"/api/v1/tasks?group={group}", token).json()["data"]
        assert grouped and {t["group"] for t in grouped} == {group}


def test_api_paths_are_not_sent_to_sign_in_and_carry_the_security_headers(served: Api) -> None:
    answer = httpx.get(served.url + "/api/v1/values", follow_redirects=False)
    assert answer.status_code == 401 and "location" not in answer.headers
    assert "Content-Security-Policy" in answer.headers
    description = httpx.get(served.url + "/api/v1/openapi.json").json()
    assert description["openapi"].startswith("3.")
    assert {"/api/v1/values", "/api/v1/imports", "/api/v1/catalog"} <= set(description["paths"])


# --- Imports ----------------------------------------------------------------------------------


def test_a_viewers_token_cannot_import(served: Api) -> None:
    before = _stored(served.engine, ("approved", "submitted"))
    for name in ("viewer.api", "viewer.read"):
        answer = served.post(
            "/api/v1/imports?filename=x.csv", served.tokens[name], APPROVED.encode()
        )
        assert answer.status_code == 403, name
        # The refusal's own code (mne.errors): the role may not import, or the token not.
        assert answer.json()["error"]["code"] in ("not_allowed", "forbidden_scope")
    read_only = served.post("/api/v1/imports", served.tokens["focal.read"], SUBMITTED.encode())
    assert read_only.status_code == 403 and read_only.json()["error"]["code"] == "forbidden_scope"
    assert _stored(served.engine, ("approved", "submitted")) == before
    assert "import.denied" in _audit_actions(served.engine)


def test_a_focal_points_token_imports_its_city_and_other_cities_are_refused_by_row(
    served: Api,
) -> None:
    token = served.tokens["focal.api"]
    body = b"city,indicator,period,value\nVNHAN,CS_SLUM_POP,2024,3\nVNSGN,CS_SLUM_POP,2024,4\n"
    before = _stored(served.engine, ("approved", "submitted"))
    whole = served.post("/api/v1/imports?filename=mine.csv", token, body)
    assert whole.status_code == 422 and whole.json()["status"] == "rejected"
    errors = whole.json()["errors"]
    assert [e["row"] for e in errors] == [3] and errors[0]["column"]
    assert _stored(served.engine, ("approved", "submitted")) == before
    dry = served.post("/api/v1/imports?filename=mine.csv&dryRun=true&partial=true", token, body)
    assert dry.json()["status"] == "dry-run"
    assert _stored(served.engine, ("approved", "submitted")) == before
    partial = served.post("/api/v1/imports?filename=mine.csv&partial=true", token, body)
    summary = partial.json()
    assert partial.status_code == 200 and summary["status"] == "committed"
    assert summary["inserted"] == 1 and summary["rejected"] == 1 and summary["batch_id"]
    after = values_frame(served.engine)
    new = after[after["batch_id"] == summary["batch_id"]]
    assert list(new["city"]) == ["VNHAN"] and list(new["status"]) == ["submitted"]
    with served.engine.connect() as conn:
        batch = conn.execute(
            select(m.UploadBatch.user_name, m.UploadBatch.review_state).where(
                m.UploadBatch.id == summary["batch_id"]
            )
        ).one()
    assert tuple(batch) == ("focal.api", "submitted")
    assert "api.import" in _audit_actions(served.engine)


def test_the_api_answers_the_summary_of_the_command_line(
    served: Api, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    body = b"city,indicator,period,value\nVNDAD,CS_SLUM_POP,2020,5\nVNDAD,CS_SLUM_POP,2021,-5\n"
    path = Path(str(tmp_path)) / "same.csv"
    path.write_bytes(body)
    assert cli.main(["import", str(path), "--dry-run", "--json"]) == 1
    expected = json.loads(capsys.readouterr().out)
    assert expected["status"] == "rejected" and [e["row"] for e in expected["errors"]] == [3]
    answer = served.post(
        "/api/v1/imports?filename=same.csv&dryRun=1", served.tokens["admin.api"], body
    )
    assert answer.json() == expected


def test_a_dhis2_data_value_set_json_imports(served: Api) -> None:
    body = {
        "dataValues": [
            {"dataElement": "CS_SLUM_POP", "period": "2019", "orgUnit": "VNDAD", "value": "7.5"},
            {"dataElement": "CS_SLUM_POP", "period": "2020", "orgUnit": "VNDAD", "value": "7"},
        ]
    }
    answer = served.post("/api/v1/imports", served.tokens["analyst.api"], json.dumps(body).encode())
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "committed" and answer.json()["inserted"] == 2
    stored = _stored(served.engine)
    assert {("VNDAD", "CS_SLUM_POP", "2019", 7.5), ("VNDAD", "CS_SLUM_POP", "2020", 7.0)} <= stored


def test_a_body_beyond_the_upload_limit_is_refused(
    served: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "max_upload_bytes", lambda: 100)
    answer = served.post("/api/v1/imports", served.tokens["admin.api"], b"x" * 1000)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"


def test_exports_in_partners_formats_through_the_api_with_the_filters(served: Api) -> None:
    from mne import exchange

    token = served.tokens["viewer.api"]
    wanted = {k for k in _stored(served.engine) if k[0].startswith("VN")}
    sdmx = served.get("/api/v1/export?format=sdmx-csv&country=VN", token)
    assert sdmx.status_code == 200, sdmx.text
    rows = list(csv.DictReader(io.StringIO(sdmx.text)))
    got = {(r["REF_AREA"], r["INDICATOR"], r["TIME_PERIOD"], float(r["OBS_VALUE"])) for r in rows}
    assert got == wanted and wanted
    dhis2 = served.get("/api/v1/export?format=dhis2-json&country=VN", token).json()
    assert {
        (v["orgUnit"], v["dataElement"], v["period"], float(v["value"]))
        for v in dhis2["dataValues"]
    } == wanted
    zipped = served.get("/api/v1/export?format=open-sdg", token)
    assert zipped.headers["content-type"] == "application/zip"
    assert exchange.open_sdg_files(zipped.content)
    assert served.get("/api/v1/export?format=xml", token).status_code == 400
    assert served.get("/api/v1/export?format=sdmx-csv&status=all", token).status_code == 403
