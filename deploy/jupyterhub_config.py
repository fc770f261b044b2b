# JupyterHub configuration for one ketlearn course on one machine, with nbgrader's exchange.
# docs/instructor-guide.md (section 2) explains each part; tests/test_hub.py runs this very file
# with throw-away Unix accounts (it overrides only the port and the authenticator on the command
# line, and the names, paths and environment through the KETLEARN_HUB_* variables below).
#
#   jupyterhub -f /path/to/ketlearn/deploy/jupyterhub_config.py
#
# Accounts are local Unix users (PAMAuthenticator, JupyterHub's default); each user's server runs
# as that user (LocalProcessSpawner), so the file system keeps students apart: homes must be 0700.
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it reads this file)

DEPLOY = Path(__file__).resolve().parent
#: The Python environment holding JupyterLab, nbgrader and ketlearn (the repository's .venv).
ENV_PREFIX = os.environ.get("KETLEARN_HUB_ENV", sys.prefix)
#: nbgrader's exchange folder (created once by root: see the guide); read by deploy/jupyter/.
EXCHANGE = os.environ.get("KETLEARN_EXCHANGE", "/srv/nbgrader/exchange")
INSTRUCTORS = set(os.environ.get("KETLEARN_HUB_INSTRUCTORS", "instructor1").split())
STUDENTS = set(os.environ.get("KETLEARN_HUB_STUDENTS", "student001 student002").split())

c.JupyterHub.bind_url = os.environ.get("KETLEARN_HUB_URL", "http://127.0.0.1:8000")
c.Authenticator.allowed_users = INSTRUCTORS | STUDENTS
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(Path(ENV_PREFIX, "bin", "jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def _views(spawner):
    """Give instructors the instructor view and everyone else the student view.

    Each view is a Jupyter configuration folder in deploy/jupyter/ put first on
    ``JUPYTER_CONFIG_PATH``: the student folder hides nbgrader's formgrader, course list and
    Create Assignment tools (lab extensions through ``labconfig/page_config.json``, server
    extensions through ``jupyter_server_config.json``); both share the exchange settings in
    ``deploy/jupyter/nbgrader_config.py``.
    """
    view = "instructor" if spawner.user.name in INSTRUCTORS else "student"
    spawner.environment.update(
        {
            "JUPYTER_CONFIG_PATH": os.pathsep.join(
                [str(DEPLOY / "jupyter" / view), str(DEPLOY / "jupyter")]
            ),
            "KETLEARN_EXCHANGE": EXCHANGE,
            "KETLEARN_VIEW": view,
            "PATH": os.pathsep.join([str(Path(ENV_PREFIX, "bin")), "/usr/bin", "/bin"]),
        }
    )


c.Spawner.pre_spawn_hook = _views
