"""`seat-center serve | add-site | export | dispatch`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

DEFAULT_DB = "center.db"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="seat-center",
                                     description="The hotline center that sub-centers sync with.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    serve = commands.add_parser("serve", help="run the sync API", description="Run the sync API "
                                "(OpenAPI docs at /docs, health at /healthz).")
    serve.add_argument("--db", default=DEFAULT_DB, help="SQLite file or database URL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8890)
    serve.set_defaults(command="serve")
    add_site = commands.add_parser("add-site", help="create a site; prints its token (last line)",
                                   description="Create a site (or renew its token) and print the "
                                   "token once, as the last line; it is stored hashed.")
    add_site.add_argument("code", metavar="CODE")
    add_site.add_argument("--db", default=DEFAULT_DB)
    add_site.set_defaults(command="add-site")
    export = commands.add_parser("export", help="every ticket as JSON Lines",
                                 description="Print every ticket the center holds as JSON Lines.")
    export.add_argument("--db", default=DEFAULT_DB)
    export.set_defaults(command="export")
    dispatch = commands.add_parser("dispatch", help="a center-side update of a ticket",
                                   description="Change center-owned fields of a ticket (status, "
                                   "department...) for its site to pull.")
    dispatch.add_argument("number", metavar="NUMBER")
    dispatch.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    dispatch.add_argument("--db", default=DEFAULT_DB)
    dispatch.set_defaults(command="dispatch")
    args = parser.parse_args(argv)

    from seat_center import storage
    from seat_console.core import clock

    try:
        clock.current_shift()  # the center stamps with the console's clock (SEAT_CONSOLE_CLOCK_AT)
    except clock.ClockSettingError as exc:
        print(f"seat-center: error: {exc}", file=sys.stderr)
        return 2

    engine = storage.open_engine(args.db)
    command = args.command
    if command == "serve":
        import uvicorn

        from seat_center.app import create_app

        uvicorn.run(create_app(engine), host=args.host, port=args.port, log_level="warning")
    elif command == "add-site":
        token = storage.add_site(engine, args.code)
        print(f"site {args.code} ready; its token (shown once):")
        print(token)
    elif command == "export":
        for row in storage.export_rows(engine):
            print(json.dumps(row, ensure_ascii=False))
    elif command == "dispatch":
        fields = dict(item.split("=", 1) for item in args.set)
        try:
            seq = storage.center_update(engine, args.number, fields)
        except KeyError:
            print(f"seat-center: error: no ticket {args.number}", file=sys.stderr)
            return 1
        print(f"change {seq} logged for {args.number}")
    return 0
