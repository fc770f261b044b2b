"""1,000 simulated submissions graded on a Dask ``LocalCluster`` (prints figures; asserts nothing).

Issue 15: grade 1,000 simulated (fictional) submissions of the small fixture assignment
(``tests/fixtures/grading/course``, five autograded items) with ``ketlearn grade --scheduler``
on a local Dask cluster, then grade a sample of them serially (one local worker, no Dask) in a
fresh copy of the course and compare the scores cell by cell. Also prints how much of the run
the single gradebook writer took, and the item analysis (``ketlearn report``) time on the
result.

Run: ``python benchmarks/bench_dask.py [--n 1000] [--workers 2] [--sample 40]`` (a few minutes).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "grading"
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])


def _attacks():
    spec = importlib.util.spec_from_file_location("grading_attacks", FIXTURES / "attacks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answers(i: int) -> dict:
    """Simulated answers of student ``i``: mostly right, with the usual kinds of slips."""
    rng = random.Random(i)
    out = {}
    if rng.random() < 0.35:
        out["num_answer"] = f"answer_num = {rng.choice([3.0, 2.5, 100.0, 10.5, 1.0])}"
    if rng.random() < 0.25:
        out["func_answer"] = "def double(x):\n    return np.asarray(x, dtype=float) + 2"
    if rng.random() < 0.2:
        out["text_answer"] = f"route = {rng.choice(['oral', 'Oral ', 'iv', 'nasal'])!r}"
    if rng.random() < 0.15:
        out["table_answer"] = 'table = pd.DataFrame({"route": ["oral"], "f_pct": [20.0]})'
    return out


def make_course(students: list[int]) -> Path:
    from ketlearn.grading.gradebook import course_api

    attacks = _attacks()
    root = Path(tempfile.mkdtemp(prefix="ketlearn-bench-dask-"))
    shutil.copytree(FIXTURES / "course", root, dirs_exist_ok=True)
    assert course_api(root).generate_assignment("mini", force=True, create=True)["success"]
    release = nbformat.read(root / "release" / "mini" / "mini.ipynb", as_version=4)
    for i in students:
        folder = root / "submitted" / f"s{i:04d}" / "mini"
        folder.mkdir(parents=True)
        nbformat.write(attacks.build(release, {"answers": answers(i)}), folder / "mini.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    return root


def scores(root: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "ketlearn-fixture") as gb:
        return {
            s.student.id: {g.name: g.auto_score for g in s.notebooks[0].grades}
            for s in gb.assignment_submissions("mini")
        }


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    parser.add_argument("--sample", type=int, default=40, help="submissions graded serially")
    args = parser.parse_args()

    import distributed

    from ketlearn.grading.report import build_report
    from ketlearn.grading.report_html import write_report
    from ketlearn.grading.runner import grade

    print(f"bench_dask: {args.n} simulated submissions, LocalCluster of {args.workers} workers")
    root = make_course(list(range(args.n)))
    with distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        t0 = time.perf_counter()
        report = grade(root, progress=False, scheduler=cluster.scheduler_address)
        wall = time.perf_counter() - t0
    rec = report.timings.get("record", 0.0)
    print(
        f"  graded {len(report.graded)} in {wall:.1f} s ({len(report.graded) / wall:.1f}/s); "
        f"gradebook writes {rec:.1f} s = {len(report.graded) / max(rec, 1e-9):.1f} submissions/s "
        f"of writer time; needs instructor: {len(report.needs_instructor)}"
    )
    t0 = time.perf_counter()
    course = build_report(root, ["mini"])
    write_report(course, root / "report")
    print(f"  ketlearn report on {args.n} students: {time.perf_counter() - t0:.1f} s")

    sample = sorted(random.Random(0).sample(range(args.n), min(args.sample, args.n)))
    serial_root = make_course(sample)
    t0 = time.perf_counter()
    grade(serial_root, workers=1, progress=False)
    serial = time.perf_counter() - t0
    got, want = scores(root), scores(serial_root)
    same = all(got[f"s{i:04d}"] == want[f"s{i:04d}"] for i in sample)
    print(f"  serial run of a sample of {len(sample)}: {serial:.1f} s")
    print(f"  identical per-cell scores (Dask vs serial) on the sample: {same}")
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(serial_root, ignore_errors=True)


if __name__ == "__main__":
    main()
