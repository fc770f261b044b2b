"""Speed of the gradebook writer on its own (prints figures; asserts nothing).

Target (issue 15): recording must not be the bottleneck up to ~100 workers, i.e. at least
20 submissions/s. Two simulated (fictional) answers to 00-orientation are graded once by a
worker; their results are then recorded for N students by the fast writer
(``Recorder(fast=True)``, the default) and for a smaller sample by nbgrader's own autograde app
(``Recorder(fast=False)``), each into its own copy of the course. CPU seconds are printed too:
on a shared machine they say more than wall time.

Run: ``python benchmarks/bench_gradebook.py [--n 200] [--n-reference 20]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NAME = "00-orientation"
sys.path.insert(0, str(ROOT / "tools"))
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])


def make_course(n: int) -> Path:
    """A scratch course with NAME released and ``n`` simulated submissions (two variants)."""
    import release as release_tool

    scratch = release_tool.scratch_course(only=[NAME])
    release_tool.generate_in(scratch, [NAME])
    source = nbformat.read(scratch / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    wrong = nbformat.from_dict(source)
    for cell in wrong.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q2_answer":
            cell.source = "weighted_f_intranasal_pct = 0.45  # fictional wrong answer"
    for i in range(n):
        folder = scratch / "submitted" / f"student{i:04d}" / NAME
        folder.mkdir(parents=True)
        nbformat.write(wrong if i % 2 else source, folder / f"{NAME}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    return scratch


def worker_results(root: Path):
    from nbgrader.api import Gradebook

    from ketlearn.grading.engine import Worker
    from ketlearn.grading.prepare import load_assignment, prepare_submission
    from ketlearn.grading.runner import warm_modules

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        spec = load_assignment(gb, root, NAME)
    worker = Worker(warm_modules([spec.source_dir]))
    try:
        out = []
        for i in range(2):
            student = f"student{i:04d}"
            prepared = prepare_submission(spec, student, root / "submitted" / student / NAME, 120)
            out.append({p.notebook: worker.grade(p.job) for p in prepared})
    finally:
        worker.close()
    return spec, out


def record_all(root: Path, spec, results, n: int, fast: bool):
    from ketlearn.grading.gradebook import Recorder
    from ketlearn.grading.prepare import prepare_submission

    jobs = []
    for i in range(n):
        student = f"student{i:04d}"
        folder = root / "submitted" / student / NAME
        jobs.append((student, folder, prepare_submission(spec, student, folder, 120)))
    staging = Path(tempfile.mkdtemp(prefix="ketlearn-bench-stage-"))
    recorder = Recorder(root, staging, fast=fast)
    scores = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for i, (student, folder, prepared) in enumerate(jobs):
        scores[student] = recorder.record(NAME, student, folder, prepared, results[i % 2])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    recorder.close()
    shutil.rmtree(staging, ignore_errors=True)
    return scores, wall, cpu


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions for the fast writer")
    parser.add_argument("--n-reference", type=int, default=20, help="for nbgrader autograde")
    args = parser.parse_args()
    n_ref = min(args.n_reference, args.n)
    print(f"bench_gradebook: recording graded submissions of {NAME} ({os.cpu_count()} cores)")
    fast_root = make_course(args.n)
    ref_root = make_course(n_ref)
    spec, results = worker_results(fast_root)
    fast, wall, cpu = record_all(fast_root, spec, results, args.n, fast=True)
    print(
        f"  fast writer:            {args.n:5d} submissions in {wall:6.1f} s wall = "
        f"{args.n / wall:6.1f}/s; {args.n / cpu:6.1f}/s per CPU second (target >= 20/s)"
    )
    ref, wall_r, cpu_r = record_all(ref_root, spec, results, n_ref, fast=False)
    print(
        f"  nbgrader autograde app: {n_ref:5d} submissions in {wall_r:6.1f} s wall = "
        f"{n_ref / wall_r:6.1f}/s; {n_ref / cpu_r:6.1f}/s per CPU second"
    )
    print(f"  speed-up per CPU second: {(args.n / cpu) / (n_ref / cpu_r):.1f}x")
    same = all(fast[s] == ref[s] for s in ref)
    print(f"  identical scores on the {n_ref} submissions recorded both ways: {same}")
    shutil.rmtree(fast_root, ignore_errors=True)
    shutil.rmtree(ref_root, ignore_errors=True)


if __name__ == "__main__":
    main()
