"""`seat-console check-phrases` and `seat-console qa`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from seat_console.config import Config
from seat_console.core.phrases.forbidden import ForbiddenChecker
from seat_console.core.plain_text import printable
from seat_console.core.phrases.transcript_qa import TranscriptQa, load_qa_rules


def utf8_stdio() -> None:
    """Read and write UTF-8 whatever the locale says (scripts pipe UTF-8 in and out)."""
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def check_phrases(args: argparse.Namespace, config: Config) -> int:
    """stdin as one text, or with --lines each line on its own (one JSON object a line)."""
    utf8_stdio()
    checker = ForbiddenChecker.from_folder(config.scripts_phrases)
    if args.lines:
        for line in sys.stdin:
            text = line[:-1] if line.endswith("\n") else line
            _print_json({"hits": [hit.as_json() for hit in checker.check(text)]})
        return 0
    text = sys.stdin.read()
    hits = checker.check(text)
    if args.json:
        _print_json({"hits": [hit.as_json() for hit in hits]})
    else:
        for hit in hits:
            print(f"{hit.start}-{hit.end}\t{printable(hit.matched, one_line=True)}\t"
                  f"服务禁语“{hit.phrase}” -> 建议:{hit.suggestion}")
        if not hits:
            print("no forbidden phrases")
    return 0


def qa(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    checker = ForbiddenChecker.from_folder(config.scripts_phrases)
    rules = load_qa_rules(config.scripts_phrases)
    report = TranscriptQa(rules, checker).evaluate_file(Path(args.transcript))
    if args.json:
        _print_json(report.as_json())
        return 0
    labels = {m.id: m.label for m in rules.required}
    kinds = {"normal": "正常来电", "silent": "无人应答来电",
             **{c.id: c.label for c in rules.special_calls}}
    print(f"话术规范度 {report.score} / {rules.base}  ({kinds.get(report.call_kind, report.call_kind)})")
    for phase, present in report.phases.items():
        mark = "—" if present is None else ("✓" if present else "✗")
        print(f"  {mark} {labels.get(phase, phase)}")
    for deduction in report.deductions:
        print(printable(f"  -{deduction.points}  {deduction.detail}  [{deduction.rule}]",
                        one_line=True))
    return 0
