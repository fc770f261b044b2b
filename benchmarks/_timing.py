"""Shared timing helper for the benchmark scripts (they print figures; nothing is asserted)."""

from __future__ import annotations

import statistics
import time


def median_ms(fn, repeats: int = 15, *, warm_up: bool = True) -> float:
    """Median wall time of ``fn()`` in milliseconds over ``repeats`` calls (after one warm-up)."""
    if warm_up:
        fn()  # imports, caches
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)
