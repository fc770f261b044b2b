"""Time of ``ketlearn report`` on 1,000 simulated students (prints figures; asserts nothing).

Target (issue 15): under a minute for 1,000 students. A scratch copy of the fixture course gets
a gradebook with N simulated (fictional) students, each with scores drawn from a simple ability
model and the instructor-only answer files ``ketlearn grade`` writes; the report is then built
and written (HTML + CSV) and timed. Setting up the gradebook is not timed.

Run: ``python benchmarks/bench_report.py [--n 1000]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "grading"
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])


def simulate(n: int) -> Path:
    from nbgrader.api import Gradebook

    from ketlearn.grading.gradebook import course_api

    root = Path(tempfile.mkdtemp(prefix="ketlearn-bench-report-"))
    shutil.copytree(FIXTURES / "course", root, dirs_exist_ok=True)
    assert course_api(root).generate_assignment("mini", force=True, create=True)["success"]
    rng = random.Random(1)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "ketlearn-fixture") as gb:
        for i in range(n):
            student = f"s{i:04d}"
            gb.add_student(student)
            sub = gb.add_submission("mini", student)
            ability = rng.gauss(0, 1)
            items = {}
            for grade in sub.notebooks[0].grades:
                p = 1 / (1 + math.exp(-(ability + rng.uniform(-1, 1.5))))
                right = rng.random() < p
                grade.auto_score = grade.max_score if right else 0.0
                value = 10.0 if right else rng.choice([3.0, 2.5, 100.0, 10.4])
                items[grade.name] = {"passed": right, "error": None, "answers": {"x": value}}
            folder = root / "autograded" / student / "mini"
            folder.mkdir(parents=True)
            (folder / ".ketlearn-grade.json").write_text(
                json.dumps({"digests": {}, "scores": {}, "items": {"mini": items}, "faults": {}})
            )
        gb.db.commit()
    return root


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    print(f"bench_report: ketlearn report on {args.n} simulated students (fixture assignment)")
    root = simulate(args.n)
    from ketlearn.grading.report import build_report
    from ketlearn.grading.report_html import write_report

    t0 = time.perf_counter()
    report = build_report(root, ["mini"])
    t1 = time.perf_counter()
    write_report(report, root / "report")
    t2 = time.perf_counter()
    print(
        f"  statistics {t1 - t0:.1f} s + page and CSV {t2 - t1:.1f} s = {t2 - t0:.1f} s "
        f"(target < 60 s); alpha = {report.assignments[0].alpha:.2f}"
    )
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
