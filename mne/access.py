"""Roles, actions and the permission checks every write goes through (accounts themselves
are in mne.accounts).

Roles, from least to most:
- viewer: dashboards and exports;
- focal_point: also uploads, and reverts, the data of the cities assigned to them;
- analyst: every city; approves or returns submissions and reopens approved ones; edits
  targets and tasks;
- admin: also accounts and the audit log (the catalog itself is edited in db/seed/).

Every function of mne that writes takes the acting user (an `Actor`) and calls `require`,
which refuses what the role may not do, records the refusal in the audit log and raises
`Refused`; pages only hide what a user cannot use. The command line acts as the store's
operator (`operator()`): whoever runs it can reach the store's files anyway.

Signing in, lockout and sessions are in mne.signin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, NoReturn, get_args

from sqlalchemy import Engine

from db import models as m
from mne import audit
from mne.errors import ErrorKind, ErrorKinds, UserError
from mne.i18n import N_

ROLES = m.ROLES
ROLE_LABELS = {
    "viewer": N_("Viewer"),
    "focal_point": N_("City focal point"),
    "analyst": N_("Ministry analyst"),
    "admin": N_("Administrator"),
}
Action = Literal[
    "import",
    "revert",
    "approve",
    "return",
    "reopen",
    "edit_target",
    "edit_task",
    "manage_users",
    "edit_catalog",
    "view_audit",
    "api",
    "api.read_submitted",
]


@dataclass(frozen=True)
class ActionSpec:
    roles: frozenset[str]  # the roles that may do it
    label: str  # a msgid: what a refusal says the role may not do


_WRITERS = frozenset({"focal_point", "analyst", "admin"})
_ANALYSTS = frozenset({"analyst", "admin"})
_ADMINS = frozenset({"admin"})
# Each action a role needs: the roles that may do it and its name in a refusal. Reading
# dashboards and exporting is open to every role.
ACTIONS: dict[Action, ActionSpec] = {
    "import": ActionSpec(_WRITERS, N_("upload data")),
    "revert": ActionSpec(_WRITERS, N_("revert uploads")),
    "approve": ActionSpec(_ANALYSTS, N_("approve submissions")),
    "return": ActionSpec(_ANALYSTS, N_("return submissions")),
    "reopen": ActionSpec(_ANALYSTS, N_("reopen approved data")),
    "edit_target": ActionSpec(_ANALYSTS, N_("edit targets")),
    "edit_task": ActionSpec(_ANALYSTS, N_("edit tasks")),
    "manage_users": ActionSpec(_ADMINS, N_("manage accounts")),
    "edit_catalog": ActionSpec(_ADMINS, N_("edit the catalog")),
    "view_audit": ActionSpec(_ADMINS, N_("read the audit log")),
    # Any account's token reads approved values; a focal point reads its own cities' submitted.
    "api": ActionSpec(frozenset(m.ROLES), N_("use the API")),
    "api.read_submitted": ActionSpec(_WRITERS, N_("read submitted values through the API")),
}
assert set(ACTIONS) == set(get_args(Action)), "every action has its roles and label"
EVERY_CITY_ROLES = frozenset({"analyst", "admin"})


@dataclass(frozen=True)
class Actor:
    """Who is acting: an account, or the command line's operator (user_id None)."""

    username: str
    role: str
    user_id: int | None = None
    city_ids: frozenset[int] = field(default_factory=frozenset)
    display_name: str = ""

    def may(self, action: Action) -> bool:
        return self.role in ACTIONS[action].roles

    @property
    def every_city(self) -> bool:
        return self.role in EVERY_CITY_ROLES

    def may_change_city(self, city_id: int) -> bool:
        return self.every_city or int(city_id) in self.city_ids

    @property
    def label(self) -> str:
        return self.display_name or self.username


def operator(name: str = "") -> Actor:
    """The command line's operator: an administrator named after the shell user."""
    return Actor(username=name or os.environ.get("USER", "") or "cli", role="admin")


# --- Errors ---------------------------------------------------------------------------------


class AccessError(UserError):
    """A refusal with a message in the user's language: `message(tr)`. Raised with one of
    the templates below (its code: not_allowed...) or, as `Invalid`, with a message of its
    own (code invalid)."""

    kinds = ErrorKinds()
    free: ClassVar[ErrorKind | None] = ErrorKind(
        "invalid", "", "The request itself is wrong; the message says how."
    )
    # Values that are themselves messages (a role, an action), translated with the template.
    translated = frozenset({"role", "what", "state", "step"})


class Refused(AccessError):
    """The acting user's role may not do this; the refusal is in the audit log."""


class Invalid(AccessError):
    """The request itself is wrong (a short password, an unknown role...)."""


NOT_ALLOWED = AccessError.define(
    "not_allowed",
    N_("Your role ({role}) may not {what}. Ask an administrator if you need to."),
    "The acting user's role may not do the action (access.ACTIONS); audited.",
)
NOT_YOUR_CITIES = AccessError.define(
    "not_your_cities",
    N_(
        "You may change data of your own cities only; this holds data of {cities}. Remove "
        "those rows, or ask that city's focal point or a ministry analyst."
    ),
    "A focal point changes (or reverts) data of cities not assigned to them; audited.",
)
LOCKED_BATCH = AccessError.define(
    "locked_batch",
    N_(
        "Batch #{batch} holds approved values, which are locked. Ask a ministry analyst to "
        "reopen it first."
    ),
    "A focal point reverts a batch whose values are approved; audited.",
)


def action_label(action: str) -> str:
    """The msgid naming an action in a refusal ("upload data"); an unknown one, as it is
    (the audit log names the actions of its rows)."""
    return _LABELS.get(action, action)


_LABELS: dict[str, str] = {name: spec.label for name, spec in ACTIONS.items()}


def refuse(
    engine: Engine,
    actor: Actor,
    action: Action,
    template: str,
    entity: str = "",
    entity_id: object = "",
    **values: Any,
) -> NoReturn:
    """Record the refusal in the audit log, then raise it."""
    audit.record_alone(
        engine,
        actor.user_id,
        actor.username,
        f"{action}.denied",
        entity,
        entity_id,
        after={"reason": template.format(**values)},
    )
    raise Refused(template, **values)


def require(
    engine: Engine, actor: Actor, action: Action, entity: str = "", entity_id: object = ""
) -> None:
    """Refuse (audited) unless the actor's role may do `action`."""
    if not actor.may(action):
        refuse(
            engine,
            actor,
            action,
            NOT_ALLOWED,
            entity,
            entity_id,
            role=ROLE_LABELS[actor.role],
            what=ACTIONS[action].label,
        )
