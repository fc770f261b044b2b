"""Wall time of the test suite: `make test-fast` (target <= 60 s) and `make test` (<= 3 min).

Targets are for a machine with 2 cores (CI). By default both run in a fresh clone of HEAD, as CI
and a newcomer see them: a new ``.venv`` (created first and timed apart) and an empty notebook
cache (``build/cache/notebooks``, see tests/notebook_cache.py), so every notebook is executed.

    python benchmarks/bench_tests.py              # fresh clone: make test-fast, then make test
    python benchmarks/bench_tests.py --fast-only  # fresh clone: make test-fast only
    python benchmarks/bench_tests.py --here       # this checkout (warm .venv and cache)

`make bench` (benchmarks/run_all.py) runs it unless BENCH_SKIP_TESTS=1. On a shared or busy
machine the figures are upper bounds: the load average is printed next to them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {"test-fast": 60.0, "test": 180.0}


def _run(args: list[str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return time.perf_counter() - start, done.returncode, tail[0]


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--here", action="store_true", help="time this checkout, not a clone")
    parser.add_argument("--fast-only", action="store_true", help="only make test-fast")
    args = parser.parse_args()
    targets = ["test-fast"] if args.fast_only else ["test-fast", "test"]
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
