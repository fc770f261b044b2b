"""Interactive views of the mechanism strand: Mg²⁺ block, trapping block, circuit, whole chain.

Four apps, one per model, each built the same way:

- the controls are declared in ``CONTROLS`` (sliders bounded to the valid ranges of the model
  functions, :data:`CONTROL_RANGES`, recomputing when released);
- ``compute(**controls)`` is a plain method that calls the model and returns a
  :class:`ViewData` (the tables to draw and the printed summary). Tests call it headless.
- ``update(**controls)`` computes, redraws the app's matplotlib figure and returns the summary.
- ``show()`` returns the ipywidgets app: the controls, the figure (PNG in an ``Image`` widget)
  and the summary (an ``HTML`` widget).

All four are :class:`ketlearn.views.app.FigureApp` subclasses (one persistent figure whose
artists get new data at each update). Plus
:func:`inhibition_figure` (from :mod:`ketlearn.views.mechanism`), a static view of one-site
block against concentration for the enantiomer presets.

The figures are created with :func:`ketlearn.plots.new_figure` (not registered with pyplot), so
nothing is displayed twice and the apps run with the Agg backend in tests. Every view that
shows a concentration or dose carries the sentence "not a dosing guide".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ketlearn import circuit, mechanism, pk, plots, receptor
from ketlearn.views.app import Control, FigureApp
from ketlearn.views.mechanism import inhibition_figure

__all__ = [
    "CONTROL_RANGES",
    "NOT_A_DOSING_GUIDE",
    "CircuitExplorer",
    "MgBlockExplorer",
    "TrappingSimulator",
    "ViewData",
    "WholeChainExplorer",
    "inhibition_figure",
]

NOT_A_DOSING_GUIDE = "Educational simulation: not medical advice and not a dosing guide."

#: (min, max, step) of every slider; the model functions accept all values in these ranges.
CONTROL_RANGES: dict[str, tuple[float, float, float]] = {
    "mg_mm": (0.0, 10.0, 0.1),
    "voltage_mv": (-100.0, 60.0, 1.0),
    "conc_um": (0.0, 100.0, 0.5),
    "activity": (0.0, 1.0, 0.01),
    "coapplication_s": (1.0, 120.0, 1.0),
    "washout_s": (0.0, 600.0, 10.0),
    "block": (0.0, 1.0, 0.01),
    "selectivity_e": (0.0, 1.0, 0.05),
    "dose_mg_per_kg": (0.0, 2.0, 0.05),
    "weight_kg": (30.0, 150.0, 1.0),
    "duration_min": (1.0, 120.0, 1.0),
}

# Figure margins of the two-column apps (fractions of the figure).
_WIDE = {"left": 0.08, "right": 0.98}
_CHAIN_ROUTES = ("iv_infusion", "iv_bolus", "intranasal", "oral", "sublingual", "im")


@dataclass
class ViewData:
    """What one update computed: named tables and the printed summary."""

    tables: dict[str, pd.DataFrame]
    summary: str
    info: dict = field(default_factory=dict)


def _slider(name: str, value: float, description: str) -> Control:
    return Control(name, "float", value, description, bounds=CONTROL_RANGES[name])


class MgBlockExplorer(FigureApp):
    """B(V) curves for a chosen Mg²⁺ concentration, with a marker at one voltage.

    Parameters
    ----------
    b_func : callable, optional
        ``b_func(voltage_mv, mg_mm)`` giving B(V) for a number or an array of voltages (mV)
        at an Mg²⁺ concentration (mM). Default :func:`ketlearn.receptor.mg_block`. Notebook 03
        passes the learner's own function here once its self-check passes (build, then reuse).

    >>> app = MgBlockExplorer()
    >>> print(app.update(mg_mm=1.0, voltage_mv=-70.0).splitlines()[0])
    At -70 mV with 1.0 mM Mg²⁺, 4.4 % of the NMDA conductance is available (B = 0.044).
    >>> app.uses_package_function
    True
    """

    CONTROLS = (
        _slider("mg_mm", 1.0, "[Mg²⁺] (mM)"),
        _slider("voltage_mv", -70.0, "V (mV)"),
    )

    def __init__(self, b_func=None) -> None:
        self.uses_package_function = b_func is None
        self._b = receptor.mg_block if b_func is None else b_func
        super().__init__()

    def _b_of(self, voltage_mv, mg_mm: float):
        """B(V) from the chosen function, as floats (a scalar stays a float)."""
        out = np.asarray(self._b(voltage_mv, mg_mm), dtype=float)
        return float(out) if out.ndim == 0 else out

    def compute(self, mg_mm: float = 1.0, voltage_mv: float = -70.0) -> ViewData:
        v = np.arange(-100.0, 60.0 + 0.5, 1.0)
        b = self._b_of(v, mg_mm)
        b_ref = self._b_of(v, 1.0)
        b_here = self._b_of(voltage_mv, mg_mm)
        b_dep = self._b_of(-30.0, mg_mm)
        table = pd.DataFrame({"voltage_mv": v, "b_selected_mg": b, "b_1mm_mg": b_ref})
        lines = [
            f"At {voltage_mv:g} mV with {mg_mm:.1f} mM Mg²⁺, {100 * b_here:.1f} % of the NMDA "
            f"conductance is available (B = {b_here:.3f}).",
            f"Depolarising to -30 mV would make {100 * b_dep:.1f} % available: "
            f"{b_dep / b_here:.1f} times as much."
            if b_here > 0
            else "",
            "Equation of Jahr & Stevens (1990); whole-cell fit, 3.57 mM and 0.062 per mV"
            + (
                " (ketlearn's receptor.mg_block)."
                if self.uses_package_function
                else " (your b_of_v)."
            ),
        ]
        return ViewData(
            {"curve": table},
            "\n".join(x for x in lines if x),
            {"b": b_here, "mg_mm": mg_mm, "voltage_mv": voltage_mv},
        )

    def _setup(self) -> None:
        ax = self.axes
        v = np.arange(-100.0, 60.5, 1.0)
        (self._ref,) = ax.plot(
            v, self._b_of(v, 1.0), color=plots.PALETTE[7], ls="--", label="1 mM Mg²⁺"
        )
        (self._line,) = ax.plot([], [], color=plots.PALETTE[4], label="selected Mg²⁺")
        (self._dot,) = ax.plot([], [], "o", color=plots.PALETTE[5], label="selected voltage")
        ax.set_xlabel("membrane potential (mV)")
        ax.set_ylabel("fraction not blocked, B(V)")
        ax.set_xlim(-100, 60)
        ax.set_ylim(0, 1.02)
        ax.legend(loc="upper left")

    def _draw(self, data: ViewData) -> None:
        t = data.tables["curve"]
        self._line.set_data(t["voltage_mv"], t["b_selected_mg"])
        self._line.set_label(f"{data.info['mg_mm']:.1f} mM Mg²⁺")
        self._dot.set_data([data.info["voltage_mv"]], [data.info["b"]])


class TrappingSimulator(FigureApp):
    """Occupancies of the trapping-block scheme: co-application, then washout.

    >>> app = TrappingSimulator()
    >>> "trapped" in app.update(
    ...     conc_um=10.0,
    ...     activity=1.0,
    ...     coapplication_s=30.0,
    ...     washout_s=120.0,
    ...     agonist_in_washout=False,
    ... )
    True
    """

    CONTROLS = (
        _slider("conc_um", 10.0, "ketamine (µM)"),
        _slider("activity", 1.0, "agonist activity"),
        _slider("coapplication_s", 30.0, "co-application (s)"),
        _slider("washout_s", 120.0, "washout (s)"),
        Control("agonist_in_washout", "check", False, "agonist during washout"),
    )

    figsize = (7.5, 4.2)
    margins: ClassVar[dict] = {"left": 0.1, "right": 0.75, "bottom": 0.14, "top": 0.95}

    def compute(
        self,
        conc_um: float = 10.0,
        activity: float = 1.0,
        coapplication_s: float = 30.0,
        washout_s: float = 120.0,
        agonist_in_washout: bool = False,
    ) -> ViewData:
        protocol = [
            receptor.Segment(coapplication_s, conc_um, activity),
            receptor.Segment(washout_s, 0.0, 1.0 if agonist_in_washout else 0.0),
        ]
        dt = max(0.5, (coapplication_s + washout_s) / 300.0)
        df = receptor.simulate_trapping(protocol, dt_s=dt)
        t = df["time_s"].to_numpy()
        i_co = int(np.argmin(np.abs(t - coapplication_s)))
        b_co = float(df["blocked"].iloc[i_co])
        b_end = float(df["blocked"].iloc[-1])
        kept = b_end / b_co if b_co > 1e-12 else float("nan")
        washout_word = (
            "WITH agonist (channels open, drug escapes)"
            if agonist_in_washout
            else ("without agonist (channels closed)")
        )
        lines = [
            f"Block after {coapplication_s:g} s of {conc_um:g} µM with agonist activity "
            f"{activity:.2f}: {100 * b_co:.0f} % of receptors.",
            f"After {washout_s:g} s washout {washout_word}: {100 * b_end:.0f} % blocked; "
            f"{100 * kept:.0f} % of the block is still there (trapped or blocked)."
            if b_co > 1e-12
            else "No block developed.",
            "Mealing et al. 1999 (10 µM, 30 s, 120 s washout without agonist): 80 ± 2 % block, "
            "86 ± 1 % of it still trapped. Rate constants here are illustrative, calibrated to "
            "those two numbers.",
            NOT_A_DOSING_GUIDE,
        ]
        return ViewData(
            {"occupancy": df},
            "\n".join(lines),
            {
                "block_end_coapplication": b_co,
                "block_end_washout": b_end,
                "kept": kept,
                "coapplication_s": coapplication_s,
            },
        )

    _STATES = (
        ("closed", 1),
        ("open", 2),
        ("open_blocked", 0),
        ("trapped", 5),
    )

    def _setup(self) -> None:
        ax = self.axes
        self._lines = {}
        for name, colour in self._STATES:
            (self._lines[name],) = ax.plot(
                [], [], color=plots.PALETTE[colour], label=name.replace("_", "-")
            )
        (self._lines["blocked"],) = ax.plot(
            [], [], color=plots.PALETTE[7], ls="--", label="blocked (total)"
        )
        self._wash = ax.axvline(0.0, color=plots.PALETTE[7], lw=1, ls=":")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("fraction of receptors")
        ax.set_ylim(0, 1.02)
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))

    def _draw(self, data: ViewData) -> None:
        df = data.tables["occupancy"]
        t = df["time_s"].to_numpy()
        for name, line in self._lines.items():
            line.set_data(t, df[name].to_numpy())
        self._wash.set_xdata([data.info["coapplication_s"]] * 2)
        self.axes.set_xlim(0, max(float(t[-1]), 1.0))


class CircuitExplorer(FigureApp):
    """Steady-state rates of the E–I model against NMDA block, for one scenario.

    >>> app = CircuitExplorer()
    >>> print(app.update(block=0.0, scenario="disinhibition", selectivity_e=0.25).splitlines()[0])
    Scenario disinhibition, NMDA block 0 %: pyramidal 1.01 Hz (× 1.00), interneurons 25.3 Hz (× 1.00).
    """

    CONTROLS = (
        _slider("block", 0.5, "NMDA block"),
        Control("scenario", "choice", "disinhibition", "scenario", options=circuit.SCENARIOS),
        _slider("selectivity_e", 0.25, "pyramidal share of block"),
    )

    ncols = 2
    figsize = (9.0, 3.8)
    margins: ClassVar[dict] = {**FigureApp.margins, **_WIDE, "bottom": 0.15, "wspace": 0.28}

    def compute(
        self, block: float = 0.5, scenario: str = "disinhibition", selectivity_e: float = 0.25
    ) -> ViewData:
        params = circuit.CircuitParams(selectivity_e=selectivity_e)
        grid = np.linspace(0.0, 1.0, 101)
        curve = circuit.respond(grid, scenario, params)
        here = circuit.respond(block, scenario, params).iloc[0]
        be, bi, br = circuit.blocks_for_scenario(block, scenario, params)
        dyn = circuit.simulate_dynamics(be, bi, t_end_ms=200.0, dt_ms=2.0, params=params)
        lines = [
            f"Scenario {scenario}, NMDA block {100 * block:.0f} %: pyramidal "
            f"{here['rate_e_hz']:.2f} Hz (× {here['rate_e_rel']:.2f}), interneurons "
            f"{here['rate_i_hz']:.1f} Hz (× {here['rate_i_rel']:.2f}).",
            f"Block applied: interneuron {100 * bi:.0f} %, pyramidal synaptic {100 * be:.0f} %, "
            f"pyramidal resting (ambient glutamate) {100 * br:.0f} %.",
            f"Downstream drive (dimensionless, illustrative): {here['drive']:.2f}.",
            "All parameters are illustrative: directions and shapes, not predictions.",
        ]
        return ViewData(
            {"curve": curve, "dynamics": dyn},
            "\n".join(lines),
            {"block": block, "row": here.to_dict(), "scenario": scenario},
        )

    def _setup(self) -> None:
        ax1, ax2 = self.axes
        (self._e,) = ax1.plot([], [], color=plots.PALETTE[5], label="pyramidal (E)")
        (self._i,) = ax1.plot([], [], color=plots.PALETTE[4], label="interneuron (I)")
        (self._dots,) = ax1.plot([], [], "ko", ms=5)
        ax1.set_xlabel("fraction of NMDA receptors blocked")
        ax1.set_ylabel("rate (× no block)")
        ax1.set_xlim(0, 1)
        ax1.legend(loc="upper left")
        (self._de,) = ax2.plot([], [], color=plots.PALETTE[5], label="E")
        (self._di,) = ax2.plot([], [], color=plots.PALETTE[4], label="I")
        ax2.set_xlabel("time after block step (ms)")
        ax2.set_ylabel("rate (Hz)")
        ax2.set_xlim(0, 200)
        ax2.legend(loc="upper right")

    def _draw(self, data: ViewData) -> None:
        ax1, ax2 = self.axes
        c = data.tables["curve"]
        self._e.set_data(c["block"], c["rate_e_rel"])
        self._i.set_data(c["block"], c["rate_i_rel"])
        row = data.info["row"]
        self._dots.set_data([data.info["block"]] * 2, [row["rate_e_rel"], row["rate_i_rel"]])
        top = max(float(c["rate_e_rel"].max()), float(c["rate_i_rel"].max()), 1.0)
        ax1.set_ylim(0, 1.1 * top)
        d = data.tables["dynamics"]
        self._de.set_data(d["time_ms"], d["rate_e_hz"])
        self._di.set_data(d["time_ms"], d["rate_i_hz"])
        ax2.set_ylim(0, 1.1 * max(float(d["rate_e_hz"].max()), float(d["rate_i_hz"].max()), 1.0))


class WholeChainExplorer(FigureApp):
    """Regimen → plasma → block → circuit → illustrative plasticity, in four panels.

    >>> app = WholeChainExplorer()
    >>> "not a dosing guide" in app.update()
    True
    """

    CONTROLS = (
        Control("route", "choice", "iv_infusion", "route", options=_CHAIN_ROUTES),
        _slider("dose_mg_per_kg", 0.5, "dose (mg/kg)"),
        _slider("weight_kg", 70.0, "weight (kg)"),
        _slider("duration_min", 40.0, "infusion (min)"),
        Control("enantiomer", "choice", "racemic", "Ki of", options=mechanism.ENANTIOMERS),
        Control("scenario", "choice", "disinhibition", "scenario", options=circuit.SCENARIOS),
        Control("rapamycin", "check", False, "rapamycin (mTORC1 blocked)"),
        Control("spinogenesis_blocked", "check", False, "remove new spines"),
    )

    nrows, ncols, figsize = 2, 2, (10.0, 6.5)
    margins: ClassVar[dict] = {**FigureApp.margins, **_WIDE, "bottom": 0.09, "wspace": 0.25}

    def compute(
        self,
        route: str = "iv_infusion",
        dose_mg_per_kg: float = 0.5,
        weight_kg: float = 70.0,
        duration_min: float = 40.0,
        enantiomer: str = "racemic",
        scenario: str = "disinhibition",
        rapamycin: bool = False,
        spinogenesis_blocked: bool = False,
    ) -> ViewData:
        dur = duration_min if route == "iv_infusion" else 0.0
        reg = pk.Regimen(route, dose_mg_per_kg, weight_kg, duration_min=dur)
        res = mechanism.chain(
            reg,
            enantiomer=enantiomer,
            scenario=scenario,
            t_end_min=1440.0,
            days=7.0,
            rapamycin=rapamycin,
            spinogenesis_blocked=spinogenesis_blocked,
        )
        head = (
            f"{route}, {dose_mg_per_kg:g} mg/kg, {weight_kg:g} kg"
            + (f", over {dur:g} min" if dur else "")
            + (", rapamycin" if rapamycin else "")
            + (", new spines removed" if spinogenesis_blocked else "")
        )
        return ViewData(
            {"timecourse": res.timecourse, "plasticity": res.plasticity},
            head + "\n" + res.summary_text(),
            {"summary": res.summary},
        )

    def _setup(self) -> None:
        (a1, a2), (a3, a4) = self.axes
        (self._conc,) = a1.plot([], [], color=plots.PALETTE[4])
        a1.set_ylabel("concentration (µM)")
        a1.set_title("plasma (not a dosing guide)", fontsize=11)
        (self._block,) = a2.plot([], [], color=plots.PALETTE[0])
        a2.set_ylabel("NMDA block (%)")
        a2.set_ylim(0, 100)
        a2.set_title("one-site block", fontsize=11)
        (self._re,) = a3.plot([], [], color=plots.PALETTE[5], label="pyramidal")
        (self._ri,) = a3.plot([], [], color=plots.PALETTE[4], label="interneuron")
        a3.set_ylabel("rate (× baseline)")
        a3.set_title("circuit (illustrative)", fontsize=11)
        a3.legend(loc="upper right")
        for a in (a1, a2, a3):
            a.set_xlim(0, 6)
            a.set_xlabel("time (h)")
        (self._sig,) = a4.plot([], [], color=plots.PALETTE[2], label="mTORC1 signal")
        (self._spn,) = a4.plot([], [], color=plots.PALETTE[6], label="spine-based index")
        a4.set_xlabel("time (days)")
        a4.set_ylabel("0–1 (illustrative)")
        a4.set_xlim(0, 7)
        a4.set_ylim(0, 1)
        a4.set_title("synapse (illustrative)", fontsize=11)
        a4.legend(loc="upper right")

    def _draw(self, data: ViewData) -> None:
        (a1, _a2), (a3, _a4) = self.axes
        tc = data.tables["timecourse"]
        tc = tc[tc["time_min"] <= 360.0]
        pl = data.tables["plasticity"].iloc[::3]
        h = tc["time_min"].to_numpy() / 60.0
        self._conc.set_data(h, tc["receptor_conc_um"].to_numpy())
        a1.set_ylim(0, 1.1 * max(float(tc["receptor_conc_um"].max()), 0.1))
        self._block.set_data(h, 100 * tc["block"].to_numpy())
        self._re.set_data(h, tc["rate_e_rel"].to_numpy())
        self._ri.set_data(h, tc["rate_i_rel"].to_numpy())
        a3.set_ylim(0, 1.1 * max(float(tc["rate_e_rel"].max()), 1.0))
        d = pl["time_h"].to_numpy() / 24.0
        self._sig.set_data(d, pl["mtorc1_signal"].to_numpy())
        self._spn.set_data(d, pl["maintenance_index"].to_numpy())
