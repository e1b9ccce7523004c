"""Textual UI: a thin layer over seat_console.core.

Importing this package changes nothing in the process (no environment variables): the
console's start path (seat_console.cli) calls use_console_frame_rate() before Textual is
imported.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

# Textual batches screen updates to at most TEXTUAL_FPS a second; at its default of 60 a
# keystroke can wait up to 17 ms for its echo behind a frame that is drawing search results.
# 240 keeps key-to-screen p95 under 10 ms (bench/kb_bench.py); frames are only drawn when
# something changed, so an idle console costs nothing more.
CONSOLE_FPS = 240


def use_console_frame_rate(environ: MutableMapping[str, str] | None = None) -> None:
    """Default TEXTUAL_FPS to CONSOLE_FPS; an explicit TEXTUAL_FPS in the environment wins.

    Textual reads TEXTUAL_FPS once, when textual.constants is first imported (MAX_FPS, and
    textual.screen derives its UPDATE_PERIOD from it at import), so call this before anything
    imports Textual: setting the variable later has no effect on this process.
    """
    (os.environ if environ is None else environ).setdefault("TEXTUAL_FPS", str(CONSOLE_FPS))
