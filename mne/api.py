"""The HTTP API under /api/v1/ (Starlette routes mounted next to the pages by server.py).

Reads: `catalog`, `values` (filters; cursor pages in JSON, or the whole selection streamed as
CSV from a server-side cursor, chunk by chunk, never the whole store in memory), `progress`
(the figures of `python -m mne progress`) and `tasks`. Writes: `POST imports` (a file of any
shape the Upload page reads, or a DHIS2 dataValueSets JSON body) with `dryRun` and `partial`,
answering the summary of `python -m mne import --json`.

A caller shows a token of an account (mne.api_tokens) in an `Authorization: Bearer` header,
never in the query. Without one, reads answer 401 unless MNE_OPEN_DATA=1 (open data: the
approved values, for anyone). The token's account's role limits it exactly as on the pages:
approved values only unless its role may see submitted ones (a focal point: of its own
cities), imports with the checks, permissions, approval state and batch history of an upload.

Errors are JSON, `{"error": {"code": ..., "message": ...}}`, the message in the language of
Accept-Language (vi, en, id), never a traceback. Blocking work runs in the thread pool.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select, and_, or_, select
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from db import models as m
from db.engine import get_engine
from mne import api_tokens, audit, failures, intake
from mne.access import AccessError, Action, Actor
from mne.api_tokens import TokenCheck
from mne.catalog import catalog_json
from mne.errors import ErrorKinds, UserError
from mne.exchange import ValueFilter, dhis2_json_to_csv, values_statement
from mne.i18n import LANGUAGES, N_, Translator, normalise_language
from mne.intake.read import max_upload_bytes

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
DEFAULT_PAGE = 1000
MAX_PAGE = 10_000
CSV_CHUNK = 20_000
# Query parameters a client might put a token in: refused, so a token never lands in a log.
TOKEN_PARAMETERS = frozenset({"token", "access_token", "api_key", "apikey", "key", "bearer"})
VALUE_COLUMNS = ["city", "country", "indicator", "period", "value", "status"]
STATUSES = ("approved", "submitted", "all")

MESSAGES = {
    "unauthorized": N_("This address needs an API token: send it as “Authorization: Bearer …”."),
    "token_in_query": N_(
        "A token is never accepted in the address: send it as “Authorization: Bearer …”."
    ),
    "bad_authorization": N_("The Authorization header must read “Bearer <token>”."),
    "invalid_token": N_("This API token is not valid ({reason}). Ask an administrator."),
    "forbidden_submitted": N_(
        "Your role ({role}) may read approved values only; submitted ones are not shown to it."
    ),
    "forbidden_scope": N_("This token may only read. Ask an administrator for a token to import."),
    "bad_parameter": N_("The parameter “{name}” cannot be “{value}”: {expected}."),
    "unknown_code": N_("Unknown {kind} code: {codes}. See /api/v1/catalog."),
    "too_large": N_("The file is larger than the limit of {mb} MB."),
    "bad_body": N_(
        "The request holds no file: send the file as the body, or a dataValueSets JSON."
    ),
    "not_found": N_("There is no such address in the API: see /api/v1/openapi.json."),
    "form_body": N_(
        "Send the file itself as the body (not a form), e.g. curl --data-binary @file."
    ),
}
TOKEN_REASONS = {
    "unknown": N_("unknown"),
    "revoked": N_("revoked"),
    "expired": N_("expired"),
    "disabled": N_("its account is disabled"),
}


class ApiError(UserError):
    """An answer other than 2xx: its HTTP `status`, and a code of MESSAGES, or (`refusal`)
    another user error's own code and message (an access refusal: not_allowed...)."""

    kinds = ErrorKinds()
    translated = frozenset({"reason", "expected", "role"})
    error: UserError | None = None  # the refusal answered (ApiError.refusal)

    def __init__(self, status: int, code: str, /, **values: Any) -> None:
        super().__init__(code, **values)
        self.status = status

    @classmethod
    def refusal(cls, status: int, error: UserError) -> ApiError:
        """`error` answered with `status`: its kind, values and message."""
        answer = cls.__new__(cls)
        Exception.__init__(answer, error.code)
        answer.kind, answer.values, answer.status, answer.error = (
            error.kind,
            error.values,
            status,
            error,
        )
        return answer

    def message(self, tr: Translator) -> str:
        return self.error.message(tr) if self.error is not None else super().message(tr)


ApiError.define_all(
    MESSAGES,
    {
        "unauthorized": "A read without a token while open data is off, or a write without.",
        "token_in_query": "The token was sent in the address (it would be logged).",
        "bad_authorization": "An Authorization header that is not “Bearer <token>”.",
        "invalid_token": "The token is unknown, revoked, expired, or of a disabled account.",
        "forbidden_submitted": "Submitted values asked of a role that may not see them.",
        "forbidden_scope": "An import with a read-only token.",
        "bad_parameter": "A query parameter that cannot be read.",
        "unknown_code": "A city or indicator code that is not in the catalog.",
        "too_large": "A body over the upload limit.",
        "bad_body": "A POST with no file and no dataValueSets JSON.",
        "not_found": "An address that is no route of the API.",
        "form_body": "A POST of a form (multipart): the file must be the body itself.",
    },
)


def open_data() -> bool:
    """Reads open to anyone without a token (approved values only): MNE_OPEN_DATA=1."""
    return os.environ.get("MNE_OPEN_DATA", "").strip().lower() in ("1", "true", "yes", "on")


def language(request: Request) -> str:
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return normalise_language(None)


def error_response(request: Request, error: ApiError) -> JSONResponse:
    body = {"error": error.as_json(Translator(language(request)))}
    headers = {"Cache-Control": "no-store"}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="mne"'
    return JSONResponse(body, status_code=error.status, headers=headers)


# --- Who is calling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """The token's account, or nobody (open data)."""

    actor: Actor | None
    token: TokenCheck | None = None

    @property
    def label(self) -> str:
        return self.actor.username if self.actor else ""


def _refusal(caller: Caller | None, action: Action, reason: str, engine: Engine) -> None:
    actor = caller.actor if caller else None
    audit.record_alone(
        engine,
        actor.user_id if actor else None,
        actor.username if actor else "",
        f"{action}.denied",
        "api",
        "" if caller is None or caller.token is None else caller.token.token_id,
        None,
        {"reason": reason},
    )


def authenticate(request: Request, engine: Engine) -> Caller:
    """The caller, or ApiError 400/401 (audited)."""
    if TOKEN_PARAMETERS & {k.lower() for k in request.query_params}:
        _refusal(None, "api", "token in query", engine)
        raise ApiError(400, "token_in_query")
    header = request.headers.get("authorization", "")
    if not header:
        if open_data():
            return Caller(None)
        _refusal(None, "api", "no token", engine)
        raise ApiError(401, "unauthorized")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        _refusal(None, "api", "malformed header", engine)
        raise ApiError(401, "bad_authorization")
    checked = api_tokens.check(engine, token.strip())  # a refused token is audited there
    if checked.actor is None:
        raise ApiError(401, "invalid_token", reason=TOKEN_REASONS[str(checked.refused)])
    return Caller(checked.actor, checked)


Handler = Callable[[Request, Caller], Awaitable[Response]]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A route: authenticate, answer, and turn every failure into a JSON error."""

    async def route(request: Request) -> Response:
        try:
            caller = await run_in_threadpool(authenticate, request, get_engine())
            return await handler(request, caller)
        except ApiError as error:
            return error_response(request, error)
        except Exception as failure:  # the store down, full, busy, or a bug: said, logged
            message, _reference = failures.explain(failure, Translator(language(request)))
            body = {"error": {"code": "unavailable", "message": message}}
            return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})

    route.__name__ = handler.__name__
    return route


# --- Reads ------------------------------------------------------------------------------------


def _codes(request: Request, name: str) -> list[str]:
    raw = request.query_params.get(name, "")
    return [c.strip().upper() for c in raw.split(",") if c.strip()][:500]


def _year(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not (raw[:4].isdigit() and len(raw) in (4, 7)):
        raise ApiError(
            400, "bad_parameter", name=name, value=raw[:40], expected=N_("a year such as 2024")
        )
    return int(raw[:4])


def _known(engine: Engine, kind: str, codes: list[str]) -> None:
    if not codes:
        return
    column = {
        "city": m.City.code,
        "indicator": m.Indicator.code,
        "country": m.Country.iso2,
    }[kind]
    with engine.connect() as conn:
        found = set(conn.execute(select(column).where(column.in_(codes))).scalars())
    unknown = sorted(set(codes) - found)
    if unknown:
        raise ApiError(400, "unknown_code", kind=kind, codes=", ".join(unknown)[:300])


def value_filter(request: Request) -> ValueFilter:
    status = request.query_params.get("status", "approved").strip().lower() or "approved"
    if status not in STATUSES:
        raise ApiError(
            400,
            "bad_parameter",
            name="status",
            value=status[:40],
            expected=N_("approved, submitted or all"),
        )
    return ValueFilter(
        tuple(_codes(request, "city")),
        tuple(_codes(request, "indicator")),
        tuple(_codes(request, "country")),
        _year(request, "from"),
        _year(request, "to"),
        status,
    )


def _status_condition(caller: Caller, wanted: str, engine: Engine) -> Any:
    """The SQL condition on an observation's status (and city) that this caller may read."""
    o = m.table(m.Observation)
    approved = o.c.status == "approved"
    if wanted == "approved":
        return approved
    actor = caller.actor
    # A focal point's token reads the submitted values of its own cities (mne.access.ACTIONS).
    if actor is None or not actor.may("api.read_submitted"):
        role = actor.role if actor else "viewer"
        _refusal(caller, "api.read_submitted", f"role {role}", engine)
        from mne.access import ROLE_LABELS

        raise ApiError(403, "forbidden_submitted", role=ROLE_LABELS[role])
    submitted = o.c.status == "submitted"
    if not actor.every_city:
        submitted = and_(submitted, o.c.city_id.in_(sorted(actor.city_ids) or [-1]))
    return submitted if wanted == "submitted" else or_(approved, submitted)


def _prepare_values(request: Request, caller: Caller) -> tuple[Select[Any], int, int]:
    engine = get_engine()
    chosen = value_filter(request)
    _known(engine, "city", list(chosen.cities))
    _known(engine, "indicator", list(chosen.indicators))
    _known(engine, "country", list(chosen.countries))
    shown = _status_condition(caller, chosen.status, engine)
    raw_limit = request.query_params.get("limit", "").strip()
    raw_cursor = request.query_params.get("cursor", "").strip()
    for name, raw in (("limit", raw_limit), ("cursor", raw_cursor)):
        if raw and not (raw.isdigit() and len(raw) < 19 and (name == "cursor" or int(raw) > 0)):
            expected = N_("a whole number above 0")
            raise ApiError(400, "bad_parameter", name=name, value=raw[:40], expected=expected)
    limit = int(raw_limit) if raw_limit else DEFAULT_PAGE
    cursor = int(raw_cursor) if raw_cursor else 0
    return values_statement(chosen, shown), min(limit, MAX_PAGE), cursor


def _page(statement: Select[Any], limit: int, cursor: int) -> dict[str, Any]:
    o = m.table(m.Observation)
    with get_engine().connect() as conn:
        rows = conn.execute(statement.where(o.c.id > cursor).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    data = [dict(zip(VALUE_COLUMNS, row[1:], strict=True)) for row in rows]
    return {
        "data": data,
        "limit": limit,
        "next_cursor": str(rows[-1].id) if more else None,
    }


def csv_chunks(engine: Engine, statement: Select[Any]) -> AsyncIterator[bytes]:
    """The rows of `statement` (its id column left out) as CSV, CSV_CHUNK rows at a time from a
    server-side cursor."""

    async def chunks() -> AsyncIterator[bytes]:
        conn = await run_in_threadpool(engine.connect)
        try:
            streaming = conn.execution_options(stream_results=True, yield_per=CSV_CHUNK)
            result = await run_in_threadpool(
                streaming.execute,
                statement.with_only_columns(*list(statement.selected_columns)[1:]),
            )
            yield (",".join(VALUE_COLUMNS) + "\r\n").encode()
            while True:
                chunk = await run_in_threadpool(_csv_chunk, result)
                if not chunk:
                    break
                yield chunk
        finally:
            await run_in_threadpool(conn.close)

    return chunks()


def _csv_chunk(result: Any) -> bytes:
    rows = result.fetchmany(CSV_CHUNK)
    if not rows:
        return b""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _wants_csv(request: Request) -> bool:
    wanted = request.query_params.get("format", "json").strip().lower()
    if wanted not in ("json", "csv"):
        expected = N_("json or csv")
        raise ApiError(400, "bad_parameter", name="format", value=wanted[:40], expected=expected)
    return wanted == "csv"


async def values(request: Request, caller: Caller) -> Response:
    as_csv = _wants_csv(request)
    statement, limit, cursor = await run_in_threadpool(_prepare_values, request, caller)
    if as_csv:
        return StreamingResponse(
            csv_chunks(get_engine(), statement),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="values.csv"'},
        )
    return JSONResponse(await run_in_threadpool(_page, statement, limit, cursor))


EXPORT_TYPES = {
    "dhis2-json": ("application/json", "dataValueSets.json"),
    "dhis2-csv": ("text/csv; charset=utf-8", "dataValueSets.csv"),
    "sdmx-csv": ("application/vnd.sdmx.data+csv; version=2.0.0", "sdmx.csv"),
    "open-sdg": ("application/zip", "open-sdg.zip"),
}


def _export_to_file(statement: Select[Any], fmt: str) -> str:
    """The export written to a temporary file (disk, not memory); its path."""
    from mne import exchange

    descriptor, path = tempfile.mkstemp(prefix="mne-export-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            exchange.write(get_engine(), statement, fmt, handle)
    except BaseException:
        os.unlink(path)
        raise
    return path


async def export(request: Request, caller: Caller) -> Response:
    """The values of the filter in a partner's format (mne.exchange)."""
    fmt = request.query_params.get("format", "").strip().lower()
    if fmt not in EXPORT_TYPES:
        expected = N_("one of dhis2-json, dhis2-csv, sdmx-csv, open-sdg")
        raise ApiError(400, "bad_parameter", name="format", value=fmt[:40], expected=expected)
    statement, _limit, _cursor = await run_in_threadpool(_prepare_values, request, caller)
    path = await run_in_threadpool(_export_to_file, statement, fmt)
    media_type, name = EXPORT_TYPES[fmt]
    return FileResponse(
        path, media_type=media_type, filename=name, background=BackgroundTask(os.unlink, path)
    )


def _json(data: Any) -> Response:
    body = json.dumps(data, ensure_ascii=False, default=str)
    return Response(body, media_type="application/json")


def _csv_of(records: list[dict[str, Any]]) -> Response:
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")


def _catalog(caller: Caller) -> dict[str, Any]:
    engine = get_engine()
    data: dict[str, Any] = catalog_json(engine)
    f, t, i, c = m.table(m.FocusArea), m.table(m.Target), m.table(m.Indicator), m.table(m.City)
    with engine.connect() as conn:
        data["focus_areas"] = [
            dict(r._mapping)
            for r in conn.execute(
                select(f.c.code, f.c.name_vi, f.c.name_en, f.c.name_id).order_by(f.c.sort)
            )
        ]
        data["targets"] = [
            dict(r._mapping)
            for r in conn.execute(
                select(
                    i.c.code.label("indicator"),
                    t.c.scope,
                    t.c.country_iso2.label("country"),
                    c.c.code.label("city"),
                    t.c.year,
                    t.c.value,
                    t.c.value_high,
                    t.c.kind,
                    t.c.source,
                )
                .join(i, i.c.id == t.c.indicator_id)
                .outerjoin(c, c.c.id == t.c.city_id)
                .order_by(i.c.code, t.c.scope, t.c.year)
            )
        ]
    return data


async def catalog(request: Request, caller: Caller) -> Response:
    return _json(await run_in_threadpool(_catalog, caller))


def _progress(request: Request, caller: Caller) -> list[dict[str, Any]]:
    from mne.progress import UnknownCode, progress_json

    engine = get_engine()
    status = request.query_params.get("status", "approved").strip().lower() or "approved"
    if status not in ("approved", "all"):
        expected = N_("approved or all")
        raise ApiError(400, "bad_parameter", name="status", value=status[:40], expected=expected)
    include_submitted = status == "all"
    if include_submitted and (caller.actor is None or not caller.actor.every_city):
        # Scores compare every city: only a role that sees every city's submissions.
        role = caller.actor.role if caller.actor else "viewer"
        _refusal(caller, "api.read_submitted", f"role {role}", engine)
        from mne.access import ROLE_LABELS

        raise ApiError(403, "forbidden_submitted", role=ROLE_LABELS[role])
    city = request.query_params.get("city", "").strip().upper() or None
    indicator = request.query_params.get("indicator", "").strip().upper() or None
    try:
        return progress_json(engine, city, indicator, include_submitted)
    except UnknownCode as error:
        raise ApiError(400, "unknown_code", kind=error.what, codes=error.given) from error


async def progress(request: Request, caller: Caller) -> Response:
    as_csv = _wants_csv(request)
    rows = await run_in_threadpool(_progress, request, caller)
    if as_csv:
        flat = [
            {
                "city": r["city"],
                "indicator": r["indicator"],
                "baseline_period": r["baseline"]["period"],
                "baseline_value": r["baseline"]["value"],
                "latest_period": r["latest"]["period"],
                "latest_value": r["latest"]["value"],
                "target_value": (r["target"] or {}).get("value"),
                "target_year": (r["target"] or {}).get("year"),
                "status": r["status"],
                "score": r["score"],
                "gap": r["gap"],
            }
            for r in rows
        ]
        return _csv_of(flat)
    return _json({"data": rows})


def _tasks(request: Request) -> list[dict[str, Any]]:
    from mne.tasks import tasks_frame

    engine = get_engine()
    lang = language(request)
    frame = tasks_frame(engine, lang)
    group = request.query_params.get("group", "").strip().upper()
    status = request.query_params.get("status", "").strip().lower()
    if group:
        frame = frame[frame["group"] == group]
    if status:
        frame = frame[frame["status"] == status]
    u, t = m.table(m.TaskUpdate), m.table(m.Task)
    latest = (
        select(t.c.code, u.c.report_date, u.c.percent_complete, u.c.status, u.c.note)
        .join(t, t.c.id == u.c.task_id)
        .order_by(t.c.code, u.c.report_date.desc(), u.c.id.desc())
    )
    with engine.connect() as conn:
        updates: dict[str, dict[str, Any]] = {}
        for row in conn.execute(latest):
            updates.setdefault(
                row.code,
                {
                    "date": row.report_date,
                    "percent_complete": row.percent_complete,
                    "status": row.status,
                    "note": row.note,
                },
            )
    out = []
    for record in frame.drop(columns=["group_sort"]).to_dict("records"):
        for key in ("start_date", "due_date"):
            value = record.get(key)
            record[key] = value.isoformat() if isinstance(value, dt.date) else None
        record["latest_update"] = updates.get(str(record["code"]))
        out.append(record)
    return out


async def tasks(request: Request, caller: Caller) -> Response:
    as_csv = _wants_csv(request)
    rows = await run_in_threadpool(_tasks, request)
    if as_csv:
        return _csv_of([{k: v for k, v in r.items() if k != "latest_update"} for r in rows])
    return _json({"data": rows})


# --- Imports ----------------------------------------------------------------------------------


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").strip().lower() in ("1", "true", "yes")


async def _read_body(request: Request) -> tuple[bytes, str]:
    """The file (its bytes, its name), refused beyond the upload limit without reading on."""
    limit = max_upload_bytes()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", mb=round(limit / 1_000_000))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", mb=round(limit / 1_000_000))
        chunks.append(chunk)
    data = b"".join(chunks)
    name = request.query_params.get("filename", "").strip()[:200]
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type.startswith("multipart/"):
        raise ApiError(400, "form_body")
    if not data.strip():
        raise ApiError(400, "bad_body")
    if content_type == "application/json" or data.lstrip()[:1] == b"{":
        try:
            converted = dhis2_json_to_csv(json.loads(data))
        except ValueError:
            converted = None
        if converted is None:
            raise ApiError(400, "bad_body")
        return converted, (name.rsplit(".", 1)[0] if name else "dataValueSets") + ".csv"
    return data, name or "api-upload.csv"


def _import(data: bytes, name: str, caller: Caller, dry: bool, partial: bool, lang: str) -> Any:
    engine = get_engine()
    actor = caller.actor
    assert actor is not None and caller.token is not None
    tr = Translator(lang)
    if not caller.token.may_import():
        _refusal(caller, "import", "token scope read", engine)
        raise ApiError(403, "forbidden_scope")
    if not actor.may("import"):
        from mne import access

        try:
            access.require(engine, actor, "import", "upload", name)  # audited refusal
        except AccessError as error:
            raise ApiError.refusal(403, error) from error
    preview = intake.check(engine, data, name, tr, actor=actor)
    try:
        if dry:
            summary = intake.dry_run(preview, actor, partial=partial)
        else:
            summary = intake.commit_preview(engine, preview, actor, partial=partial)
    except AccessError as error:
        raise ApiError.refusal(403, error) from error
    if not dry:
        audit.record_alone(
            engine,
            actor.user_id,
            actor.username,
            "api.import",
            "api_token",
            caller.token.token_id,
            None,
            {"status": summary["status"], "batch": summary.get("batch_id"), "file": name},
        )
    return summary


async def imports(request: Request, caller: Caller) -> Response:
    if caller.actor is None:
        raise ApiError(401, "unauthorized")
    data, name = await _read_body(request)
    summary = await run_in_threadpool(
        _import,
        data,
        name,
        caller,
        _flag(request, "dryRun"),
        _flag(request, "partial"),
        language(request),
    )
    status = 200 if summary["status"] in ("committed", "dry-run", "unchanged") else 422
    return JSONResponse(json.loads(json.dumps(summary, default=str)), status_code=status)


# --- The description --------------------------------------------------------------------------


def _parameter(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": kind}}


_FORMAT = _parameter("format", "json (default) or csv")
_ERROR = {"description": 'An error: {"error": {"code", "message"}} in the Accept-Language'}
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Smart urban M&E API",
        "version": "1",
        "description": "Indicator values, progress and tasks of the ASEAN Smart Cities Network "
        "dashboard (Viet Nam Ministry of Construction). Send a token as "
        "'Authorization: Bearer <token>' (made on the Accounts page or by "
        "`python -m mne token add`). Errors are JSON with a code and a message in the "
        "language of Accept-Language (vi, en, id).",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}],
    "paths": {
        f"{PREFIX}/catalog": {
            "get": {
                "summary": "Focus areas, indicators, cities with aliases, task groups, targets",
                "responses": {"200": {"description": "The catalog"}, "401": _ERROR},
            }
        },
        f"{PREFIX}/values": {
            "get": {
                "summary": "Stored values, approved only unless the token's role may see "
                "submitted ones; cursor pages in JSON, streamed whole as CSV",
                "parameters": [
                    _parameter("city", "city codes, comma separated"),
                    _parameter("indicator", "indicator codes, comma separated"),
                    _parameter("country", "ISO 3166-1 alpha-2 codes, comma separated"),
                    _parameter("from", "first year", "integer"),
                    _parameter("to", "last year", "integer"),
                    _parameter("status", "approved (default), submitted or all"),
                    _parameter(
                        "limit",
                        f"page size (default {DEFAULT_PAGE}, at most {MAX_PAGE})",
                        "integer",
                    ),
                    _parameter("cursor", "next_cursor of the previous page"),
                    _FORMAT,
                ],
                "responses": {
                    "200": {"description": "{data: [...], limit, next_cursor} or CSV"},
                    "400": _ERROR,
                    "401": _ERROR,
                    "403": _ERROR,
                },
            }
        },
        f"{PREFIX}/export": {
            "get": {
                "summary": "The values of the filters of /values in a partner's format",
                "parameters": [
                    _parameter("format", "dhis2-json, dhis2-csv, sdmx-csv or open-sdg (a zip)"),
                    _parameter("city", "city codes, comma separated"),
                    _parameter("indicator", "indicator codes, comma separated"),
                    _parameter("country", "ISO 3166-1 alpha-2 codes, comma separated"),
                    _parameter("from", "first year", "integer"),
                    _parameter("to", "last year", "integer"),
                    _parameter("status", "approved (default), submitted or all"),
                ],
                "responses": {"200": {"description": "The file"}, "400": _ERROR, "401": _ERROR},
            }
        },
        f"{PREFIX}/progress": {
            "get": {
                "summary": "The figures of `python -m mne progress` per city x indicator",
                "parameters": [
                    _parameter("city", "a city code"),
                    _parameter("indicator", "an indicator code"),
                    _parameter("status", "approved (default) or all (analysts, admins)"),
                    _FORMAT,
                ],
                "responses": {"200": {"description": "{data: [...]}"}, "401": _ERROR},
            }
        },
        f"{PREFIX}/tasks": {
            "get": {
                "summary": "Tasks with status, dates and latest update",
                "parameters": [
                    _parameter("group", "a task group code"),
                    _parameter("status", "a task status"),
                    _FORMAT,
                ],
                "responses": {"200": {"description": "{data: [...]}"}, "401": _ERROR},
            }
        },
        f"{PREFIX}/imports": {
            "post": {
                "summary": "Check and store a file (any shape the Upload page reads, or a "
                "DHIS2 dataValueSets JSON body); answers the summary of "
                "`python -m mne import --json`",
                "parameters": [
                    _parameter("dryRun", "true: check only, store nothing", "boolean"),
                    _parameter(
                        "partial", "true: store the valid rows of a file with errors", "boolean"
                    ),
                    _parameter("filename", "the file's name (its extension tells its format)"),
                ],
                "requestBody": {
                    "content": {
                        "text/csv": {},
                        "application/json": {},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    }
                },
                "responses": {
                    "200": {"description": "The import summary (committed, dry-run, unchanged)"},
                    "422": {"description": "The import summary (rejected)"},
                    "401": _ERROR,
                    "403": _ERROR,
                    "413": _ERROR,
                },
            }
        },
    },
}


async def openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


async def not_found(request: Request) -> Response:
    return error_response(request, ApiError(404, "not_found"))


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"]),
        Route(f"{PREFIX}/catalog", endpoint(catalog), methods=["GET"]),
        Route(f"{PREFIX}/values", endpoint(values), methods=["GET"]),
        Route(f"{PREFIX}/progress", endpoint(progress), methods=["GET"]),
        Route(f"{PREFIX}/tasks", endpoint(tasks), methods=["GET"]),
        Route(f"{PREFIX}/export", endpoint(export), methods=["GET"]),
        Route(f"{PREFIX}/imports", endpoint(imports), methods=["POST"]),
        Route(PREFIX + "/{rest:path}", not_found),
    ]
