"""The one shape of an error a person can act on: a code, a severity, a message template and
a description, declared once per kind (as frictionless-py declares its errors).

A family of errors is a subclass of `UserError` with its own table of kinds
(`kinds = ErrorKinds()`), filled with `define` (or `define_all` for a table of templates):

    class ReportError(UserError):
        kinds = ErrorKinds()

    ReportError.define_all(REPORT_ERRORS, {"bad_scope": "The --scope is not understood."})
    raise ReportError("bad_scope", scope=text)

Raised with a code (or a template of the table, as access.Refused(NOT_ALLOWED, ...)), an error
carries `code`, `severity`, `template`, `description` and its `values`; `message(tr)` says it
in the user's language and `as_json(tr)` is the `{"code", "message"}` the command line and the
API answer. The rendering is the same for every family: values named in `translated` are
messages themselves (a role, an action), translated with the template; dates are written the
language's way; numbers too in a family with `numbers = True`. A family whose messages are
written where they are raised (access.Invalid: "The latitude is between -90 and 90.") has a
`free` kind: its code, with the template given at the raise.

Families: access (AccessError, Refused, Invalid, signin.SignInRefused,
task_admin.TaskInvalid), api.ApiError, backup.BackupProblem, progress.UnknownCode,
reports.content (ReportError, ExportFailed), intake.problems.FileProblem,
intake.mapping.MappingProblem, intake.revert.RevertRefused, tasks.UpdateRefused,
bench.StoreNotEmpty; and intake.problems.RowProblem, the row problems of an upload (errors and
warnings), said for many rows at once in the problem frame, never raised. Pages show any of
them with pages/_ui.show_error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from babel.numbers import format_decimal

from mne.i18n import Translator

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class ErrorKind:
    code: str  # stable, for programs: the JSON summaries and the API carry it
    template: str  # a msgid with {placeholders}
    description: str  # when it happens, in plain English, for developers and the docs
    severity: str = "error"  # "error": nothing was done; "warning": for a person to confirm


class ErrorKinds(dict[str, ErrorKind]):
    """A family's kinds by code."""

    def by_template(self, template: str) -> ErrorKind | None:
        return next((kind for kind in self.values() if kind.template == template), None)


class UserError(Exception):
    """An error with a message a person can act on; see the module's docstring."""

    kinds: ClassVar[ErrorKinds] = ErrorKinds()
    free: ClassVar[ErrorKind | None] = None
    translated: ClassVar[frozenset[str]] = frozenset()
    numbers: ClassVar[bool] = False

    def __init__(self, code: str, /, **values: Any) -> None:
        self.kind = self.kind_of(code)
        super().__init__(self.kind.code)
        self.values = values

    # --- The kinds ----------------------------------------------------------------------

    @classmethod
    def define(cls, code: str, template: str, description: str, severity: str = "error") -> str:
        """Declare a kind of this family; returns the template (to keep as a constant)."""
        if cls is UserError or "kinds" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} has no table of kinds of its own")
        if severity not in SEVERITIES:
            raise ValueError(f"severity {severity!r} is none of {SEVERITIES}")
        known = cls.kinds.get(code)
        if known is not None and known.template != template:
            raise ValueError(f"{cls.__name__} already has a kind {code!r}")
        cls.kinds[code] = ErrorKind(code, template, description, severity)
        return template

    @classmethod
    def define_all(
        cls, templates: Mapping[str, str], descriptions: Mapping[str, str], severity: str = "error"
    ) -> None:
        """Declare a table of templates by code, each with its description (a code without
        one is declared with none: tests/mne/test_errors.py says so)."""
        stale = sorted(set(descriptions) - set(templates))
        if stale:
            raise ValueError(f"{cls.__name__}: descriptions of no template: {stale}")
        for code, template in templates.items():
            cls.define(code, template, descriptions.get(code, ""), severity)

    @classmethod
    def kind_of(cls, code: str) -> ErrorKind:
        """The kind of `code`, or of a template of the table, or the free kind with it."""
        kind = cls.kinds.get(code) or cls.kinds.by_template(code)
        if kind is not None:
            return kind
        if cls.free is not None:
            return replace(cls.free, template=code)
        raise KeyError(f"{cls.__name__} has no kind {code!r}")

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def template(self) -> str:
        return self.kind.template

    @property
    def severity(self) -> str:
        return self.kind.severity

    @property
    def description(self) -> str:
        return self.kind.description

    # --- Saying it ------------------------------------------------------------------------

    def written(self, tr: Translator) -> dict[str, Any]:
        """The values as the message shows them, in the user's language."""
        plain = tr.on("text")  # a translated value is escaped once, as a value of the template
        return {name: _written(name, value, self, plain) for name, value in self.values.items()}

    def message(self, tr: Translator) -> str:
        """The message in the user's language; values from people (names, comments) are
        escaped for the translator's surface (`tr.on("markdown")` on pages)."""
        return tr(self.template, **self.written(tr))

    def as_json(self, tr: Translator) -> dict[str, str]:
        return {"code": self.code, "message": self.message(tr.on("text"))}

    def __str__(self) -> str:
        """For logs and tracebacks: the code and the English message."""
        try:
            return f"{self.code}: {self.message(Translator('en'))}"
        except (KeyError, IndexError, ValueError):  # a value missing: the code alone
            return self.code


def _written(name: str, value: Any, error: UserError, tr: Translator) -> Any:
    if name in error.translated and isinstance(value, str):
        return tr(value)
    if isinstance(value, dt.date):
        return tr.date(value)
    if error.numbers and isinstance(value, float | int) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0.##", locale=tr.locale)
    return value


def families() -> Iterator[type[UserError]]:
    """Every family of user errors (its modules imported), for the tests and the docs."""
    import mne.access
    import mne.api
    import mne.backup
    import mne.bench
    import mne.intake.mapping
    import mne.intake.problems
    import mne.intake.revert
    import mne.progress
    import mne.reports.content
    import mne.signin
    import mne.task_admin
    import mne.tasks  # noqa: F401  (imported for their families)

    seen: set[type[UserError]] = set()
    stack = list(UserError.__subclasses__())
    while stack:
        family = stack.pop()
        stack.extend(family.__subclasses__())
        if "kinds" in family.__dict__ and family not in seen:
            seen.add(family)
            yield family
