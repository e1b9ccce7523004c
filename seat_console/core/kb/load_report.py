"""The problems of a KB load, summarised for people: one line per kind of problem.

A kind is the problem's message without the record's own values ("missing field 'title'",
"duplicate id"), so 92,000 articles missing the same field are one line with the count and the
first EXAMPLES places, not 92,000 lines. The full per-record detail is for --verbose.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from seat_console.core.errors import DataFileError

EXAMPLES = 3


class KbProblem(DataFileError):
    """A bad record (or file) of a KB load, with the kind it is counted under."""

    def __init__(self, path: Path | str, line: int | None, message: str,
                 kind: str | None = None) -> None:
        super().__init__(path, line, message)
        self.kind = kind or message


def problem_kind(error: DataFileError) -> str:
    return getattr(error, "kind", None) or error.message


def place(error: DataFileError) -> str:
    return f"{error.path}:{error.line}" if error.line else str(error.path)


def group_problems(errors: Iterable[DataFileError]) -> dict[str, list[DataFileError]]:
    """Problems by kind, kinds in the order they first occurred."""
    groups: dict[str, list[DataFileError]] = {}
    for error in errors:
        groups.setdefault(problem_kind(error), []).append(error)
    return groups


def summary_line(kind: str, errors: list[DataFileError]) -> str:
    """One kind: its only problem in full, or its count and the first EXAMPLES places."""
    if len(errors) == 1:
        return str(errors[0])
    noun = "files" if all(e.line is None for e in errors) else "records"
    places = ", ".join(place(e) for e in errors[:EXAMPLES])
    more = ", …" if len(errors) > EXAMPLES else ""
    return f"{len(errors)} {noun}: {kind} ({places}{more})"


def report_lines(errors: Iterable[DataFileError], verbose: bool = False) -> list[str]:
    """What to tell a person: one line per kind; with `verbose`, every problem in full first
    (and then the counts of the kinds that had more than one)."""
    errors = list(errors)
    groups = group_problems(errors)
    if not verbose:
        return [summary_line(kind, group) for kind, group in groups.items()]
    return [str(e) for e in errors] + [summary_line(kind, group) for kind, group in
                                       groups.items() if len(group) > 1]
