"""Standard streams for the commands other tools script: UTF-8 whatever the locale, and the
one-JSON-object-a-line protocol (--json, --lines)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable


def utf8_stdio() -> None:
    """Read and write UTF-8 whatever the locale says (scripts pipe UTF-8 in and out)."""
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]


def print_json(value: object) -> None:
    """One JSON object a line, UTF-8 as is, flushed (other tools read the answers one by one)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def answer_lines(answer: Callable[[str], object]) -> None:
    """The --lines protocol: each stdin line (without its newline) answered by one JSON line,
    in order, flushed before the next line is read."""
    for line in sys.stdin:
        print_json(answer(line[:-1] if line.endswith("\n") else line))
