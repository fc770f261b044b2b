"""The one exponential solver for ketlearn's linear ODE systems (private).

Three models are linear with inputs that are constant between known times: the compartment
model of :mod:`ketlearn.pk` (``dx/dt = A x + r``, boluses and constant-rate infusions), the
trapping-block scheme of :mod:`ketlearn.receptor` (``dp/dt = p Q``) and the two-stage signal →
spine model of :mod:`ketlearn.plasticity`. Over a step of length ``h`` with constant input ``r``
the exact solution is

    x(t + h) = E(h) x(t) + F(h) r,   E(h) = exp(A h),   F(h) = ∫₀ʰ exp(A s) ds,

and both matrices come from **one** call of :func:`scipy.linalg.expm` on the block matrix
``[[A, I], [0, 0]] · h`` (Van Loan's construction: its top-left block is E(h), its top-right
block F(h)). scipy's ``expm`` (Padé approximation with scaling and squaring) also handles
defective matrices and zero eigenvalues, where the hand-written eigen-decompositions this
replaces had to fall back to another method.

Design reasons: outputs are usually on a uniform grid, so :meth:`Propagator.states` evaluates a
whole stretch of constant input at once from tables of powers ``E(h)^j`` (built by doubling with
batched matrix products) and their partial sums ``F(j h) = Σ_{i<j} E(h)^i F(h)``, instead of a
Python loop per output step; matrices are cached per step length. A day at 1-min resolution
costs a few ``expm`` calls and a few vectorised products, and :func:`propagator_for` reuses
them for later calls with the same matrix (a widget redrawing a new dose). Nothing here knows
about drugs or units.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.linalg import expm

__all__ = ["Propagator", "expm", "propagator_for", "step_matrices"]

_UNIFORM_RTOL = 1e-9


def step_matrices(a: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """``(E, F)`` = ``(exp(A h), ∫₀ʰ exp(A s) ds)`` for a square matrix ``a`` and step ``h``.

    Examples
    --------
    One compartment, k = 0.5 per unit time: E = exp(−k h), F = (1 − exp(−k h)) / k.

    >>> e, f = step_matrices(np.array([[-0.5]]), 2.0)
    >>> round(float(e[0, 0]), 12) == round(float(np.exp(-1.0)), 12)
    True
    >>> round(float(f[0, 0]), 12) == round(float((1 - np.exp(-1.0)) / 0.5), 12)
    True
    """
    a = np.asarray(a, dtype=float)
    n = a.shape[0]
    if h == 0:
        return np.eye(n), np.zeros((n, n))
    block = np.zeros((2 * n, 2 * n))
    block[:n, :n] = a * h
    block[:n, n:] = np.eye(n) * h
    big = expm(block)
    return big[:n, :n], big[:n, n:]


class Propagator:
    """Cached :func:`step_matrices` of one system matrix, keyed by the step length.

    Step lengths equal to 12 significant digits share one entry (grids built with
    ``numpy.arange`` differ in the last bits).

    >>> p = Propagator(np.array([[-1.0]]))
    >>> e, f = p(0.1)
    >>> e2, _ = p(0.1 + 1e-17)
    >>> e is e2
    True
    """

    def __init__(self, a) -> None:
        self.a = np.asarray(a, dtype=float)
        self._cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        self._tables_cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, h: float) -> tuple[np.ndarray, np.ndarray]:
        key = float(f"{h:.12g}")
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = step_matrices(self.a, h)
        return hit

    def _tables(self, h: float, m: int) -> tuple[np.ndarray, np.ndarray]:
        """``E(h)^j`` and ``F(j h)`` for j = 0 .. m - 1 (cached, grown on demand)."""
        key = float(f"{h:.12g}")
        have = self._tables_cache.get(key)
        if have is not None and have[0].shape[0] >= m:
            return have[0][:m], have[1][:m]
        e, f = self(h)
        n = e.shape[0]
        size = max(m, 2)
        powers = np.empty((size, n, n))
        powers[0] = np.eye(n)
        filled, e_filled = 1, e
        while filled < size:
            take = min(filled, size - filled)
            powers[filled : filled + take] = powers[:take] @ e_filled
            filled += take
            e_filled = powers[filled - 1] @ e
        sums = np.zeros_like(powers)
        sums[1:] = np.cumsum(powers[:-1] @ f, axis=0)
        self._tables_cache[key] = (powers, sums)
        return powers[:m], sums[:m]

    def states(self, x0, rate, offsets) -> np.ndarray:
        """States at ``offsets`` (>= 0, increasing) after starting from ``x0`` with constant ``rate``.

        Returns an array of shape ``(len(offsets), n)``: ``E(τ) x0 + F(τ) rate`` for each τ.
        Uniformly spaced stretches are evaluated at once from power tables.

        >>> p = Propagator(np.array([[-np.log(2)]]))
        >>> p.states(np.array([8.0]), np.array([0.0]), np.array([0.0, 1.0, 2.0, 3.0]))[:, 0]
        array([8., 4., 2., 1.])
        """
        x0 = np.asarray(x0, dtype=float)
        rate = np.asarray(rate, dtype=float)
        tau = np.asarray(offsets, dtype=float)
        out = np.empty((tau.size, x0.size))
        start, x, t0 = 0, x0, 0.0
        while start < tau.size:
            e, f = self(tau[start] - t0)
            first = e @ x + f @ rate
            rest = tau[start:] - tau[start]
            m = 1
            if rest.size > 1:
                h = rest[1]
                steps = np.diff(rest)
                bad = np.flatnonzero(np.abs(steps - h) > _UNIFORM_RTOL * max(h, 1e-300))
                m = rest.size if bad.size == 0 else int(bad[0]) + 1
            if m == 1:
                out[start] = first
            else:
                powers, sums = self._tables(h, m)
                out[start : start + m] = powers @ first + sums @ rate
            x, t0 = out[start + m - 1], tau[start + m - 1]
            start += m
        return out


@lru_cache(maxsize=32)
def _cached(shape: tuple[int, int], data: bytes) -> Propagator:
    return Propagator(np.frombuffer(data, dtype=float).reshape(shape).copy())


def propagator_for(a) -> Propagator:
    """A :class:`Propagator` for ``a``, shared by calls with an identical matrix.

    A widget that redraws with a new dose or schedule keeps the same system matrix, so its
    ``expm`` results and power tables are reused (at most 32 matrices are kept).

    >>> a = np.array([[-1.0, 0.0], [1.0, -0.5]])
    >>> propagator_for(a) is propagator_for(a.copy())
    True
    """
    arr = np.ascontiguousarray(a, dtype=float)
    return _cached(arr.shape, arr.tobytes())
