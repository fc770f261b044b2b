# nbgrader configuration for the ketlearn course.
# Run nbgrader commands from this folder (course/), e.g. `nbgrader generate_assignment 00-orientation`.
# `make release` regenerates release/ from source/ in a scratch copy, so no gradebook is left here.
from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821  (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = "ketlearn"

# Student versions: what replaces a solution. No `raise NotImplementedError()`: each answer cell
# starts with a stub (`name = ...`) above its solution block, so Run All on a fresh notebook reaches
# the end and every unanswered item says "not answered yet" (ketlearn.checks.answered).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Student versions also link each glossary term's first use in a notebook to glossary.md, a page
# written beside the notebook (ketlearn.grading.glossary_links). It runs before nbgrader's own
# steps and leaves every cell with an nbgrader role alone, so checksums are unaffected.
c.GenerateAssignment.preprocessors = [
    "ketlearn.grading.glossary_links.LinkGlossary",
    *GenerateAssignment.class_traits()["preprocessors"].default(),
]

# Autograding: notebooks here run in well under a minute; a cell that hangs is stopped.
# (`c.Execute.timeout`, if set, wins over this, as in nbgrader; `ketlearn grade` reads both.)
c.ExecutePreprocessor.timeout = 120
c.Execute.interrupt_on_timeout = True

# Keep instructor-only material out of students' feedback where nbgrader allows it.
c.ClearHiddenTests.enforce_metadata = True

# The formgrader's "Generate Feedback" button (nbgrader generate_feedback) renders the autograded
# notebook, which holds the hidden tests; this preprocessor cuts them out (and refuses to write
# feedback that would still show one). `ketlearn feedback` uses the same code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "ketlearn.grading.feedback.HideHiddenTests",
]
