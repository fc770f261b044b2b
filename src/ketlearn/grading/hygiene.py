"""Housekeeping of a grading run: leftovers, Ctrl-C, and where tampering evidence goes.

- :func:`remove_leftovers` deletes what a killed run (SIGKILL, power loss) left behind: staging
  folders in the course folder and unsandboxed workers' submission folders in the temporary
  folder, once the process that made them is gone.
- :class:`StopOnInterrupt` turns SIGINT (Ctrl-C, to the process or its group) into a request
  to stop between two gradebook records, so no record is left half-written; ``ketlearn grade``
  then exits with status 130 and the next run resumes (finished submissions are skipped).
- :func:`report_tampering` writes the per-student evidence file and a comment in the gradebook.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from ketlearn.grading.audit import write_evidence

__all__ = [
    "STAGE_PREFIX",
    "StopOnInterrupt",
    "dedupe_cells",
    "remove_leftovers",
    "report_tampering",
]

STAGE_PREFIX = ".ketlearn-stage-"  # + grader pid + random suffix, inside the course folder
_WORKDIR = re.compile(r"^ketlearn-sub-(\d+)-")
_STAGE = re.compile(r"^" + re.escape(STAGE_PREFIX) + r"(\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(root: Path) -> list[Path]:
    """Remove staging and work folders of grading runs that are no longer running."""
    removed = []
    candidates = [(p, _STAGE) for p in Path(root).iterdir()]
    for tmp in {tempfile.gettempdir(), "/tmp"}:
        if os.path.isdir(tmp):
            candidates += [(p, _WORKDIR) for p in Path(tmp).iterdir()]
    for path, pattern in candidates:
        match = pattern.match(path.name)
        if match is None or path.is_symlink() or not path.is_dir():
            continue
        if _alive(int(match.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


class StopOnInterrupt:
    """Context manager: SIGINT sets an event instead of raising in the middle of a record."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self._old = None

    def __enter__(self) -> threading.Event:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, lambda *_: self.event.set())
        return self.event

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def report_tampering(root, db_url: str, assignment: str, student: str, faults, prepared) -> None:
    """Evidence file and gradebook comment for every tampering flag of one submission."""
    prefix = f"{student}/{assignment}/"
    flags = [f for f in faults if f.get("kind") == "tampering" and f["where"].startswith(prefix)]
    if not flags:
        return
    path = write_evidence(Path(root), assignment, student, flags)
    from nbgrader.api import Gradebook

    text = (
        f"ketlearn grade flagged possible tampering ({len(flags)} flag(s)); "
        f"evidence: {path.relative_to(root)}. "
        + " | ".join(f"{f['where'][len(prefix) :]}: {f['detail']}" for f in flags)
    )[:4000]
    with Gradebook(db_url) as gb:
        for prep in prepared:
            try:
                nb = gb.find_submission_notebook(prep.notebook, assignment, student)
            except Exception:
                continue
            if nb.comments:
                comment = sorted(nb.comments, key=lambda c: c.name)[0]
                old = comment.manual_comment or ""
                if text not in old:
                    comment.manual_comment = f"{text}\n{old}".strip()
        gb.db.commit()


def dedupe_cells(nb, protected: set[str]) -> list[dict]:
    """Stated rule for duplicated nbgrader cells (other than test cells, handled elsewhere).

    When a ``grade_id`` appears more than once (a student copied an answer or task cell), the
    **first** copy keeps its nbgrader metadata and is graded; the later copies keep their code,
    which still runs in order, but lose the nbgrader metadata (ordinary cells). nbgrader itself
    would refuse the notebook. Returns the faults to report (graded, not the instructor's).
    """
    seen: dict[str, int] = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        gid = meta.get("grade_id")
        if not gid or gid in protected:
            continue
        seen[gid] = seen.get(gid, 0) + 1
        if seen[gid] > 1:
            del cell["metadata"]["nbgrader"]
    return [
        {
            "kind": "duplicated cell",
            "detail": f"{gid} appeared {n} times; the first copy was graded, the later copies "
            "ran as ordinary code",
        }
        for gid, n in seen.items()
        if n > 1
    ]
