"""Speed of the pharmacokinetics strand (prints figures; asserts nothing).

Targets (issue 3): 24 h at 1-min resolution for one regimen <= 5 ms; widget update with redraw,
median <= 150 ms.

Run: ``python benchmarks/bench_pk.py``
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from _timing import median_ms

from ketlearn import pk
from ketlearn.widgets import pk as wpk


def main() -> None:
    infusion = pk.Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0)
    oral_repeats = pk.Regimen("oral", 0.5, 70.0, repeats=4, interval_min=360.0)
    pk.simulate(infusion)  # warm up imports
    for label, reg in [("IV infusion 0.5 mg/kg / 40 min", infusion), ("oral x4", oral_repeats)]:
        ms = median_ms(
            lambda reg=reg: pk.simulate(reg, t_end_min=1440.0, dt_min=1.0), 200, warm_up=False
        )
        print(f"simulate 24 h at 1-min resolution, {label}: median {ms:.2f} ms (target <= 5 ms)")
    ms = median_ms(lambda: pk.simulate(infusion, method="numerical"), 5, warm_up=False)
    print(f"same with method='numerical' (solve_ivp): median {ms:.1f} ms (for comparison)")

    app = wpk.PKExplorer(display_output=False)
    doses = [0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 0.4, 0.6, 0.8, 1.0]

    def explorer_step(i=[0]):  # noqa: B006 - a counter across calls
        app.update(dose=doses[i[0] % len(doses)])
        app.last_figure.canvas.draw()  # render, as the notebook would
        i[0] += 1

    ms = median_ms(explorer_step, 20, warm_up=False)
    print(f"PKExplorer update with redraw (Agg render): median {ms:.0f} ms (target <= 150 ms)")

    comp = wpk.RouteComparison(display_output=False)
    choices = ["low", "high", "default"]

    def compare_step(i=[0]):  # noqa: B006
        comp.update(f_choice=choices[i[0] % 3])
        comp.last_figure.canvas.draw()
        i[0] += 1

    ms = median_ms(compare_step, 10, warm_up=False)
    print(f"RouteComparison update with redraw (6 routes): median {ms:.0f} ms (target <= 150 ms)")


if __name__ == "__main__":
    main()
