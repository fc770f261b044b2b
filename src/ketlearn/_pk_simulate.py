"""Simulation and read-outs for :mod:`ketlearn.pk` (private).

Builds the system matrix and dosing events for a list of regimens and solves them exactly with
:mod:`ketlearn._pk_linear` (the package's one exponential solver); reads Cmax, tmax and AUC;
loads the concentration bands. Educational simulation, not a dosing guide.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ketlearn import _pk_linear
from ketlearn._pk_presets import get_preset
from ketlearn._pk_regimen import _EXTRAVASCULAR, _NOT_A_DOSING_GUIDE, MOLAR_MASS_G_PER_MOL, Regimen
from ketlearn._pk_routes import ROUTE_PARAMETERS, bioavailability_for
from ketlearn._validation import check_choice, check_number

__all__ = ["bands", "ka_from_tmax", "simulate", "simulate_amounts", "summary"]

# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------


def _as_regimens(regimen) -> list[Regimen]:
    if isinstance(regimen, Regimen):
        return [regimen]
    if isinstance(regimen, Sequence) and regimen and all(isinstance(r, Regimen) for r in regimen):
        return list(regimen)
    raise ValueError(
        f"regimen must be a Regimen or a non-empty list of Regimen objects; got {regimen!r}"
    )


def _build(
    regimens,
    preset,
    t_end_min,
    ke0_per_min,
    bioavailability,
    absorption_rate_per_min,
    with_eliminated,
):
    """System matrix, dosing events and state indices for a list of regimens."""
    weights = {r.weight_kg for r in regimens}
    if len(weights) != 1:
        raise ValueError(
            f"weight_kg must be the same in every regimen of one simulation (kg); got {sorted(weights)}"
        )
    weight = weights.pop()
    disp = get_preset(preset).disposition(weight)
    n = disp.n_compartments
    routes = sorted({r.route for r in regimens if r.route in _EXTRAVASCULAR})
    depot = {route: n + i for i, route in enumerate(routes)}
    size = n + len(routes)
    effect = eliminated = None
    if ke0_per_min is not None:
        effect, size = size, size + 1
    if with_eliminated:
        eliminated, size = size, size + 1
    a = np.zeros((size, size))
    a[:n, :n] = disp.matrix()
    ka_used = {}
    for route, idx in depot.items():
        ka = ROUTE_PARAMETERS[route].ka_per_min
        if absorption_rate_per_min is not None:
            ka = check_number(
                "absorption_rate_per_min",
                absorption_rate_per_min,
                unit="1/min",
                low=0,
                low_inclusive=False,
            )
        ka_used[route] = ka
        a[idx, idx] = -ka
        a[0, idx] = ka
    if effect is not None:
        a[effect, 0] = ke0_per_min
        a[effect, effect] = -ke0_per_min
    if eliminated is not None:
        a[eliminated, 0] = disp.k10_per_min

    events = []
    for reg in regimens:
        f = bioavailability_for(
            reg.route, "default" if bioavailability is None else bioavailability
        )
        for t0 in reg.start_times_min:
            t0 = float(t0)
            if t0 > t_end_min:
                continue
            if reg.route == "iv_bolus":
                events.append(_pk_linear.Bolus(t0, reg.dose_mg, 0))
            elif reg.route == "iv_infusion":
                t1 = t0 + reg.duration_min
                if t1 > t_end_min:
                    raise ValueError(
                        f"duration_min: an infusion from {t0:g} to {t1:g} min runs past the "
                        f"simulated window; t_end_min must be >= {t1:g} (min); got {t_end_min:g}"
                    )
                events.append(_pk_linear.Infusion(t0, t1, reg.dose_mg / reg.duration_min, 0))
            else:
                events.append(_pk_linear.Bolus(t0, f * reg.dose_mg, depot[reg.route]))
    return disp, a, events, depot, effect, eliminated


def _grid(t_end_min, dt_min) -> np.ndarray:
    t_end = check_number("t_end_min", t_end_min, unit="min", low=0, low_inclusive=False)
    dt = check_number("dt_min", dt_min, unit="min", low=0, high=t_end, low_inclusive=False)
    n = round(t_end / dt)
    if n > 2_000_000:
        raise ValueError(
            f"t_end_min / dt_min must be <= 2000000 time steps; got {n} (raise dt_min)"
        )
    times = np.arange(n + 1) * dt
    if times[-1] < t_end - 1e-9 * t_end:
        times = np.append(times, t_end)
    return np.minimum(times, t_end)


def simulate(
    regimen,
    preset="domino1984",
    *,
    t_end_min: float = 1440.0,
    dt_min: float = 1.0,
    ke0_per_min: float | None = None,
    bioavailability=None,
    absorption_rate_per_min: float | None = None,
    method: str = "analytic",
) -> pd.DataFrame:
    """Plasma (and optionally effect-site) concentration of ketamine over time.

    Educational simulation, not a dosing guide.

    Parameters
    ----------
    regimen : Regimen or list of Regimen
        What is given. Several regimens (same weight) are superposed, e.g. a bolus plus an
        infusion.
    preset : str or preset object
        A name in :data:`PRESETS` (default ``"domino1984"`` [@domino1984kinetics]), a preset
        object, or :func:`one_compartment`.
    t_end_min : float
        End of the simulated window (min), > 0. Doses starting later are ignored; an infusion
        that would run past the end raises ``ValueError``.
    dt_min : float
        Output spacing (min), in (0, t_end_min].
    ke0_per_min : float, optional
        Effect-site equilibration rate constant (1/min), > 0. **An assumption**: no ke0 has been
        published for the Domino model. When given, the output has ``effect_site_um`` and
        ``effect_site_ng_per_ml`` columns.
    bioavailability : {"default", "low", "high"} or float, optional
        Fraction of an extravascular dose reaching the circulation; see
        :data:`ROUTE_PARAMETERS`. Ignored for IV routes.
    absorption_rate_per_min : float, optional
        Override of the first-order absorption rate constant ka (1/min) of extravascular routes.
    method : {"analytic", "numerical"}
        ``"analytic"`` (default): exact sums of exponentials. ``"numerical"``:
        :func:`scipy.integrate.solve_ivp` (slower; for comparison).

    Returns
    -------
    pandas.DataFrame
        Columns ``time_min``, ``plasma_ng_per_ml``, ``plasma_um`` (and the effect-site columns
        when ``ke0_per_min`` is given). ``attrs`` records the preset, bioavailability,
        ``ke0_is_assumption`` and ``auc_exact_ng_min_per_ml``: the exact AUC from 0 to
        ``t_end_min`` (amount eliminated / CL), free of the trapezoidal rule's grid error.

    Raises
    ------
    ValueError
        For bad input, naming the parameter, its unit and the valid range.

    Examples
    --------
    >>> df = simulate(Regimen("iv_bolus", 0.5, 70.0), t_end_min=60.0)
    >>> list(df.columns)
    ['time_min', 'plasma_ng_per_ml', 'plasma_um']
    >>> round(df["plasma_ng_per_ml"].iloc[0])  # dose / V1 at time 0
    7937
    """
    regimens = _as_regimens(regimen)
    check_choice("method", method, ("analytic", "numerical"))
    times = _grid(t_end_min, dt_min)
    t_end = float(times[-1])
    if ke0_per_min is not None:
        ke0_per_min = check_number(
            "ke0_per_min", ke0_per_min, unit="1/min", low=0, low_inclusive=False
        )
    disp, a, events, _depot, effect, elim = _build(
        regimens, preset, t_end, ke0_per_min, bioavailability, absorption_rate_per_min, True
    )
    rows = [0] if effect is None else [0, effect]
    amounts = _pk_linear.solve(a, events, times, [*rows, elim], method=method)
    # exact AUC(0, t_end) = amount eliminated / CL  (mg*min/L -> ng*min/mL)
    auc_exact = float(amounts[-1, -1]) / disp.clearance_l_per_min * 1000.0
    conc = np.maximum(amounts[:-1] / disp.v1_l, 0.0) * 1000.0  # mg/L -> ng/mL
    data = {
        "time_min": times,
        "plasma_ng_per_ml": conc[0],
        "plasma_um": conc[0] / MOLAR_MASS_G_PER_MOL,
    }
    if effect is not None:
        data["effect_site_ng_per_ml"] = conc[1]
        data["effect_site_um"] = conc[1] / MOLAR_MASS_G_PER_MOL
    df = pd.DataFrame(data)
    chosen = get_preset(preset)
    df.attrs = {
        "preset": chosen.name,
        "source": chosen.source,
        "bioavailability": {
            r.route: bioavailability_for(
                r.route, "default" if bioavailability is None else bioavailability
            )
            for r in regimens
        },
        "ke0_per_min": ke0_per_min,
        "ke0_is_assumption": ke0_per_min is not None,
        "auc_exact_ng_min_per_ml": auc_exact,
        "note": _NOT_A_DOSING_GUIDE,
    }
    return df


def simulate_amounts(
    regimen,
    preset="domino1984",
    *,
    t_end_min: float = 1440.0,
    dt_min: float = 1.0,
    bioavailability=None,
    absorption_rate_per_min: float | None = None,
    method: str = "analytic",
) -> pd.DataFrame:
    """Drug amounts (mg) in every compartment, the absorption depots and eliminated, over time.

    For checking mass balance: the columns other than ``time_min`` sum to the bioavailable dose
    given so far. Same parameters as :func:`simulate`.

    Examples
    --------
    >>> am = simulate_amounts(Regimen("oral", 1.0, 70.0), t_end_min=120.0)
    >>> list(am.columns)
    ['time_min', 'central_mg', 'peripheral_2_mg', 'peripheral_3_mg', 'depot_oral_mg', 'eliminated_mg']
    >>> round(float(am.drop(columns="time_min").iloc[-1].sum()), 6)  # F x dose = 0.20 x 70 mg
    14.0
    """
    regimens = _as_regimens(regimen)
    check_choice("method", method, ("analytic", "numerical"))
    times = _grid(t_end_min, dt_min)
    disp, a, events, depot, _eff, elim = _build(
        regimens, preset, float(times[-1]), None, bioavailability, absorption_rate_per_min, True
    )
    n = disp.n_compartments
    names = ["central_mg"] + [f"peripheral_{i + 2}_mg" for i in range(n - 1)]
    names += [f"depot_{route}_mg" for route in depot]
    names.append("eliminated_mg")
    rows = list(range(n)) + list(depot.values()) + [elim]
    amounts = _pk_linear.solve(a, events, times, rows, method=method)
    df = pd.DataFrame(np.maximum(amounts, 0.0).T, columns=names)
    df.insert(0, "time_min", times)
    return df


def summary(df: pd.DataFrame, column: str = "plasma_ng_per_ml") -> dict[str, float]:
    """Cmax, tmax and AUC (trapezoidal rule) of a simulated or measured profile.

    Parameters
    ----------
    df : DataFrame
        With ``time_min`` and the concentration column (ng/mL).
    column : str
        Concentration column to summarise (default ``plasma_ng_per_ml``).

    Returns
    -------
    dict
        ``cmax_ng_per_ml``, ``cmax_um``, ``tmax_min``, ``auc_ng_min_per_ml``,
        ``auc_ng_h_per_ml`` (AUC from the first to the last time, not extrapolated) and
        ``t_last_min``.

    Notes
    -----
    The trapezoidal rule over-estimates the AUC where the curve is convex and falls fast
    compared with the time step, e.g. just after an IV bolus on a 1-min grid.

    Examples
    --------
    >>> s = summary(pd.DataFrame({"time_min": [0, 60, 120], "plasma_ng_per_ml": [0, 100, 50]}))
    >>> s["cmax_ng_per_ml"], s["tmax_min"], s["auc_ng_min_per_ml"], s["auc_ng_h_per_ml"]
    (100.0, 60.0, 7500.0, 125.0)
    """
    if not isinstance(df, pd.DataFrame) or "time_min" not in df or column not in df:
        raise ValueError(f"df must be a DataFrame with columns 'time_min' and {column!r}")
    t = df["time_min"].to_numpy(dtype=float)
    c = df[column].to_numpy(dtype=float)
    if t.size < 2 or not np.all(np.isfinite(t)) or not np.all(np.diff(t) > 0):
        raise ValueError("time_min must hold at least 2 finite, increasing times (min)")
    if not np.all(np.isfinite(c)) or (c < 0).any():
        raise ValueError(f"{column} must be finite numbers >= 0 (ng/mL)")
    from scipy.integrate import trapezoid

    i = int(np.argmax(c))
    auc = float(trapezoid(c, t))
    return {
        "cmax_ng_per_ml": float(c[i]),
        "cmax_um": float(c[i]) / MOLAR_MASS_G_PER_MOL,
        "tmax_min": float(t[i]),
        "auc_ng_min_per_ml": auc,
        "auc_ng_h_per_ml": auc / 60.0,
        "t_last_min": float(t[-1]),
    }


def ka_from_tmax(tmax_min: float, preset="domino1984", weight_kg: float = 70.0) -> float:
    """Absorption rate constant (1/min) that makes a single extravascular dose peak at ``tmax_min``.

    Used to *derive* ka values for :data:`ROUTE_PARAMETERS` from published times to peak; the
    answer depends on the disposition model, so derived values are labelled as such.

    Examples
    --------
    >>> round(ka_from_tmax(45.0), 4)  # sublingual median tmax 0.75 h [@rolan2014absolute]
    0.0065
    """
    from scipy.optimize import brentq

    target = check_number("tmax_min", tmax_min, unit="min", low=0.5, high=600.0)
    disp = get_preset(preset).disposition(weight_kg)
    n = disp.n_compartments
    times = np.arange(0.0, 4.0 * target + 1e-9, target / 2000.0)

    def peak_time(ka: float) -> float:
        a = np.zeros((n + 1, n + 1))
        a[:n, :n] = disp.matrix()
        a[n, n] = -ka
        a[0, n] = ka
        c = _pk_linear.solve(a, [_pk_linear.Bolus(0.0, 1.0, n)], times, [0])[0]
        return float(times[int(np.argmax(c))])

    return float(brentq(lambda ka: peak_time(ka) - target, 1e-4, 20.0, xtol=1e-6))


# --------------------------------------------------------------------------------------------
# Concentration bands
# --------------------------------------------------------------------------------------------


def bands() -> pd.DataFrame:
    """Plasma ketamine concentrations linked to clinical effects (dataset ``concentration_bands``).

    Mostly from Zanos et al. 2018, Table 1 [@zanos2018ketamine], with the original studies named
    in ``original_source``; two rows (anaesthesia maintained by infusion, awakening) are from
    Idvall et al. 1979 [@idvall1979ketamine]. These are ranges or means from small studies of
    different designs, not thresholds for any one person, and not a dosing guide.

    Examples
    --------
    >>> b = bands()
    >>> b.set_index("band_id").loc["antidepressant_infusion", "conc_ng_per_ml"]
    np.float64(185.0)
    """
    from ketlearn import data

    return data.load("concentration_bands")
