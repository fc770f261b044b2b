"""Dosing schedules for :mod:`ketlearn.pk` (private): what is given, by which route, when.

A :class:`Regimen` validates its own fields (units in the names) so every simulation starts from
a checked schedule. Educational simulation, not a dosing guide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ketlearn._validation import check_choice, check_number

__all__ = ["MOLAR_MASS_G_PER_MOL", "ROUTES", "Regimen"]

#: Molar mass of ketamine base, C13H16ClNO (g/mol); 1 µM = 237.73 ng/mL.
MOLAR_MASS_G_PER_MOL = 237.73

#: Routes a :class:`Regimen` accepts.
ROUTES = ("iv_bolus", "iv_infusion", "im", "intranasal", "oral", "sublingual")
_EXTRAVASCULAR = ("im", "intranasal", "oral", "sublingual")

_NOT_A_DOSING_GUIDE = "Educational simulation, not a dosing guide."


# --------------------------------------------------------------------------------------------
# Regimen
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regimen:
    """One dosing schedule: a route, a dose per kg, a body weight and (optionally) repeats.

    Parameters
    ----------
    route : str
        One of :data:`ROUTES`: ``"iv_bolus"``, ``"iv_infusion"``, ``"im"``, ``"intranasal"``,
        ``"oral"`` or ``"sublingual"``.
    dose_mg_per_kg : float
        Dose of ketamine per administration (mg/kg body weight), >= 0. For extravascular
        routes this is the dose given, before bioavailability.
    weight_kg : float
        Body weight (kg), > 0.
    start_min : float
        Time of the first administration (min), >= 0. Default 0.
    duration_min : float
        Infusion duration (min): required > 0 for ``"iv_infusion"``, must be 0 otherwise.
    repeats : int
        Number of administrations, >= 1. Default 1.
    interval_min : float
        Time between the starts of successive administrations (min); required > 0 when
        ``repeats > 1`` (and no shorter than an infusion).

    Raises
    ------
    ValueError
        Naming the parameter, its unit and the valid range.

    Examples
    --------
    >>> Regimen("oral", 0.5, 70.0).total_dose_mg
    35.0
    >>> Regimen("iv_infusion", 0.5, 70.0)
    Traceback (most recent call last):
    ...
    ValueError: duration_min must be a finite number > 0 (min) for route 'iv_infusion'; got 0.0
    """

    route: str
    dose_mg_per_kg: float
    weight_kg: float
    start_min: float = 0.0
    duration_min: float = 0.0
    repeats: int = 1
    interval_min: float = 0.0

    def __post_init__(self) -> None:
        check_choice("route", self.route, ROUTES)
        set_ = object.__setattr__
        set_(
            self,
            "dose_mg_per_kg",
            check_number("dose_mg_per_kg", self.dose_mg_per_kg, unit="mg/kg", low=0),
        )
        set_(
            self,
            "weight_kg",
            check_number("weight_kg", self.weight_kg, unit="kg", low=0, low_inclusive=False),
        )
        set_(self, "start_min", check_number("start_min", self.start_min, unit="min", low=0))
        set_(
            self, "duration_min", check_number("duration_min", self.duration_min, unit="min", low=0)
        )
        set_(
            self,
            "repeats",
            check_number("repeats", self.repeats, unit="administrations", low=1, integer=True),
        )
        set_(
            self, "interval_min", check_number("interval_min", self.interval_min, unit="min", low=0)
        )
        if self.route == "iv_infusion" and self.duration_min <= 0:
            raise ValueError(
                f"duration_min must be a finite number > 0 (min) for route 'iv_infusion'; "
                f"got {self.duration_min!r}"
            )
        if self.route != "iv_infusion" and self.duration_min != 0:
            raise ValueError(
                f"duration_min must be 0 (min) for route {self.route!r} (only 'iv_infusion' "
                f"has a duration); got {self.duration_min!r}"
            )
        if self.repeats > 1:
            low = max(self.duration_min, 0.0)
            if not self.interval_min > low:
                raise ValueError(
                    f"interval_min must be a finite number > {low:g} (min) when repeats > 1"
                    f"{' (no shorter than the infusion)' if low else ''}; "
                    f"got {self.interval_min!r}"
                )

    @property
    def dose_mg(self) -> float:
        """Dose per administration (mg)."""
        return self.dose_mg_per_kg * self.weight_kg

    @property
    def total_dose_mg(self) -> float:
        """Dose summed over all administrations (mg), before bioavailability."""
        return self.dose_mg * self.repeats

    @property
    def start_times_min(self) -> np.ndarray:
        """Start time of every administration (min)."""
        return self.start_min + self.interval_min * np.arange(self.repeats)
