"""Progress of long work (redacting, ingesting) on stderr: items done, size, rate and time left.

Shown when stderr is a terminal, or when forced (``--progress``); never on stdout, so output that
is piped or parsed stays clean. On a terminal one line is rewritten in place; elsewhere a line is
written at most every few seconds, and always a last one when the work ends.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, Iterator, Sequence, TextIO

#: Characters of text per slice of work between two progress updates.
SLICE_CHARS = 2_000_000

#: Items per slice of work, whatever their size.
SLICE_ITEMS = 5_000


def slices(sizes: Sequence[int], max_chars: int = SLICE_CHARS, max_items: int = SLICE_ITEMS) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive slices of items whose ``sizes`` add up to about
    ``max_chars`` (a larger item gets a slice of its own) and count at most ``max_items``.

    >>> list(slices([5, 5, 5, 20, 1], max_chars=10))
    [(0, 2), (2, 3), (3, 4), (4, 5)]
    """
    start, chars = 0, 0
    for i, size in enumerate(sizes):
        if i > start and (chars + size > max_chars or i - start >= max_items):
            yield start, i
            start, chars = i, 0
        chars += size
    if start < len(sizes):
        yield start, len(sizes)


def _size(chars: int) -> str:
    """``"850 KB"``, ``"12.3 MB"`` (characters counted as bytes).

    >>> _size(850_000), _size(12_345_678)
    ('850 KB', '12.3 MB')
    """
    return f"{chars / 1e3:,.0f} KB" if chars < 1_000_000 else f"{chars / 1e6:,.1f} MB"


def _duration(seconds: float) -> str:
    """``"42 s"``, ``"3 min 05 s"``, ``"1 h 02 min"``.

    >>> _duration(42.4), _duration(185), _duration(3725)
    ('42 s', '3 min 05 s', '1 h 02 min')
    """
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """Progress of ``total`` items of work named ``label`` (e.g. the file), on ``stream``.

    Parameters
    ----------
    label : str
        What is being worked on (``"redact in.jsonl"``).
    total : int
        Items to do.
    unit : str
        What an item is (plural: ``"records"``).
    enabled : bool, optional
        Show progress; default: when ``stream`` is a terminal.
    stream : file, optional
        Default ``sys.stderr``.
    every : float
        Least seconds between two updates written (the last one is always written).
    clock : callable
        Seconds, monotonic (tests pass their own).
    """

    def __init__(self, label: str, total: int, *, unit: str = "records", enabled: bool | None = None,
                 stream: TextIO | None = None, every: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = self.tty if enabled is None else enabled
        self.every = every if every is not None else (0.5 if self.tty else 5.0)
        self.clock = clock
        self.done = 0
        self.chars = 0
        self.started = clock()
        self._last: float | None = None

    def line(self) -> str:
        """The progress line: ``label: done/total unit (pct), MB, rate, time left``."""
        elapsed = max(self.clock() - self.started, 1e-9)
        pct = f" ({self.done / self.total:.0%})" if self.total else ""
        parts = [f"{self.label}: {self.done:,}/{self.total:,} {self.unit}{pct}"]
        if self.chars:
            parts.append(f"{_size(self.chars)} of text")
        if self.done:
            rate = self.done / elapsed
            parts.append(f"{rate:,.1f} {self.unit}/s")
            if self.done < self.total:
                parts.append(f"about {_duration((self.total - self.done) / rate)} left")
        if self.done >= self.total:
            parts.append(f"done in {_duration(elapsed)}")
        return ", ".join(parts)

    def advance(self, n: int, chars: int = 0) -> None:
        """``n`` more items done (holding ``chars`` characters of text); writes a line when due."""
        self.done += n
        self.chars += chars
        now = self.clock()
        if self._last is None or now - self._last >= self.every or self.done >= self.total:
            self._write()
            self._last = now

    def start(self) -> None:
        """Write the first line (nothing done yet), so that long work shows at once that it runs."""
        self._write()
        self._last = self.clock()

    def close(self) -> None:
        """End the line on a terminal (the last update stays visible)."""
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _write(self) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
