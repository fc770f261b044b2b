"""Progress view: which self-checked items a learner has passed, with no server.

Each call of :func:`ketlearn.selfcheck.check` appends its verdict to one small JSON file, and
:func:`show` reads it back as a table per assignment. Design reasons:

- **Where.** One file per user, ``~/.ketlearn/progress.json``: on Binder and JupyterHub the home
  folder *is* the learner's working folder, and one file gathers every assignment wherever its
  notebook lives. Set the environment variable ``KETLEARN_PROGRESS_FILE`` to another path, or to
  ``off`` to record nothing.
- **Who writes: only a learner at the keyboard.** The home file is written only by a self-check
  run from an interactive session (:func:`interactive_session`): a notebook open in JupyterLab,
  Notebook or VS Code, or an IPython prompt. Notebooks executed headless (the test suite,
  ``make bench``, the site build, nbconvert, papermill, nbmake; all run cells through nbclient,
  which does not accept keyboard input) never write it, and neither does nbgrader while it
  autogrades or validates (it sets ``NBGRADER_EXECUTION``), so running the solutions on a
  machine never marks its owner's exercises as passed. An explicit ``KETLEARN_PROGRESS_FILE``
  path is an explicit choice and is written in any context (except under nbgrader and the
  repository's tools): the test suite sets ``KETLEARN_PROGRESS_FILE=off`` (``tests/conftest.py``),
  and the tools that execute notebooks (site build, release, self-check data, benchmarks,
  ``ketlearn grade``) run inside :func:`recording_off`, which overrides even a path the user
  exported for their own notebooks.
- **When.** Only an explicit self-check writes. Importing ketlearn (or this module) writes
  nothing; :func:`show` and :func:`summary` only read.
- **What.** Per item: passed or not, the number of attempts, and when it was first passed. No
  answers are stored. Attempts are shown so guessing at small answer sets is visible (see the
  threat model in :mod:`ketlearn.selfcheck`).
- Writes are atomic (write a temporary file, then replace), and a damaged file is set aside as
  ``progress.json.bak`` rather than crashing a notebook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas as pd

__all__ = [
    "interactive_session",
    "learner_id",
    "progress_file",
    "read",
    "record",
    "recording_off",
    "reset",
    "show",
    "store_learner_id",
    "summary",
]

_ENV = "KETLEARN_PROGRESS_FILE"


def progress_file() -> Path | None:
    """Where progress is recorded, or None if recording is off.

    >>> import os
    >>> os.environ["KETLEARN_PROGRESS_FILE"] = "off"
    >>> progress_file() is None
    True
    >>> del os.environ["KETLEARN_PROGRESS_FILE"]
    """
    if os.environ.get("NBGRADER_EXECUTION"):  # nbgrader is autograding or validating
        return None
    return _configured_file()


def _configured_file() -> Path | None:
    """The progress file the settings name, even while nbgrader runs (None: recording is off)."""
    value = os.environ.get(_ENV)
    if value is not None:
        if value.strip().lower() in ("", "off", "0", "false", "no"):
            return None
        return Path(value).expanduser()
    return Path.home() / ".ketlearn" / "progress.json"


@contextlib.contextmanager
def recording_off() -> Iterator[None]:
    """Record nothing inside the block, here and in every kernel or process started from it.

    The repository's tools wrap their work in it (the site build, ``make release``, the
    self-check data generator, ``make bench``, ``ketlearn grade``): it sets
    ``KETLEARN_PROGRESS_FILE=off`` for the block, overriding a path the user may have exported
    for their own notebooks, and restores the previous value afterwards.

    >>> import os
    >>> with recording_off():
    ...     progress_file() is None
    True
    """
    old = os.environ.get(_ENV)
    os.environ[_ENV] = "off"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(_ENV, None)
        else:
            os.environ[_ENV] = old


def interactive_session() -> bool:
    """True when a person runs the code: an IPython prompt, or a notebook cell run from a frontend.

    Frontends (JupyterLab, Notebook, VS Code) send each cell with ``allow_stdin`` set, so that
    ``input()`` works; headless runners built on nbclient (nbconvert, papermill, nbmake,
    Jupyter Book, nbgrader, the course's tests and benchmarks) send it unset. Plain Python
    (a script, pytest) is not interactive.

    >>> interactive_session()  # doctests run headless
    False
    """
    ipython = sys.modules.get("IPython")  # never import IPython just to ask
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    kernel = getattr(shell, "kernel", None)
    if kernel is None:  # a terminal IPython prompt
        return True
    return bool(getattr(kernel, "_allow_stdin", True))


def read(path: str | Path | None = None) -> dict:
    """The recorded progress, ``{assignment: {item: {...}}}`` (empty if nothing recorded yet)."""
    path = Path(path) if path is not None else progress_file()
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("assignments"), dict):
            raise ValueError("not a ketlearn progress file")
        return data["assignments"]
    except (ValueError, OSError):
        return {}


def record(verdict, path: str | Path | None = None) -> Path | None:
    """Add one self-check verdict to the progress file (called by ``selfcheck.check``).

    Returns where it was written, or None when nothing is recorded: recording is off, nbgrader
    is running, or the default home file was asked for outside an interactive session (see the
    module's notes). An explicit ``path`` is always written.
    """
    if path is None:
        path = progress_file()
        if path is None:
            return None
        if os.environ.get(_ENV) is None and not interactive_session():
            return None
    path = Path(path)
    data = _load(path)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    entry = (
        data["assignments"]
        .setdefault(verdict.assignment, {})
        .setdefault(verdict.item, {"passed": False, "attempts": 0, "first_passed": None})
    )
    entry["attempts"] += 1
    entry["last"] = now
    entry["last_result"] = verdict.kind
    if verdict.passed:
        entry["passed"] = True
        entry["first_passed"] = entry["first_passed"] or now
        entry.setdefault("attempts_to_pass", entry["attempts"])
    _save(path, data)
    return path


def _load(path: Path) -> dict:
    """The whole progress file (an empty one if missing; a damaged one is set aside)."""
    data = {"format": 1, "assignments": {}}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and isinstance(loaded.get("assignments"), dict):
                data = loaded
            else:
                raise ValueError
        except (ValueError, OSError):
            path.replace(path.with_name(path.name + ".bak"))
    return data


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def learner_id(create: bool = False, path: str | Path | None = None) -> str | None:
    """The learner id stored in the progress file (for :mod:`ketlearn.variant`), or None.

    With ``create=True`` a random id (``learner-`` and 8 hex digits) is made and stored the
    first time; :mod:`ketlearn.variant` asks for that only in an interactive session, so
    headless runs never write the home file. Nothing is created when recording is off.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "p.json")
    >>> learner_id(path=p) is None
    True
    >>> made = learner_id(create=True, path=p)
    >>> made.startswith("learner-") and learner_id(path=p) == made
    True
    """
    # Read even under nbgrader's Validate (a learner's own laptop): the values must be theirs.
    path = Path(path) if path is not None else _configured_file()
    if path is None:
        return None
    try:
        data = _load(path) if path.exists() else None
    except OSError:
        return None
    stored = (data or {}).get("learner")
    if isinstance(stored, str) and stored:
        return stored
    if not create:
        return None
    import secrets

    made = f"learner-{secrets.token_hex(4)}"
    try:
        store_learner_id(made, path)
    except OSError:
        return None
    return made


def store_learner_id(learner: str, path: str | Path | None = None) -> Path | None:
    """Keep ``learner`` as this learner's id in the progress file (see ``variant.set_learner_id``)."""
    path = Path(path) if path is not None else progress_file()
    if path is None:
        return None
    data = _load(path)
    data["learner"] = learner
    _save(path, data)
    return path


def reset(path: str | Path | None = None) -> None:
    """Forget all recorded progress (the learner id, which draws the variants, is kept)."""
    path = Path(path) if path is not None else progress_file()
    if path is not None and path.exists():
        learner = learner_id(path=path)
        path.unlink()
        if learner:
            store_learner_id(learner, path)


def summary(path: str | Path | None = None) -> pd.DataFrame:
    """One row per self-checked item of the course: status, attempts, when first passed.

    ``status`` is ``passed``, ``tried`` (checked, not passed yet) or ``not tried``.

    >>> import os, tempfile
    >>> os.environ["KETLEARN_PROGRESS_FILE"] = os.path.join(tempfile.mkdtemp(), "p.json")
    >>> summary().query("assignment == '00-orientation'")["status"].unique().tolist()
    ['not tried']
    >>> del os.environ["KETLEARN_PROGRESS_FILE"]
    """
    import pandas as pd

    from ._selfcheck_items import load_data

    done = read(path)
    rows = []
    for assignment, items in sorted(load_data()["assignments"].items()):
        for item, spec in items.items():
            entry = done.get(assignment, {}).get(item, {})
            status = (
                "passed" if entry.get("passed") else ("tried" if entry.get("attempts") else
                                                       "not tried")
            )  # fmt: skip
            rows.append(
                {
                    "assignment": assignment,
                    "item": item,
                    "title": spec.get("title", item),
                    "status": status,
                    "attempts": int(entry.get("attempts", 0)),
                    "first_passed": entry.get("first_passed") or "",
                }
            )
    return pd.DataFrame(rows)


def show(path: str | Path | None = None) -> str:
    """Print (and return) a per-assignment overview of passed self-checks.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["KETLEARN_PROGRESS_FILE"] = os.path.join(tempfile.mkdtemp(), "p.json")
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     text = show()
    >>> text.splitlines()[1].split()
    ['00-orientation', '0', 'of', '5', 'passed']
    >>> del os.environ["KETLEARN_PROGRESS_FILE"]
    """
    table = summary(path)
    where = path or progress_file() or "recording is off"
    lines = [f"Self-check progress ({where})"]
    marks = {"passed": "✔", "tried": "…", "not tried": "·"}
    for assignment, rows in table.groupby("assignment", sort=True):
        n_pass = int((rows["status"] == "passed").sum())
        lines.append(f"{assignment:<30} {n_pass} of {len(rows)} passed")
        for row in rows.itertuples():
            tries = f" ({row.attempts} attempt{'s' if row.attempts != 1 else ''})"
            lines.append(f"   {marks[row.status]} {row.title:<42} {row.status}"
                         f"{tries if row.attempts else ''}")  # fmt: skip
    lines.append("✔ passed   … tried, not passed yet   · not tried")
    text = "\n".join(lines)
    print(text)
    return text
