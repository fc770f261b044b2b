# nbgrader settings for every user's server on the hub (students and instructors): which course
# this is and where nbgrader's exchange lives. deploy/jupyterhub_config.py puts this folder on
# JUPYTER_CONFIG_PATH; without JupyterHub, copy this file to /etc/jupyter/nbgrader_config.py.
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = "ketlearn"
c.Exchange.root = os.environ.get("KETLEARN_EXCHANGE", "/srv/nbgrader/exchange")
