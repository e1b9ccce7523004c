"""The command line's arguments: `seat-console` and every subcommand, each with --help.

Handlers are imported only when their command runs, so starting the console stays fast."""

from __future__ import annotations

import argparse
from typing import Any

from seat_console import __version__
from seat_console.config import Config

JSON_FLAG: tuple[tuple[str, ...], dict[str, Any]] = (("--json",), {"action": "store_true",
                                                                  "help": "print JSON"})


def lazy(module: str, name: str):  # type: ignore[no-untyped-def]
    """A handler imported only when its command runs."""

    def handler(args: argparse.Namespace, config: Config) -> int:
        import importlib

        return int(getattr(importlib.import_module(f"seat_console.commands.{module}"), name)(
            args, config))

    return handler


def command(group: Any, name: str, help: str, description: str, handler: Any,
            *arguments: tuple[tuple[str, ...], dict[str, Any]], **defaults: Any) -> None:
    """One subcommand: its help, its arguments ((flags), options) and its handler."""
    parser = group.add_parser(name, help=help, description=description)
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    parser.set_defaults(handler=handler, **defaults)


def group(commands: Any, name: str, help: str, description: str) -> Any:
    parser = commands.add_parser(name, help=help, description=description)
    return parser.add_subparsers(title=f"{name} commands", metavar=f"{name.upper()}_COMMAND",
                                 required=True)


DRILL_COMMANDS = ("start", "check", "list", "replay", "report")


def column_map(text: str) -> tuple[str, str]:
    """`--map COLUMN=field` of the kb commands, checked when the arguments are parsed."""
    from seat_console.core.kb.table_reader import parse_mapping

    try:
        return parse_mapping(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


VERBOSE_FLAG: tuple[tuple[str, ...], dict[str, Any]] = (
    ("--verbose", "-v"), {"action": "store_true",
                          "help": "report every bad KB record, not one line per kind of problem"})
MAP_FLAG: tuple[tuple[str, ...], dict[str, Any]] = (
    ("--map",), {"action": "append", "type": column_map, "metavar": "COLUMN=FIELD",
                 "help": "read CSV/XLSX column COLUMN as FIELD (id, title, body, category, "
                 "department, keywords); repeatable, e.g. --map 答复内容=body"})


def drill_shorthand(argv: list[str]) -> list[str]:
    """`seat-console drill [SCENARIO]` is `seat-console drill start [SCENARIO]`."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in ("--config", "--call") else 1  # options with a value
    if index >= len(argv) or argv[index] != "drill":
        return argv
    rest = argv[index + 1:]
    if rest and (rest[0] in DRILL_COMMANDS or rest[0] in ("-h", "--help")):
        return argv
    return [*argv[:index + 1], "start", *rest]


def build_parser(run_console: Any) -> argparse.ArgumentParser:
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
    parser.set_defaults(handler=run_console)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    command(commands, "check-data", "validate config, phrases and kb_data",
            "Validate the config, scripts_phrases/ and kb_data/; every problem names its file and "
            "line (bad KB records: one line per kind of problem, with its count and first "
            "places; --verbose: each). Exit 1 on any problem.", lazy("maintenance", "check_data"),
            VERBOSE_FLAG, create_config=False)

    db = group(commands, "db", "database maintenance", "Inspect or upgrade hotline.db.")
    command(db, "info", "schema version and row counts (JSON)",
            "Print schema version and row counts as JSON.", lazy("maintenance", "db_info"))
    command(db, "migrate", "create or upgrade the schema in place",
            "Create the database or upgrade an older schema in place; never recreates it.",
            lazy("maintenance", "db_migrate"))
    command(db, "backup", "consistent copy of hotline.db, even while the console runs",
            "Copy hotline.db to FILE with SQLite's online backup API: consistent while the "
            "console runs and writes, owner-only (0600), checked, one self-contained file. "
            'Prints {"backup", "schema_version", "tickets", "bytes"}.',
            lazy("maintenance", "db_backup"), (("file",), {"metavar": "FILE"}))

    command(commands, "check-phrases", "check text on stdin for forbidden phrases (服务禁语)",
            "Check stdin for the forbidden phrases of scripts_phrases/forbidden.yaml. Default: "
            "stdin is one text, hits printed as lines. --json: one object "
            '{"hits": [{"phrase", "start", "end", "matched", "suggestion"}]}. --lines: each '
            "input line is checked on its own and one such JSON object is written per line, in "
            "order, flushed. Offsets are character offsets in the original text (of the line). "
            "Exit 0.", lazy("phrases", "check_phrases"), JSON_FLAG,
            (("--lines",), {"action": "store_true",
                            "help": "check each line on its own; one JSON object per line"}),
            create_config=False)
    command(commands, "check-scope", "judge 诉求 text on stdin: acceptance scope and emergencies",
            "Judge stdin as a 诉求 by the rules of scripts_phrases/scope.yaml and gazetteer.yaml. "
            'Default: stdin is one text, the verdict printed for people. --json: one object {"scope": '
            'null | {"category", "rule", "reply"}, "emergency": null | {"services", "matched"}}; '
            "category is civil_dispute, legal_procedure, military or out_of_province, reply the "
            "category's reply for an unknown caller, services sorted among 110, 119, 120, 122. "
            "--lines: each input line is judged on its own and one such JSON object is written "
            "per line, in order, flushed. Exit 0.", lazy("scope", "check_scope"), JSON_FLAG,
            (("--lines",), {"action": "store_true",
                            "help": "judge each line on its own; one JSON object per line"}),
            create_config=False)
    command(commands, "qa", "score the 话术规范度 of a call transcript and store the result",
            "Score a call transcript (lines '坐席：…' / '来电人：…') moment by moment along the "
            "8890 script: forbidden phrases in agent lines; opening, asking the caller's name, "
            "confirming the matter, verifying the callback number and stating the process (when "
            "the matter is handed on), anything else, closing with 工号; and, when the caller's "
            "words call for them, answering a name request with the 工号 script, stating the time "
            "limit, the complaint script, the out-of-scope script (no blunt refusal) and directing "
            "an emergency to 110/119/120/122; the silent-call procedure. Each finding names the "
            "moment, present or missing, the rule, the points lost and the agent turn. Rules and "
            "the pass mark (质检合格): scripts_phrases/qa_rules.yaml. The result (score, "
            "pass/fail, findings; never the transcript text) is stored in table qa_result of "
            "hotline.db, unless --no-store. --json adds base, pass_mark, passed, findings and "
            "stored {id, database, agent_id, call_id, checked_at}.", lazy("phrases", "qa"),
            (("transcript",), {"metavar": "TRANSCRIPT", "help": "transcript file (UTF-8)"}),
            JSON_FLAG,
            (("--agent",), {"metavar": "ID", "help": "工号 of the agent checked (default: the "
                            "config's agent.id)"}),
            (("--call",), {"metavar": "CALL_ID", "dest": "call_id",
                           "help": "id of the call record the transcript is of"}),
            # --no-store writes nothing at all: no database, and no config or log file either
            (("--no-store",), {"action": "store_false", "dest": "create_config",
                               "help": "only print the report; store nothing"}))

    command(commands, "check-reports", "what agents reported the live checks missed (漏检/误报)",
            "List the cases agents recorded in the console (palette: 记录漏检/误报) where the "
            "forbidden-phrase, scope or emergency check was wrong, oldest first, personal data "
            'masked. --json: one object a line {"id", "site_code", "agent_id", "kind", '
            '"kind_label", "field", "text", "note", "created_at"}; kind is one of '
            "forbidden_missed, forbidden_false_alarm, scope_missed, scope_false_alarm, "
            "emergency_missed, emergency_false_alarm.", lazy("phrases", "check_reports"),
            JSON_FLAG)

    kb = group(commands, "kb", "knowledge base: import, stats, search",
               "The knowledge base (知识库) and service directory.")
    kb_path = (("--kb",), {"metavar": "PATH",
                           "help": "a .jsonl/.yaml/.csv/.xlsx file or kb_data/ folder instead "
                           "of the database"})
    command(kb, "import", "validate and load KB files into the database",
            "Validate KB files (.jsonl, .yaml, and .csv / .xlsx exports with a header row: "
            "标题/问题/title, 内容/答案/正文/body, 分类/category, 部门/处理单位/department, "
            "关键词/keywords, id/编号; other columns ignored, --map renames) or kb_data/ folders "
            "and load them into hotline.db (with the folder's synonyms.yaml). Only id, title and "
            "body are required. Bad records are skipped and summarised on stderr, one line per "
            "kind of problem with its count and first file:line places (--verbose: every "
            "record); the rest is imported. Exit 1 when any record was bad.",
            lazy("kb", "import_"), (("paths",), {"nargs": "+", "metavar": "PATH"}),
            (("--replace",), {"action": "store_true",
                              "help": "remove KB entries that are not in PATH (refused when "
                              "nothing loads)"}),
            MAP_FLAG, VERBOSE_FLAG)
    command(kb, "stats", "summarise the KB", "Counts by kind and category, and the index.",
            lazy("kb", "stats"), kb_path, MAP_FLAG, VERBOSE_FLAG, JSON_FLAG)
    command(kb, "search", "search the KB (characters, pinyin, initials, typos, synonyms)",
            'Search the KB. --json prints {"query", "hits": [{"id", "title", "score"}], "ms"}. '
            "--batch reads one query per line from stdin and writes one such JSON object per "
            "line, in order, flushed per line; ms is the search time of that query alone. --kb "
            "PATH searches a KB file (.jsonl, .yaml, .csv, .xlsx) or kb_data/ folder instead of "
            "the database, building or reusing its index (cached under "
            "$XDG_CACHE_HOME/seat-console).",
            lazy("kb", "search"), (("query",), {"nargs": "*", "metavar": "QUERY"}), kb_path,
            (("--limit",), {"type": int, "default": 10, "metavar": "N",
                            "help": "hits (default 10)"}),
            JSON_FLAG, (("--batch",), {"action": "store_true",
                                       "help": "queries from stdin, JSON lines out"}),
            MAP_FLAG, VERBOSE_FLAG)

    from seat_console.core.ticket_contract import (  # plain data, no database
        DISSATISFACTION_REASONS, FIRST_CONTACTED, SATISFACTION)

    ticket = group(commands, "ticket", "tickets: add (other channels), list, show, callback, "
                   "export", "Tickets from other channels and for audits.")
    command(ticket, "add", "add a ticket from a JSON object on stdin",
            "Read one ticket as a JSON object on stdin (--batch: JSON Lines, one answer a line) "
            "with the fields caller_name, phone, address, request_type, domain, confidential, "
            "occurred_at, location, details, situation, demand, channel, urgency (phone, "
            "demand, request_type and channel required). Prints the stored ticket as JSON (id, "
            "number, status, deadline and the fields; personal data masked when confidential). "
            "An invalid ticket is refused with every reason, nothing is stored, exit code 2.",
            lazy("tickets", "add"), JSON_FLAG,
            (("--batch",), {"action": "store_true",
                            "help": "JSON Lines in, one JSON answer per line"}))
    command(ticket, "list", "list tickets, newest first",
            "List tickets (masked when confidential).", lazy("tickets", "list_"),
            (("--status",), {"metavar": "S", "help": "only this status code (accepted, ...)"}),
            JSON_FLAG)
    command(ticket, "show", "one ticket with its history", "One ticket and its event history.",
            lazy("tickets", "show"), (("number",), {"metavar": "NUMBER"}), JSON_FLAG)
    command(ticket, "callback", "record a 回访 (callback) result",
            "Record the 回访 of a closed ticket (已办结), as the console does: 满意 / 基本满意 "
            "-> 已回访; 不满意 needs --reason and sends the ticket back (退回重办) with a new "
            "handling deadline. --first-contacted is the citizen's answer to 承办单位是否先行联系"
            "您 (先行联系率, 12345 quality spec 6.5.2); left out: not asked or not remembered. "
            "A refused callback changes nothing, exit code 2; no such ticket: exit 1. --json "
            "prints the stored ticket (masked when confidential).",
            lazy("tickets", "callback"), (("number",), {"metavar": "NUMBER"}),
            (("--satisfaction",), {"choices": SATISFACTION, "required": True,
                                   "help": "回访结果"}),
            (("--reason",), {"choices": DISSATISFACTION_REASONS,
                             "help": "不满意原因 (required with 不满意)"}),
            (("--first-contacted",), {"choices": FIRST_CONTACTED, "default": "",
                                      "help": "承办单位是否先行联系 (是 / 否)"}),
            JSON_FLAG)
    command(ticket, "export", "export all tickets as CSV or Excel",
            "Export every ticket with Chinese column headers (confidential masked), then 先行"
            "联系 and the node times rebuilt from the history: 转办时间, 办结时间, 办结时办理时限 "
            "(the deadline in force at that 办结), 最后办结时间 and 最后办结时办理时限 (after "
            "退回重办; the same when closed once), 回访时间, 最后回访时间, 归档时间; 受理时间 is "
            "the creation time. Stamps as YYYY-MM-DD HH:MM, China time.",
            lazy("tickets", "export"),
            (("--format",), {"choices": ("csv", "xlsx"), "required": True}),
            (("--out",), {"metavar": "FILE", "required": True}))

    command(commands, "sync", "sync with the center",
            "Push the outbox to the center and pull its updates (center.url and center.token "
            "from the config). --once: one round; exit 0 only when everything pending was "
            "acknowledged; --json gives pushed, pulled, pending, conflicts, rejected, skipped; "
            "in text mode a progress line per batch goes to stderr. --status: pending ops, "
            "cursor, last success, sync issues and every unresolved conflict (ticket, field, "
            "site value, center value, when). --restore: rebuild this site's tickets, events "
            "and ticket sequence from the center (refused when the database holds tickets, "
            "unless --force).", lazy("sync", "sync"),
            (("--once",), {"action": "store_true", "help": "one sync round"}),
            (("--status",), {"action": "store_true", "help": "show the sync state"}),
            (("--restore",), {"action": "store_true",
                              "help": "rebuild this site's tickets from the center"}),
            (("--force",), {"action": "store_true",
                            "help": "with --restore: even if the database holds tickets"}),
            JSON_FLAG)

    command(commands, "call-event", "send a telephony call event to the running console",
            "Post one call event, shaped like Zammad's generic CTI, to the console running on "
            "this database (its address is in hotline.db.cti beside the database; --url "
            "overrides it; a cti.token from the config is sent as Authorization: Bearer). "
            "newCall rings in the status bar, answer opens the call with the caller pane "
            "filled, hangup stamps the end; an inbound call hung up before it was answered is "
            "recorded as missed. Prints the console's answer (--json: as received, "
            '{"ok", "result", "state", "note"}). Exit 0 when accepted, 2 when refused, 1 when '
            "no console is listening.", lazy("call_event", "call_event"),
            (("event",), {"choices": ("newCall", "answer", "hangup")}),
            (("--call-id",), {"required": True, "metavar": "ID",
                              "help": "the telephone system's callId"}),
            (("--from",), {"dest": "from_number", "metavar": "NUM", "default": "",
                           "help": "calling number"}),
            (("--to",), {"dest": "to_number", "metavar": "NUM", "default": "",
                         "help": "called number"}),
            (("--direction",), {"choices": ("in", "out"), "default": "in",
                                "help": "in (default) or out"}),
            (("--cause",), {"metavar": "CAUSE", "default": "",
                            "help": "hangup cause: normalClearing, cancel, busy, noAnswer, ..."}),
            (("--user",), {"action": "append", "metavar": "U", "default": [],
                           "help": "user(s) involved (repeatable; sent as user[])"}),
            (("--url",), {"metavar": "URL", "help": "the console's endpoint, e.g. "
                          "http://127.0.0.1:8891/cti"}),
            JSON_FLAG, create_config=False)

    drill = group(commands, "drill", "trainer drills: a scripted caller, scored",
                  "Trainer drills (scripts_phrases/drills/*.yaml). `seat-console drill [SCENARIO]` "
                  "starts the console in drill mode on its own database (drill.db beside "
                  "hotline.db, never synced); the subcommands check, list, replay and report "
                  "serve trainers' tools.")
    command(drill, "start", "the console in drill mode (also: seat-console drill [SCENARIO])",
            "Start the real console in drill mode: the scripted caller's lines appear in the "
            "caller pane as timed; what the agent says is typed in the reply line. Without "
            "SCENARIO, a list to pick from.", lazy("drill_console", "start"),
            (("scenario",), {"nargs": "?", "metavar": "SCENARIO", "help": "scenario id or file"}),
            (("--trainee",), {"metavar": "ID", "help": "工号 of the trainee (default: the "
                              "config's agent.id)"}))
    command(drill, "check", "validate every scenario and replay its reference run",
            "Validate scripts_phrases/drills/*.yaml (errors name file:line) and replay each "
            "scenario's reference run (drills/reference/ID.jsonl), which must reach 95% of the "
            "points. Exit 1 on any problem.", lazy("drills", "check"), JSON_FLAG)
    command(drill, "list", "the scenarios, with their reference runs",
            'The shipped scenarios. --json: [{"id", "title", "level", "reference"}] where '
            "reference is the path of a perfect handling (JSON Lines of agent actions).",
            lazy("drills", "list_"), JSON_FLAG)
    command(drill, "replay", "score a run of agent actions against a scenario",
            "Replay FILE, JSON Lines of agent actions with seconds since the call began "
            '({"t": 3.5, "say": "…"}, {"t": 12, "fill": {"caller_name": "王女士"}}, '
            '{"t": 40, "kb": "ID"}, {"t": 55, "dispose": "direct_answer"}, '
            '{"t": 60, "submit": true}, optionally {"t": 50, "typing_cpm": 72}), against '
            'SCENARIO and score it as the console does. --json: {"scenario", "score", "max", '
            '"items": [{"rule", "points", "lost", "why"}]}. Nothing is stored.',
            lazy("drills", "replay"),
            (("scenario",), {"metavar": "SCENARIO", "help": "scenario id or file"}),
            (("--agent",), {"metavar": "FILE", "dest": "actions", "required": True,
                            "help": "JSON Lines of agent actions"}),
            JSON_FLAG, create_config=False)
    command(drill, "report", "trainees' drill scores over time",
            "Scores per trainee and scenario over time, the weakest rules, and a terminal chart "
            "of progress, from drill.db. --xlsx FILE writes the same as a workbook.",
            lazy("drill_report", "report"),
            (("--trainee",), {"metavar": "ID", "help": "only this trainee (工号)"}),
            (("--xlsx",), {"metavar": "FILE", "help": "write an Excel workbook"}), JSON_FLAG)

    command(commands, "stats", "the 12345 evaluation indicators for a period",
            "The indicators of scripts_phrases/indicators.yaml computed from hotline.db for "
            "the days --from to --to (China time; default: this month so far), optionally per "
            'agent, department, domain, channel or day. --json prints {"from", "to", "tickets", '
            '"calls", "indicators": [{"code", "name", "value", "numerator", "denominator", '
            '"score"}], "groups": [{"key", "tickets", "calls", "indicators"}]}; value is null '
            "when there is no data. --hotspots adds the 热点专题 (scripts_phrases/hotspots.yaml; "
            "with --json a \"hotspots\" list). --xlsx FILE writes a workbook of every grouping "
            "with charts and the 专题 (with --json the JSON is printed too). Read-only.",
            lazy("stats", "stats"),
            (("--from",), {"dest": "from_", "metavar": "DATE", "help": "first day, YYYY-MM-DD"}),
            (("--to",), {"metavar": "DATE", "help": "last day, YYYY-MM-DD (default: today)"}),
            (("--by",), {"choices": ("agent", "department", "domain", "channel", "site", "day"),
                         "help": "group the figures"}),
            (("--xlsx",), {"metavar": "FILE", "help": "write an Excel workbook: 总览, one "
                           "sheet per grouping with charts, 热点专题"}),
            (("--hotspots",), {"action": "store_true", "help": "list the 热点专题 too"}),
            JSON_FLAG)

    config = group(commands, "config", "show the effective configuration",
                   "Show the configuration after environment overrides.")
    command(config, "show", "effective settings as JSON (token hidden)",
            "Print the effective settings as JSON; the center token is hidden.",
            lazy("maintenance", "config_show"))
    return parser
