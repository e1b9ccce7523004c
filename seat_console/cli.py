"""`seat-console` command line: no subcommand starts the console; subcommands for scripts."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from seat_console import __version__
from seat_console.config import Config, keymap_error, load_config
from seat_console.core.errors import SeatConsoleError

log = logging.getLogger("seat_console")


def _setup_logging(config: Config) -> None:
    """Log to seat-console.log beside the database. Never log citizens' data in clear."""
    handler = logging.FileHandler(config.database.parent / "seat-console.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("seat_console")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _run_console(args: argparse.Namespace, config: Config) -> int:
    from seat_console.core.validation import check_phone
    from seat_console.core.workspace import open_workspace
    from seat_console.tui.app import BINDING_AREAS, SeatConsoleApp
    from seat_console.tui.keymap import unknown_binding_ids

    unknown = unknown_binding_ids(BINDING_AREAS, config.keymap)
    if unknown:
        raise keymap_error(config, unknown[0], f"unknown binding id {unknown[0]!r} in keymap "
                           "(press F1 in the console for the list of ids)")
    incoming = None
    if args.call:
        phone = check_phone(args.call)
        if not phone.ok:
            raise SeatConsoleError(f"--call {args.call!r}: not a valid phone number")
        incoming = phone.normalized
    workspace = open_workspace(config)
    log.info("console starting site=%s agent=%s db=%s", config.site_code, config.agent.id,
             config.database)
    SeatConsoleApp(workspace, incoming_call=incoming).run()
    return 0


def _check_data(args: argparse.Namespace, config: Config) -> int:
    from seat_console.core.calendar import load_calendar
    from seat_console.core.kb.loader import load_kb
    from seat_console.core.kb.referral_rules import load_referral_rules
    from seat_console.core.kb.synonyms import SYNONYMS_FILE, load_synonyms
    from seat_console.core.phrases.catalog import load_catalog
    from seat_console.core.phrases.forbidden import load_forbidden
    from seat_console.core.phrases.scope import load_scope
    from seat_console.core.phrases.transcript_qa import load_qa_rules
    from seat_console.core.taxonomy import load_taxonomy

    phrases, kb = config.scripts_phrases, config.kb_data
    checks = (
        ("phrases", lambda: load_catalog(phrases),
         lambda c: f"{len(c.phrases)} phrases in {len(c.phases)} phases"),
        ("forbidden", lambda: load_forbidden(phrases),
         lambda r: f"{len(r.phrases)} forbidden phrases, {len(r.allow)} look-alikes allowed"),
        ("scope", lambda: load_scope(phrases),
         lambda r: f"{len(r.not_accepted)} non-accepted categories, {len(r.emergencies)} emergencies"),
        ("qa_rules", lambda: load_qa_rules(phrases), lambda r: f"{len(r.required)} required moments"),
        ("taxonomy", lambda: load_taxonomy(kb), lambda t: f"{len(t.leaves)} leaves"),
        ("synonyms", lambda: load_synonyms(kb / SYNONYMS_FILE), lambda t: f"{len(t.groups)} groups"),
        ("referral", lambda: load_referral_rules(kb),
         lambda r: f"enterprise {r.enterprise_feedback_minutes} min, citizen "
                   f"{r.citizen_followup_days} days"),
        ("holidays_fallback", lambda: load_calendar(kb),
         lambda c: f"{len(c.fixed_holidays)} fixed dates past {c.data_until}"),
    )
    problems: list[str] = []
    for name, load, describe in checks:
        try:
            print(f"{name}: {describe(load())}")  # type: ignore[no-untyped-call]
        except SeatConsoleError as exc:
            problems.append(str(exc))
    result = load_kb([kb])
    print(f"kb_data: {len(result.records)} entries loaded")
    problems += [str(e) for e in result.errors]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _db_info(args: argparse.Namespace, config: Config) -> int:
    from sqlmodel import func, select

    from seat_console.core.db import Database
    from seat_console.core.models import Draft, KbArticle, OutboxOp, Ticket, TicketEvent

    db = Database(config.database)
    counts = {}
    with db.read() as session:
        for name, model in (("tickets", Ticket), ("events", TicketEvent), ("drafts", Draft),
                            ("kb_entries", KbArticle)):
            counts[name] = session.exec(select(func.count()).select_from(model)).one()
        counts["outbox_pending"] = session.exec(
            select(func.count()).select_from(OutboxOp).where(OutboxOp.sent_at.is_(None))  # type: ignore[union-attr]
        ).one()
    info = {"database": str(config.database), "schema_version": db.schema_version(), **counts}
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def _db_migrate(args: argparse.Namespace, config: Config) -> int:
    from seat_console.core.db import Database

    db = Database(config.database)
    print(f"{config.database}: schema v{db.previous_version} -> v{db.schema_version()}")
    return 0


def _config_show(args: argparse.Namespace, config: Config) -> int:
    data = config.model_dump(mode="json")
    if data["center"]["token"]:
        data["center"]["token"] = "********"
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def _lazy(module: str, name: str):  # type: ignore[no-untyped-def]
    """A handler imported only when its command runs (keeps start-up fast)."""

    def handler(args: argparse.Namespace, config: Config) -> int:
        import importlib

        return int(getattr(importlib.import_module(f"seat_console.commands.{module}"), name)(
            args, config))

    return handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seat-console",
        description="Seat agent workstation for 12345 / 8890 government service hotlines. "
        "Without a subcommand, starts the console.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", metavar="PATH",
                        help="config file (default: $SEAT_CONSOLE_CONFIG, else seat-console.yaml "
                        "beside the database); created with defaults if missing")
    parser.add_argument("--call", metavar="PHONE",
                        help="start with an incoming call from PHONE (as handed over by telephony)")
    parser.set_defaults(handler=_run_console)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    check = commands.add_parser("check-data", help="validate config, phrases and kb_data",
                                description="Validate the config, scripts_phrases/ and kb_data/; "
                                "every problem names its file and line. Exit 1 on any problem.")
    check.set_defaults(handler=_check_data, create_config=False)

    db = commands.add_parser("db", help="database maintenance",
                             description="Inspect or upgrade hotline.db.")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    db_commands.add_parser("info", help="schema version and row counts (JSON)",
                           description="Print schema version and row counts as JSON."
                           ).set_defaults(handler=_db_info)
    db_commands.add_parser("migrate", help="create or upgrade the schema in place",
                           description="Create the database or upgrade an older schema in "
                           "place; never recreates it.").set_defaults(handler=_db_migrate)

    phrases = commands.add_parser(
        "check-phrases", help="check text on stdin for forbidden phrases (服务禁语)",
        description="Check stdin for the forbidden phrases of scripts_phrases/forbidden.yaml. "
        "Default: stdin is one text, hits printed as lines. --json: one object "
        '{"hits": [{"phrase", "start", "end", "matched", "suggestion"}]}. --lines: each input '
        "line is checked on its own and one such JSON object is written per line, in order, "
        "flushed. Offsets are character offsets in the original text (of the line). Exit 0.")
    phrases.add_argument("--json", action="store_true", help="print JSON")
    phrases.add_argument("--lines", action="store_true",
                         help="check each line on its own; one JSON object per line (implies --json)")
    phrases.set_defaults(handler=_lazy("phrases", "check_phrases"), create_config=False)

    qa = commands.add_parser(
        "qa", help="score the 话术规范度 of a call transcript",
        description="Score a call transcript (lines '坐席：…' / '来电人：…') for forbidden "
        "phrases in agent lines, required moments (opening, confirming the matter, anything "
        "else, closing with 工号) and the silent-call procedure, with the rule behind each "
        "deduction. Rules: scripts_phrases/qa_rules.yaml.")
    qa.add_argument("transcript", metavar="TRANSCRIPT", help="transcript file (UTF-8)")
    qa.add_argument("--json", action="store_true", help="print the report as JSON")
    qa.set_defaults(handler=_lazy("phrases", "qa"), create_config=False)

    kb = commands.add_parser("kb", help="knowledge base: import, stats, search",
                             description="The knowledge base (知识库) and service directory.")
    kb_commands = kb.add_subparsers(title="kb commands", metavar="KB_COMMAND", required=True)
    kb_import = kb_commands.add_parser(
        "import", help="validate and load KB files into the database",
        description="Validate .jsonl/.yaml KB files or kb_data/ folders and load them into "
        "hotline.db (with the folder's synonyms.yaml). Every bad record is reported with file "
        "and line and skipped; the rest is imported. Exit 1 when any record was bad.")
    kb_import.add_argument("paths", nargs="+", metavar="PATH")
    kb_import.add_argument("--replace", action="store_true",
                           help="remove KB entries that are not in PATH")
    kb_import.set_defaults(handler=_lazy("kb", "import_"))
    kb_stats = kb_commands.add_parser("stats", help="summarise the KB",
                                      description="Counts by kind and category, and the index.")
    kb_stats.add_argument("--kb", metavar="PATH", help="a .jsonl file or kb_data/ folder "
                          "instead of the database")
    kb_stats.add_argument("--json", action="store_true", help="print JSON")
    kb_stats.set_defaults(handler=_lazy("kb", "stats"))
    kb_search = kb_commands.add_parser(
        "search", help="search the KB (characters, pinyin, initials, typos, synonyms)",
        description="Search the KB. --json prints {\"query\", \"hits\": [{\"id\", \"title\", "
        "\"score\"}], \"ms\"}. --batch reads one query per line from stdin and writes one such "
        "JSON object per line, in order, flushed per line; ms is the search time of that query "
        "alone. --kb PATH searches a .jsonl file or kb_data/ folder instead of the database, "
        "building or reusing its index (cached under $XDG_CACHE_HOME/seat-console).")
    kb_search.add_argument("query", nargs="*", metavar="QUERY")
    kb_search.add_argument("--kb", metavar="PATH", help="a .jsonl file or kb_data/ folder")
    kb_search.add_argument("--limit", type=int, default=10, metavar="N", help="hits (default 10)")
    kb_search.add_argument("--json", action="store_true", help="print JSON")
    kb_search.add_argument("--batch", action="store_true", help="queries from stdin, JSON lines out")
    kb_search.set_defaults(handler=_lazy("kb", "search"))

    ticket = commands.add_parser("ticket", help="tickets: add (other channels), list, show, export",
                                 description="Tickets from other channels and for audits.")
    ticket_commands = ticket.add_subparsers(title="ticket commands", metavar="TICKET_COMMAND",
                                            required=True)
    ticket_add = ticket_commands.add_parser(
        "add", help="add a ticket from a JSON object on stdin",
        description="Read one ticket as a JSON object on stdin (--batch: JSON Lines, one answer "
        "a line) with the fields caller_name, phone, address, request_type, domain, "
        "confidential, occurred_at, location, details, situation, demand, channel, urgency "
        "(phone, demand, request_type and channel required). Prints the stored ticket as JSON "
        "(id, number, status, deadline and the fields; personal data masked when confidential). "
        "An invalid ticket is refused with every reason, nothing is stored, exit code 2.")
    ticket_add.add_argument("--json", action="store_true", help="print JSON")
    ticket_add.add_argument("--batch", action="store_true", help="JSON Lines in, one JSON answer per line")
    ticket_add.set_defaults(handler=_lazy("tickets", "add"))
    ticket_list = ticket_commands.add_parser("list", help="list tickets, newest first",
                                             description="List tickets (masked when confidential).")
    ticket_list.add_argument("--status", metavar="S", help="only this status code (accepted, ...)")
    ticket_list.add_argument("--json", action="store_true", help="print JSON")
    ticket_list.set_defaults(handler=_lazy("tickets", "list_"))
    ticket_show = ticket_commands.add_parser("show", help="one ticket with its history",
                                             description="One ticket and its event history.")
    ticket_show.add_argument("number", metavar="NUMBER")
    ticket_show.add_argument("--json", action="store_true", help="print JSON")
    ticket_show.set_defaults(handler=_lazy("tickets", "show"))
    ticket_export = ticket_commands.add_parser(
        "export", help="export all tickets as CSV or Excel",
        description="Export every ticket with Chinese column headers (confidential masked).")
    ticket_export.add_argument("--format", choices=("csv", "xlsx"), required=True)
    ticket_export.add_argument("--out", metavar="FILE", required=True)
    ticket_export.set_defaults(handler=_lazy("tickets", "export"))

    sync = commands.add_parser(
        "sync", help="sync with the center", description="Push the outbox to the center and pull "
        "its updates (center.url and center.token from the config). --once: one round; exit 0 "
        "only when everything pending was acknowledged; --json gives pushed, pulled, pending, "
        "conflicts. --status: pending ops, cursor, last success, sync issues.")
    sync.add_argument("--once", action="store_true", help="one sync round")
    sync.add_argument("--status", action="store_true", help="show the sync state")
    sync.add_argument("--json", action="store_true", help="print JSON")
    sync.set_defaults(handler=_lazy("sync", "sync"))

    cfg = commands.add_parser("config", help="show the effective configuration",
                              description="Show the configuration after environment overrides.")
    cfg_commands = cfg.add_subparsers(title="config commands", metavar="CONFIG_COMMAND",
                                      required=True)
    cfg_commands.add_parser("show", help="effective settings as JSON (token hidden)",
                            description="Print the effective settings as JSON; the center "
                            "token is hidden.").set_defaults(handler=_config_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        create = getattr(args, "create_config", True)
        config = load_config(args.config, create=create)
        if create:
            _setup_logging(config)
        return int(args.handler(args, config))
    except SeatConsoleError as exc:
        print(f"seat-console: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
