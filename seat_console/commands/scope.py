"""`seat-console check-scope`: acceptance scope and emergencies of 诉求 texts on stdin.

Protocol (--lines --json): one text a line in, one JSON object a line out, in order, flushed
after each line:
{"scope": null | {"category", "rule", "reply"}, "emergency": null | {"services", "matched"}}
"reply" is the category's reply filled for an unknown caller (先生/女士).
"""

from __future__ import annotations

import argparse
import sys

from seat_console.commands.json_lines import answer_lines, print_json, utf8_stdio
from seat_console.config import Config
from seat_console.core.phrases.scope import ScopeDetector, ScopeVerdict
from seat_console.core.plain_text import printable


def _readable(verdict: ScopeVerdict) -> list[str]:
    lines = []
    if verdict.emergency is not None:
        emergency = verdict.emergency
        lines.append(f"emergency: call {' + '.join(emergency.services)} "
                     f"({'、'.join(emergency.labels)}): "
                     f"“{printable(emergency.matched, one_line=True)}”")
    if verdict.scope is not None:
        scope = verdict.scope
        lines.append(f"not accepted: {scope.category} ({scope.label}), rule {scope.rule}: "
                     f"“{printable(scope.matched, one_line=True)}”")
        lines.append(f"  reply: {scope.as_json()['reply']}")
    return lines or ["in scope, no emergency"]


def check_scope(args: argparse.Namespace, config: Config) -> int:
    """stdin as one text, or with --lines each line on its own (one JSON object a line)."""
    utf8_stdio()
    detector = ScopeDetector.from_folder(config.scripts_phrases)
    if args.lines:
        answer_lines(lambda text: detector.detect(text.removesuffix("\r")).as_json())
        return 0
    verdict = detector.detect(sys.stdin.read())
    if args.json:
        print_json(verdict.as_json())
    else:
        print("\n".join(_readable(verdict)))
    return 0
