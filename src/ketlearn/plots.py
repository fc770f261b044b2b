"""The course's figure style, and figures paired with the numbers they show.

Two ideas:

1. **House style, only on request.** :func:`house_style` is a context manager (and
   :func:`use_house_style` a one-line opt-in for a whole notebook) that sets readable sizes and the
   Okabe–Ito colour-blind-safe palette [@okabe2008colour]. Importing ketlearn or this module
   changes no matplotlib setting.
2. **Every figure carries its numbers.** :func:`figure_with_table` bundles a figure, a caption and
   a small table of the values it shows. In Jupyter it renders as the image (with the caption as
   alt text), the caption and the table; as text (screen readers, terminals, tests) it is the
   caption and the table. Readers who cannot see colours or images get the same information.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from ketlearn import plots
>>> with plots.house_style():
...     fig, ax = plots.new_figure()
...     _ = ax.bar(["oral", "sublingual"], [20, 30], color=plots.PALETTE[:2])
>>> shown = plots.figure_with_table(
...     fig,
...     pd.DataFrame({"route": ["oral", "sublingual"], "F (%)": [20, 30]}),
...     "Figure 1. Bioavailability by route (Yanagihara 2003).",
... )
>>> print(shown)
Figure 1. Bioavailability by route (Yanagihara 2003).
     route  F (%)
      oral     20
sublingual     30
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl
import pandas as pd

__all__ = [
    "PALETTE",
    "FigureWithTable",
    "figure_with_table",
    "house_style",
    "house_style_rc",
    "new_figure",
    "use_house_style",
]

#: Okabe–Ito palette [@okabe2008colour]: distinguishable with the common colour-vision deficiencies.
#: Order: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, black.
PALETTE: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)


def house_style_rc() -> dict:
    """The matplotlib rc settings of the house style (a new dict each call)."""
    from cycler import cycler

    return {
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "figure.figsize": (7.0, 4.2),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "font.size": 12,
        "axes.titlesize": 13,
        "axes.labelsize": 12,
        "legend.fontsize": 11,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "lines.linewidth": 2.2,
        "lines.markersize": 7,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.constrained_layout.use": True,
    }


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block only; settings are restored afterwards.

    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["font.size"]
    >>> with house_style():
    ...     mpl.rcParams["font.size"]
    12.0
    >>> mpl.rcParams["font.size"] == before
    True
    """
    with mpl.rc_context(house_style_rc()):
        yield


def use_house_style() -> None:
    """Opt a whole notebook into the house style (changes matplotlib's global settings)."""
    mpl.rcParams.update(house_style_rc())


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """A figure and axes that are NOT registered with pyplot (so nothing displays twice).

    Returns ``(fig, ax)`` like ``plt.subplots``.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=kwargs.pop("figsize", mpl.rcParams["figure.figsize"]))
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


@dataclass
class FigureWithTable:
    """A figure, its caption and a table of the numbers it shows."""

    figure: object
    table: pd.DataFrame
    caption: str
    alt: str = ""

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()

    def __str__(self) -> str:
        return f"{self.caption}\n{self.table.to_string(index=False)}"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        alt = html.escape(self.alt or self.caption, quote=True)
        table = self.table.to_html(index=False, border=0, classes="ketlearn-table")
        return (
            f'<figure style="margin:0"><img src="data:image/png;base64,{data}" alt="{alt}"/>'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
            f"<details open><summary>Numbers shown in the figure</summary>{table}</details>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._repr_html_(), "text/plain": str(self)}


def figure_with_table(
    fig, table: pd.DataFrame, caption: str, *, alt: str | None = None
) -> FigureWithTable:
    """Pair a figure with a table of its numbers and a caption.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure. If it was made with pyplot it is closed here so it shows once.
    table : pandas.DataFrame
        The values the figure shows (keep it small: summarise long series).
    caption : str
        What the figure shows, in words; also the image's alt text unless ``alt`` is given.
    alt : str, optional
        A longer text alternative for the image.

    Returns
    -------
    FigureWithTable
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a pandas DataFrame; got {type(table).__name__}")
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("caption must be a non-empty string describing the figure")
    import matplotlib.pyplot as plt

    if plt.fignum_exists(getattr(fig, "number", -1)):
        plt.close(fig)
    return FigureWithTable(fig, table, caption.strip(), alt or "")
