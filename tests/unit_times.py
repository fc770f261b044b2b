"""How long each unit of work of the test suite took: the figures behind `make bench`'s test line.

``make test`` runs with ``--dist loadgroup``: every test marked ``xdist_group(name)`` runs on one
worker together with the rest of its group (they share an expensive module fixture, such as an
executed notebook or a graded course); every other test is a unit of its own. A unit cannot be
split over workers, so with ``w`` workers no schedule can finish before
``max(total work / w, longest unit)``. Knowing both numbers tells whether a slow run is slow
because of the work itself or because of how it was spread.

:class:`DurationRecorder` (registered by tests/conftest.py on the controlling process) adds up each
unit's setup, call and teardown time and writes them to ``build/test-durations.json`` at the end
of a run; ``benchmarks/bench_tests.py`` reads them.

Measured on this 2-core machine (issue 17): ordering the queue longest-first (Graham's rule)
could gain at most the gap between the wall time and half the work, about 20 s of 930 s, and in
practice it ran the JupyterHub and browser units side by side, both many processes, and the run
got slower. pytest-xdist's own order is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEASURED = ROOT / "build" / "test-durations.json"


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


def measured() -> dict[str, float]:
    """Seconds per unit from the last run in this checkout (empty if there was none)."""
    try:
        units = json.loads(MEASURED.read_text(encoding="utf-8")).get("units", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): float(v) for k, v in units.items() if isinstance(v, (int, float))}


def lower_bound(units: dict[str, float], workers: int = 2) -> tuple[float, float, str]:
    """``(total, bound, longest unit)``: the work, and the shortest possible wall time.

    >>> lower_bound({"a": 10.0, "b": 2.0, "c": 2.0})
    (14.0, 10.0, 'a')
    >>> lower_bound({"a": 4.0, "b": 4.0, "c": 4.0})
    (12.0, 6.0, 'a')
    """
    total = sum(units.values())
    longest = max(units, key=units.__getitem__)
    return total, max(total / workers, units[longest]), longest


class DurationRecorder:
    """Adds up each unit's setup, call and teardown time; writes :data:`MEASURED` at the end.

    A run that selects a subset of the tests (``-k``, ``-m``, file arguments) updates only the
    units it ran.
    """

    def __init__(self) -> None:
        self.units: dict[str, float] = {}

    def pytest_runtest_logreport(self, report) -> None:
        unit = unit_of(report.nodeid)
        self.units[unit] = self.units.get(unit, 0.0) + float(report.duration)

    def pytest_sessionfinish(self, session) -> None:
        if not self.units:
            return
        units = measured()
        units.update({k: round(v, 2) for k, v in self.units.items()})
        try:
            MEASURED.parent.mkdir(parents=True, exist_ok=True)
            MEASURED.write_text(
                json.dumps({"units": dict(sorted(units.items()))}, indent=1) + "\n",
                encoding="utf-8",
            )
        except OSError:
            pass  # a read-only checkout still runs its tests
