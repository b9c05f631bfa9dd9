"""The command line of API tokens: `python -m mne token add|list|revoke`.

`token add USER --name NAME [--scope read|read+import] [--days N]` prints the token alone on
its last line: it is shown this once (the store keeps only its hash).
"""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import Engine

from mne import access, api_tokens
from mne.access import AccessError
from mne.i18n import Translator


def add_commands(commands: argparse._SubParsersAction) -> None:
    token = commands.add_parser("token", help="API tokens of accounts: add, list, revoke")
    token.add_argument("action", choices=["add", "list", "revoke"])
    token.add_argument("target", nargs="?", help="add: the account; revoke: the token's id")
    token.add_argument("--name", default="", help="add: who or what uses the token")
    token.add_argument("--scope", choices=api_tokens.SCOPES, default="read")
    token.add_argument("--days", type=int, default=api_tokens.DEFAULT_DAYS)
    token.add_argument("--user", help="list: only this account's tokens")
    token.add_argument("--json", action="store_true")


def run_token(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    operator = access.operator()
    try:
        if args.action == "list":
            return _list(engine, args, tr)
        if not args.target:
            what = "USER" if args.action == "add" else "ID"
            print(tr("Name the {what} to act on.", what=what), file=sys.stderr)
            return 2
        if args.action == "add":
            token_id, token = api_tokens.add(
                engine, operator, args.target, args.name, args.scope, args.days
            )
            print(
                tr(
                    "Token #{id} made for {username} ({scope}). It is shown once, on the next "
                    "line: keep it safe.",
                    id=token_id,
                    username=args.target,
                    scope=tr(api_tokens.SCOPE_LABELS[args.scope]),
                )
            )
            print(token)
            return 0
        try:
            token_id = int(args.target)
        except ValueError:
            print(tr("A token is named by its number (see `token list`)."), file=sys.stderr)
            return 2
        if not api_tokens.revoke(engine, operator, token_id):
            print(tr("There is no live token #{id}.", id=token_id), file=sys.stderr)
            return 1
        print(tr("Token #{id} revoked.", id=token_id))
        return 0
    except AccessError as error:
        print(error.message(tr), file=sys.stderr)
        return 1


def _list(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    frame = api_tokens.tokens_frame(engine, args.user)
    if args.json:
        records = frame.astype(
            {c: str for c in ("created_at", "expires_at", "revoked_at", "last_used_at")}
        ).to_dict("records")
        for record in records:
            for key, value in record.items():
                if value in ("NaT", "None"):
                    record[key] = None
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(frame.to_string(index=False) if not frame.empty else tr("No tokens yet."))
    return 0
