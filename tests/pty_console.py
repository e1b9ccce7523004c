"""The real `seat-console` process on a pseudo-terminal, typed at as an agent types, on a loaded
machine: used by the key-routing test and by the benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pexpect

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
QUIT_SECONDS = 10.0  # Ctrl+Q saves the draft and exits; slow on a loaded machine
TAB, SHIFT_TAB, ENTER, DOWN, SPACE, CTRL_S = "\t", "\x1b[Z", "\r", "\x1b[B", " ", "\x13"
CTRL_N, F5 = "\x0e", "\x1b[15~"


class PtyConsole:
    def __init__(self, workdir: Path, *args: str, size: tuple[int, int] = (36, 120)) -> None:
        # Telephony on any free port: consoles of parallel tests never share 8891.
        env = {"SEAT_CONSOLE_CTI_PORT": "0", **os.environ, "TERM": "xterm-256color",
               "SEAT_CONSOLE_DATABASE": str(workdir / "hotline.db")}
        self.child = pexpect.spawn(SEAT_CONSOLE, list(args), env=env, cwd=str(workdir),
                                   dimensions=size, encoding="utf-8", codec_errors="replace",
                                   timeout=30)
        self.screen_text = ""

    def drain(self, seconds: float = 0.0) -> None:
        """Read what the console printed (so it never blocks on a full pty) for `seconds`."""
        end = time.monotonic() + seconds
        while True:
            try:
                self.screen_text = (self.screen_text + self.child.read_nonblocking(
                    65536, timeout=0.005))[-200_000:]
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                return
            if time.monotonic() >= end:
                return

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        """Until the console has drawn `text` (anything drawn before this call is ignored)."""
        self.screen_text = ""
        end = time.monotonic() + timeout
        while text not in self.screen_text:
            if time.monotonic() > end:
                raise AssertionError(f"console did not show {text!r} within {timeout} s")
            self.drain(0.02)

    def type_keys(self, keys: Sequence[str], interval: float) -> list[float]:
        """Send each item (one key, or several characters at once as an IME commits them)
        `interval` seconds apart; returns the send times."""
        times = []
        for key in keys:
            self.child.send(key)
            times.append(time.monotonic())
            self.drain(interval)
        return times

    def close(self) -> None:
        if self.child.isalive():
            self.child.sendcontrol("q")
            end = time.monotonic() + QUIT_SECONDS
            while self.child.isalive() and time.monotonic() < end:
                self.drain(0.05)
        if self.child.isalive():
            self.child.kill(9)


@contextmanager
def cpu_hogs(count: int = 2) -> Iterator[None]:
    """`count` CPU-bound processes, as on a loaded 2-core machine."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
