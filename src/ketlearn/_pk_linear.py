"""Linear compartment systems: exact and numerical solutions (private to :mod:`ketlearn.pk`).

A linear mammillary model with first-order absorption is ``dx/dt = A x + u(t)``, where ``x`` holds
drug amounts (mg) and ``u`` is a sum of boluses (Dirac pulses) and constant-rate infusions. Between
consecutive "event or output" times the input is constant, so the state is carried forward
exactly with ``x ← E(h) x + F(h) r`` from :mod:`ketlearn._linear_system`, the package's one
exponential solver (``scipy.linalg.expm`` on Van Loan's block matrix, cached per step length);
a bolus is added to its state at its time. This is exact for any schedule, including repeated
doses, an absorption rate equal to a disposition eigenvalue (a defective matrix) and the zero
eigenvalue of the "eliminated" state, with no fallback.

:func:`scipy.integrate.solve_ivp` (Radau, integrated piecewise between dosing events) is kept as
``method="numerical"`` so tests and students can compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ketlearn._linear_system import propagator_for

__all__ = ["Bolus", "Infusion", "solve"]


@dataclass(frozen=True)
class Bolus:
    """An instantaneous input of ``amount_mg`` into state ``state`` at ``time_min``."""

    time_min: float
    amount_mg: float
    state: int


@dataclass(frozen=True)
class Infusion:
    """A constant-rate input into ``state`` from ``start_min`` to ``end_min`` (mg/min)."""

    start_min: float
    end_min: float
    rate_mg_per_min: float
    state: int


def _analytic(a: np.ndarray, events, times: np.ndarray, rows) -> np.ndarray:
    """Exact amounts, one stretch of constant input at a time (see module notes)."""
    n = a.shape[0]
    prop = propagator_for(a)
    t_first, t_last = float(times[0]), float(times[-1])
    infusions = [ev for ev in events if isinstance(ev, Infusion)]
    breaks = {t_first}
    for ev in events:
        if isinstance(ev, Bolus):
            breaks.add(float(ev.time_min))
        else:
            breaks.update((float(ev.start_min), float(ev.end_min)))
    breaks = sorted(b for b in breaks if b <= t_last)
    out = np.zeros((len(rows), times.size))
    x = np.zeros(n)
    for i, t0 in enumerate(breaks):
        for ev in events:
            if isinstance(ev, Bolus) and ev.time_min == t0:
                x[ev.state] += ev.amount_mg
        rate = np.zeros(n)
        for ev in infusions:
            if ev.start_min <= t0 < ev.end_min:
                rate[ev.state] += ev.rate_mg_per_min
        t1 = breaks[i + 1] if i + 1 < len(breaks) else np.inf
        lo = int(np.searchsorted(times, t0, side="left"))
        hi = int(np.searchsorted(times, t1, side="left"))
        offsets = np.append(times[lo:hi] - t0, t1 - t0) if np.isfinite(t1) else times[lo:hi] - t0
        if offsets.size == 0:
            continue
        xs = prop.states(x, rate, offsets)
        if hi > lo:
            out[:, lo:hi] = xs[: hi - lo, rows].T
        if np.isfinite(t1):
            x = xs[-1].copy()
    return out


def _numerical(a: np.ndarray, events, times: np.ndarray, rows) -> np.ndarray:
    from scipy.integrate import solve_ivp

    n = a.shape[0]
    breaks = {float(times[0]), float(times[-1])}
    for ev in events:
        if isinstance(ev, Bolus):
            breaks.add(ev.time_min)
        else:
            breaks.update((ev.start_min, ev.end_min))
    grid = sorted(b for b in breaks if times[0] <= b <= times[-1])
    x = np.zeros(n)
    out = np.zeros((len(rows), times.size))

    def rate_at(t_mid: float) -> np.ndarray:
        r = np.zeros(n)
        for ev in events:
            if isinstance(ev, Infusion) and ev.start_min <= t_mid < ev.end_min:
                r[ev.state] += ev.rate_mg_per_min
        return r

    for i, t0 in enumerate(grid):
        for ev in events:
            if isinstance(ev, Bolus) and ev.time_min == t0:
                x[ev.state] += ev.amount_mg
        at_t0 = times == t0
        if at_t0.any():
            out[:, at_t0] = x[rows][:, None]
        if i + 1 == len(grid):
            break
        t1 = grid[i + 1]
        r = rate_at(0.5 * (t0 + t1))
        inside = (times > t0) & (times < t1)
        t_eval = np.append(times[inside], t1)
        sol = solve_ivp(
            lambda _t, y, r=r: a @ y + r,
            (t0, t1),
            x,
            method="Radau",
            jac=a,
            t_eval=t_eval,
            rtol=1e-10,
            atol=1e-12,
        )
        if inside.any():
            out[:, inside] = sol.y[rows, :-1]
        x = sol.y[:, -1].copy()  # state at t1, before any bolus given at t1
    return out


def solve(a, events, times, rows, *, method: str = "analytic") -> np.ndarray:
    """Amounts (mg) in the states ``rows`` at ``times`` (min) for the given events.

    Parameters
    ----------
    a : ndarray, shape (n, n)
        System matrix (1/min).
    events : sequence of Bolus or Infusion
    times : ndarray
        Increasing output times (min).
    rows : sequence of int
        States to return.
    method : {"analytic", "numerical"}
        ``"analytic"``: exact stepping with matrix exponentials; ``"numerical"``:
        :func:`scipy.integrate.solve_ivp` (Radau), for comparison.

    Examples
    --------
    One compartment, k = ln 2 per minute, 8 mg bolus: half is left after one minute.

    >>> a = np.array([[-np.log(2)]])
    >>> solve(a, [Bolus(0.0, 8.0, 0)], np.array([0.0, 1.0, 2.0]), [0]).round(6)
    array([[8., 4., 2.]])
    """
    a = np.asarray(a, dtype=float)
    times = np.asarray(times, dtype=float)
    rows = list(rows)
    if method == "analytic":
        return _analytic(a, events, times, rows)
    return _numerical(a, events, times, rows)
