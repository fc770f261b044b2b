"""Benchmark: a 50-study random-effects meta-analysis (target <= 10 ms per fit).

Prints the median wall time per call of ketlearn.meta.pool for each tau² estimator (and with the
Hartung-Knapp interval), leave-one-out on 50 studies, and Egger's test. No asserts: the numbers
are for the report. Run: ``python benchmarks/bench_meta.py``.
"""

from __future__ import annotations

import numpy as np
from _timing import median_ms

from ketlearn import meta


def main() -> None:
    rng = np.random.default_rng(2026)
    k = 50
    v = rng.uniform(0.01, 0.5, k)
    y = 0.3 + 0.2 * rng.standard_normal(k) + np.sqrt(v) * rng.standard_normal(k)
    print(f"ketlearn.meta benchmark, k = {k} simulated studies (target <= 10 ms per fit)")
    for method in meta.TAU2_METHODS:
        ms = median_ms(lambda m=method: meta.pool(y, v, method=m), repeats=200)
        print(f"  pool(method={method!r:6}) {ms:8.3f} ms")
    ms = median_ms(lambda: meta.pool(y, v, method="REML", hartung_knapp=True), repeats=200)
    print(f"  pool(REML, Hartung-Knapp) {ms:6.3f} ms")
    ms = median_ms(lambda: meta.egger_test(y, v), repeats=100)
    print(f"  egger_test(lm)           {ms:7.3f} ms")
    ms = median_ms(lambda: meta.egger_test(y, v, model="rma"), repeats=100)
    print(f"  egger_test(rma)          {ms:7.3f} ms")
    ms = median_ms(lambda: meta.leave_one_out(y, v, method="REML"), repeats=10)
    print(f"  leave_one_out(REML), 50 refits {ms:6.1f} ms")


if __name__ == "__main__":
    main()
