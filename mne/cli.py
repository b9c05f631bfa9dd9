"""The command line: `python -m mne ...` (the contract of design.md).

Exit codes: 0 done, 1 refused, 2 bad usage or an unreadable store.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.engine import StoreBusy, database_url, get_engine, writing
from db.migrate import has_schema
from mne import access, audit, cli_access, cli_tokens, demo, intake
from mne.access import AccessError
from mne.catalog import catalog_json
from mne.errors import UserError
from mne.i18n import LANGUAGES, N_, Translator
from mne.intake import batches, revert
from mne.intake.mapping import Mapping, MappingProblem
from mne.intake.problems import sheet_note
from mne.intake.template import template_csv, template_xlsx
from mne.store import init_store, init_store_with_demo_if_new


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mne", description="Urban M&E dashboard")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of messages")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create or migrate the store and load the catalog")
    seeding = init.add_mutually_exclusive_group()
    seeding.add_argument("--demo", action="store_true", help="also load the synthetic demo data")
    seeding.add_argument(
        "--demo-if-new",
        action="store_true",
        help="load the demo data only into a store that never held any data (scripts/run.sh)",
    )

    catalog = commands.add_parser("catalog", help="print the catalog")
    catalog.add_argument("--json", action="store_true", required=True)

    demo_cmd = commands.add_parser("demo", help="demo data")
    demo_cmd.add_argument("action", choices=["load", "remove", "status"])

    template = commands.add_parser("template", help="write the upload template")
    template.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    template.add_argument("--out", help="file to write (default: mne-template.FORMAT)")

    imp = commands.add_parser("import", help="check and store an indicator file")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="check only; store nothing")
    imp.add_argument(
        "--partial", action="store_true", help="store the valid rows of a file with errors"
    )
    imp.add_argument("--user", help="act as this account (default: the operator)")
    imp.add_argument("--json", action="store_true")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="KIND:WRITTEN=TARGET",
        help="what the file's words are in ours, e.g. series:PM2.5=QE_PM25, "
        "column:Country Name=city, unit:microgram/m3=µg/m³, city:Alberta=VNHAN (repeatable)",
    )
    imp.add_argument("--sheet", help="the workbook's sheet to read (default: the data sheet)")
    imp.add_argument(
        "--no-remembered-map",
        action="store_true",
        help="without --map, read the file without the mapping remembered for its source",
    )

    rev = commands.add_parser("revert", help="undo an upload batch")
    rev.add_argument("batch_id", type=int)
    rev.add_argument("--user", help="act as this account (default: the operator)")

    history = commands.add_parser("history", help="upload batches, newest first")
    history.add_argument("--city")
    history.add_argument("--indicator")
    history.add_argument("--json", action="store_true")

    report = commands.add_parser("report", help="write a PDF, Excel or CSV report")
    report.add_argument(
        "--scope", required=True, help="network | country:XX | city:CODE | task-group:G1"
    )
    report.add_argument("--format", choices=["pdf", "xlsx", "csv"], default="pdf")
    report.add_argument("--lang", dest="report_lang", choices=LANGUAGES, help="report language")
    report.add_argument("--period", help="first and last year, e.g. 2015-2024 (default: all)")
    report.add_argument(
        "--include-submitted",
        action="store_true",
        help="count submitted values not yet approved (default: approved values only)",
    )
    report.add_argument("--no-bom", action="store_true", help="CSV without a byte-order mark")
    report.add_argument("--out", help="file to write (default: a name with scope and date)")

    summary = commands.add_parser(
        "summary", help="the key figures the Overview and the reports show, as JSON"
    )
    summary.add_argument("--scope", default="network", help="network | country:XX | city:CODE")
    summary.add_argument("--period", help="first and last year, e.g. 2015-2024 (default: all)")
    summary.add_argument("--include-submitted", action="store_true")
    summary.add_argument("--json", action="store_true", required=True)

    bench = commands.add_parser("bench", help="benchmarks on a throw-away bench store")
    bench.add_argument(
        "name",
        choices=["ingest", "dashboard", "report", "version", "hostile", "api", "load", "browser"],
    )
    bench.add_argument("--rows", type=int, default=1_000_000)
    bench.add_argument("--sessions", type=int, default=50, help="load: concurrent sessions")
    bench.add_argument("--seconds", type=float, default=60, help="load: seconds per phase")
    bench.add_argument(
        "--url",
        help="ingest, load: an empty throw-away database to use (default: a temporary SQLite); "
        "version: the store to read (default: DATABASE_URL)",
    )

    progress = commands.add_parser(
        "progress", help="the figures behind every status (baseline, latest, target, score)"
    )
    progress.add_argument("--city")
    progress.add_argument("--indicator")
    progress.add_argument("--include-submitted", action="store_true")
    progress.add_argument("--json", action="store_true", required=True)

    values = commands.add_parser("values", help="stored values")
    values.add_argument("--city")
    values.add_argument("--indicator")
    values.add_argument("--period")
    values.add_argument("--json", action="store_true", required=True)
    export = commands.add_parser(
        "export", help="stored values in a partner's format (DHIS2, SDMX-CSV, Open SDG)"
    )
    export.add_argument(
        "--format", required=True, choices=["dhis2-json", "dhis2-csv", "sdmx-csv", "open-sdg"]
    )
    export.add_argument("--out", required=True, help="the file to write")
    export.add_argument("--city", help="city codes, comma separated")
    export.add_argument("--indicator", help="indicator codes, comma separated")
    export.add_argument("--country", help="country ISO codes, comma separated")
    export.add_argument("--period", help="first and last year, e.g. 2015-2024")
    export.add_argument("--status", choices=["approved", "submitted", "all"], default="approved")
    export.add_argument("--ids", help="a CSV (kind,code,id) of a partner's own ids for our codes")
    backup = commands.add_parser(
        "backup", help="copy the whole store into one file (safe while the app runs)"
    )
    backup.add_argument("path", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    backup.add_argument("--json", action="store_true")
    restore = commands.add_parser(
        "restore", help="replace the whole store by a backup made by `backup`"
    )
    restore.add_argument("path", help="the backup file to read")
    restore.add_argument(
        "--force", action="store_true", help="replace a store that already holds data"
    )
    restore.add_argument("--json", action="store_true")
    cli_access.add_commands(commands)
    cli_tokens.add_commands(commands)
    return parser


STORE_BUSY = N_(
    "Another write to the store (an import or a revert) held it for more than {seconds} "
    "seconds, so nothing was changed. Try again in a few minutes."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    tr = Translator(args.lang)
    engine = get_engine()
    try:
        if args.command == "init":
            return _init(engine, args, tr)
        if args.command == "bench":
            return _bench(args, tr)
        if args.command == "restore":
            return _restore(engine, args, tr)
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
            return _print_json(catalog_json(engine))
        handlers = {
            "demo": _demo,
            "template": _template,
            "import": _import,
            "revert": _revert,
            "history": _history,
            "values": _values,
            "progress": _progress,
            "report": _report,
            "summary": _summary,
            "backup": _backup,
            "export": _export,
            "user": cli_access.run_user,
            "token": cli_tokens.run_token,
            "approve": cli_access.run_review,
            "return": cli_access.run_review,
            "reopen": cli_access.run_review,
        }
        return handlers[args.command](engine, args, tr)
    except StoreBusy as busy:
        print(tr(STORE_BUSY, seconds=tr.number(busy.seconds)), file=sys.stderr)
        return 2
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


def _init(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    if args.demo_if_new:
        counts = init_store_with_demo_if_new(engine, access.operator().username)
    else:
        counts = init_store(engine, with_demo=args.demo)
    print(tr("Store ready: {url}", url=engine.url.render_as_string(hide_password=True)))
    if counts:
        print(
            tr(
                "Demo data loaded: {observations} values, {tasks} tasks, {projects} projects.",
                **counts,
            )
        )
    return 0


def _print_json(data: object) -> int:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1, default=str)
    print()
    return 0


def _demo(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    action = args.action
    if action == "status":
        print(tr("Demo data present.") if demo.has_demo(engine) else tr("No demo data."))
        return 0
    operator = access.operator().username
    with writing(engine) as conn:
        if action == "remove":
            demo.remove_demo(conn)
            audit.record(conn, None, operator, "demo.remove", "demo")
            print(tr("Demo data removed; your own data is untouched."))
        else:
            counts = demo.load_demo(conn)
            audit.record(conn, None, operator, "demo.load", "demo", after=counts)
            print(
                tr(
                    "Demo data loaded: {observations} values, {tasks} tasks, {projects} projects.",
                    **counts,
                )
            )
    return 0


def _template(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    out = Path(args.out or f"mne-template.{args.format}")
    data = template_csv() if args.format == "csv" else template_xlsx(engine, tr)
    out.write_bytes(data)
    print(tr("Template written to {path}", path=out))
    return 0


def _import(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(tr("Cannot read {path}: {error}", path=path, error=error.strerror), file=sys.stderr)
        return 2
    file_name = path.name
    if path.suffix.lower() == ".json":  # a DHIS2 dataValueSets file
        from mne.exchange import dhis2_json_to_csv

        try:
            converted = dhis2_json_to_csv(json.loads(data))
        except ValueError:
            converted = None
        if converted is None:
            print(tr(NOT_DATA_VALUE_SET, path=path), file=sys.stderr)
            return 2
        data, file_name = converted, path.with_suffix(".csv").name
    actor = cli_access.acting_user(engine, args.user, tr)
    if actor is None:
        return 2
    try:
        mapping = Mapping.parse(args.map)
    except MappingProblem as problem:
        return _refused(problem, tr, args.json, 2)
    preview = intake.check(
        engine,
        data,
        file_name,
        tr,
        actor=actor,
        mapping=mapping,
        sheet=args.sheet,
        use_remembered=not args.no_remembered_map,
    )
    try:
        if args.dry_run:
            summary = intake.dry_run(preview, actor, partial=args.partial)
        else:
            summary = intake.commit_preview(engine, preview, actor, partial=args.partial)
    except AccessError as error:
        return _refused(error, tr, args.json, 1)
    if args.json:
        _print_json(summary)
    else:
        _print_summary(summary, tr)
    if preview.file_problem is not None:
        return 2
    return 0 if summary["status"] in ("committed", "dry-run", "unchanged") else 1


def _refused(error: UserError, tr: Translator, as_json: bool, exit_code: int) -> int:
    """A refusal: its message on stderr; with --json, also `{"error": {"code", "message"}}`
    on stdout, as the API answers it."""
    print(error.message(tr), file=sys.stderr)
    if as_json:
        _print_json({"error": error.as_json(tr)})
    return exit_code


NOT_DATA_VALUE_SET = N_("{path} is not a DHIS2 dataValueSets JSON file (no dataValues list).")
REMEMBERED_MAPPING = N_(
    "Read with the mapping remembered for this source: {mapping}. Give --map to use another, "
    "or --no-remembered-map to read the file without it."
)
GROUPED_WARNINGS = {"other_places", "no_place", "unmapped_series", "other_unit"}
IMPORT_STATUS_WORDS = {
    "committed": N_("Stored"),
    "rejected": N_("Rejected"),
    "unchanged": N_("Unchanged"),
    "dry-run": N_("Checked (dry run)"),
}


def _print_summary(summary: dict[str, object], tr: Translator) -> None:
    print(
        tr(
            "{status}: {rows} values read, {inserted} new, {updated} changed, {unchanged} "
            "unchanged, {rejected} rejected.",
            **{**summary, "status": tr(IMPORT_STATUS_WORDS[str(summary["status"])])},
        )
    )
    if summary.get("mapping_remembered"):
        print("  " + tr(REMEMBERED_MAPPING, mapping="; ".join(summary["mapping"])))  # type: ignore[arg-type]
    if summary.get("sheet") and len(summary.get("sheets") or []) > 1:  # type: ignore[arg-type]
        print("  " + sheet_note(tr, str(summary["sheet"]), tuple(summary["sheets"])))  # type: ignore[arg-type]
    errors, warnings = summary["errors"], summary["warnings"]
    assert isinstance(errors, list) and isinstance(warnings, list)
    # Rows left out as a group are said; per-row warnings are in --json and on the page.
    grouped = [w for w in warnings if w["code"] in GROUPED_WARNINGS]
    for problem in [*errors, *grouped]:
        where = tr("row {row}, column {column}", row=problem["row"], column=problem["column"])
        text = problem["message"]
        print(f"  {where}: {text}" if problem["row"] else f"  {text}")
    if summary.get("errors_left_off"):
        print("  " + tr(MORE_ERRORS, n=tr.number(int(summary["errors_left_off"]))))  # type: ignore[call-overload]


MORE_ERRORS = N_("… and {n} more errors, not listed: fix these and check the file again.")


def _export(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    """Exit 0 written, 2 a filter not understood."""
    from mne import exchange
    from mne.reports import ReportError
    from mne.reports.content import parse_period

    def codes(raw: str | None) -> tuple[str, ...]:
        return tuple(c.strip().upper() for c in (raw or "").split(",") if c.strip())

    try:
        first, last = parse_period(args.period)
    except ReportError as error:
        print(error.message(tr), file=sys.stderr)
        return 2
    chosen = exchange.ValueFilter(
        codes(args.city), codes(args.indicator), codes(args.country), first, last, args.status
    )
    ids = exchange.PartnerIds.read(Path(args.ids)) if args.ids else None
    statement = exchange.values_statement(chosen, exchange.shown_condition(args.status))
    out = Path(args.out)
    with out.open("wb") as handle:
        count = exchange.write(engine, statement, args.format, handle, ids)
    print(tr("{n} values written to {path}", n=tr.number(count), path=out))
    return 0


def _backup(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    from mne import backup

    path = Path(args.path)
    try:
        facts = backup.backup(engine, path, access.operator().username, force=args.force)
    except backup.BackupProblem as problem:
        print(problem.message(tr), file=sys.stderr)
        return problem.exit_code
    if args.json:
        return _print_json({"status": "written", "path": str(path), **asdict(facts)})
    print(
        tr(
            "Backup written to {path}: {rows} rows, schema version {revision}, store version "
            "{version}.",
            path=path,
            rows=facts.rows,
            revision=facts.revision,
            version=facts.store_version,
        )
    )
    return 0


def _restore(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    from mne import backup

    path = Path(args.path)
    try:
        facts = backup.restore(engine, path, access.operator().username, force=args.force)
    except backup.BackupProblem as problem:
        print(problem.message(tr), file=sys.stderr)
        return problem.exit_code
    if args.json:
        return _print_json({"status": "restored", "path": str(path), **asdict(facts)})
    print(
        tr(
            "Restored {path} (taken {taken_at}, schema version {revision}): {rows} rows. "
            "Every app server shows the restored store on its next page load.",
            path=path,
            taken_at=facts.taken_at or "-",
            revision=facts.revision,
            rows=facts.rows,
        )
    )
    return 0


def _bench(args: argparse.Namespace, tr: Translator) -> int:
    from mne.bench import StoreNotEmpty, bench_dashboard, bench_ingest, bench_version
    from mne.reports.bench import bench_report

    if args.name == "version":
        bench_version(args.url or database_url())
        return 0
    if args.name == "api":
        from mne.bench_api import bench_api

        figures = bench_api(args.rows)
        return 0 if figures["within_3x"] and figures["under_500_mb"] else 1
    if args.name == "hostile":
        from mne.bench_hostile import bench_hostile

        return 0 if bench_hostile()["all_pass"] else 1
    if args.name == "browser":
        from mne.bench_browser import bench_browser

        return 0 if bench_browser(args.rows)["all_pass"] else 1
    if args.name == "load":
        from mne.bench_load import bench_load

        try:
            figures = bench_load(args.url, args.sessions, args.seconds, args.rows)
        except StoreNotEmpty as refused:
            print(refused.message(tr), file=sys.stderr)
            return 2
        return 0 if figures["all_pass"] else 1
    if args.name == "ingest":
        try:
            bench_ingest(args.rows, args.url)
        except StoreNotEmpty as refused:
            print(refused.message(tr), file=sys.stderr)
            return 2
        return 0
    runs = {"dashboard": bench_dashboard, "report": bench_report}
    runs[args.name](args.rows)
    return 0


def _revert(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    actor = cli_access.acting_user(engine, args.user, tr)
    if actor is None:
        return 2
    try:
        counts = revert.revert(engine, args.batch_id, actor)
    except (revert.RevertRefused, AccessError) as refused:
        print(refused.message(tr), file=sys.stderr)
        return 1
    print(
        tr(
            "Batch #{batch} reverted: {restored} values restored, {removed} removed.",
            batch=args.batch_id,
            **counts,
        )
    )
    return 0


def _history(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    listed = batches.batches_frame(engine, args.city, args.indicator)
    if args.json:
        return _print_json(listed.to_dict("records"))
    print(listed.to_string(index=False) if not listed.empty else tr("No uploads yet."))
    return 0


def _values(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    values = batches.values_frame(engine, args.city, args.indicator, args.period)
    return _print_json(values.to_dict("records"))


def _progress(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    """mne.progress: one object per city x indicator with data. Exit 2 for an unknown code."""
    from mne.progress import UnknownCode, progress_json

    try:
        rows = progress_json(engine, args.city, args.indicator, args.include_submitted)
    except UnknownCode as error:
        print(error.message(tr), file=sys.stderr)
        return 2
    return _print_json(rows)


def _report(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    """Exit 0 written, 1 the export failed, 2 a scope or period not understood."""
    from mne import reports
    from mne.reports.content import parse_period

    lang = args.report_lang or args.lang
    tr = Translator(lang)  # the report's language, for its messages too
    try:
        first, last = parse_period(args.period)
        report = reports.make_report(
            engine,
            args.scope,
            args.format,
            lang,
            include_submitted=args.include_submitted,
            first_year=first,
            last_year=last,
            bom=not args.no_bom,
        )
    except (reports.ReportError, reports.ExportFailed) as error:
        print(error.message(tr), file=sys.stderr)
        return 2 if isinstance(error, reports.ReportError) else 1
    out = Path(args.out or report.file_name)
    out.write_bytes(report.data)
    print(tr("Report written to {path}", path=out))
    return 0


def _summary(engine: Engine, args: argparse.Namespace, tr: Translator) -> int:
    """The key figures (mne.headline) of a scope, from the very function the pages and the
    reports use. Exit 2 for a scope or period not understood."""
    from mne import reports
    from mne.reports.content import parse_period, parse_scope

    try:
        first, last = parse_period(args.period)
        content = reports.gather(
            engine, parse_scope(args.scope), args.lang, args.include_submitted, first, last
        )
    except reports.ReportError as error:
        print(error.message(tr), file=sys.stderr)
        return 2
    assert content.key_figures is not None
    figures = content.key_figures.as_json()
    figures.update(
        scope=content.scope.text,
        values=content.figures["values"],
        demo=content.counts_demo,
        include_submitted=args.include_submitted,
    )
    return _print_json(figures)
