"""Shared helpers: sizes from the environment, interleaved timing, tables and figures."""

import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


def env_int(name: str, default: int) -> int:
    """Return the integer environment variable BENCH_<name>, or default."""
    return int(os.environ.get(f"BENCH_{name}", default))


def env_float(name: str, default: float) -> float:
    """Return the float environment variable BENCH_<name>, or default."""
    return float(os.environ.get(f"BENCH_{name}", default))


@dataclass
class Figure:
    """One figure for the final summary: a measured ratio and the target it must meet."""

    name: str
    value: float
    unit: str = "×"
    #: The highest (or, with at_least, lowest) acceptable value; None: reported only.
    limit: float | None = None
    at_least: bool = False
    digits: int = 3

    @property
    def shown(self) -> str:
        """Return the value formatted with its unit, e.g. "1.234×"."""
        return f"{self.value:,.{self.digits}f}{self.unit}"

    @property
    def verdict(self) -> str:
        """Return "ok", "MISSED" or "-" when there is no target."""
        if self.limit is None:
            return "-"
        ok = self.value >= self.limit if self.at_least else self.value <= self.limit
        return "ok" if ok else "MISSED"

    @property
    def target(self) -> str:
        """Return the target as text, e.g. "≥ 0.50"."""
        if self.limit is None:
            return "(report)"
        return f"{'≥' if self.at_least else '≤'} {self.limit:g}{self.unit}"


def interleaved(
    ops: dict[str, Callable[[], object]],
    repeat: int,
    settle: Callable[[], object] | None = None,
) -> dict[str, list[float]]:
    """Time each op repeat times, round-robin with a rotating start, so drift hits all alike.

    The garbage collector runs before each op, untimed: otherwise an op would pay for
    collecting the garbage of the one before it. settle, if given, runs after each op,
    untimed (let the background jobs an op queued finish before the next op is timed).
    """
    names = list(ops)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(repeat):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            start = time.perf_counter()
            ops[name]()
            times[name].append(time.perf_counter() - start)
            if settle is not None:
                settle()
    return times


def median(values: list[float]) -> float:
    """Return the median."""
    return statistics.median(values)


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:.2f} ms"


def table(headers: list[str], rows: list[list[object]]) -> None:
    """Print rows as an aligned table, numbers right-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(row: list[str], raw: list[object]) -> str:
        out = []
        for i, cell in enumerate(row):
            numeric = isinstance(raw[i], int | float) or cell[:1].isdigit()
            out.append(cell.rjust(widths[i]) if numeric and i else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    print(line(headers, headers))
    print("  ".join("-" * w for w in widths))
    for row, raw in zip(cells, rows, strict=True):
        print(line(row, raw))
    print()


def heading(text: str) -> None:
    """Print a section heading."""
    print(f"\n=== {text} ===\n", flush=True)
