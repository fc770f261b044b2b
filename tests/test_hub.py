"""A real JupyterHub with nbgrader's exchange, end to end in headless Chromium.

The hub runs ``deploy/jupyterhub_config.py`` (the file docs/instructor-guide.md tells instructors
to use) on localhost, as root, with throw-away local Unix accounts this test creates: one
instructor and three students, each user's JupyterLab running as that user (LocalProcessSpawner).
Only the ports and the authenticator are overridden (JupyterHub's
``SharedPasswordAuthenticator``, one test password instead of PAM, so no real passwords are set).

1. The instructor's course (a copy of ``course/`` with ``00-orientation``) is set up and released
   with the guide's commands, run as the instructor (what they type in their JupyterLab terminal).
2. Each student logs in through the hub's login page, opens nbgrader's Assignments panel, fetches
   the assignment, types answers into the notebook (all, one, or none), saves and submits.
3. The instructor collects, runs ``ketlearn grade`` and ``ketlearn feedback`` and releases the
   feedback; a student fetches it from the Assignments panel.
4. Checks: scores (7, 1 and 0 of the 7 autograded points, from the source notebook's metadata);
   the feedback holds no hidden-test line; no student can list or read another student's
   submission or the instructor's course (with its solutions and hidden tests) through the
   exchange or the file system; nothing a student can read in the exchange holds a solution or a
   hidden test; no page requested anything outside localhost.

Everything (processes, accounts, homes, the exchange) is removed at the end, even on failure.
Skips, with the reason, unless run as root with ``useradd``, JupyterHub, its proxy, Chromium and
chromedriver. Screenshots go to ``build/browser-artefacts/hub-*.png``.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import COURSE, ROOT, stop_process_group
from test_browser import (
    ARTEFACTS,
    _free_port,
    _shot,
    menu_items,
    outside_requests,
    start_chromium,
)

pytestmark = pytest.mark.slow

ASSIGNMENT = "00-orientation"
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
PASSWORD = f"ketlearn-hub-test-{os.getpid()}"
TAG = f"kl{os.getpid() % 100000}"
INSTRUCTOR = f"{TAG}-instructor"
STUDENTS = [f"{TAG}-student{i}" for i in (1, 2, 3)]
#: What each student types into the answer cells, in order (the hidden tests decide the points).
ANSWERS = {
    STUDENTS[0]: [
        'w = bio.set_index("row_id").loc["rolan-sl"]; '
        'available_mg_wafer = float(w["dose_mg"] * w["bioavailability_pct"] / 100)',
        'n = bio[bio["route"] == "intranasal"]; weighted_f_intranasal_pct = '
        'float(np.average(n["bioavailability_pct"], weights=n["n_participants"]))',
        'f = bio.set_index("row_id")["bioavailability_pct"]; '
        'rel_change_f_pct = float((f["ph22-in50"] - f["ph22-in10"]) / f["ph22-in10"] * 100)',
        "ng_per_ml_to_um = lambda c: np.asarray(c, dtype=float) / (13 * 12.011 + 16 * 1.008 + "
        "35.45 + 14.007 + 15.999)",
        'h = to_um(bands["conc_high_ng_per_ml"].fillna(bands["conc_ng_per_ml"])); '
        'bands_below_1um = [str(b) for b in bands.loc[h < 1, "band_id"]]',
    ],
    STUDENTS[1]: [
        'w = bio.set_index("row_id").loc["rolan-sl"]; '
        'available_mg_wafer = float(w["dose_mg"] * w["bioavailability_pct"] / 100)'
    ],
    STUDENTS[2]: [],
}
#: The guide's JupyterHub commands (sections 2, 3 and 5) exactly as written there; this test
#: does each one, with scratch paths for /opt/ketlearn, /srv/nbgrader/exchange and /home
#: (tests/test_instructor_guide.py checks that every guide command is run somewhere).
GUIDE_COMMANDS = [
    "uv venv --python /usr/bin/python3 /opt/ketlearn/env",
    "uv pip install --python /opt/ketlearn/env/bin/python -r requirements/lock.txt",
    "uv pip install --python /opt/ketlearn/env/bin/python --no-deps .",
    "mkdir -p /srv/nbgrader/exchange && chmod 1777 /srv/nbgrader/exchange",
    "chmod 700 /home/*",
    'KETLEARN_HUB_ENV=/opt/ketlearn/env KETLEARN_HUB_INSTRUCTORS="instructor1" '
    'KETLEARN_HUB_STUDENTS="student001 student002" /opt/ketlearn/env/bin/jupyterhub '
    "-f /opt/ketlearn/deploy/jupyterhub_config.py",
    "cd ~/ketlearn/course",
    "nbgrader generate_assignment 00-orientation --force",
    "nbgrader db student import students.csv",
    "nbgrader release_assignment 00-orientation",
    "nbgrader collect 00-orientation",
    "ketlearn grade 00-orientation",
    "ketlearn feedback 00-orientation",
    "nbgrader release_feedback 00-orientation",
]
HUB_START_S = 60
SPAWN_S = 150


# ------------------------------------------------------------------------------------------
# set-up and tear-down
# ------------------------------------------------------------------------------------------
def _missing() -> str | None:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root on Linux to create throw-away Unix accounts (CI runs as root)"
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "jupyterhub is not installed (the `hub` extra: run `make env`)"
    if not (VENV_BIN / "configurable-http-proxy").exists() and not shutil.which(
        "configurable-http-proxy"
    ):
        return "configurable-http-proxy is not installed (the `hub` extra: run `make env`)"
    if _uv() is None:
        return "uv is not installed (make env bootstraps it into .venv)"
    if _system_python() is None:
        return "no Python >= 3.10 that other users can run (looked for /usr/bin/python3*)"
    return None


def _uv() -> str | None:
    candidate = VENV_BIN / "uv"
    return str(candidate) if candidate.exists() else shutil.which("uv")


def _system_python() -> str | None:
    """An interpreter outside root's home, so the throw-away accounts can run it."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3", "/usr/bin/python3.11"):
        path = Path(candidate)
        if path.exists() and os.stat(path.resolve()).st_mode & stat.S_IXOTH:
            done = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 10))"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.stdout.strip() == "True":
                return candidate
    return None


def _install_course_environment(base: Path) -> Path:
    """What an administrator does once: the course environment, readable by every account.

    A fresh environment from the lock (uv links the files from its cache, a few seconds) with
    ketlearn installed from this checkout, and a copy of deploy/ (the hub configuration and the
    per-view Jupyter configuration folders); both live outside root's home.
    """
    env = base / "env"
    _run([_uv(), "venv", "--quiet", "--python", _system_python(), env])
    _run([_uv(), "pip", "install", "--quiet", "--python", env / "bin" / "python",
          "-r", ROOT / "requirements" / "lock.txt"])  # fmt: skip
    _run([_uv(), "pip", "install", "--quiet", "--python", env / "bin" / "python", "--no-deps",
          ROOT])  # fmt: skip
    # compile what the servers, kernels and nbgrader import, as root, once: the accounts cannot
    # write __pycache__ into this environment, and recompiling on every start costs minutes
    _run([env / "bin" / "python", "-c", WARM_UP], env={"PYTHONDONTWRITEBYTECODE": ""})
    shutil.copytree(DEPLOY, base / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    return env


WARM_UP = """
import importlib
for name in [
    "jupyterhub.singleuser", "jupyterlab", "jupyterlab.labapp", "notebook", "jupyter_lsp",
    "jupyter_server_terminals", "jupyter_server.serverapp", "nbgrader.apps",
    "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list",
    "ipykernel.kernelapp", "ipywidgets", "numpy", "pandas", "scipy.stats", "matplotlib.pyplot",
    "seaborn", "statsmodels.api", "ketlearn", "ketlearn.data", "ketlearn.checks",
    "ketlearn.plots", "ketlearn.selfcheck", "ketlearn.grading.cli", "ketlearn.grading.runner",
    "ketlearn.grading.feedback",
]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
"""


def _run(cmd, user=None, cwd=None, env=None, check=True, timeout=300):
    """Run ``cmd`` as ``user`` (through runuser, with that user's home) or as root."""
    t0 = time.monotonic()
    try:
        return _run_now(cmd, user, cwd, env, check, timeout)
    finally:
        print(f"[{time.monotonic() - t0:5.1f} s] {' '.join(map(str, cmd))[:100]}")


def _run_now(cmd, user, cwd, env, check, timeout):
    full_env = {"PATH": f"{VENV_BIN}:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    if user is None:  # root's own steps (uv needs its cache and certificates settings)
        full_env = os.environ | full_env
    else:
        entry = pwd.getpwnam(user)
        full_env |= {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user}
        cmd = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", user, "--", *cmd]
    full_env |= env or {}
    full_env = {k: v for k, v in full_env.items() if v != ""}
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=full_env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} (as {user or 'root'}) exited {done.returncode}:\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def _user_env(base: Path, view: str) -> dict[str, str]:
    """What deploy/jupyterhub_config.py gives a user's server (so a terminal there has it too)."""
    deploy = base / "deploy"
    return {
        "PATH": f"{base / 'env' / 'bin'}:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": f"{deploy / 'jupyter' / view}:{deploy / 'jupyter'}",
        "KETLEARN_EXCHANGE": str(base / "exchange"),
        "KETLEARN_PROGRESS_FILE": "off",
    }


def _kill_user_processes(user: str) -> None:
    """End the processes of a throw-away account this test created (its servers and kernels)."""
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = [
            int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid
        ]
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if pids:
            time.sleep(1)


def _owner(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


@pytest.fixture(scope="module")
def hub():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="ketlearn-hub-"))
    base.chmod(0o755)
    users: list[str] = []
    proc = None
    log = None
    try:
        (base / "home").mkdir(mode=0o755)
        for user in (INSTRUCTOR, *STUDENTS):
            _run(["useradd", "--create-home", "--home-dir", base / "home" / user,
                  "--shell", "/bin/bash", "--user-group", user])  # fmt: skip
            users.append(user)
            (base / "home" / user).chmod(0o700)  # the guide: homes are private
        # nbgrader's exchange: everyone may create entries; the sticky bit stops anyone from
        # renaming or deleting entries they do not own (the guide's `chmod 1777`)
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)
        env_dir = _install_course_environment(base)
        _setup_course(base)
        port = _free_port()
        state = base / "hub-state"
        state.mkdir(mode=0o700)
        env = {
            "PATH": f"{VENV_BIN}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(state),
            "KETLEARN_HUB_ENV": str(env_dir),
            "KETLEARN_EXCHANGE": str(exchange),
            "KETLEARN_HUB_INSTRUCTORS": INSTRUCTOR,
            "KETLEARN_HUB_STUDENTS": " ".join(STUDENTS),
        }
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        log = (ARTEFACTS / "hub.log").open("w")
        proc = subprocess.Popen(
            [VENV_BIN / "jupyterhub", "-f", base / "deploy" / "jupyterhub_config.py",
             f"--JupyterHub.bind_url=http://127.0.0.1:{port}",
             f"--JupyterHub.hub_bind_url=http://127.0.0.1:{_free_port()}",
             f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{_free_port()}",
             "--JupyterHub.authenticator_class=shared-password",
             f"--SharedPasswordAuthenticator.user_password={PASSWORD}"],
            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + HUB_START_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/hub/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterHub did not start (see {ARTEFACTS / 'hub.log'})")
            time.sleep(0.5)
        yield {"url": url, "base": base, "course": _course(base)}
    finally:
        if proc is not None:
            stop_process_group(proc)
        if log is not None:
            log.close()
        for user in users:
            _kill_user_processes(user)
            _run(["userdel", "--remove", user], check=False)
        shutil.rmtree(base, ignore_errors=True)


def _course(base: Path) -> Path:
    return base / "home" / INSTRUCTOR / "ketlearn" / "course"


def _setup_course(base: Path) -> None:
    """The instructor's clone of the course and the guide's set-up commands (section 2)."""
    course = _course(base)
    course.mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", course)
    for folder in ("source", "release"):
        shutil.copytree(COURSE / folder / ASSIGNMENT, course / folder / ASSIGNMENT)
    with (course / "students.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "first_name", "last_name", "email"])
        for i, student in enumerate(STUDENTS, 1):
            writer.writerow([student, "Test", f"Student {i}", ""])
    _run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", base / "home" / INSTRUCTOR / "ketlearn"])
    env = _user_env(base, "instructor")
    for cmd in (
        ["nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        ["nbgrader", "db", "student", "import", "students.csv"],
        ["nbgrader", "release_assignment", ASSIGNMENT],
    ):
        _run(cmd, user=INSTRUCTOR, cwd=course, env=env)


# ------------------------------------------------------------------------------------------
# the browser side
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def driver():
    browser, profile = start_chromium()
    yield browser
    _shot(browser, "hub-last")  # where the test stopped, pass or fail
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, timeout=SPAWN_S):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout)


def _log_in(driver, url: str, user: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver.get(f"{url}/hub/logout")  # whoever used this browser before logs out first
    driver.delete_all_cookies()
    driver.get(f"{url}/hub/login")
    _wait(driver, 30).until(ec.presence_of_element_located((By.ID, "username_input")))
    driver.find_element(By.ID, "username_input").send_keys(user)
    driver.find_element(By.ID, "password_input").send_keys(PASSWORD)
    driver.find_element(By.ID, "login_submit").click()
    # the hub spawns the user's server; its "starting up" page redirects to JupyterLab when the
    # progress stream says so. Under load that stream can be cut (then the page waits for
    # ever), so reload the user's URL now and then, as a person would.
    from selenium.common.exceptions import TimeoutException

    deadline = time.monotonic() + SPAWN_S
    while True:
        try:
            _wait(driver, 15).until(
                ec.presence_of_element_located((By.CSS_SELECTOR, "#jp-main-dock-panel"))
            )
            break
        except TimeoutException:
            if time.monotonic() > deadline:
                raise
            driver.get(f"{url}/user/{user}/lab")
    _dismiss_news(driver)


def _dismiss_news(driver) -> None:
    """Answer JupyterLab's "get notified about news?" toast (it covers the notebook)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(
        By.XPATH, "//div[contains(@class,'Toastify')]//button[normalize-space()='No']"
    ):
        try:
            button.click()
        except WebDriverException:
            pass


def _menu(driver, top: str, item: str) -> None:
    """Choose ``top`` → ``item`` in JupyterLab's menu bar (opening the menu again if needed)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    top_xpath = f"//div[contains(@class,'lm-MenuBar-itemLabel') and normalize-space()='{top}']"
    item_xpath = f"//div[contains(@class,'lm-Menu-itemLabel') and normalize-space()='{item}']"
    for _ in range(3):
        if not driver.find_elements(By.XPATH, item_xpath):
            _wait(driver, 60).until(ec.element_to_be_clickable((By.XPATH, top_xpath))).click()
        try:
            _wait(driver, 10).until(ec.element_to_be_clickable((By.XPATH, item_xpath))).click()
            return
        except TimeoutException:
            continue
    raise AssertionError(f"no menu item {top} → {item}")


def _assignments_button(driver, label: str, timeout=90):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    return _wait(driver, timeout).until(ec.element_to_be_clickable((By.XPATH, (
        f"//button[normalize-space()='{label}' and not(@disabled)]"
    ))))  # fmt: skip


def _answer(driver, url: str, user: str, answers: list[str]) -> None:
    """Open the fetched notebook, replace the first answer cells' stubs, and save."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    driver.get(f"{url}/user/{user}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    _wait(driver, 90).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .cm-content"))
    )
    _dismiss_news(driver)

    # JupyterLab renders only the cells near the viewport, so walk the notebook with the
    # keyboard (command mode, Down) as a student would, and edit each stub in turn
    def keys(*sequence):
        ActionChains(driver).send_keys(*sequence).perform()

    def ctrl(key):
        ActionChains(driver).key_down(Keys.CONTROL).send_keys(key).key_up(Keys.CONTROL).perform()

    for attempt in range(5):  # the notebook re-renders once its kernel is up
        time.sleep(1)
        try:
            driver.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell").click()
            break
        except WebDriverException:
            if attempt == 4:
                raise
    keys(Keys.ESCAPE)
    todo = list(answers)
    for _ in range(80):
        if not todo:
            break
        active = driver.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell.jp-mod-active")
        if "YOUR CODE HERE" in active.text and "jp-CodeCell" in active.get_attribute("class"):
            text = todo.pop(0)
            keys(Keys.ENTER)  # edit mode
            ctrl("a")
            keys(Keys.DELETE)
            keys(text)
            shown = active.find_element(By.CSS_SELECTOR, ".cm-content").text
            assert shown.strip() == text, f"typed {text!r}, the editor shows {shown!r}"
            keys(Keys.ESCAPE)
        keys(Keys.DOWN)
        time.sleep(0.1)
    assert not todo, f"{len(todo)} answer(s) not typed: no more answer cells"
    ctrl("s")
    time.sleep(1)
    _shot(driver, f"hub-{user.removeprefix(TAG + '-')}-answered")


def _saved_answers(base: Path, user: str) -> list[str]:
    nb = nbformat.read(base / "home" / user / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return [
        c.source
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    ]


def _student_round(driver, hub, user: str) -> list[str]:
    """Log in, fetch from the Assignments panel, answer, save, submit (all in the browser)."""
    url, base = hub["url"], hub["base"]
    _log_in(driver, url, user)
    labels = menu_items(driver, "Nbgrader")
    _menu(driver, "Nbgrader", "Assignment List")
    _assignments_button(driver, "Fetch").click()
    _assignments_button(driver, "Submit")  # appears once the assignment is downloaded
    _shot(driver, f"hub-{user.removeprefix(TAG + '-')}-fetched")
    assert (base / "home" / user / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    if ANSWERS[user]:  # the third student submits the notebook untouched
        _answer(driver, url, user, ANSWERS[user])
        deadline = time.monotonic() + 30
        while _saved_answers(base, user)[: len(ANSWERS[user])] != ANSWERS[user]:
            assert time.monotonic() < deadline, "the answers typed in the browser were not saved"
            time.sleep(0.5)
    driver.get(f"{url}/user/{user}/lab")
    _wait(driver, 90).until(lambda d: d.find_elements("css selector", "#jp-main-dock-panel"))
    _dismiss_news(driver)
    _menu(driver, "Nbgrader", "Assignment List")
    _assignments_button(driver, "Submit").click()
    _wait(driver, 60).until(
        lambda d: (
            list((base / "exchange" / "ketlearn").glob("inbound"))
            and any(
                p.name.startswith(f"{user}+")
                for p in (base / "exchange/ketlearn/inbound").iterdir()
            )
        )
    )
    time.sleep(1)
    _shot(driver, f"hub-{user.removeprefix(TAG + '-')}-submitted")
    return labels


# ------------------------------------------------------------------------------------------
# the test
# ------------------------------------------------------------------------------------------
def _autograded_points() -> dict[str, float]:
    nb = nbformat.read(COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    }


def _hidden_lines() -> set[str]:
    """Distinctive lines of the source notebook's hidden tests and solutions."""
    nb = nbformat.read(COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    lines = set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "### BEGIN HIDDEN TESTS" in line or "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END HIDDEN TESTS" in line or "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 12 and not line.strip().startswith("#"):
                lines.add(line.strip())
    return lines


def test_hub_release_submit_grade_feedback(hub, driver):
    started = time.monotonic()
    # students: log in, fetch, answer, submit, through the browser
    menus = {user: _student_round(driver, hub, user) for user in STUDENTS}
    for user, labels in menus.items():
        assert "Assignment List" in labels, labels
        assert "Formgrader" not in labels and "Course List" not in labels, (user, labels)
    assert outside_requests(driver) == []
    _instructor_round(driver, hub)
    _feedback_round(driver, hub)
    assert outside_requests(driver) == []
    _check_isolation(hub["base"], hub["course"])
    print(f"hub round trip took {time.monotonic() - started:.0f} s")


#: The guide's commands after the deadline (sections 3 to 5), run as the instructor in the
#: environment their JupyterLab terminal has. tests/test_instructor_guide.py checks the guide
#: lists them.
HUB_COMMANDS = [
    ["nbgrader", "collect", ASSIGNMENT],
    ["ketlearn", "grade", ASSIGNMENT],
    ["ketlearn", "feedback", ASSIGNMENT],
    ["nbgrader", "release_feedback", ASSIGNMENT],
]


def _instructor_round(driver, hub) -> None:
    url, base, course = hub["url"], hub["base"], hub["course"]
    _log_in(driver, url, INSTRUCTOR)
    labels = menu_items(driver, "Nbgrader")
    assert {"Formgrader", "Assignment List"} <= set(labels), labels
    _shot(driver, "hub-instructor-lab")
    env = _user_env(base, "instructor")
    outputs = {}
    for cmd in HUB_COMMANDS:
        extra = ["--no-progress", "-j", "2"] if cmd[1] == "grade" else []
        outputs[cmd[1]] = _run(cmd + extra, user=INSTRUCTOR, cwd=course, env=env).stdout

    # scores, from the gradebook, against the source notebook's points
    from nbgrader.api import Gradebook

    points = _autograded_points()
    expected = {STUDENTS[0]: sum(points.values()), STUDENTS[1]: points["q1_tests"], STUDENTS[2]: 0}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "ketlearn") as gb:
        scores = {s: gb.find_submission(ASSIGNMENT, s).code_score for s in STUDENTS}
    assert scores == expected, (scores, outputs["grade"])
    for user in STUDENTS:  # the score summary `ketlearn grade` ends with
        line = next(ln for ln in outputs["grade"].splitlines() if ln.strip().startswith(user))
        assert f"{expected[user]:g} / {sum(points.values()):g}" in line, line


def _feedback_round(driver, hub) -> None:
    """The first student fetches the feedback in the browser; it has no hidden test."""
    url, base = hub["url"], hub["base"]
    first = STUDENTS[0]
    _log_in(driver, url, first)
    _menu(driver, "Nbgrader", "Assignment List")
    _assignments_button(driver, "Fetch Feedback").click()
    feedback_dir = base / "home" / first / ASSIGNMENT / "feedback"
    _wait(driver, 60).until(lambda d: list(feedback_dir.glob("*/*.html")))
    time.sleep(1)
    _shot(driver, "hub-student1-feedback-fetched")
    (feedback,) = feedback_dir.glob("*/*.html")
    html = feedback.read_text(encoding="utf-8")
    assert "q1_tests" in html and first in html, html[:500]
    leaked = [line for line in _hidden_lines() if line in html]
    assert not leaked, f"feedback shows hidden tests or solutions: {leaked[:3]}"
    assert "BEGIN HIDDEN TESTS" not in html


READ_PROBE = """
import json, os, sys
out = {}
for path in sys.argv[1:]:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        out[path] = "readable"
    except PermissionError:
        out[path] = "denied"
    except FileNotFoundError:
        out[path] = "missing"
print(json.dumps(out))
"""


def _check_isolation(base: Path, course: Path) -> None:
    exchange = base / "exchange" / "ketlearn"
    victim, snoop = STUDENTS[0], STUDENTS[1]
    submitted_copy = next((course / "submitted" / victim / ASSIGNMENT).glob("*.ipynb"))
    targets = [
        exchange / "inbound",  # every submission (write-only for students)
        exchange / "feedback",  # every student's feedback (named by a secret hash)
        base / "home" / victim,  # the other student's home, with their fetched/submitted work
        base / "home" / victim / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        base / "home" / INSTRUCTOR,  # the instructor's home: source notebooks, gradebook
        course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        submitted_copy,
        course / "gradebook.db",
    ]
    done = _run([base / "env" / "bin" / "python", "-c", READ_PROBE, *targets], user=snoop, cwd="/")
    result = json.loads(done.stdout)
    readable = {p: v for p, v in result.items() if v == "readable"}
    assert not readable, f"{snoop} can read another's work or the course: {readable}"
    # what a student *can* read in the exchange (the released assignment) has no solution
    # or hidden test in it
    secrets = _hidden_lines()
    for path in (exchange / "outbound").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text, path
            assert not [s for s in secrets if s in text], path
    # permissions nbgrader relies on
    assert stat.S_IMODE((exchange / "inbound").stat().st_mode) & 0o044 == 0
    assert stat.S_IMODE((exchange / "feedback").stat().st_mode) & 0o044 == 0
