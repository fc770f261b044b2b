"""Speed of the mechanism strand: whole-chain update and widget update with redraw.

Targets (issue 3): whole-chain update <= 20 ms; widget update with redraw, median <= 150 ms.
This script PRINTS medians; it asserts nothing. Run: ``python benchmarks/bench_mechanism.py``.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

from _timing import median_ms

from ketlearn import mechanism, pk, receptor
from ketlearn.widgets import mechanism as wm


def main() -> None:
    reg = pk.Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0)
    rows = [
        (
            "whole chain, 24 h at 1 min + 7 days plasticity",
            median_ms(lambda: mechanism.chain(reg)),
            20.0,
        ),
        ("trapping protocol (Mealing), 1 s steps", median_ms(receptor.trapping_summary), None),
    ]
    for app_cls, kwargs in [
        (wm.MgBlockExplorer, {"mg_mm": 1.2, "voltage_mv": -50.0}),
        (wm.TrappingSimulator, {"conc_um": 10.0}),
        (wm.CircuitExplorer, {"block": 0.6}),
        (wm.WholeChainExplorer, {"dose_mg_per_kg": 0.6}),
    ]:
        app = app_cls()
        rows.append(
            (
                f"{app_cls.__name__} update + redraw",
                median_ms(lambda app=app, kwargs=kwargs: app.update(**kwargs)),
                150.0,
            )
        )
    app = wm.WholeChainExplorer()
    rows.append(
        (
            "WholeChainExplorer update + PNG (what show() sends)",
            median_ms(lambda: (app.update(redraw=False, dose_mg_per_kg=0.6), app.png())),
            None,
        )
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"CPUs: {os.cpu_count()}; load average (1, 5, 15 min): {load}")
    print(f"{'benchmark':<52} {'median (ms)':>12} {'target (ms)':>12}")
    for name, ms, target in rows:
        tgt = f"<= {target:g}" if target else "-"
        flag = "" if target is None or ms <= target else "  (over target)"
        print(f"{name:<52} {ms:12.1f} {tgt:>12}{flag}")


if __name__ == "__main__":
    main()
