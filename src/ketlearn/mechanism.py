"""The whole mechanism chain in one call: regimen → concentration → block → circuit → synapse.

:func:`chain` runs :func:`ketlearn.pk.simulate`, :func:`ketlearn.receptor.inhibition`,
:func:`ketlearn.circuit.respond` and :func:`ketlearn.plasticity.simulate` in sequence and
returns their tables together (:class:`ChainResult`), for the whole-chain widget and for
exercises that ask "what happens downstream if …?".

Assumptions made at the joins (each is a simplification a student should be able to name):

- **Concentration at the receptor.** The receptor sees the total plasma concentration, or the
  effect-site concentration when an (assumed) ``ke0_per_min`` is given. Plasma protein binding,
  brain partitioning, and metabolites (norketamine, hydroxynorketamines) are left out.
- **Enantiomers.** The PK presets describe racemic ketamine. Choosing ``"s_ketamine"`` or
  ``"r_ketamine"`` applies that enantiomer's Ki [@ebert1997norketamine] to the same
  concentration profile, a teaching device to compare affinities, not a model of esketamine
  or arketamine kinetics. ``"racemic"`` treats the profile as a 50:50 mixture of two
  competitors, which is the same as one ligand with the derived mixture Ki.
- **Block.** Equilibrium one-site occupancy; no use dependence or trapping (see
  :func:`ketlearn.receptor.simulate_trapping` for those) and no Mg²⁺ or voltage dependence.
- **Circuit and plasticity.** Illustrative models; see their modules for what they omit.

Nothing here is medical advice, and no output is a dosing guide.

Examples
--------
>>> from ketlearn import mechanism, pk
>>> reg = pk.Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0)
>>> res = mechanism.chain(reg)
>>> sorted(res.summary)[:3]
['block_at_cmax', 'cmax_um', 'days']
>>> bool(res.summary["block_at_cmax"] > 0.5)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ketlearn import circuit, pk, plasticity, receptor
from ketlearn._validation import check_choice, check_number

__all__ = ["ENANTIOMERS", "NOT_A_DOSING_GUIDE", "ChainResult", "chain", "fraction_blocked"]

#: Enantiomer choices for the chain (metabolites are not modelled in the PK presets).
ENANTIOMERS = ("racemic", "s_ketamine", "r_ketamine")

NOT_A_DOSING_GUIDE = (
    "Educational simulation with illustrative downstream models: not medical advice and "
    "not a dosing guide."
)


def fraction_blocked(conc_um, enantiomer: str = "racemic"):
    """NMDA receptor block for a concentration of racemic ketamine or one enantiomer.

    For ``"racemic"`` the concentration is split 50:50 between (S)- and (R)-ketamine competing
    for one site, which equals :func:`ketlearn.receptor.inhibition` with the mixture Ki.

    >>> round(float(fraction_blocked(0.78, "racemic")), 3)
    0.612
    >>> round(float(fraction_blocked(0.78, "s_ketamine")), 3)
    0.722
    """
    check_choice("enantiomer", enantiomer, ENANTIOMERS)
    if enantiomer == "racemic":
        ki = receptor.mixture_ki_um(
            receptor.get_preset("s_ketamine").ki_um, receptor.get_preset("r_ketamine").ki_um
        )
    else:
        ki = receptor.get_preset(enantiomer).ki_um
    return receptor.inhibition(conc_um, ki)


@dataclass
class ChainResult:
    """Tables from each stage of the chain, on their own time axes.

    Attributes
    ----------
    timecourse : pandas.DataFrame
        Minute grid: ``time_min``, ``plasma_ng_per_ml``, ``plasma_um``, ``receptor_conc_um``,
        ``block``, ``rate_e_hz``, ``rate_i_hz``, ``rate_e_rel``, ``rate_i_rel``, ``drive``.
    plasticity : pandas.DataFrame
        Hours-to-days grid from :func:`ketlearn.plasticity.simulate` (ILLUSTRATIVE).
    summary : dict
        Headline numbers (``cmax_um``, ``block_at_cmax``, ``minutes_block_above_half``,
        ``peak_rate_e_rel``, ``min_rate_i_rel``, ``peak_mtorc1_signal``,
        ``peak_spine_density_rel``, ``spine_density_rel_end``), plus the settings.
    settings : dict
        The arguments used.
    """

    timecourse: pd.DataFrame
    plasticity: pd.DataFrame
    summary: dict
    settings: dict = field(default_factory=dict)

    def summary_text(self) -> str:
        """The summary as short printed lines, ending with the not-a-dosing-guide note."""
        s = self.summary
        lines = [
            f"Enantiomer / scenario: {s['enantiomer']} / {s['scenario']}",
            f"Peak concentration at the receptor: {s['cmax_um']:.2f} µM",
            f"Peak NMDA receptor block (one-site): {100 * s['block_at_cmax']:.0f} %",
            f"Minutes with block above 50 %: {s['minutes_block_above_half']:.0f}",
            f"Peak pyramidal rate (× baseline, illustrative): {s['peak_rate_e_rel']:.2f}",
            f"Lowest interneuron rate (× baseline, illustrative): {s['min_rate_i_rel']:.2f}",
            f"Peak mTORC1 signal (0–1, illustrative): {s['peak_mtorc1_signal']:.2f}",
            f"Spine density at day {s['days']:g} (× baseline, illustrative): "
            f"{s['spine_density_rel_end']:.3f}",
            NOT_A_DOSING_GUIDE,
        ]
        return "\n".join(lines)


def chain(
    regimen,
    *,
    preset: str = "domino1984",
    enantiomer: str = "racemic",
    scenario: str = "disinhibition",
    t_end_min: float = 1440.0,
    dt_min: float = 1.0,
    ke0_per_min: float | None = None,
    days: float = 7.0,
    rapamycin: bool = False,
    spinogenesis_blocked: bool = False,
    circuit_params: circuit.CircuitParams = circuit.DEFAULT_PARAMS,
    plasticity_params: plasticity.PlasticityParams = plasticity.DEFAULT_PARAMS,
) -> ChainResult:
    """Run regimen → plasma → receptor block → circuit → plasticity.

    Parameters
    ----------
    regimen : ketlearn.pk.Regimen or list of Regimen
        What is given (see :class:`ketlearn.pk.Regimen`).
    preset : str
        PK preset name (default ``"domino1984"`` [@domino1984kinetics]).
    enantiomer : {"racemic", "s_ketamine", "r_ketamine"}
        Which Ki to apply to the concentration profile (see module notes).
    scenario : {"disinhibition", "block_at_rest"}
        Circuit hypothesis (see :mod:`ketlearn.circuit`).
    t_end_min, dt_min : float
        PK window and spacing (min); passed to :func:`ketlearn.pk.simulate`.
    ke0_per_min : float, optional
        Assumed effect-site rate constant (1/min); when given, the receptor sees the
        effect-site concentration instead of plasma.
    days : float
        Length of the plasticity simulation (days), in (0, 60], at least the PK window.
    rapamycin, spinogenesis_blocked : bool
        Interventions in the plasticity model (see :func:`ketlearn.plasticity.simulate`).
    circuit_params, plasticity_params
        Illustrative model parameters.

    Returns
    -------
    ChainResult

    Raises
    ------
    ValueError
        For bad regimens, presets, choices or windows (naming parameter, unit and range).
    """
    check_choice("enantiomer", enantiomer, ENANTIOMERS)
    check_choice("scenario", scenario, circuit.SCENARIOS)
    n_days = check_number("days", days, unit="days", low=0.0, high=60.0, low_inclusive=False)
    t_end = check_number("t_end_min", t_end_min, unit="min", low=0.0, low_inclusive=False)
    if n_days * 1440.0 < t_end:
        raise ValueError(
            f"days must be >= t_end_min / 1440 = {t_end / 1440.0:g} (days); got {days!r}"
        )
    df = pk.simulate(regimen, preset, t_end_min=t_end, dt_min=dt_min, ke0_per_min=ke0_per_min)
    col = "plasma_um" if ke0_per_min is None else "effect_site_um"
    conc = np.clip(df[col].to_numpy(dtype=float), 0.0, None)
    block = np.asarray(fraction_blocked(conc, enantiomer), dtype=float).reshape(-1)
    circ = circuit.respond(block, scenario, circuit_params)
    tc = pd.DataFrame(
        {
            "time_min": df["time_min"].to_numpy(dtype=float),
            "plasma_ng_per_ml": df["plasma_ng_per_ml"].to_numpy(dtype=float),
            "plasma_um": df["plasma_um"].to_numpy(dtype=float),
            "receptor_conc_um": conc,
            "block": block,
            "rate_e_hz": circ["rate_e_hz"].to_numpy(),
            "rate_i_hz": circ["rate_i_hz"].to_numpy(),
            "rate_e_rel": circ["rate_e_rel"].to_numpy(),
            "rate_i_rel": circ["rate_i_rel"].to_numpy(),
            "drive": circ["drive"].to_numpy(),
        }
    )
    plast = plasticity.simulate(
        tc["time_min"].to_numpy(),
        tc["drive"].to_numpy(),
        days=n_days,
        dt_min=5.0,
        rapamycin=rapamycin,
        spinogenesis_blocked=spinogenesis_blocked,
        params=plasticity_params,
    )
    dt_grid = float(np.median(np.diff(tc["time_min"]))) if len(tc) > 1 else 0.0
    i_max = int(np.argmax(conc))
    summary = {
        "enantiomer": enantiomer,
        "scenario": scenario,
        "cmax_um": float(conc[i_max]),
        "block_at_cmax": float(block[i_max]),
        "minutes_block_above_half": float(np.sum(block > 0.5) * dt_grid),
        "peak_rate_e_rel": float(tc["rate_e_rel"].max()),
        "min_rate_i_rel": float(tc["rate_i_rel"].min()),
        "peak_mtorc1_signal": float(plast["mtorc1_signal"].max()),
        "peak_spine_density_rel": float(plast["spine_density_rel"].max()),
        "spine_density_rel_end": float(plast["spine_density_rel"].iloc[-1]),
        "days": n_days,
    }
    settings = {
        "preset": preset,
        "enantiomer": enantiomer,
        "scenario": scenario,
        "ke0_per_min": ke0_per_min,
        "rapamycin": rapamycin,
        "spinogenesis_blocked": spinogenesis_blocked,
    }
    return ChainResult(tc, plast, summary, settings)
