"""Wall time of the test suite: `make test-fast` (target <= 60 s) and `make test` (<= 3 min).

Targets are for a machine with 2 cores (CI). The runs happen in a fresh clone of HEAD, as CI and
a newcomer see them: a new ``.venv`` (created first and timed apart) and an empty notebook cache
(``build/cache/notebooks``, see tests/notebook_cache.py), so every notebook is executed.

By default only `make test-fast` is run; the full `make test` (many minutes) is not repeated:
the figure printed is the one `make test` recorded when it last ran in this checkout
(``build/last-make-test.json``, written by the Makefile), with its commit and date.

    python benchmarks/bench_tests.py              # fresh clone: make test-fast; last make test
    python benchmarks/bench_tests.py --full       # fresh clone: make test-fast, then make test
    python benchmarks/bench_tests.py --here       # this checkout (warm .venv and cache)

`make bench` (benchmarks/run_all.py) runs it unless BENCH_SKIP_TESTS=1. On a shared or busy
machine the figures are upper bounds: the load average is printed next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {"test-fast": 60.0, "test": 180.0}
RECORD = ROOT / "build" / "last-make-test.json"


def _run(args: list[str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return time.perf_counter() - start, done.returncode, tail[0]


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _recorded() -> str:
    """The last `make test` run of this checkout, as the Makefile recorded it."""
    try:
        last = json.loads(RECORD.read_text())
    except (OSError, ValueError):
        return f"make test   (not run in this checkout yet: no {RECORD.relative_to(ROOT)})"
    status = "ok" if last.get("exit") == 0 else f"exit {last.get('exit')}"
    return (
        f"make test   {float(last['seconds']):7.1f} s  (target <= {TARGETS_S['test']:.0f} s on 2 "
        f"cores; {status}; last run in this checkout, {last.get('finished')}, commit "
        f"{last.get('head')}, {last.get('cpus')} CPUs; `--full` runs it again)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--here", action="store_true", help="time this checkout, not a clone")
    parser.add_argument("--full", action="store_true", help="run make test too (many minutes)")
    args = parser.parse_args()
    targets = ["test-fast", "test"] if args.full else ["test-fast"]
    scratch = None
    if args.here:
        where = ROOT
    else:
        scratch = Path(tempfile.mkdtemp(prefix="ketlearn-bench-tests-"))
        where = scratch / "ketlearn"
        subprocess.run(
            ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(where)], check=True
        )
        seconds, code, tail = _run(["make", "env"], where)
        print(f"fresh clone: make env {seconds:6.1f} s (exit {code}) {tail}")
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=where, capture_output=True, text=True
    ).stdout.strip()
    print(f"CPUs: {os.cpu_count()}; load average before (1, 5, 15 min): {_load()}; HEAD {head}")
    try:
        for target in targets:
            seconds, code, tail = _run(["make", target], where)
            status = "ok" if code == 0 else f"exit {code}"
            print(
                f"make {target:<10} {seconds:7.1f} s  (target <= {TARGETS_S[target]:.0f} s on "
                f"2 cores; {status}; load after: {_load()})  {tail}",
                flush=True,
            )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if not args.full:
        print(_recorded())
    print(_work())
    return 0


def _work() -> str:
    """How much work the last run was, and the fastest any schedule could run it on 2 workers.

    From the per-unit times of the last run in this checkout (``build/test-durations.json``,
    written by tests/unit_times.py).
    """
    sys.path.insert(0, str(ROOT / "tests"))
    import unit_times

    units = unit_times.measured()
    if not units:
        return "test work  (no per-unit times yet: run make test in this checkout)"
    total, bound, longest = unit_times.lower_bound(units, workers=2)
    largest = sorted(units, key=units.get, reverse=True)[:6]
    return (
        f"test work  {total:7.1f} s  summed over {len(units)} units of the last run; on 2 "
        f"workers no schedule finishes under {bound:.0f} s (half the work, or the longest unit: "
        f"{longest}, {units[longest]:.0f} s)\n"
        "largest units  "
        + ", ".join(f"{name.split('::')[-1]} {units[name]:.0f} s" for name in largest)
    )


if __name__ == "__main__":
    sys.exit(main())
