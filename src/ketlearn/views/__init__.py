"""Figures and the app base class: the course's views, one module per strand.

- :mod:`ketlearn.views.app`: :class:`~ketlearn.views.app.App`, the one base class of the
  interactive apps (controls from a declarative spec; a pure ``compute`` separate from ``draw``),
  and its persistent-figure variant :class:`~ketlearn.views.app.FigureApp`.
- :mod:`ketlearn.views.pk`, :mod:`~ketlearn.views.meta`, :mod:`~ketlearn.views.trials`,
  :mod:`~ketlearn.views.history`, :mod:`~ketlearn.views.mechanism`,
  :mod:`~ketlearn.views.orientation`: pure figure functions, each figure paired with the table of
  its numbers (:func:`ketlearn.plots.figure_with_table`).
- :mod:`ketlearn.views.diagrams`: explanatory schematics drawn in code, each with its table.

The apps themselves live in :mod:`ketlearn.widgets` (thin layers over these). Importing this
package imports no strand module, no matplotlib and no ipywidgets.
"""

__all__: list[str] = []
