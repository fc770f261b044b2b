"""Instructor tooling: parallel, tamper-resistant autograding on top of nbgrader.

nbgrader remains the engine for releasing and collecting and the gradebook of record; this
package replaces only how submissions are *executed and checked*:

- :mod:`~ketlearn.grading.prepare`: cell-level integrity (restore deleted/edited/duplicated/moved
  test cells from the gradebook, find renamed files, report corrupt ones);
- :mod:`~ketlearn.grading.kernel`: a warm worker process that runs each notebook, tests
  removed, in a forked child (imports paid once per worker);
- :mod:`~ketlearn.grading.codec`: answers cross as plain JSON data, never pickles;
- :mod:`~ketlearn.grading.checker`: instructor tests run in a clean process on that data;
- :mod:`~ketlearn.grading.engine`: drives workers locally or on a Dask cluster;
- :mod:`~ketlearn.grading.gradebook`: the single writer, recording through nbgrader;
- :mod:`~ketlearn.grading.runner`: ``ketlearn grade`` (parallel, resumable, fault summary);
- :mod:`~ketlearn.grading.feedback` and :mod:`~ketlearn.grading.export`.
- :mod:`~ketlearn.grading.glossary_links`: the nbgrader step that links glossary terms in the
  student notebooks and ships the glossary page beside them.

The threat model is in ``docs/grading-threat-model.md``; the instructor guide in
``docs/instructor-guide.md``.
"""

__all__ = [
    "checker",
    "cli",
    "codec",
    "engine",
    "export",
    "feedback",
    "glossary_links",
    "gradebook",
    "kernel",
    "prepare",
    "runner",
]
