"""The command line: `python -m mne ...` (the contract of design.md).

Exit codes: 0 done, 1 refused, 2 bad usage or an unreadable store.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.engine import database_url, get_engine, writing
from db.migrate import has_schema
from mne import demo
from mne.catalog import catalog_json
from mne.i18n import LANGUAGES, Translator
from mne.store import init_store


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mne", description="Urban M&E dashboard")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of messages")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create or migrate the store and load the catalog")
    init.add_argument("--demo", action="store_true", help="also load the synthetic demo data")

    catalog = commands.add_parser("catalog", help="print the catalog")
    catalog.add_argument("--json", action="store_true", required=True)

    demo_cmd = commands.add_parser("demo", help="demo data")
    demo_cmd.add_argument("action", choices=["load", "remove", "status"])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    tr = Translator(args.lang)
    engine = get_engine()
    try:
        if args.command == "init":
            return _init(engine, args.demo, tr)
        if not has_schema(engine):
            print(
                tr(
                    "The store at {url} has no tables yet: run `python -m mne init` first.",
                    url=engine.url.render_as_string(hide_password=True),
                ),
                file=sys.stderr,
            )
            return 2
        if args.command == "catalog":
            json.dump(catalog_json(engine), sys.stdout, ensure_ascii=False, indent=1)
            print()
            return 0
        return _demo(engine, args.action, tr)
    except SQLAlchemyError as error:
        print(
            tr(
                "The store could not be read or written ({url}): {error}",
                url=database_url().split("@")[-1],
                error=type(error).__name__,
            ),
            file=sys.stderr,
        )
        return 2


def _init(engine: Engine, with_demo: bool, tr: Translator) -> int:
    counts = init_store(engine, with_demo=with_demo)
    print(tr("Store ready: {url}", url=engine.url.render_as_string(hide_password=True)))
    if counts:
        print(
            tr(
                "Demo data loaded: {observations} values, {tasks} tasks, {projects} projects.",
                **counts,
            )
        )
    return 0


def _demo(engine: Engine, action: str, tr: Translator) -> int:
    if action == "status":
        print(tr("Demo data present.") if demo.has_demo(engine) else tr("No demo data."))
        return 0
    with writing(engine) as conn:
        if action == "remove":
            demo.remove_demo(conn)
            print(tr("Demo data removed; your own data is untouched."))
        else:
            counts = demo.load_demo(conn)
            print(
                tr(
                    "Demo data loaded: {observations} values, {tasks} tasks, {projects} projects.",
                    **counts,
                )
            )
    return 0
