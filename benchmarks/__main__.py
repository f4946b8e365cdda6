"""Run every benchmarks/bench_*.py main(), or the named ones: python -m benchmarks [NAME ...]."""

import importlib
import os
import pkgutil
import signal
import sys
import time
import traceback

import benchmarks
from benchmarks._common import Figure, heading, table


def discover() -> list[str]:
    """Return the names of the benchmark modules, e.g. ["diff_core", "pageview"]."""
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )


def run(names: list[str]) -> int:
    """Run the named benchmarks, print the summary and return the exit status."""
    figures: list[tuple[str, Figure]] = []
    failed = []
    for name in names:
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            if not callable(getattr(module, "main", None)):
                continue
            result = module.main()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        print(f"[{name}: {time.perf_counter() - start:.1f} s]", flush=True)
        figures += [(name, figure) for figure in result or [] if isinstance(figure, Figure)]
    heading("Summary (ratios measured in this run)")
    table(
        ["benchmark", "figure", "measured", "target", "verdict"],
        [[name, f.name, f.shown, f.target, f.verdict] for name, f in figures],
    )
    for name in failed:
        print(f"FAILED: {name} (traceback above)")
    missed = [f for _, f in figures if f.verdict == "MISSED"]
    strict = os.environ.get("BENCH_STRICT") == "1"
    return 1 if failed or (strict and missed) else 0


def main(argv: list[str]) -> int:
    """Parse the command line: no name runs everything; --list lists the benchmarks."""
    available = discover()
    if "--list" in argv or "-h" in argv or "--help" in argv:
        print("usage: python -m benchmarks [--list] [NAME ...]")
        print("benchmarks:", " ".join(available))
        return 0
    names = [arg.removeprefix("bench_").removesuffix(".py") for arg in argv] or available
    unknown = [name for name in names if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {' '.join(unknown)}; known: {' '.join(available)}")
        return 2
    return run(names)


def _exit_on_sigterm(signum, _frame) -> None:
    """Turn SIGTERM into SystemExit, so finally blocks stop servers and remove temp folders."""
    sys.exit(128 + signum)


# Render workers are started with "spawn", which imports this module again as __mp_main__.
if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main(sys.argv[1:]))
