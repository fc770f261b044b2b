"""Interactive ipywidgets apps, one module per strand (e.g. ``ketlearn.widgets.pk``).

Each app separates its computation (a plain function or method that returns the data and the
printed summary) from its display, so the tests drive it headless. Importing this package
imports no strand module and no ipywidgets.
"""

__all__: list[str] = []
