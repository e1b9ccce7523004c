"""Textual UI: a thin layer over seat_console.core."""

import os

# Textual batches screen updates to at most TEXTUAL_FPS a second; at its default of 60 a
# keystroke can wait up to 17 ms for its echo behind a frame that is drawing search results.
# 240 keeps key-to-screen p95 under 10 ms (bench/kb_bench.py); frames are only drawn when
# something changed, so an idle console costs nothing more. Set before Textual is imported;
# an explicit TEXTUAL_FPS in the environment wins.
os.environ.setdefault("TEXTUAL_FPS", "240")
