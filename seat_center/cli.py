"""`seat-center serve | add-site | rotate-token | revoke-site | add-operator | dispatch | export
| drill-results | access-log | stats`. Errors go to stderr with exit code 2 (1: no such ticket)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, timezone

DEFAULT_DB = "center.db"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seat-center",
                                     description="The hotline center that sub-centers sync with.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=description)
        sub.add_argument("--db", default=DEFAULT_DB, help="SQLite file or database URL")
        sub.set_defaults(command=name)
        return sub

    serve = command("serve", "run the sync API",
                    "Run the sync API (OpenAPI docs at /docs, health at /healthz).")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8890)
    serve.add_argument("--tls-cert", metavar="FILE", help="PEM certificate (chain): serve HTTPS")
    serve.add_argument("--tls-key", metavar="FILE", help="PEM private key of --tls-cert")
    serve.add_argument("--trust-proxy", action="store_true",
                       help="behind a reverse proxy: the client address is the last "
                            "X-Forwarded-For entry (rate limit and access log only)")
    add_site = command("add-site", "create a site; prints its token (last line)",
                       "Create a site (code: 6-digit division code) or admit a revoked one "
                       "again, and print its token once, as the last line; it is stored hashed.")
    add_site.add_argument("code", metavar="CODE")
    rotate = command("rotate-token", "a new token for a site; the old one stops at once",
                     "Replace a site's token; prints the new one once (last line).")
    rotate.add_argument("code", metavar="SITE")
    revoke = command("revoke-site", "refuse every request of a site from now on",
                     "Revoke a site: all its requests get 403 until add-site admits it again.")
    revoke.add_argument("code", metavar="SITE")
    add_operator = command("add-operator", "create a dispatch operator; prints its token",
                           "Create an operator of the dispatch API and print the token once "
                           "(last line); it is stored hashed.")
    add_operator.add_argument("name", metavar="NAME")
    export = command("export", "every ticket as JSON Lines",
                     "Print every ticket the center holds as JSON Lines.")
    export.add_argument("--masked", action="store_true",
                        help="mask personal data of every ticket (audits)")
    dispatch = command("dispatch", "a center-side update of a ticket",
                       "Change center-owned fields of a ticket (status, department...) for its "
                       "site to pull; each value is checked against the ticket contract.")
    dispatch.add_argument("number", metavar="NUMBER")
    dispatch.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    dispatch.add_argument("--operator", metavar="NAME",
                          help="who makes the change (default: the login name)")
    drills = command("drill-results", "the sites' trainees' drill results",
                     "Print the drill results the sites sent (seat-console drill mode), oldest "
                     "first: site, trainee, scenario, score. --json: one object a line {site, id, "
                     "trainee_id, scenario_id, scenario_title, score, max, finished_at, items}.")
    drills.add_argument("--trainee", metavar="ID", help="only this trainee (工号)")
    drills.add_argument("--json", action="store_true", help="one JSON object a line")
    access = command("access-log", "the access log of pushes, pulls and dispatches",
                     "Print the access log: time (UTC), kind, site or operator, client, "
                     "HTTP status, count and results.")
    access.add_argument("--since", metavar="TIME", help="ISO 8601 time or date (local time "
                        "unless it names its offset)")
    access.add_argument("--json", action="store_true", help="one JSON object a line")
    stats = command("stats", "the sites' evaluation indicators, overall and per site",
                    "The indicators of scripts_phrases/indicators.yaml over every site's "
                    "tickets and calls for the days --from to --to (China time; default: this "
                    "month so far), as `seat-console stats` computes them on one site; per site "
                    "by default (--by: site, agent, department, domain, channel or day). --json "
                    'prints {"from", "to", "tickets", "calls", "indicators": [{"code", "name", '
                    '"value", "numerator", "denominator", "score"}], "groups": [{"key", '
                    '"tickets", "calls", "indicators"}]} (groups only with --by); value is null '
                    "when there is no data. Read-only.")
    stats.add_argument("--from", dest="from_", metavar="DATE", help="first day, YYYY-MM-DD")
    stats.add_argument("--to", metavar="DATE", help="last day, YYYY-MM-DD (default: today)")
    stats.add_argument("--by", choices=("site", "agent", "department", "domain", "channel",
                                        "day"), help="group the figures (text default: site)")
    stats.add_argument("--indicators", metavar="FOLDER",
                       help="folder holding indicators.yaml (default: the shipped "
                            "scripts_phrases)")
    stats.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _stats(engine, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from seat_center import stats
    from seat_console.commands.json_lines import print_json, utf8_stdio
    from seat_console.core.errors import SeatConsoleError
    from seat_console.core.stats import period

    utf8_stdio()
    try:
        indicators = stats.indicators_of(Path(args.indicators) if args.indicators else None)
        chosen = period(args.from_, args.to)
    except SeatConsoleError as error:
        return _error(str(error))
    by = args.by if args.by or args.json else "site"
    result = stats.report(engine, indicators, chosen, by)
    if args.json:
        print_json(result.as_json())
    else:
        print("\n".join(stats.lines(result)))
    return 0


def _error(message: str, code: int = 2) -> int:
    print(f"seat-center: error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    from seat_center import access_log, operators, sites, storage
    from seat_console.core import clock

    try:
        clock.current_shift()  # the center stamps with the console's clock (SEAT_CONSOLE_CLOCK_AT)
    except clock.ClockSettingError as exc:
        return _error(str(exc))

    engine = storage.open_engine(args.db)  # creates every table (those of sites.py... too)
    command = args.command
    try:
        if command == "serve":
            return _serve(engine, args)
        if command in ("add-site", "rotate-token"):
            action = sites.add_site if command == "add-site" else sites.rotate_token
            token = action(engine, args.code)
            print(f"site {args.code} ready; its token (shown once):")
            print(token)
        elif command == "revoke-site":
            sites.revoke_site(engine, args.code)
            print(f"site {args.code} revoked: its requests are refused from now on")
        elif command == "add-operator":
            token = operators.add_operator(engine, args.name)
            print(f"operator {args.name} ready; its token (shown once):")
            print(token)
        elif command == "export":
            rows = storage.export_rows(engine, masked=True) if args.masked else \
                storage.export_rows(engine)
            for row in rows:
                print(json.dumps(row, ensure_ascii=False))
        elif command == "dispatch":
            return _dispatch(engine, args)
        elif command == "drill-results":
            for row in storage.drill_result_rows(engine, args.trainee):
                print(json.dumps(row, ensure_ascii=False) if args.json else
                      f"{row['finished_at']}  {row['site']}  {row['trainee_id']}  "
                      f"{row['scenario_id']}  {row['score']:g}/{row['max']:g}")
        elif command == "stats":
            return _stats(engine, args)
        elif command == "access-log":
            since = _utc(args.since) if args.since else None
            for row in access_log.rows(engine, since):
                print(json.dumps(row, ensure_ascii=False) if args.json else access_log.line(row))
    except (sites.SiteError, operators.OperatorError) as exc:
        return _error(str(exc))
    return 0


def _utc(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(_error(f"--since {text!r}: expected an ISO 8601 time such as "
                                "2026-12-01T08:00 or 2026-12-01")) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _dispatch(engine, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from seat_center import operators, storage
    from seat_console.core import ticket_contract

    fields = {}
    for item in args.set:
        name, equals, text = item.partition("=")
        if not equals:
            return _error(f"--set {name!r}: expected FIELD=VALUE")
        try:
            fields[name] = ticket_contract.parse_text(name, text)
        except ticket_contract.ContractError as error:  # the value itself is never printed
            return _error(f"{error.field}: {error.reason}")
    if not fields:
        return _error("nothing to change: give --set FIELD=VALUE")
    operator = args.operator or _login_name()
    if operators.name_problem(operator):
        return _error(f"--operator: {operators.name_problem(operator)}")
    try:
        seq = storage.center_update(engine, args.number, fields, operator=operator)
    except KeyError:
        return _error(f"no ticket {args.number}", 1)
    except storage.ChangeRefused as refused:
        return _error("; ".join(f"{name}: {reason}" for name, reason in refused.errors.items()))
    print(f"change {seq} logged for {args.number}")
    return 0


def _login_name() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:40]
    except (KeyError, OSError):
        return "cli"


def _serve(engine, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    import uvicorn

    from seat_center.app import create_app

    if bool(args.tls_cert) != bool(args.tls_key):
        return _error("--tls-cert and --tls-key go together")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    center_log = logging.getLogger("seat_center")
    center_log.addHandler(handler)
    center_log.setLevel(logging.INFO)
    center_log.propagate = False
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1.
    uvicorn.run(create_app(engine, trust_proxy=args.trust_proxy), host=args.host, port=args.port,
                log_level="warning", proxy_headers=False, server_header=False,
                ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key)
    return 0
