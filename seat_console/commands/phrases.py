"""`seat-console check-phrases` and `seat-console qa`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from seat_console.commands.json_lines import answer_lines, print_json, utf8_stdio
from seat_console.config import Config
from seat_console.core.phrases.forbidden import ForbiddenChecker
from seat_console.core.plain_text import printable
from seat_console.core.phrases.qa_rules import QaRules
from seat_console.core.phrases.transcript_qa import QaReport, TranscriptQa

log = logging.getLogger(__name__)


def check_phrases(args: argparse.Namespace, config: Config) -> int:
    """stdin as one text, or with --lines each line on its own (one JSON object a line)."""
    utf8_stdio()
    checker = ForbiddenChecker.from_folder(config.scripts_phrases)
    if args.lines:
        answer_lines(lambda text: {"hits": [hit.as_json() for hit in checker.check(text)]})
        return 0
    text = sys.stdin.read()
    hits = checker.check(text)
    if args.json:
        print_json({"hits": [hit.as_json() for hit in hits]})
    else:
        for hit in hits:
            print(f"{hit.start}-{hit.end}\t{printable(hit.matched, one_line=True)}\t"
                  f"服务禁语“{hit.phrase}” -> 建议:{hit.suggestion}")
        if not hits:
            print("no forbidden phrases")
    return 0


def _print_report(report: QaReport, rules: QaRules) -> None:
    kinds = rules.kind_labels()
    verdict = "质检合格" if report.passed else "质检不合格"
    print(f"话术规范度 {report.score} / {rules.base}  ({kinds.get(report.call_kind, report.call_kind)})"
          f"  {verdict}(合格线 {report.pass_mark})")
    labels = {m.id: m.label for m in (*rules.required, *rules.conditional)}
    conditional = {m.id for m in rules.conditional}
    where = {f.moment: f.line for f in report.findings if f.line is not None}
    for phase, present in report.phases.items():
        if present is None and phase in conditional:
            continue  # not triggered by this call
        mark = "—" if present is None else ("✓" if present else "✗")
        line = f"  (第{where[phase]}行)" if phase in where else ""
        print(f"  {mark} {labels.get(phase, phase)}{line}")
    for deduction in report.deductions:
        print(printable(f"  -{deduction.points}  {deduction.detail}  [{deduction.rule}]",
                        one_line=True))


def qa(args: argparse.Namespace, config: Config) -> int:
    """Score a transcript; store the result in hotline.db unless --no-store (which writes
    nothing at all: no database, config or log file)."""
    utf8_stdio()
    engine = TranscriptQa.from_folder(config.scripts_phrases)
    path = Path(args.transcript)
    report = engine.evaluate_file(path)
    stored = None
    if args.create_config:  # False with --no-store
        from seat_console.core.qa_results import store_result
        from seat_console.core.workspace import open_store

        db = open_store(config)[0]
        try:
            stored = store_result(db, report, args.agent or config.agent.id, args.call_id,
                                  path.name, site_code=config.site_code)
        finally:
            db.close()
        log.info("qa result stored id=%s agent=%s call=%s score=%d", stored.id, stored.agent_id,
                 stored.call_id, stored.score)
    if args.json:
        answer = report.as_json()
        if stored is not None:
            answer["stored"] = {"id": stored.id, "database": str(config.database),
                                "agent_id": stored.agent_id, "call_id": stored.call_id,
                                "checked_at": stored.checked_at}
        print_json(answer)
        return 0
    _print_report(report, engine.rules)
    if stored is not None:
        print(printable(f"stored as qa_result {stored.id} in {config.database} (agent "
                        f"{stored.agent_id}" + (f", call {stored.call_id}" if stored.call_id
                                                else "") + ")", one_line=True))
    return 0


def check_reports(args: argparse.Namespace, config: Config) -> int:
    """The agents' reports of what the live checks missed or flagged wrongly (masked)."""
    from seat_console.core.check_reports import check_reports as stored_reports
    from seat_console.core.workspace import open_store

    utf8_stdio()
    db = open_store(config)[0]
    try:
        reports = [report.as_json() for report in stored_reports(db)]
    finally:
        db.close()
    for report in reports:
        if args.json:
            print_json(report)
        else:
            print(printable(f"{report['created_at']}  {report['kind_label']}  工号{report['agent_id']}"
                            f"  {report['text']}" + (f"  ({report['note']})" if report["note"] else ""),
                            one_line=True))
    if not reports and not args.json:
        print("no reports")
    return 0
