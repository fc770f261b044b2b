# The instructor's course folder (a clone of this repository's course/), used by the formgrader
# in the instructor's JupyterLab. Command-line nbgrader and `ketlearn` commands run from inside
# that folder read course/nbgrader_config.py as well.
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it reads this file)

c.CourseDirectory.root = os.environ.get(
    "KETLEARN_COURSE_ROOT", os.path.expanduser("~/ketlearn/course")
)
