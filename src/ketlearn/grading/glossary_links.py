"""Glossary links in the student notebooks, made when nbgrader generates them.

:class:`LinkGlossary` is an nbconvert preprocessor that the course's ``nbgrader_config.py`` puts
first in ``GenerateAssignment.preprocessors``, so ``make release``, ``nbgrader
generate_assignment`` and the formgrader's "Generate" button all give the same student
notebooks. For each notebook it

- links the first use of every glossary term in the prose to the term's heading on the glossary
  page (:func:`ketlearn.glossary.link_first_uses`, the one definition of "first use"), and
- writes that page, :data:`ketlearn.glossary.PAGE_NAME`, beside the student notebook (nbconvert's
  ``resources["outputs"]``, which nbgrader's writer saves in the assignment's release folder),
  so the relative links work wherever the assignment folder goes: a hub (nbgrader's exchange
  copies the whole folder), a laptop, Binder, offline.

Cells with an nbgrader role (exercise prompts, answer and graded cells) are never changed, so the
checksums and the gradebook's copies of those cells are what they were without this step.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from ketlearn import glossary

__all__ = ["LinkGlossary"]


class LinkGlossary(Preprocessor):
    """nbgrader ``GenerateAssignment`` step: link glossary terms and ship the glossary page.

    Registered in the course's ``nbgrader_config.py`` before nbgrader's own steps::

        c.GenerateAssignment.preprocessors = [
            "ketlearn.grading.glossary_links.LinkGlossary",
            *GenerateAssignment.class_traits()["preprocessors"].default(),
        ]

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("A placebo arm.")]
    >>> nb, resources = LinkGlossary().preprocess(nb, {})
    >>> nb.cells[0].source
    'A [placebo](glossary.md#Placebo) arm.'
    >>> sorted(resources["outputs"])
    ['glossary.md']
    """

    # nbconvert preprocessors are off unless enabled; nbgrader registers them without enabling.
    enabled = Bool(True, help="Link glossary terms in student notebooks.").tag(config=True)

    def preprocess(self, nb, resources):
        linked = glossary.link_first_uses(nb)
        page = glossary.notebook_page() + "\n"
        resources.setdefault("outputs", {})[glossary.PAGE_NAME] = page.encode("utf-8")
        self.log.debug("linked %d glossary terms", len(linked))
        return nb, resources
