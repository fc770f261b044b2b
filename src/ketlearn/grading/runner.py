"""``ketlearn grade``: parallel, resumable autograding with a single gradebook writer.

Flow: read the gradebook once (tests, points) → prepare every submission (cell integrity,
:mod:`~ketlearn.grading.prepare`) → skip those already graded from identical files (resume) →
grade the rest on N warm workers (threads here, each driving one worker process; or tasks on a
Dask cluster) → record each result through nbgrader as it arrives, in this process only
(:class:`~ketlearn.grading.gradebook.Recorder`) → print a summary of faults.

Exit status: 0 when everything was graded (student-caused faults such as timeouts, a killed
kernel or restored test cells are graded and reported); 1 when something needs the instructor
(an unreadable or missing notebook, a worker that died twice on one submission, a gradebook
write that failed). Usage errors (wrong course folder, no gradebook) raise ``CourseError``.
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ketlearn.grading._runner_pool import available_cores, run_dask, run_local
from ketlearn.grading.checker import CHECK_LOCK
from ketlearn.grading.gradebook import CourseError, Recorder, open_course
from ketlearn.grading.hygiene import (
    STAGE_PREFIX,
    StopOnInterrupt,
    remove_leftovers,
    report_tampering,
)
from ketlearn.grading.prepare import load_assignment, prepare_submission
from ketlearn.grading.sandbox import find_sandbox

__all__ = [
    "GradeReport",
    "Progress",
    "course_timeout",
    "grade",
    "stricter_outcome",
    "warm_modules",
    "with_written_files",
]

_ALWAYS_WARM = ["IPython", "matplotlib_inline.backend_inline", "ketlearn.grading.codec"]


@dataclass
class GradeReport:
    """What a run did: scores per (assignment, student), faults, timings."""

    graded: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    seconds: float = 0.0
    sandbox: bool = False
    sandbox_kind: str = ""
    workers: int = 0
    timings: dict = field(default_factory=dict)  # seconds: prepare, grade (sum), record (sum)
    warnings: list = field(default_factory=list)
    interrupted: bool = False

    @property
    def needs_instructor(self) -> list:
        return [f for f in self.faults if f.get("needs_instructor")]

    @property
    def tampering(self) -> list:
        """Faults that are evidence of tampering (see :mod:`ketlearn.grading.audit`)."""
        return [f for f in self.faults if f.get("kind") == "tampering"]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.needs_instructor or self.tampering else 0

    def summary(self) -> str:
        box = f"on ({self.sandbox_kind})" if self.sandbox else "OFF"
        lines = [
            f"Graded {len(self.graded)} submission(s), skipped {len(self.skipped)} already graded "
            f"(unchanged), in {self.seconds:.1f} s with {self.workers} worker(s); "
            f"sandbox {box}."
        ]
        if self.interrupted:
            lines.append("INTERRUPTED: the run stopped early; run the same command to resume.")
        lines += [f"WARNING: {w}" for w in self.warnings]
        if self.faults:
            lines.append("Faults:")

            def order(f):
                return (f.get("kind") != "tampering", not f.get("needs_instructor"), f["where"])

            for f in sorted(self.faults, key=order):
                if f.get("kind") == "tampering":
                    flag = "TAMPERING"
                else:
                    flag = "NEEDS INSTRUCTOR" if f.get("needs_instructor") else "graded"
                lines.append(f"  [{flag}] {f['where']}: {f['kind']}: {f['detail']}")
        else:
            lines.append("No faults.")
        return "\n".join(lines)


class Progress:
    """A one-line text progress bar on a terminal (plain lines otherwise)."""

    def __init__(self, total: int, stream=None, enabled: bool = True) -> None:
        self.total, self.done, self.faults = total, 0, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.t0 = time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, label: str, faults: int = 0) -> None:
        self.done += 1
        self.faults += faults
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "." * (width - filled)
        rate = (time.perf_counter() - self.t0) / self.done
        eta = rate * (self.total - self.done)
        text = f"[{bar}] {self.done}/{self.total} {label[:40]:40s} faults:{self.faults} eta {eta:4.0f}s"
        if self.tty:
            self.stream.write("\r" + text + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def warm_modules(source_dirs: list[Path]) -> list[str]:
    """Modules imported by the source notebooks (imported once per worker, not per student)."""
    found: set[str] = set()
    for folder in source_dirs:
        for path in folder.glob("*.ipynb"):
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception:
                continue
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                text = "\n".join(
                    ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))
                )
                try:
                    tree = ast.parse(text)
                except SyntaxError:
                    continue
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        found.update(a.name for a in node.names)
                    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                        found.add(node.module)
                        found.update(f"{node.module}.{a.name}" for a in node.names)
    if any(m.split(".")[0] == "matplotlib" for m in found):
        found.add("matplotlib.pyplot")
    return [*_ALWAYS_WARM, *sorted(found)]


def _submissions(root: Path, submitted: str, assignments: list[str], students: list[str] | None):
    base = root / submitted
    if not base.is_dir():
        raise CourseError(f"no {base} folder: collect submissions first (`nbgrader collect`).")
    out = []
    for sdir in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if students and sdir.name not in students:
            continue
        for name in assignments:
            if (sdir / name).is_dir():
                out.append((name, sdir.name, sdir / name))
    return out


def grade(
    course: str | os.PathLike = ".",
    assignments: list[str] | None = None,
    students: list[str] | None = None,
    workers: int | None = None,
    timeout: float | None = None,
    force: bool = False,
    scheduler: str | None = None,
    sandbox: str = "auto",
    progress: bool = True,
    stream=None,
) -> GradeReport:
    """Autograde submissions of ``course`` in parallel; see the module docstring."""
    import warnings

    from sqlalchemy.exc import SAWarning

    old_env = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # tests see it, as under nbgrader autograde
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's session warnings are noise
            return _grade(
                course,
                assignments,
                students,
                workers,
                timeout,
                force,
                scheduler,
                sandbox,
                progress,
                stream,
            )
    finally:
        if old_env is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = old_env


def _grade(
    course, assignments, students, workers, timeout, force, scheduler, sandbox, progress, stream
):
    from nbgrader.api import Gradebook

    t0 = time.perf_counter()
    root = Path(course).resolve()
    api, db_url = open_course(root)
    coursedir = api.coursedir
    report = GradeReport()
    with Gradebook(db_url, coursedir.course_id) as gb:
        known = sorted(a.name for a in gb.assignments)
        wanted = assignments or known
        unknown = [a for a in wanted if a not in known]
        if unknown:
            raise CourseError(
                f"unknown assignment(s) {', '.join(unknown)}; the gradebook has: "
                f"{', '.join(known) or 'none'} (run `nbgrader generate_assignment NAME` first)."
            )
        specs = {a: load_assignment(gb, root, a) for a in wanted}
    from nbgrader.converters import Autograde

    keep = Autograde(config=api.config).exclude_overwriting  # resolved as nbgrader resolves it
    for a, spec in specs.items():
        spec.keep_students = frozenset(str(x) for x in keep.get(a, []))
    if timeout is None:
        timeout = course_timeout(api.config)
    subs = _submissions(root, coursedir.submitted_directory, wanted, students)
    if students:
        missing = sorted(set(students) - {s for _, s, _ in subs})
        for s in missing:
            report.faults.append(
                {
                    "where": s,
                    "kind": "missing submission",
                    "detail": "no submitted folder",
                    "needs_instructor": True,
                }
            )

    remove_leftovers(root)
    # Staging holds notebooks with the gradebook's full test cells: a private folder inside the
    # course folder (hidden from every worker), removed after each submission and at the end.
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=root))
    recorder = Recorder(root, staging)
    jobs: dict[tuple, dict] = {}  # (assignment, student) -> state
    for name, student, folder in subs:
        prepared = prepare_submission(specs[name], student, folder, timeout)
        where = f"{student}/{name}"
        for prep in prepared:
            for f in prep.faults:
                report.faults.append({"where": f"{where}/{prep.notebook}", **f})
        gradable = [p for p in prepared if p.job is not None]
        if not gradable:
            continue
        digests = {p.notebook: p.digest for p in prepared}
        if not force and recorder.is_current(name, student, digests):
            report.skipped.append(where)
            continue
        jobs[(name, student)] = {
            "folder": folder,
            "prepared": prepared,
            "pending": {p.notebook for p in gradable},
            "results": {},
        }

    report.timings["prepare"] = time.perf_counter() - t0
    hide = [
        str(root),
        str(staging),
        str(Path(db_url[len("sqlite:///") :]).parent)
        if db_url.startswith("sqlite:///")
        else str(root),
    ]
    use_sandbox = sandbox != "off"
    box = find_sandbox(hide) if use_sandbox else None
    prefix = list(box.prefix) if box else None
    if sandbox == "on" and prefix is None:
        shutil.rmtree(staging, ignore_errors=True)
        raise CourseError(
            "--sandbox on: no working sandbox here (install bubblewrap: `apt-get install "
            "bubblewrap`, or allow user namespaces for `unshare`)."
        )
    if sandbox == "auto" and prefix is None:
        report.warnings.append(
            "no sandbox (bubblewrap or unshare) works here: student code ran with your "
            "rights and could read your files; install bubblewrap or use --sandbox on"
        )
    report.sandbox = prefix is not None
    report.sandbox_kind = box.kind if box else ""
    modules = warm_modules([s.source_dir for s in specs.values()])
    all_jobs = [p.job for st in jobs.values() for p in st["prepared"] if p.job is not None]
    n = max(1, min(workers or available_cores(), len(all_jobs) or 1))
    report.workers = n
    bar = Progress(len(jobs), stream, enabled=progress)

    def on_result(result: dict) -> None:
        name, student, notebook = result["key"]
        state = jobs[(name, student)]
        where = f"{student}/{name}/{notebook}"
        if "refused" in result:
            report.faults.append(
                {
                    "where": where,
                    "kind": "worker refused",
                    "detail": result["refused"],
                    "needs_instructor": True,
                }
            )
            state["failed"] = True
        elif "worker_died" in result:
            report.faults.append(
                {
                    "where": where,
                    "kind": "worker died",
                    "detail": result["worker_died"],
                    "needs_instructor": True,
                }
            )
            state["failed"] = True
        else:
            for f in [*result["faults"], *result.get("flags", [])]:
                report.faults.append({"where": where, **f})
            state["results"][notebook] = result
        state["pending"].discard(notebook)
        if state["pending"]:
            return
        report.timings["grade"] = report.timings.get("grade", 0.0) + sum(
            r["seconds"]["total"] for r in state["results"].values()
        )
        if not state.get("failed"):
            t_rec = time.perf_counter()
            try:
                for prep in state["prepared"]:
                    if prep.notebook in state["results"]:
                        stricter_outcome(prep, state["results"][prep.notebook])
                folder = with_written_files(
                    state["folder"], state["results"].values(), staging / "written" / student / name
                )
                with CHECK_LOCK:  # nbgrader changes the working folder; so do running tests
                    scores = recorder.record(
                        name, student, folder, state["prepared"], state["results"]
                    )
                report.graded[(name, student)] = scores
                report_tampering(root, db_url, name, student, report.faults, state["prepared"])
            except Exception as exc:
                report.faults.append(
                    {
                        "where": f"{student}/{name}",
                        "kind": "gradebook write failed",
                        "detail": str(exc)[-500:],
                        "needs_instructor": True,
                    }
                )
            report.timings["record"] = report.timings.get("record", 0.0) + (
                time.perf_counter() - t_rec
            )
        bar.update(f"{student}/{name}", 0)

    try:
        with StopOnInterrupt() as stop:
            if scheduler:
                run_dask(
                    scheduler,
                    all_jobs,
                    modules,
                    hide,
                    use_sandbox and prefix is not None,
                    on_result,
                    stop,
                )
            else:
                run_local(n, all_jobs, modules, prefix, on_result, stop)
            report.interrupted = stop.is_set()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        # again at the end: a killed earlier run's workers may still have been alive (and their
        # folders so kept) when this run started; without a sandbox those folders are in /tmp
        remove_leftovers(root)
    report.seconds = time.perf_counter() - t0
    return report


#: Per-cell limit used when the course sets ``Execute.timeout = None`` (nbgrader: no limit).
NO_LIMIT_S = 7 * 24 * 3600.0


def course_timeout(config) -> float:
    """Seconds per cell, resolved exactly as nbgrader's ``Execute`` preprocessor resolves it.

    ``c.Execute.timeout`` wins over ``c.ExecutePreprocessor.timeout`` (and ``NotebookClient``);
    nbgrader's own default is 30 s. traitlets resolves the configuration (including values that
    are still ``LazyConfigValue``), so this cannot disagree with ``nbgrader autograde``. A timeout
    of ``None`` (or not positive) means no limit in nbgrader; here it becomes a week.

    >>> from traitlets.config import Config
    >>> course_timeout(Config())
    30.0
    >>> c = Config()
    >>> c.ExecutePreprocessor.timeout = 120
    >>> c.Execute.timeout = 2
    >>> course_timeout(c)
    2.0
    """
    from nbgrader.preprocessors import Execute

    value = Execute(config=config).timeout
    if value is None or value <= 0:
        return NO_LIMIT_S
    return float(value)


def _failed(outputs: list) -> bool:
    """nbgrader's rule: a test cell failed when it shows an error or wrote to stderr."""
    return any(
        o.get("output_type") == "error"
        or (o.get("output_type") == "stream" and o.get("name") == "stderr")
        for o in outputs
    )


def stricter_outcome(prep, result: dict) -> None:
    """Combine each test's two runs in ``result`` (in place); the stricter one counts.

    The checker ran the full test on plain data (authoritative). The student's kernel ran the
    test's visible part at its place, as nbgrader does. For a test without hidden parts that
    kernel run *is* nbgrader's run, so when it failed, the test failed (its error becomes the
    cell's output). For a test with hidden parts the visible part alone may lack something a
    hidden block defines, so its failure is not held against the student. A kernel run that
    passed never overrides the checker.
    """
    from ketlearn.grading.prepare import strip_hidden

    tests = {t["grade_id"]: t["source"] for t in prep.job["tests"]}
    for k, gid in prep.job.get("kernel_tests", {}).items():
        item = result["items"].get(gid)
        kernel = result["cells"].get(str(k), [])
        if item is None or not item["passed"] or strip_hidden(tests[gid]) != tests[gid]:
            continue
        if _failed(kernel):
            first = next(o for o in kernel if o.get("output_type") in ("error", "stream"))
            detail = f"{first.get('ename', 'stderr')}: {first.get('evalue', '')}".strip(": ")
            item.update(passed=False, outputs=kernel, message=f"in the notebook: {detail}")


def with_written_files(folder: Path, results, scratch: Path) -> Path:
    """``folder`` plus the files the notebook wrote while graded (nbgrader leaves them there).

    Returns ``folder`` itself when nothing was written; otherwise a copy of it (links copied as
    links, never followed) with the written files added. A written path that would go through a
    link, leave the folder, or replace a notebook is skipped.
    """
    import base64
    import shutil

    written: dict[str, str] = {}
    for result in results:
        written.update(result.get("written") or {})
    if not written:
        return folder
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(folder, scratch, symlinks=True)
    base = scratch.resolve()
    for rel, b64 in sorted(written.items()):
        parts = Path(rel).parts
        if not parts or Path(rel).is_absolute() or ".." in parts or rel.endswith(".ipynb"):
            continue
        target = scratch.joinpath(*parts)
        chain = [scratch.joinpath(*parts[:i]) for i in range(1, len(parts) + 1)]
        if any(p.is_symlink() for p in chain):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if base not in target.parent.resolve().parents and target.parent.resolve() != base:
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.b64decode(b64))
    return scratch
