"""The command line of accounts and approval: `user ...`, `approve`, `return`, `reopen`.

The command line acts as the store's operator (an administrator): that is how the first admin
is made. `--user NAME` on a write acts as that account instead, with its role's permissions.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import Engine

from mne import access, accounts, approval
from mne.access import AccessError, Actor
from mne.i18n import Translator

USER_ACTIONS = ("add", "list", "set-role", "disable", "enable", "unlock", "set-password")


def add_commands(commands: argparse._SubParsersAction) -> None:
    user = commands.add_parser("user", help="accounts: add, list, set-role, disable...")
    user.add_argument("action", choices=USER_ACTIONS)
    user.add_argument("username", nargs="?")
    user.add_argument("--role", choices=access.ROLES)
    user.add_argument("--name", default="", help="display name")
    user.add_argument(
        "--city", action="append", default=None, help="city code a focal point answers for"
    )
    user.add_argument("--lang-default", dest="user_lang", default="vi", choices=["vi", "en", "id"])
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user.add_argument("--json", action="store_true")
    for step, text in (
        ("approve", "approve a submitted upload batch"),
        ("return", "return a submitted batch to its focal point, with a comment"),
        ("reopen", "reopen an approved batch"),
    ):
        parser = commands.add_parser(step, help=text)
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--comment", default="")
        parser.add_argument("--user", help="act as this account")


def acting_user(engine: Engine, name: str | None, tr: Translator) -> Actor | None:
    """The actor of a write: the operator, or the account `name` when given. While the store
    has no account yet, `name` only labels the operator's work. None (after saying why) when
    accounts exist and none of them, active, is `name`."""
    if not name:
        return access.operator()
    if not accounts.has_accounts(engine):
        return access.operator(name)
    actor = accounts.load_actor_by_name(engine, name)
    if actor is None:
        print(tr("There is no active account “{username}”.", username=name), file=sys.stderr)
    return actor


def _password(args: argparse.Namespace, tr: Translator) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        print(tr("Give the password on standard input with --password-stdin."), file=sys.stderr)
        return None
    first = getpass.getpass(tr("Password: "))
    if first != getpass.getpass(tr("Password again: ")):
        print(tr("The two passwords differ."), file=sys.stderr)
        return None
    return first


def run_user(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    if args.action == "list":
        users = accounts.users_frame(engine)
        if args.json:
            import json

            records = users.astype({"locked_until": str, "last_login_at": str}).to_dict("records")
            print(json.dumps(records, ensure_ascii=False, indent=2))
        else:
            print(users.to_string(index=False) if not users.empty else tr("No accounts yet."))
        return 0
    if not args.username:
        print(tr("Name the account: python -m mne user {action} USERNAME", action=args.action))
        return 2
    operator = access.operator()
    try:
        if args.action == "add":
            password = _password(args, tr)
            if password is None:
                return 2
            accounts.create_user(
                engine,
                operator,
                args.username,
                password,
                args.role or "viewer",
                args.name,
                tuple(args.city or ()),
                args.user_lang,
            )
        elif args.action == "set-role":
            if not args.role:
                print(tr("Give the new role with --role."), file=sys.stderr)
                return 2
            cities = None if args.city is None else tuple(args.city)
            accounts.set_role(engine, operator, args.username, args.role, cities)
        elif args.action in ("disable", "enable"):
            accounts.set_active(engine, operator, args.username, args.action == "enable")
        elif args.action == "unlock":
            accounts.unlock(engine, operator, args.username)
        else:
            password = _password(args, tr)
            if password is None:
                return 2
            accounts.set_password(engine, operator, args.username, password)
    except AccessError as error:
        print(error.message(tr), file=sys.stderr)
        return 1
    print(tr("Done: {action} {username}.", action=args.action, username=args.username))
    return 0


def run_review(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    actor = acting_user(engine, args.user, tr)
    if actor is None:
        return 2
    steps = {
        "approve": approval.approve_batch,
        "return": approval.return_batch,
        "reopen": approval.reopen_batch,
    }
    try:
        count = steps[args.command](engine, actor, args.batch_id, args.comment)
    except AccessError as error:
        print(error.message(tr), file=sys.stderr)
        return 1
    print(tr("Batch #{batch}: {count} values changed status.", batch=args.batch_id, count=count))
    return 0
