"""Speed of `ketlearn grade` against serial `nbgrader autograde` (prints figures; asserts nothing).

Targets (issue 7), on 2 cores, N simulated submissions of 00-orientation (numpy, pandas,
seaborn/matplotlib, a widget): at least 2.5x faster than serial `nbgrader autograde` with default
settings, with identical scores; grading overhead at most 1.3x bare execution of the same
notebooks (nbclient, one kernel per notebook, run with the same number of parallel processes).

Hardening (issue 14): the sandboxed, audited grader must stay within 1.2x of the grader
before hardening on the same machine under the same load. ``--compare-src PATH`` (the ``src``
folder of a checkout from before, e.g. ``git worktree add /tmp/pre <commit>``) times both,
alternating, each in a fresh process on a fresh copy of the course, and prints the ratio.

Each engine grades its own fresh copy of the course. Submissions are simulated (fictional):
every fourth one gets a wrong median, every third a wrong conversion function.

Run: ``python benchmarks/bench_grading.py [--n 40] [--workers 2] [--compare-src PATH]``
(default --n 40, as in the issue's target; ``--skip-nbgrader --skip-bare`` for a quick run).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NAME = "00-orientation"
sys.path.insert(0, str(ROOT / "tools"))
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])


def make_course(n: int) -> Path:
    """A scratch course with 00-orientation released and ``n`` simulated submissions."""
    import release as release_tool

    scratch = release_tool.scratch_course(only=[NAME])
    release_tool.generate_in(scratch, [NAME])
    source = nbformat.read(scratch / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    for i in range(n):
        nb = nbformat.from_dict(source)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid == "q2_answer" and i % 4 == 1:
                cell.source = "weighted_f_intranasal_pct = 20.0"
            if gid == "q4_answer" and i % 3 == 2:
                cell.source = "def ng_per_ml_to_um(c):\n    return np.asarray(c, dtype=float) / 200"
        folder = scratch / "submitted" / f"student{i:03d}" / NAME
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{NAME}.ipynb")
    return scratch


def scores(root: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {
            s.student.id: {g.name: g.auto_score for g in s.notebooks[0].grades}
            for s in gb.assignment_submissions(NAME)
        }


def _execute(paths: list[str]) -> None:
    from nbclient import NotebookClient

    for path in paths:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=120,
            allow_errors=True,
            resources={"metadata": {"path": str(Path(path).parent)}},
        ).execute()


def bare(root: Path, workers: int) -> float:
    paths = sorted(str(p) for p in (root / "submitted").glob(f"*/{NAME}/{NAME}.ipynb"))
    chunks = [paths[i::workers] for i in range(workers)]
    t0 = time.perf_counter()
    # "spawn": fresh interpreters, as separate nbclient runs would be (forking this process,
    # with zmq and nbgrader loaded, makes kernels start far more slowly).
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_execute, chunks))
    return time.perf_counter() - t0


_TIME_ONE = """
import sys, time
from pathlib import Path
from ketlearn.grading.runner import grade
t0 = time.perf_counter()
report = grade(Path(sys.argv[1]), workers=int(sys.argv[2]), progress=False)
print(time.perf_counter() - t0, report.sandbox, report.exit_code)
"""


def timed_in_process(src: str | None, n: int, workers: int) -> tuple[float, str]:
    """Seconds ``ketlearn grade`` takes in a fresh process importing ketlearn from ``src``."""
    root = make_course(n)
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TIME_ONE, str(root), str(workers)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    seconds, sandbox, code = done.stdout.split()[-3:]
    return float(seconds), f"sandbox {sandbox}, exit {code}"


def compare(src: str, n: int, workers: int, rounds: int = 2) -> None:
    """Alternate the current grader and the one in ``src``; print medians and their ratio."""
    import statistics

    ours, theirs = [], []
    for _ in range(rounds):
        t_theirs, _ = timed_in_process(src, n, workers)
        t_ours, info = timed_in_process(None, n, workers)
        theirs.append(t_theirs)
        ours.append(t_ours)
        print(f"    round: hardened {t_ours:6.1f} s ({info}); before {t_theirs:6.1f} s", flush=True)
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"  hardened vs before hardening ({src}): {ratio:.2f}x (target <= 1.2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="simulated submissions")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--compare-src", default=None, help="src/ of a pre-hardening checkout")
    args = parser.parse_args()
    print(
        f"bench_grading: {args.n} simulated submissions of {NAME}, {args.workers} workers, {os.cpu_count()} cores"
    )

    from ketlearn.grading.runner import grade

    ours_root = make_course(args.n)
    t0 = time.perf_counter()
    report = grade(ours_root, workers=args.workers, progress=False)
    ours = time.perf_counter() - t0
    print(
        f"  ketlearn grade -j {args.workers}: {ours:6.1f} s  ({ours / args.n:.2f} s per submission; "
        f"sandbox {report.sandbox_kind or 'off'}; {len(report.tampering)} tampering flags; "
        f"exit {report.exit_code})"
    )

    t = report.timings
    print(
        f"    of which: prepare {t.get('prepare', 0):.1f} s; student runs + checks {t.get('grade', 0):.1f} s"
        f" summed over workers; gradebook writes (single writer) {t.get('record', 0):.1f} s"
    )

    if args.compare_src:
        compare(args.compare_src, args.n, args.workers)
    bare_root = None
    if not args.skip_bare:
        bare_root = make_course(args.n)
        t_bare = bare(bare_root, args.workers)
        print(f"  bare execution (nbclient, {args.workers} processes): {t_bare:6.1f} s")
        print(f"  overhead vs bare execution: {ours / t_bare:.2f}x (target <= 1.3x)")

    if not args.skip_nbgrader:
        theirs_root = make_course(args.n)
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["nbgrader", "autograde", NAME, "--CourseDirectory.root=" + str(theirs_root)],
            cwd=theirs_root,
            capture_output=True,
            text=True,
            check=False,
        )
        theirs = time.perf_counter() - t0
        print(f"  serial nbgrader autograde (defaults): {theirs:6.1f} s (exit {proc.returncode})")
        print(f"  speed-up: {theirs / ours:.2f}x (target >= 2.5x)")
        same = scores(theirs_root) == scores(ours_root)
        print(f"  identical per-cell scores: {same}")
        shutil.rmtree(theirs_root, ignore_errors=True)
    shutil.rmtree(ours_root, ignore_errors=True)
    if bare_root is not None:
        shutil.rmtree(bare_root, ignore_errors=True)


if __name__ == "__main__":
    main()
