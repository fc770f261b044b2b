"""Widgets for the pharmacokinetics notebook: a dose/route/schedule explorer and a route comparison.

Every view states that it is **not a dosing guide**: the numbers come from population-average
models fitted to a few dozen people, shown to teach how routes and schedules shape a curve.

Design: the computation lives in plain functions (:func:`explorer_data`, :func:`compare_routes`)
that return the simulated profile, a summary table and the printed text; the ipywidgets classes
(:class:`PKExplorer`, :class:`RouteComparison`) only read their controls, call those functions and
redraw. Tests call the functions and the classes' ``update`` methods headless (Agg backend).
Sliders are bounded to the ranges :class:`ketlearn.pk.Regimen` accepts.

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

import numpy as np
import pandas as pd

from .. import pk
from .._validation import check_choice

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

_BANDS_SHOWN = ("analgesia_iv", "dissociation", "general_anaesthesia")
# Lines avoid the band colours (palette 0, 2, 6) and differ in style too, not only in colour.
_LINE_COLOURS = (4, 5, 7, 1, 3)
_LINE_STYLES = ("-", "--", "-.", (0, (1, 1)), (0, (5, 1, 1, 1)), (0, (3, 1)))
_ROUTE_LABELS = {
    "iv_bolus": "IV bolus",
    "iv_infusion": "IV infusion",
    "im": "intramuscular",
    "intranasal": "intranasal",
    "oral": "oral",
    "sublingual": "sublingual",
}


@dataclass(frozen=True)
class ExplorerResult:
    """What one update of the explorer computes."""

    regimen: pk.Regimen
    profile: pd.DataFrame
    summary: dict
    table: pd.DataFrame
    text: str


def band_rows() -> pd.DataFrame:
    """The concentration bands drawn on the plots (ranges) plus the antidepressant-trial peak."""
    b = pk.bands().set_index("band_id")
    rows = [
        {
            "band_id": key,
            "effect": str(b.loc[key, "effect"]),
            "low_ng_per_ml": float(b.loc[key, "conc_low_ng_per_ml"]),
            "high_ng_per_ml": float(b.loc[key, "conc_high_ng_per_ml"]),
            "source_key": str(b.loc[key, "source_key"]),
        }
        for key in _BANDS_SHOWN
    ]
    peak = float(b.loc["antidepressant_infusion", "conc_ng_per_ml"])
    rows.append(
        {
            "band_id": "antidepressant_infusion",
            "effect": "reported mean peak of the 0.5 mg/kg / 40 min infusion",
            "low_ng_per_ml": peak,
            "high_ng_per_ml": peak,
            "source_key": str(b.loc["antidepressant_infusion", "source_key"]),
        }
    )
    return pd.DataFrame(rows)


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
        f"{_ROUTE_LABELS[route]}, {dose_mg_per_kg:g} mg/kg x {repeats} for {weight_kg:g} kg "
        f"({reg.dose_mg:g} mg each), model {pk.get_preset(preset).label}:",
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


def draw_profile(ax, profiles, *, log_y: bool = True, show_bands: bool = True) -> None:
    """Plot one or several profiles (``{label: DataFrame}``) with the concentration bands."""
    from .. import plots

    ymax = 1.0
    for i, (label, df) in enumerate(profiles.items()):
        t_h = df["time_min"].to_numpy() / 60.0
        c = df["plasma_ng_per_ml"].to_numpy()
        ymax = max(ymax, float(np.max(c)))
        ax.plot(
            t_h,
            np.maximum(c, 0.1) if log_y else c,
            color=plots.PALETTE[_LINE_COLOURS[i % len(_LINE_COLOURS)]],
            linestyle=_LINE_STYLES[i % len(_LINE_STYLES)],
            label=label,
            linewidth=2,
        )
    if show_bands:
        b = band_rows()
        colours = [plots.PALETTE[2], plots.PALETTE[0], plots.PALETTE[6]]
        for colour, (_, row) in zip(colours, b.iloc[:3].iterrows(), strict=True):
            ax.axhspan(
                row["low_ng_per_ml"],
                row["high_ng_per_ml"],
                color=colour,
                alpha=0.18,
                label=f"{row['effect']} ({row['low_ng_per_ml']:g}-{row['high_ng_per_ml']:g})",
            )
        peak = b.iloc[3]
        ax.axhline(
            peak["low_ng_per_ml"],
            color="0.45",
            linestyle=":",
            linewidth=1.5,
            label=f"antidepressant infusion, reported peak ({peak['low_ng_per_ml']:g})",
        )
    if log_y:
        ax.set_yscale("log")
        ax.set_ylim(1.0, max(ymax, 2400.0) * 1.5)
    else:
        ax.set_ylim(0.0, ymax * 1.1)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("plasma ketamine (ng/mL)")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("Simulated plasma ketamine: NOT A DOSING GUIDE", fontsize=11)


class PKExplorer:
    """Dose, route, weight and schedule sliders; a plot with the bands; a printed summary.

    Build with ``PKExplorer().widget`` in a notebook; tests call :meth:`update` directly.
    """

    def __init__(self, *, display_output: bool = True):
        import ipywidgets as w

        style = {"description_width": "150px"}
        layout = w.Layout(width="430px")
        self.route = w.Dropdown(
            options=list(pk.ROUTES),
            value="iv_infusion",
            description="route",
            style=style,
            layout=layout,
        )
        self.dose = w.FloatSlider(
            value=0.5,
            min=DOSE_RANGE_MG_PER_KG[0],
            max=DOSE_RANGE_MG_PER_KG[1],
            step=0.05,
            description="dose (mg/kg)",
            style=style,
            layout=layout,
        )
        self.weight = w.FloatSlider(
            value=70.0,
            min=WEIGHT_RANGE_KG[0],
            max=WEIGHT_RANGE_KG[1],
            step=1.0,
            description="weight (kg)",
            style=style,
            layout=layout,
        )
        self.duration = w.FloatSlider(
            value=40.0,
            min=DURATION_RANGE_MIN[0],
            max=DURATION_RANGE_MIN[1],
            step=5.0,
            description="infusion (min)",
            style=style,
            layout=layout,
        )
        self.repeats = w.IntSlider(
            value=1,
            min=REPEATS_RANGE[0],
            max=REPEATS_RANGE[1],
            description="administrations",
            style=style,
            layout=layout,
        )
        self.interval = w.FloatSlider(
            value=240.0,
            min=INTERVAL_RANGE_MIN[0],
            max=INTERVAL_RANGE_MIN[1],
            step=5.0,
            description="interval (min)",
            style=style,
            layout=layout,
        )
        self.f_choice = w.Dropdown(
            options=["default", "low", "high"],
            value="default",
            description="bioavailability",
            style=style,
            layout=layout,
        )
        self.preset = w.Dropdown(
            options=list(pk.PRESETS),
            value="domino1984",
            description="model",
            style=style,
            layout=layout,
        )
        self.window = w.Dropdown(
            options=list(WINDOWS_MIN),
            value="24 h",
            description="window",
            style=style,
            layout=layout,
        )
        self.log_y = w.Checkbox(value=True, description="log scale")
        self.output = w.Output()
        self.display_output = display_output
        controls = [
            self.route,
            self.dose,
            self.weight,
            self.duration,
            self.repeats,
            self.interval,
            self.f_choice,
            self.preset,
            self.window,
            self.log_y,
        ]
        for c in controls:
            c.observe(lambda _change: self.update(), names="value")
        self.widget = w.VBox([w.HBox([w.VBox(controls[:5]), w.VBox(controls[5:])]), self.output])
        self.last_text = ""
        self.last_figure = None
        self._busy = False
        self.update()

    def values(self) -> dict:
        """Current control values as keyword arguments for :func:`explorer_data`."""
        return {
            "route": self.route.value,
            "dose_mg_per_kg": float(self.dose.value),
            "weight_kg": float(self.weight.value),
            "repeats": int(self.repeats.value),
            "interval_min": float(self.interval.value),
            "duration_min": float(self.duration.value),
            "bioavailability": self.f_choice.value,
            "preset": self.preset.value,
            "t_end_min": WINDOWS_MIN[self.window.value],
        }

    def update(self, **overrides) -> str:
        """Recompute and redraw; ``overrides`` set controls first. Returns the printed text."""
        if self._busy:  # a control changed while we were setting overrides
            return self.last_text
        self._busy = True
        try:
            for name, value in overrides.items():
                getattr(self, name).value = value
        finally:
            self._busy = False
        self.duration.disabled = self.route.value != "iv_infusion"
        self.f_choice.disabled = self.route.value not in pk.ROUTE_PARAMETERS
        self.interval.disabled = self.repeats.value == 1
        try:
            res = explorer_data(**self.values())
        except ValueError as err:  # e.g. an infusion longer than the window
            self.last_text = f"Cannot simulate this schedule: {err}\n{DISCLAIMER}"
            self._show(None, None)
            return self.last_text
        from .. import plots

        with plots.house_style():
            fig, ax = plots.new_figure(figsize=(8.0, 4.4))
            draw_profile(
                ax, {_ROUTE_LABELS[res.regimen.route]: res.profile}, log_y=self.log_y.value
            )
        self.last_text = res.text
        self.last_figure = fig
        self._show(fig, res)
        return res.text

    def _show(self, fig, res) -> None:
        if not self.display_output:
            return
        from IPython.display import display

        from .. import plots

        self.output.clear_output(wait=True)
        with self.output:
            if fig is None:
                print(self.last_text)
            else:
                display(plots.figure_with_table(fig, res.table, res.text))


class RouteComparison:
    """One dose (mg/kg) by every route on one plot, with a table of Cmax, tmax, AUC and F."""

    def __init__(self, *, display_output: bool = True):
        import ipywidgets as w

        style = {"description_width": "150px"}
        self.dose = w.FloatSlider(
            value=0.5,
            min=0.05,
            max=DOSE_RANGE_MG_PER_KG[1],
            step=0.05,
            description="dose (mg/kg)",
            style=style,
        )
        self.weight = w.FloatSlider(
            value=70.0,
            min=WEIGHT_RANGE_KG[0],
            max=WEIGHT_RANGE_KG[1],
            step=1.0,
            description="weight (kg)",
            style=style,
        )
        self.f_choice = w.Dropdown(
            options=["default", "low", "high"],
            value="default",
            description="bioavailability",
            style=style,
        )
        self.output = w.Output()
        self.display_output = display_output
        for c in (self.dose, self.weight, self.f_choice):
            c.observe(lambda _change: self.update(), names="value")
        self.widget = w.VBox([w.HBox([self.dose, self.weight, self.f_choice]), self.output])
        self.last_table = None
        self.last_text = ""
        self.last_figure = None
        self._busy = False
        self.update()

    def update(self, **overrides) -> str:
        """Recompute and redraw; returns the printed text."""
        if self._busy:
            return self.last_text
        self._busy = True
        try:
            for name, value in overrides.items():
                getattr(self, name).value = value
        finally:
            self._busy = False
        profiles, table = compare_routes(
            self.dose.value, self.weight.value, bioavailability=self.f_choice.value
        )
        best = table.sort_values("auc_ng_h_per_ml", ascending=False)
        text = (
            f"Same dose ({self.dose.value:g} mg/kg, {self.weight.value:g} kg) by each route, "
            f"bioavailability '{self.f_choice.value}'. Highest exposure (AUC): "
            f"{', '.join(best['route'].head(2))}; lowest: {best['route'].iloc[-1]}. "
            f"{DISCLAIMER}"
        )
        from .. import plots

        with plots.house_style():
            fig, ax = plots.new_figure(figsize=(8.0, 4.4))
            draw_profile(
                ax,
                {_ROUTE_LABELS[r]: g for r, g in profiles.groupby("route", sort=False)},
                log_y=True,
            )
        self.last_table, self.last_text, self.last_figure = table, text, fig
        if self.display_output:
            from IPython.display import display

            self.output.clear_output(wait=True)
            with self.output:
                display(plots.figure_with_table(fig, table, text))
        return text
