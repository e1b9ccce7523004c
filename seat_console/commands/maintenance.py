"""`seat-console check-data`, `db info | migrate | backup` and `config show`."""

from __future__ import annotations

import argparse
import json
import sys

from seat_console.config import Config
from seat_console.core.errors import SeatConsoleError


def check_data(args: argparse.Namespace, config: Config) -> int:
    from seat_console.core.calendar import load_calendar
    from seat_console.core.calls import load_call_outcomes
    from seat_console.core.drills.catalog import Drills
    from seat_console.core.kb.load_report import report_lines
    from seat_console.core.kb.loader import load_kb
    from seat_console.core.kb.referral_rules import load_referral_rules
    from seat_console.core.kb.synonyms import SYNONYMS_FILE, load_synonyms
    from seat_console.core.phrases.catalog import load_catalog
    from seat_console.core.phrases.forbidden import load_forbidden
    from seat_console.core.phrases.scope import load_scope
    from seat_console.core.phrases.transcript_qa import load_qa_rules
    from seat_console.core.stats.definitions import load_indicators
    from seat_console.core.stats.hotspots import load_hotspot_rules
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
        ("call_outcomes", lambda: load_call_outcomes(phrases),
         lambda r: f"{len(r.reasons)} reasons to end a call without a ticket"),
        ("taxonomy", lambda: load_taxonomy(kb), lambda t: f"{len(t.leaves)} leaves"),
        ("synonyms", lambda: load_synonyms(kb / SYNONYMS_FILE), lambda t: f"{len(t.groups)} groups"),
        ("referral", lambda: load_referral_rules(kb),
         lambda r: f"enterprise {r.enterprise_feedback_minutes} min, citizen "
                   f"{r.citizen_followup_days} days"),
        ("holidays_fallback", lambda: load_calendar(kb),
         lambda c: f"{len(c.fixed_holidays)} fixed dates past {c.data_until}"),
        ("indicators", lambda: load_indicators(phrases),
         lambda i: f"{len(i)} indicators (12345 quality evaluation)"),
        ("hotspots", lambda: load_hotspot_rules(phrases),
         lambda r: f"热点专题: {r.min_tickets}+ similar tickets within {r.window_days} days"),
        ("drills", lambda: Drills.load(phrases, kb).scenarios(),
         lambda s: f"{len(s)} drill scenarios (seat-console drill check replays them)"),
    )
    problems: list[str] = []
    for name, load, describe in checks:
        try:
            print(f"{name}: {describe(load())}")  # type: ignore[no-untyped-call]
        except SeatConsoleError as exc:
            problems.append(str(exc))
    result = load_kb([kb])
    print(f"kb_data: {len(result.records)} entries loaded")
    problems += report_lines(result.errors, getattr(args, "verbose", False))  # one a kind
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def db_info(args: argparse.Namespace, config: Config) -> int:
    from sqlmodel import func, select

    from seat_console.core.db import Database
    from seat_console.core.models import Call, Draft, KbArticle, OutboxOp, Ticket, TicketEvent

    db = Database(config.database)
    counts = {}
    with db.read() as session:
        for name, model in (("tickets", Ticket), ("events", TicketEvent), ("drafts", Draft),
                            ("kb_entries", KbArticle), ("calls", Call)):
            counts[name] = session.exec(select(func.count()).select_from(model)).one()
        counts["outbox_pending"] = session.exec(
            select(func.count()).select_from(OutboxOp).where(OutboxOp.sent_at.is_(None))  # type: ignore[union-attr]
            .where(OutboxOp.failed_at.is_(None))  # type: ignore[union-attr]
        ).one()
    info = {"database": str(config.database), "schema_version": db.schema_version(), **counts}
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def db_migrate(args: argparse.Namespace, config: Config) -> int:
    from seat_console.core.db import Database

    db = Database(config.database)
    print(f"{config.database}: schema v{db.previous_version} -> v{db.schema_version()}")
    return 0


def db_backup(args: argparse.Namespace, config: Config) -> int:
    from pathlib import Path

    from seat_console.core.backup import BackupFailed, backup
    from seat_console.core.db import Database

    Database(config.database).close()  # create or migrate it first, like every command
    try:
        report = backup(Path(config.database), Path(args.file))
    except (BackupFailed, OSError) as exc:
        print(f"seat-console: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"backup": str(report.path), "schema_version": report.schema_version,
                      "tickets": report.tickets, "bytes": report.bytes}, ensure_ascii=False))
    return 0


def config_show(args: argparse.Namespace, config: Config) -> int:
    data = config.model_dump(mode="json")
    for secret in ("center", "cti"):
        if data[secret]["token"]:
            data[secret]["token"] = "********"
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0
