"""Speed of `ketlearn grade` against serial `nbgrader autograde` (prints figures; asserts nothing).

Targets (issue 7), on 2 cores, N simulated submissions of 00-orientation (numpy, pandas,
seaborn/matplotlib, a widget): at least 2.5x faster than serial `nbgrader autograde` with default
settings, with identical scores; grading overhead at most 1.3x bare execution of the same
notebooks (nbclient, one kernel per notebook, run with the same number of parallel processes).

Each engine grades its own fresh copy of the course. Submissions are simulated (fictional):
every fourth one gets a wrong median, every third a wrong conversion function.

Run: ``python benchmarks/bench_grading.py [--n 40] [--workers 2]`` (default --n 12, about 2 min).
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

    scratch = release_tool.scratch_course()
    for folder in (scratch / "source").iterdir():
        if folder.name != NAME:
            shutil.rmtree(folder)
    release_tool.generate_in(scratch, [NAME])
    source = nbformat.read(scratch / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    for i in range(n):
        nb = nbformat.from_dict(source)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid == "q2_answer" and i % 4 == 1:
                cell.source = "median_f_intranasal_pct = 20.0"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12, help="simulated submissions (issue: 40)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-nbgrader", action="store_true")
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
        f"  ketlearn grade -j {args.workers}: {ours:6.1f} s  ({ours / args.n:.2f} s per submission; sandbox {'on' if report.sandbox else 'off'}; exit {report.exit_code})"
    )

    t = report.timings
    print(
        f"    of which: prepare {t.get('prepare', 0):.1f} s; student runs + checks {t.get('grade', 0):.1f} s"
        f" summed over workers; gradebook writes (single writer) {t.get('record', 0):.1f} s"
    )

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
    shutil.rmtree(bare_root, ignore_errors=True)


if __name__ == "__main__":
    main()
