"""Every user error has one shape (mne.errors): a code, a severity, a message template in each
language and a description; every raise gives its template's values; the command line's and
the API's JSON carry the real code; pages show them through one helper."""

from __future__ import annotations

import ast
import importlib
import json
import re
import string
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.requests import Request

from mne import access, api
from mne.errors import SEVERITIES, ErrorKind, UserError, families
from mne.i18n import LANGUAGES, Translator, messages
from mne.intake.problems import FileProblem
from tests.command_line import run_cli
from tests.conftest import ROOT

FAMILIES = sorted(families(), key=lambda family: family.__name__)
KINDS = [(family, kind) for family in FAMILIES for kind in family.kinds.values()]
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _id(case: tuple[type[UserError], ErrorKind]) -> str:
    return f"{case[0].__name__}.{case[1].code}"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_family_is_found_and_declares_kinds() -> None:
    names = {family.__name__ for family in FAMILIES}
    assert {
        "AccessError",
        "SignInRefused",
        "ApiError",
        "BackupProblem",
        "UnknownCode",
        "ReportError",
        "ExportFailed",
        "FileProblem",
        "MappingProblem",
        "RevertRefused",
        "UpdateRefused",
        "StoreNotEmpty",
        "RowProblem",
    } <= names
    assert all(family.kinds for family in FAMILIES)


@pytest.mark.parametrize("case", KINDS, ids=_id)
def test_every_kind_has_a_code_a_severity_and_a_description(
    case: tuple[type[UserError], ErrorKind],
) -> None:
    family, kind = case
    assert CODE.match(kind.code), kind.code
    assert kind.severity in SEVERITIES
    assert kind.description.strip(), f"{family.__name__}.{kind.code} has no description"
    assert family.kind_of(kind.code) is kind and family.kind_of(kind.template) is kind


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_is_in_each_catalogue_with_its_placeholders(lang: str) -> None:
    catalogue = messages(lang)
    missing = [_id(case) for case in KINDS if not catalogue.get(case[1].template, "").strip()]
    assert missing == [], f"{lang} lacks {missing}"
    broken = [
        _id(case)
        for case in KINDS
        if placeholders(catalogue[case[1].template]) != placeholders(case[1].template)
    ]
    assert broken == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", KINDS, ids=_id)
def test_every_kind_renders_in_each_language(
    case: tuple[type[UserError], ErrorKind], lang: str
) -> None:
    family, kind = case
    error = family.__new__(family)  # some families' constructors take other arguments
    UserError.__init__(error, kind.code, **dict.fromkeys(placeholders(kind.template), "X1"))
    if isinstance(error, FileProblem):
        error.sheet, error.sheets, error.closest = "", (), []
    for tr in (Translator(lang), Translator(lang).on("markdown")):
        text = error.message(tr)
        assert text.strip() and "{" not in text, text
        assert error.as_json(tr) == {"code": kind.code, "message": error.message(tr.on("text"))}


def test_a_free_kind_keeps_its_code_and_the_template_given() -> None:
    invalid = access.Invalid("The latitude is between -90 and 90.")
    assert (invalid.code, invalid.severity) == ("invalid", "error")
    assert invalid.message(Translator("vi")) != invalid.message(Translator("en"))
    refused = access.Refused(access.NOT_ALLOWED, role="Viewer", what="upload data")
    assert refused.code == "not_allowed" and isinstance(refused, access.AccessError)
    with pytest.raises(KeyError):
        FileProblem("no_such_code")
    assert str(FileProblem("empty")).startswith("empty: The file is empty.")


# --- Every raise gives the values its template names --------------------------------------


def _family_names() -> dict[str, type[UserError]]:
    found: dict[str, type[UserError]] = {}
    stack: list[type[UserError]] = [UserError]
    while stack:
        family = stack.pop()
        found[family.__name__] = family
        stack.extend(family.__subclasses__())
    return found


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _template_of(arg: ast.expr, module: object, family: type[UserError]) -> str | None:
    """The template a raise names: a code, a N_("…") message, or a constant of the module."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return family.kind_of(arg.value).template
    if isinstance(arg, ast.Call) and _called(arg) == "N_" and isinstance(arg.args[0], ast.Constant):
        return str(arg.args[0].value)
    if isinstance(arg, ast.Name) and isinstance(getattr(module, arg.id, None), str):
        return family.kind_of(getattr(module, arg.id)).template
    if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
        owner = getattr(module, arg.value.id, None)
        value = getattr(owner, arg.attr, None)
        return family.kind_of(value).template if isinstance(value, str) else None
    return None


def raise_sites() -> list[tuple[str, str, set[str], set[str]]]:
    """(where, family, placeholders, values given) of every construction of a user error in
    mne/ with a known template and no **values."""
    names = _family_names()
    # Constructors whose first argument is not the code: skipped (they fill their values).
    skipped = {"UnknownCode", "ExportFailed", "UserError", "ErrorKind"}
    sites = []
    for path in sorted((ROOT / "mne").rglob("*.py")):
        if path.name == "__main__.py":
            continue
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(dotted)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name, position = _called(node), 0
            if name == "refuse":  # access.refuse(engine, actor, action, TEMPLATE, ...)
                name, position = "Refused", 3
            elif name == "ApiError":  # ApiError(status, code, ...)
                position = 1
            if name not in names or name in skipped or len(node.args) <= position:
                continue
            if any(keyword.arg is None for keyword in node.keywords):
                continue  # **values: not known here
            template = _template_of(node.args[position], module, names[name])
            if template is None:
                continue
            given = {str(keyword.arg) for keyword in node.keywords}
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            sites.append((where, name, placeholders(template), given))
    return sites


def test_every_raise_gives_the_values_its_template_names() -> None:
    sites = raise_sites()
    assert len(sites) > 100  # the scan finds the raises
    extra = {"FileProblem": {"closest"}}  # filled in by the family itself
    missing = [
        (where, sorted(wanted - given - extra.get(name, set())))
        for where, name, wanted, given in sites
        if wanted - given - extra.get(name, set())
    ]
    assert missing == []


# --- The JSON carries the real code ---------------------------------------------------------


def _request(lang: str) -> Request:
    return Request({"type": "http", "headers": [(b"accept-language", lang.encode())]})


def test_the_apis_refusal_carries_the_refusals_own_code_and_translated_values() -> None:
    refused = access.Refused(
        access.NOT_ALLOWED, role=access.ROLE_LABELS["viewer"], what=access.ACTIONS["import"].label
    )
    answer = api.error_response(_request("vi"), api.ApiError.refusal(403, refused))
    error = json.loads(answer.body)["error"]
    assert answer.status_code == 403 and error["code"] == "not_allowed"
    assert error["message"] == refused.message(Translator("vi"))
    viewer = Translator("vi")(access.ROLE_LABELS["viewer"])
    assert viewer != access.ROLE_LABELS["viewer"] and viewer in error["message"]
    submitted = api.ApiError(403, "forbidden_submitted", role=access.ROLE_LABELS["viewer"])
    assert (
        viewer in json.loads(api.error_response(_request("vi"), submitted).body)["error"]["message"]
    )


def test_the_import_json_carries_the_real_code(engine: Engine, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    ran = run_cli(engine, "import", str(empty), "--json")
    assert ran.returncode == 2
    assert [e["code"] for e in json.loads(ran.stdout)["errors"]] == ["empty"]

    mapped = run_cli(engine, "import", str(empty), "--map", "nonsense", "--json")
    assert mapped.returncode == 2
    assert json.loads(mapped.stdout)["error"]["code"] == "syntax"

    made = run_cli(
        engine, "user", "add", "viewer.x", "--role", "viewer", "--password-stdin", stdin="a" * 16
    )
    assert made.returncode == 0, made.stderr
    refused = run_cli(engine, "import", str(empty), "--user", "viewer.x", "--json")
    assert refused.returncode == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "not_allowed" and error["message"] in refused.stderr


# --- Pages show every user error through one helper -----------------------------------------


def test_pages_show_user_errors_through_one_helper() -> None:
    """No page renders an error's message itself: ui.show_error does, for every family."""
    for path in sorted((ROOT / "pages").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path.name != "_ui.py":
            assert ".message(" not in source, path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ExceptHandler) and node.name:
                body = ast.unparse(node)
                assert "ui.show_error(" in body or f"= {node.name}" in body, (path.name, body)
