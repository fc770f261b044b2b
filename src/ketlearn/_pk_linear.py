"""Linear compartment systems: analytic and numerical solutions (private to :mod:`ketlearn.pk`).

A linear mammillary model with first-order absorption is ``dx/dt = A x + u(t)``, where ``x`` holds
drug amounts (mg) and ``u`` is a sum of boluses (Dirac pulses) and constant-rate infusions. Its
exact solution is a sum of exponentials: with ``A = V diag(lambda) V^-1``,

* a bolus ``b`` at ``t0`` contributes ``V diag(exp(lambda (t - t0))) V^-1 b`` for ``t >= t0``;
* an infusion at rate ``r`` (mg/min) on ``[t0, t1]`` contributes
  ``V diag(exp(lambda (t - u)) * expm1(lambda (u - t0)) / lambda) V^-1 r``, with
  ``u = min(t, t1)``, and ``u - t0`` where ``lambda = 0``.

Superposition of these terms is exact for any schedule, so repeated doses cost one small
eigen-decomposition plus a few vectorised exponentials. numpy and scipy provide no closed-form
solver for such dosing schedules, which is why this small module exists.

When the eigenvectors are (nearly) degenerate, e.g. an absorption rate equal to a disposition
eigenvalue, the eigen-decomposition is ill-conditioned; :func:`solve` then falls back to
:func:`scipy.integrate.solve_ivp` (Radau, integrated piecewise between dosing events), which is
also exposed as ``method="numerical"`` so tests and students can compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Bolus", "Infusion", "solve"]

_COND_LIMIT = 1e8


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


def _analytic(a: np.ndarray, events, times: np.ndarray, rows) -> np.ndarray | None:
    lam, vec = np.linalg.eig(a)
    if np.iscomplexobj(lam):
        if np.max(np.abs(lam.imag)) > 1e-9 * max(1.0, np.max(np.abs(lam.real))):
            return None
        lam, vec = lam.real, vec.real
    if np.linalg.cond(vec) > _COND_LIMIT:
        return None
    inv = np.linalg.inv(vec)
    out = np.zeros((len(rows), times.size))
    left = vec[rows, :]  # (n_rows, n_modes)
    zero = np.abs(lam) < 1e-14
    safe_lam = np.where(zero, 1.0, lam)
    for ev in events:
        if isinstance(ev, Bolus):
            if ev.amount_mg == 0:
                continue
            mask = times >= ev.time_min
            if not mask.any():
                continue
            dt = times[mask] - ev.time_min
            weights = inv[:, ev.state] * ev.amount_mg  # (n_modes,)
            modes = np.exp(np.outer(lam, dt))  # (n_modes, n_t)
            out[:, mask] += left @ (weights[:, None] * modes)
        else:
            if ev.rate_mg_per_min == 0:
                continue
            mask = times > ev.start_min
            if not mask.any():
                continue
            t = times[mask]
            u = np.minimum(t, ev.end_min)
            tau = u - ev.start_min  # time infused so far
            after = t - u  # time since the infusion stopped
            grow = np.where(
                zero[:, None],
                tau[None, :],
                np.expm1(np.outer(lam, tau)) / safe_lam[:, None],
            )
            modes = np.exp(np.outer(lam, after)) * grow
            weights = inv[:, ev.state] * ev.rate_mg_per_min
            out[:, mask] += left @ (weights[:, None] * modes)
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
        ``"analytic"`` uses the eigen-decomposition and falls back to the numerical solver when
        that is ill-conditioned.

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
        result = _analytic(a, events, times, rows)
        if result is not None:
            return result
    return _numerical(a, events, times, rows)
