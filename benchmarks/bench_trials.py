"""Benchmark: 1,000 simulated two-arm trials of n = 100 (50 per arm) for the widget.

Target (issue 4): <= 0.5 s. Prints the best of several runs, with and without every bias
mechanism switched on; no assertions (see CONTRIBUTING.md).

Run: ``.venv/bin/python benchmarks/bench_trials.py``
"""

from __future__ import annotations

import time

from ketlearn import trials

TARGET_S = 0.5


def best_of(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    plain = trials.TrialDesign(n_per_arm=50)
    everything = trials.TrialDesign(
        n_per_arm=50,
        screening_noise_sd_points=4.0,
        entry_threshold_points=34.0,
        dropout_fraction=0.2,
        unblinding=0.8,
        expectancy_points=-3.0,
        active_placebo_mimicry=0.3,
    )
    trials.simulate_trials(plain, n_trials=10, seed=0)  # warm-up (imports, caches)
    for label, design in (("no bias mechanisms", plain), ("all mechanisms on", everything)):
        t = best_of(lambda d=design: trials.simulate_trials(d, n_trials=1000, seed=1))
        status = "OK" if t <= TARGET_S else "SLOWER THAN TARGET"
        print(
            f"simulate_trials, 1000 trials x 100 patients, {label}: {t * 1000:.1f} ms "
            f"(target <= {TARGET_S * 1000:.0f} ms) {status}"
        )
    from ketlearn.widgets import trials as wt

    t = best_of(lambda: wt.simulation_summary(n_trials=1000, seed=1), repeats=3)
    print(f"widget computation (simulation_summary, 1000 trials): {t * 1000:.1f} ms")


if __name__ == "__main__":
    main()
