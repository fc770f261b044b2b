"""Figure of the mechanism strand: one-site NMDA receptor block against concentration.

(The four mechanism apps keep their figures as persistent artists updated in place, see
:mod:`ketlearn.widgets.mechanism`; this module holds the static view.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import plots, receptor

__all__ = ["inhibition_figure"]


def inhibition_figure(max_conc_um: float = 10.0):
    """One-site block against concentration for the Ebert 1997 presets, with its table.

    Returns a :class:`ketlearn.plots.FigureWithTable`.

    >>> shown = inhibition_figure()
    >>> "not a dosing guide" in shown.caption
    True
    """
    conc = np.geomspace(0.01, max_conc_um, 200)
    names = ["s_ketamine", "r_ketamine", "s_norketamine", "r_norketamine"]
    with plots.house_style():
        fig, ax = plots.new_figure()
        for k, name in enumerate(names):
            pre = receptor.get_preset(name)
            ax.semilogx(
                conc,
                receptor.inhibition(conc, pre.ki_um),
                color=plots.PALETTE[k],
                label=f"{pre.label} (Ki {pre.ki_um:g} µM)",
            )
        ax.set_xlabel("concentration at the receptor (µM)")
        ax.set_ylabel("fraction of receptors blocked")
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize=9)
    picks = [0.1, 0.3, 1.0, 3.0, 10.0]
    table = pd.DataFrame({"conc_um": picks})
    for name in names:
        table[name] = np.round(receptor.inhibition(picks, receptor.get_preset(name).ki_um), 3)
    caption = (
        "One-site block c/(c + Ki) with Ki from [3H]MK-801 binding (Ebert et al. 1997), used as if "
        "it were a functional IC50. Educational simulation: not a dosing guide."
    )
    return plots.figure_with_table(fig, table, caption)
