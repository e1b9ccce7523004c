"""One worker pattern for the whole console: slow work (database, search, network) runs in a
thread worker that never stops the console when it fails; the failure reaches the screen's
`Worker.StateChanged` handler, which tells the agent in Chinese what did not happen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual import work

from seat_console.core.errors import DatabaseUnavailable
from seat_console.core.lifecycle import WorkflowRefused

log = logging.getLogger(__name__)


def background(group: str, *, exclusive: bool = False) -> Callable[..., Any]:
    """A thread worker in `group` whose failure is reported, never raised into the app."""
    return work(thread=True, exclusive=exclusive, group=group, exit_on_error=False)


def failure_text(error: BaseException | None, doing: str = "操作") -> str:
    """What the agent reads when `doing` did not happen. Refusals and database problems say
    why; anything else is logged by type only (its text may hold personal data)."""
    if isinstance(error, WorkflowRefused):
        return str(error)
    if isinstance(error, DatabaseUnavailable):
        log.error("%s: database problem: %s", doing, error.reason)
        return error.message_zh
    log.error("%s failed: %s", doing, type(error).__name__)
    return f"{doing}出错,已记录日志;已填写的内容都还在,可稍后重试"
