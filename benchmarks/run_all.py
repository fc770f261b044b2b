"""Run every benchmarks/bench_*.py script and print its figures (`make bench`).

Benchmarks print measurements next to their targets; they never fail a build. Set
BENCH_SKIP_SETUP=1 to skip the slow cold set-up measurement, BENCH_SKIP_TESTS=1 to skip the
test-suite timing (bench_tests.py runs `make test-fast` in a fresh clone and prints the last
recorded `make test`; `bench_tests.py --full` runs that too).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ketlearn import progress

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    scripts = sorted(HERE.glob("bench_*.py"))
    if os.environ.get("BENCH_SKIP_SETUP") == "1":
        scripts = [s for s in scripts if s.name != "bench_setup.py"]
    if os.environ.get("BENCH_SKIP_TESTS") == "1":
        scripts = [s for s in scripts if s.name != "bench_tests.py"]
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        with progress.recording_off():  # benchmarks run the solutions: never a learner's progress
            done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
        print(f"--- {script.name}: {status} in {time.perf_counter() - start:.1f} s", flush=True)
