"""Widgets for the pharmacokinetics notebook: a dose/route/schedule explorer and a route comparison.

Every view states that it is **not a dosing guide**: the numbers come from population-average
models fitted to a few dozen people, shown to teach how routes and schedules shape a curve.

Design: the computation lives in plain functions (:func:`explorer_data`, :func:`compare_routes`)
that return the simulated profile, a summary table and the printed text; the figures are drawn by
:mod:`ketlearn.views.pk` (:func:`draw_profile` and :func:`band_rows` are re-exported here); the
apps (:class:`PKExplorer`, :class:`RouteComparison`) are :class:`ketlearn.views.app.App`
subclasses that declare their controls and call those functions. Tests call the functions and the
apps' ``update`` methods headless (Agg backend). Sliders are bounded to the ranges
:class:`ketlearn.pk.Regimen` accepts and recompute when released (each redraw re-simulates).

Examples
--------
>>> res = explorer_data("iv_infusion", 0.5, 70.0, duration_min=40.0, t_end_min=240.0)
>>> round(res.summary["cmax_ng_per_ml"]), res.summary["tmax_min"]
(240, 40.0)
>>> "not a dosing guide" in res.text
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import pk
from .._validation import check_choice
from ..views.app import App, Control
from ..views.pk import CLINICAL_BAND_ROUTES, band_rows, draw_profile, profile_figure
from ..views.pk import ROUTE_LABELS as _ROUTE_LABELS

__all__ = [
    "DISCLAIMER",
    "ExplorerResult",
    "PKExplorer",
    "RouteComparison",
    "band_rows",
    "compare_routes",
    "draw_profile",
    "explorer_data",
]

DISCLAIMER = (
    "Educational simulation of population-average models: not a dosing guide and not medical "
    "advice."
)

#: Limits of the controls (also used to validate the plain functions' inputs).
DOSE_RANGE_MG_PER_KG = (0.0, 2.0)
WEIGHT_RANGE_KG = (20.0, 150.0)
REPEATS_RANGE = (1, 8)
INTERVAL_RANGE_MIN = (125.0, 10080.0)  # > the longest infusion slider value
DURATION_RANGE_MIN = (5.0, 120.0)
WINDOWS_MIN = {"6 h": 360.0, "24 h": 1440.0, "3 days": 4320.0, "7 days": 10080.0}


@dataclass(frozen=True)
class ExplorerResult:
    """What one update of the explorer computes."""

    regimen: pk.Regimen
    profile: pd.DataFrame
    summary: dict
    table: pd.DataFrame
    text: str


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def explorer_data(
    route: str,
    dose_mg_per_kg: float,
    weight_kg: float,
    *,
    repeats: int = 1,
    interval_min: float = 1440.0,
    duration_min: float = 40.0,
    bioavailability: str = "default",
    preset: str = "domino1984",
    t_end_min: float = 1440.0,
) -> ExplorerResult:
    """Simulate one schedule and build the explorer's table and printed summary.

    ``duration_min`` is used only for ``"iv_infusion"`` and ``interval_min`` only when
    ``repeats > 1``. Doses and weights outside the sliders' ranges raise ``ValueError``.
    """
    check_choice("route", route, pk.ROUTES)
    lo, hi = DOSE_RANGE_MG_PER_KG
    if not (isinstance(dose_mg_per_kg, (int, float)) and lo <= dose_mg_per_kg <= hi):
        raise ValueError(
            f"dose_mg_per_kg must be a finite number in [{lo:g}, {hi:g}] (mg/kg) in this "
            f"explorer; got {dose_mg_per_kg!r}"
        )
    reg = pk.Regimen(
        route,
        dose_mg_per_kg,
        weight_kg,
        duration_min=duration_min if route == "iv_infusion" else 0.0,
        repeats=repeats,
        interval_min=interval_min if repeats > 1 else 0.0,
    )
    df = pk.simulate(
        reg, preset, t_end_min=t_end_min, dt_min=t_end_min / 1440.0, bioavailability=bioavailability
    )
    s = pk.summary(df)
    # exact AUC (the trapezoidal rule on this grid over-estimates it after an IV bolus)
    s["auc_ng_min_per_ml"] = df.attrs["auc_exact_ng_min_per_ml"]
    s["auc_ng_h_per_ml"] = s["auc_ng_min_per_ml"] / 60.0
    f = pk.bioavailability_for(route, bioavailability)
    halves = pk.half_lives_min(preset, weight_kg)
    table = pd.DataFrame(
        {
            "quantity": [
                "Cmax (ng/mL)",
                "Cmax (µM)",
                "tmax (min)",
                f"AUC 0-{t_end_min / 60:g} h (ng·h/mL)",
                "bioavailability F used",
                "disposition half-lives (min)",
            ],
            "value": [
                _fmt(s["cmax_ng_per_ml"]),
                f"{s['cmax_um']:.3g}",
                f"{s['tmax_min']:g}",
                _fmt(s["auc_ng_h_per_ml"]),
                f"{f:.2f}",
                ", ".join(f"{h:.3g}" for h in halves),
            ],
        }
    )
    lines = [
        f"{_ROUTE_LABELS[route]}, {dose_mg_per_kg:g} mg/kg x {repeats} for {weight_kg:g} kg, "
        f"model {pk.get_preset(preset).label}:",
        f"  Cmax {_fmt(s['cmax_ng_per_ml'])} ng/mL ({s['cmax_um']:.3g} µM) at "
        f"{s['tmax_min']:g} min; AUC {_fmt(s['auc_ng_h_per_ml'])} ng·h/mL over "
        f"{t_end_min / 60:g} h.",
        f"  Disposition half-lives: {', '.join(f'{h:.3g}' for h in halves)} min.",
    ]
    if route in pk.ROUTE_PARAMETERS:
        params = pk.ROUTE_PARAMETERS[route]
        lines.append(
            f"  F = {f:.2f} (published range {params.f_low:.2f}-{params.f_high:.2f}); "
            f"absorption rate {params.ka_per_min:.3g} /min ({params.ka_basis})."
        )
    if route not in CLINICAL_BAND_ROUTES:
        lines.append(
            "  No effect bands on this plot: the published concentration bands were measured "
            "after clinical intravenous regimens."
        )
    lines.append(f"  {DISCLAIMER}")
    return ExplorerResult(reg, df, s, table, "\n".join(lines))


def compare_routes(
    dose_mg_per_kg: float,
    weight_kg: float,
    *,
    bioavailability: str = "default",
    preset: str = "domino1984",
    t_end_min: float = 480.0,
    duration_min: float = 40.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same dose (mg/kg) by every route: long-format profiles and a per-route summary table.

    Examples
    --------
    >>> prof, table = compare_routes(0.5, 70.0)
    >>> list(table["route"])
    ['iv_bolus', 'iv_infusion', 'im', 'intranasal', 'oral', 'sublingual']
    >>> float(table.set_index("route").loc["oral", "F"])
    0.2
    """
    frames, rows = [], []
    for route in pk.ROUTES:
        res = explorer_data(
            route,
            dose_mg_per_kg,
            weight_kg,
            duration_min=duration_min,
            bioavailability=bioavailability,
            preset=preset,
            t_end_min=t_end_min,
        )
        frames.append(res.profile.assign(route=route))
        s = res.summary
        rows.append(
            {
                "route": route,
                "F": pk.bioavailability_for(route, bioavailability),
                "cmax_ng_per_ml": round(s["cmax_ng_per_ml"], 1),
                "tmax_min": s["tmax_min"],
                "auc_ng_h_per_ml": round(s["auc_ng_h_per_ml"], 1),
            }
        )
    return pd.concat(frames, ignore_index=True), pd.DataFrame(rows)


_F_CHOICES = ("default", "low", "high")


@dataclass(frozen=True)
class _Shown:
    """One explorer update: the simulation (None if the schedule cannot be simulated)."""

    result: ExplorerResult | None
    text: str
    log_y: bool


class PKExplorer(App):
    """Dose, route, weight and schedule sliders; a plot with the bands; a printed summary.

    Build with ``PKExplorer().widget`` in a notebook; tests call :meth:`update` directly
    (``update(route="oral", dose=1.0)`` sets those controls and returns the printed text).
    """

    CONTROLS = (
        Control("route", "choice", "iv_infusion", "route", options=pk.ROUTES),
        Control("dose", "float", 0.5, "dose (mg/kg)", bounds=(*DOSE_RANGE_MG_PER_KG, 0.05)),
        Control("weight", "float", 70.0, "weight (kg)", bounds=(*WEIGHT_RANGE_KG, 1.0)),
        Control("duration", "float", 40.0, "infusion (min)", bounds=(*DURATION_RANGE_MIN, 5.0)),
        Control("repeats", "int", 1, "administrations", bounds=(*REPEATS_RANGE, 1)),
        Control("interval", "float", 240.0, "interval (min)", bounds=(*INTERVAL_RANGE_MIN, 5.0)),
        Control("f_choice", "choice", "default", "bioavailability", options=_F_CHOICES),
        Control("preset", "choice", "domino1984", "model", options=tuple(pk.PRESETS)),
        Control("window", "choice", "24 h", "window", options=tuple(WINDOWS_MIN)),
        Control("log_y", "check", True, "log scale"),
    )
    columns = 2
    label_width = "150px"
    width = "430px"

    @property
    def last_figure(self):
        """The matplotlib figure of the last update (None if nothing could be simulated)."""
        return None if self.last_shown is None else self.last_shown.figure

    def before_compute(self, values: dict) -> None:
        self.duration.disabled = values["route"] != "iv_infusion"
        self.f_choice.disabled = values["route"] not in pk.ROUTE_PARAMETERS
        self.interval.disabled = values["repeats"] == 1

    def compute(self, **v) -> _Shown:
        try:
            res = explorer_data(
                v["route"],
                float(v["dose"]),
                float(v["weight"]),
                repeats=int(v["repeats"]),
                interval_min=float(v["interval"]),
                duration_min=float(v["duration"]),
                bioavailability=v["f_choice"],
                preset=v["preset"],
                t_end_min=WINDOWS_MIN[v["window"]],
            )
        except ValueError as err:  # e.g. an infusion longer than the window
            return _Shown(None, f"Cannot simulate this schedule: {err}\n{DISCLAIMER}", v["log_y"])
        return _Shown(res, res.text, bool(v["log_y"]))

    def draw(self, shown: _Shown):
        if shown.result is None:
            return None
        label = _ROUTE_LABELS[shown.result.regimen.route]
        return profile_figure(
            {label: shown.result.profile},
            caption=shown.text,
            table=shown.result.table,
            log_y=shown.log_y,
        )


class RouteComparison(App):
    """One dose (mg/kg) by every route on one plot, with a table of Cmax, tmax, AUC and F."""

    CONTROLS = (
        Control("dose", "float", 0.5, "dose (mg/kg)", bounds=(0.05, DOSE_RANGE_MG_PER_KG[1], 0.05)),
        Control("weight", "float", 70.0, "weight (kg)", bounds=(*WEIGHT_RANGE_KG, 1.0)),
        Control("f_choice", "choice", "default", "bioavailability", options=_F_CHOICES),
    )
    columns = 3
    label_width = "150px"

    @property
    def last_table(self) -> pd.DataFrame:
        """Cmax, tmax, AUC and F per route, from the last update."""
        return self.last[1]

    @property
    def last_figure(self):
        return self.last_shown.figure

    def compute(self, dose, weight, f_choice) -> tuple[pd.DataFrame, pd.DataFrame, str]:
        profiles, table = compare_routes(dose, weight, bioavailability=f_choice)
        best = table.sort_values("auc_ng_h_per_ml", ascending=False)
        text = (
            f"Same dose ({dose:g} mg/kg, {weight:g} kg) by each route, "
            f"bioavailability '{f_choice}'. Highest exposure (AUC): "
            f"{', '.join(best['route'].head(2))}; lowest: {best['route'].iloc[-1]}. "
            f"{DISCLAIMER}"
        )
        return profiles, table, text

    def text(self, result) -> str:
        return result[2]

    def draw(self, result):
        profiles, table, text = result
        grouped = {_ROUTE_LABELS[r]: g for r, g in profiles.groupby("route", sort=False)}
        return profile_figure(grouped, caption=text, table=table, log_y=True)
