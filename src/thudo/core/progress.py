"""A small progress bar for long loading steps. Not on a terminal (a pipe, a log file), it
writes a line every EVERY seconds and one when the step is done, so a slow step still shows
that it moves."""

import sys
import time
from typing import TextIO

EVERY = 5.0  # seconds between progress lines when not on a terminal


class Bar:
    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_line = time.monotonic()

    def __call__(self, label: str, done: int, total: int) -> None:
        total = max(total, 1)
        if self.tty:
            filled = int(self.width * done / total)
            bar = "█" * filled + "·" * (self.width - filled)
            self.stream.write(f"\r  {label:<32} {bar} {done}/{total}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            return
        now = time.monotonic()
        if done >= total or now - self._last_line >= EVERY:
            self._last_line = now
            self.stream.write(f"  {label}: {done}/{total}\n")
            self.stream.flush()
