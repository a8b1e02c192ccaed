"""Progress of a long command (check all, fuzz, audit), always on stderr.

In a terminal: a rich bar with the current item, elapsed time and an estimate of the time left
(rich's TimeRemainingColumn). Otherwise (a log file, a pipe): one plain line per finished item,
flushed at once, with the count, the elapsed time and the estimate. Timings shown here are for
the reader only; they never enter a result file.

Use::

    with Progress("dpoverify check", total=len(items)) as progress:
        for item in items:
            progress.start(item.label)        # what runs now
            progress.fraction(0.5)            # optional: how far the current item is
            progress.done(item.label, "PROVED")
"""
from __future__ import annotations

import sys
import time
from typing import IO

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, ProgressColumn, SpinnerColumn,
                           Task, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text


class _Only(ProgressColumn):
    """A column shown on the overall row (``item=False``) or on the current item's row only."""

    def __init__(self, column: ProgressColumn, item: bool):
        super().__init__()
        self.column, self.item = column, item

    def render(self, task: Task):
        return self.column.render(task) if bool(task.fields.get("item")) == self.item else Text("")


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class Progress:
    def __init__(self, what: str, total: int, stream: IO[str] | None = None, announce: bool = False):
        """``what`` prefixes plain lines; ``announce`` also writes a plain line when an item starts
        (for items that take minutes, such as a fuzzed obligation or an audit stage)."""
        self.what = what
        self.total = total
        self.announce = announce
        self.stream = stream if stream is not None else sys.stderr
        self.console = Console(file=self.stream, stderr=stream is None)
        self.live = self.console.is_terminal
        self.count = 0
        self._t0 = time.monotonic()
        self._bar: RichProgress | None = None
        self._overall = self._item = None

    def __enter__(self) -> "Progress":
        self._t0 = time.monotonic()
        if self.live:
            overall = [MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]
            self._bar = RichProgress(_Only(SpinnerColumn(), False), TextColumn("{task.description}"), BarColumn(),
                                     *(_Only(c, False) for c in overall), _Only(TaskProgressColumn(), True),
                                     console=self.console, transient=True)
            self._bar.__enter__()
            self._overall = self._bar.add_task(self.what, total=self.total, item=False)
            self._item = self._bar.add_task("", total=1.0, visible=False, item=True)
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None

    def _line(self, text: str) -> None:
        self.stream.write(f"{self.what}: {text}\n")
        self.stream.flush()

    def eta(self) -> float | None:
        """Seconds left, extrapolated from the items done so far (None before the first)."""
        if not self.count:
            return None
        return (time.monotonic() - self._t0) / self.count * (self.total - self.count)

    def start(self, label: str) -> None:
        if self._bar is not None:
            self._bar.update(self._item, description=f"  {label}", completed=0.0, visible=True)
        elif self.announce:
            self._line(f"[{self.count + 1}/{self.total}] {label} ...")

    def fraction(self, f: float) -> None:
        if self._bar is not None:
            self._bar.update(self._item, completed=min(max(f, 0.0), 1.0))

    def done(self, label: str, outcome: str = "") -> None:
        self.count += 1
        if self._bar is not None:
            self._bar.advance(self._overall)
            return
        elapsed = time.monotonic() - self._t0
        left = self.eta()
        tail = f", ~{_clock(left)} left" if left is not None and self.count < self.total else ""
        self._line(f"[{self.count}/{self.total}] {label}{' ' + outcome if outcome else ''} "
                   f"({_clock(elapsed)}{tail})")
