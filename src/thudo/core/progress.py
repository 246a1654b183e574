"""A small progress bar for long loading steps (a line per step when not on a terminal)."""

import sys
from typing import TextIO


class Bar:
    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

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
        if done >= total:
            self.stream.write(f"  {label}: {done}/{total}\n")
