"""Longest work first: the order in which pytest-xdist hands out the test suite's work units.

Why
---
``make test`` runs with ``--dist loadgroup``: every test marked ``xdist_group(name)`` runs on
one worker with the others of its group (they share an expensive module fixture, such as an
executed notebook or a graded course), and every other test is a unit of its own. pytest-xdist
queues units by their number of tests, and a worker takes the next unit when it has two tests
or fewer left. Test counts say little about time here: a single JupyterHub test runs for two
and a half minutes while a group of eighty doctests takes seconds. Long units that happen to
come late leave one worker busy while the other has nothing left to take.

Ordering the queue by *expected duration*, longest first, is the classic greedy rule for
spreading jobs over identical machines (Graham's LPT rule: at most 4/3 of the best possible
finish time). Short units come last and fill the gaps.

Where the expectations come from
--------------------------------
``tests/durations.json`` (committed) holds, per unit, the seconds it took in a reference run
on a 2-core machine; only units of a second or more are kept. Every run of the suite writes
its own measurements to ``build/test-durations.json``, which takes precedence when present,
so a working copy adapts to its own machine. Refresh the committed file with::

    python tests/scheduling.py --update

A unit missing from both (a new test) is expected to take :data:`DEFAULT_SECONDS` per test.
A wrong or stale estimate only changes the order in which work is handed out; every test still
runs exactly once, and the groups are never split.
"""

from __future__ import annotations

import json
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = Path(__file__).with_name("durations.json")
MEASURED = ROOT / "build" / "test-durations.json"

#: Expected seconds per test of a unit with no measurement (most unmeasured tests are quick).
DEFAULT_SECONDS = 0.3

#: Units shorter than this are left out of the committed file (they keep their queue order).
KEEP_SECONDS = 1.0


def unit_of(nodeid: str) -> str:
    """The pytest-xdist ``loadgroup`` unit of a test: its group name, or the test id itself.

    Mirrors ``xdist.scheduler.LoadGroupScheduling._split_scope``.

    >>> unit_of("tests/test_hub.py::test_hub_release_submit_grade_feedback")
    'tests/test_hub.py::test_hub_release_submit_grade_feedback'
    >>> unit_of("tests/test_browser.py::test_site_opens@browser")
    'browser'
    >>> unit_of("tests/test_x.py::test_y[a@b]")
    'tests/test_x.py::test_y[a@b]'
    """
    if nodeid.rfind("@") > nodeid.rfind("]"):
        return nodeid.split("@")[-1]
    return nodeid


def expected_seconds() -> dict[str, float]:
    """Seconds per unit: the committed reference, updated by this machine's last measurements."""
    expected: dict[str, float] = {}
    for path in (COMMITTED, MEASURED):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        units = data.get("units", {}) if isinstance(data, dict) else {}
        expected.update({str(k): float(v) for k, v in units.items() if isinstance(v, (int, float))})
    return expected


def longest_first(workqueue: dict[str, dict], expected: dict[str, float]) -> OrderedDict:
    """The work queue reordered by expected duration, longest first (ties keep their order).

    >>> q = {"a": {"t1": False}, "b": {"t2": False, "t3": False}, "c": {"t4": False}}
    >>> list(longest_first(q, {"a": 5.0, "c": 60.0}))
    ['c', 'a', 'b']
    """

    def cost(item):
        unit, tests = item
        return expected.get(unit, DEFAULT_SECONDS * len(tests))

    return OrderedDict(sorted(workqueue.items(), key=cost, reverse=True))


def make_scheduler(config, log):
    """A ``loadgroup`` scheduler that hands out the longest expected unit first."""
    from xdist.scheduler import LoadGroupScheduling

    class LongestFirstScheduling(LoadGroupScheduling):
        _ordered = False

        def _assign_work_unit(self, node) -> None:
            if not self._ordered:
                self.workqueue = longest_first(self.workqueue, expected_seconds())
                self._ordered = True
            super()._assign_work_unit(node)

    return LongestFirstScheduling(config, log)


class DurationRecorder:
    """Adds up each unit's setup, call and teardown time; writes :data:`MEASURED` at the end.

    Registered on the controlling process only. A run that selects a subset of the tests
    (``-k``, ``-m``, file arguments) updates only the units it ran.
    """

    def __init__(self) -> None:
        self.units: dict[str, float] = {}

    def pytest_runtest_logreport(self, report) -> None:
        unit = unit_of(report.nodeid)
        self.units[unit] = self.units.get(unit, 0.0) + float(report.duration)

    def pytest_sessionfinish(self, session) -> None:
        if not self.units:
            return
        previous = {}
        try:
            previous = json.loads(MEASURED.read_text(encoding="utf-8")).get("units", {})
        except (OSError, ValueError, AttributeError):
            previous = {}
        previous.update({k: round(v, 2) for k, v in self.units.items()})
        try:
            MEASURED.parent.mkdir(parents=True, exist_ok=True)
            MEASURED.write_text(
                json.dumps({"units": dict(sorted(previous.items()))}, indent=1) + "\n",
                encoding="utf-8",
            )
        except OSError:
            pass  # a read-only checkout still runs its tests


def _update_committed() -> int:
    data = json.loads(MEASURED.read_text(encoding="utf-8"))["units"]
    kept = {k: round(v, 1) for k, v in sorted(data.items()) if v >= KEEP_SECONDS}
    COMMITTED.write_text(
        json.dumps(
            {
                "about": "Seconds per pytest-xdist unit in a reference run on 2 cores; "
                "used only to order work, longest first (tests/scheduling.py).",
                "units": kept,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{COMMITTED}: {len(kept)} units of {KEEP_SECONDS} s or more, {sum(kept.values()):.0f} s")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/scheduling.py --update")
    sys.exit(_update_committed())
