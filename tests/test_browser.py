"""End-to-end tests in headless Chromium (Debian's chromium + chromium-driver, driven by selenium).

1. The built website (tools/build_site.py) opens, its images decode, and axe-core (installed from
   npm into ``build/cache/axe`` at test time) finds no accessibility violation of any impact on
   any content page.
2. JupyterLab, started by ``make lab`` itself (on a free port, with a token, no browser, and a
   scratch folder as its root so your own ``my-work/`` is never opened or autosaved), runs
   00-orientation and a simulation notebook; every widget control can take keyboard focus, and
   changing a dropdown or moving a slider with the keyboard alone changes the widget's printed
   summary.

Screenshots and the axe report are saved in ``build/browser-artefacts/`` (git-ignored) for CI to
keep. Every test skips, with the reason, when Chromium, chromedriver, selenium, make or npm is
missing (``.ci/run`` installs Chromium with apt-get on CI).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import build_site
import pytest
from conftest import RELEASE, ROOT, stop_process_group

# One worker runs them all: the fixtures (Chromium, `make lab`, `make instructor`) start
# once instead of once per pytest-xdist worker, and (module-scoped) stop when they are done.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

ARTEFACTS = ROOT / "build" / "browser-artefacts"
AXE_CACHE = ROOT / "build" / "cache" / "axe"
AXE_VERSION = "4"  # npm range; the installed version is recorded in the report
CHROMIUM = os.environ.get("KETLEARN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = (
    os.environ.get("KETLEARN_CHROMEDRIVER")
    or shutil.which("chromedriver")
    or "/usr/bin/chromedriver"
)
#: Flags for Chromium as root on a machine with no outside network (see .library machines notes).
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
]
SIMULATION_NOTEBOOKS = ("02-pharmacokinetics", "04-reading-trials")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shot(driver, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def start_chromium():
    """Headless Chromium with DevTools performance logs on; returns (driver, profile folder)."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the `site` extra)")
    from selenium.webdriver.chrome.service import Service

    for what, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not Path(path).exists():
            pytest.skip(
                f"{what} not found ({path}); install Debian's chromium and chromium-driver "
                "(`apt-get install -y chromium chromium-driver`, as .ci/run does)"
            )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = ROOT / "build" / "cache" / f"chromium-profile-{os.getpid()}-{time.monotonic_ns()}"
    options.add_argument(f"--user-data-dir={profile}")
    # every request a page makes is logged, so a test can check that none left localhost
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_script_timeout(60)
    browser.set_page_load_timeout(60)
    return browser, profile


#: Schemes and hosts a page may load from: the test's own servers and in-page data.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def outside_requests(driver) -> list[str]:
    """URLs requested since the last call that leave localhost (from the DevTools log)."""
    from urllib.parse import urlsplit

    outside = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        url = message["params"]["request"]["url"]
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
            continue
        if parts.hostname not in LOCAL_HOSTS and f"[{parts.hostname}]" not in LOCAL_HOSTS:
            outside.append(url)
    return outside


@pytest.fixture(scope="module")
def driver():
    browser, profile = start_chromium()
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def _offline(request):
    """Fail a browser test whose pages requested anything outside localhost."""
    if "driver" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("driver")
    outside_requests(browser)  # forget what earlier tests requested
    yield
    leaks = outside_requests(browser)
    assert not leaks, f"pages requested {len(leaks)} URL(s) outside localhost: {leaks[:5]}"


# ------------------------------------------------------------------------------------------
# the website
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site_url():
    pytest.importorskip("jupyter_book", reason="the `site` extra (jupyter-book) is not installed")
    html_dir = build_site.ensure_built()
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", html_dir
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


def _content_pages(html_dir: Path) -> list[str]:
    pages = [
        p.relative_to(html_dir).as_posix()
        for p in sorted(html_dir.rglob("*.html"))
        if not p.relative_to(html_dir).as_posix().startswith(("_static/", "_sources/"))
    ]
    return [p for p in pages if p not in ("genindex.html", "search.html")]


def test_site_opens_and_its_figures_render(driver, site_url):
    base, _ = site_url
    driver.get(f"{base}/index.html")
    assert "ketlearn" in driver.title
    _shot(driver, "site-home")
    driver.get(f"{base}/notebooks/00-orientation.html")
    broken = driver.execute_script(
        "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.alt || i.src.slice(0, 60));"
    )
    assert not broken, f"images that did not render: {broken}"
    snapshot = driver.find_element("css selector", f".{build_site.SNAPSHOT_CLASS}")
    driver.execute_script("arguments[0].scrollIntoView();", snapshot)
    assert "Route:" in snapshot.text
    _shot(driver, "site-orientation-widget-snapshot")
    links = driver.execute_script("return [...document.links].map(a => a.href);")
    if build_site.binder_enabled(build_site.site_config()):
        assert any(u.startswith("https://mybinder.org/v2/") for u in links)
    else:  # placeholder repository address: the page says how to switch Binder on
        assert not any("mybinder.org" in u or ".invalid" in u for u in links), links
        assert "Binder is not set up" in driver.find_element("tag name", "body").text
    # MathJax is the site's own copy (the offline check fails on any CDN request), loaded only on
    # pages with maths, as one script (not every component), and it renders the equations.
    driver.get(f"{base}/notebooks/03-nmda-neuroplasticity.html")
    mathjax = driver.execute_script(
        "return [...document.scripts].map(s => s.src).filter(s => /mathjax/i.test(s));"
    )
    assert len(mathjax) == 1 and mathjax[0].startswith(base), mathjax
    rendered = 0
    for _ in range(50):
        rendered = driver.execute_script(
            "return document.querySelectorAll('mjx-container').length;"
        )
        if rendered:
            break
        time.sleep(0.2)
    assert rendered > 0, "MathJax did not render the equations of notebook 03"


def _axe_source() -> str:
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core cannot be fetched for the audit")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--prefix",
             str(AXE_CACHE), f"axe-core@{AXE_VERSION}"],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not script.exists():
            pytest.skip(f"`npm install axe-core` failed (offline?): {done.stderr[-300:]}")
    return script.read_text(encoding="utf-8")


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done({
  version: axe.version,
  violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))
})).catch(e => done({error: String(e)}));
"""


def test_site_has_no_accessibility_violations(driver, site_url):
    base, html_dir = site_url
    axe = _axe_source()
    report, found = {}, []
    for page in _content_pages(html_dir):
        driver.get(f"{base}/{page}")
        driver.execute_script(axe)
        result = driver.execute_async_script(AXE_RUN)
        assert "error" not in result, f"axe failed on {page}: {result.get('error')}"
        report[page] = result
        found += [
            f"{page}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
            for v in result["violations"]  # any impact (issue 13): minor ones too
        ]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "axe-report.json").write_text(json.dumps(report, indent=2) + "\n")
    assert len(report) >= 5
    assert not found, "axe-core violations:\n" + "\n".join(found)


# ------------------------------------------------------------------------------------------
# JupyterLab, started by `make lab`
# ------------------------------------------------------------------------------------------
def _start_make(target: str, root_var: str, root: Path, log_name: str):
    """Start `make lab` or `make instructor` on a free port with a token; yield (url, token)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    stamp = subprocess.run(
        ["make", "-q", ".venv/.ketlearn-installed"], cwd=ROOT, capture_output=True, check=False
    )
    if stamp.returncode != 0:
        pytest.skip("the .venv environment is out of date; run `make env` first")
    port, token = _free_port(), f"ketlearn-test-{os.getpid()}"
    args = f"--no-browser --IdentityProvider.token={token}"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTEFACTS / log_name).open("w")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", target, f"PORT={port}", f"{root_var}={root}",
         f"LAB_ARGS={args}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`make {target}` did not start (see {ARTEFACTS / log_name})")
            time.sleep(0.5)
        yield base, token
    finally:
        stop_process_group(proc)
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` serving a scratch my-work/ (it copies the assignments there itself)."""
    work = tmp_path_factory.mktemp("lab-root") / "my-work"
    yield from _start_make("lab", "LAB_ROOT", work, "jupyterlab.log")


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """`make instructor` serving a scratch copy of the course folder."""
    course = tmp_path_factory.mktemp("instructor-root") / "course"
    course.mkdir()
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course)
    for folder in ("source", "release"):
        shutil.copytree(ROOT / "course" / folder / "00-orientation",
                        course / folder / "00-orientation")  # fmt: skip
    yield from _start_make("instructor", "INSTRUCTOR_ROOT", course, "jupyterlab-instructor.log")


def _open_and_run_all(driver, base: str, token: str, name: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/lab/tree/{name}/{name}.ipynb?token={token}")
    wait = WebDriverWait(driver, 90)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")))
    # the notebook's kernel must be idle before "Run All Cells", or the first cells can be lost
    wait.until(lambda d: _kernel_idle(base, token, name))
    for toast_button in driver.find_elements(
        By.XPATH, "//div[contains(@class,'Toastify')]//button[normalize-space()='No']"
    ):
        toast_button.click()  # JupyterLab's "get notified about news?" toast hides the widgets
    menu = wait.until(
        ec.element_to_be_clickable(
            (By.XPATH, "//div[contains(@class,'lm-MenuBar-itemLabel') and normalize-space()='Run']")
        )
    )
    menu.click()
    wait.until(
        ec.element_to_be_clickable(
            (
                By.XPATH,
                "//div[contains(@class,'lm-Menu-itemLabel') and normalize-space()='Run All Cells']",
            )
        )
    ).click()
    return wait


def _kernel_idle(base: str, token: str, name: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as r:
            sessions = json.load(r)
    except OSError:
        return False
    return any(
        s["path"].endswith(f"{name}.ipynb") and s["kernel"]["execution_state"] == "idle"
        for s in sessions
    )


def _widget_output_text(driver, control) -> str:
    """The text of the output area in the same widget box as ``control``."""
    return driver.execute_script(
        "const box = arguments[0].closest('.jp-OutputArea-output');"
        "const out = box && box.querySelector('.widget-output, .jupyter-widgets-output-area');"
        "return out ? out.textContent : '';",
        control,
    )


def _scroll_to_widget(driver, control) -> None:
    """Scroll the widget's output area (plot and summary) to the top, for the screenshots."""
    driver.execute_script(
        "const box = arguments[0].closest('.jp-OutputArea-output') || arguments[0];"
        "const out = box.querySelector('.widget-output') || box;"
        "out.scrollIntoView({block: 'start'});",
        control,
    )
    time.sleep(0.5)


def _wait_for_text_change(driver, control, before: str, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = _widget_output_text(driver, control)
        if text and text != before:
            return text
        time.sleep(0.3)
    return _widget_output_text(driver, control)


def _stderr_in_widget_cells(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".filter(o => o.querySelector('.jupyter-widgets') || o.closest('.jupyter-widgets'))"
        ".flatMap(o => [...o.querySelectorAll('[data-mime-type=\"application/vnd.jupyter.stderr\"]')])"
        ".map(e => e.innerText.slice(0, 300));"
    )


def _unfocusable_widget_controls(driver) -> list[str]:
    """Widget controls (inputs, dropdowns, buttons, slider handles) that Tab cannot reach."""
    return driver.execute_script(
        "return [...document.querySelectorAll('.jupyter-widgets input, .jupyter-widgets select,"
        " .jupyter-widgets button, .jupyter-widgets textarea, .jupyter-widgets .noUi-handle')]"
        ".filter(e => !e.disabled && e.tabIndex < 0).map(e => e.outerHTML.slice(0, 120));"
    )


def test_lab_orientation_dropdown_changes_the_summary(driver, lab):
    """The orientation widget works, by keyboard alone (issue 13: every widget operable by
    keyboard; the slider test below does the same for a simulation's sliders)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    base, token = lab
    wait = _open_and_run_all(driver, base, token, "00-orientation")
    select = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".widget-dropdown select"))
    )
    wait.until(lambda d: _kernel_idle(base, token, "00-orientation"))
    _scroll_to_widget(driver, select)
    wait.until(lambda d: "estimates from" in _widget_output_text(d, select))
    before = _widget_output_text(driver, select)
    _shot(driver, "lab-00-orientation-before")
    assert not _unfocusable_widget_controls(driver), "widget controls a keyboard cannot reach"
    choice = Select(select)
    options = [o.text for o in choice.options]
    current = choice.first_selected_option.text
    # Keyboard only, as a keyboard user would: focus the dropdown, then one arrow key.
    driver.execute_script("arguments[0].focus();", select)
    assert driver.switch_to.active_element == select, "the dropdown cannot take keyboard focus"
    # Type the first letter of another option (a closed dropdown's keyboard selection; headless
    # Chromium ignores arrow keys on a closed <select>).
    other = next(o for o in options if o[:1].lower() != current[:1].lower())
    ActionChains(driver).send_keys(other[0]).perform()  # to the focused element, like a keyboard
    wait.until(
        lambda d: Select(select).first_selected_option.text != current,
        "the arrow key did not change the dropdown's choice",
    )
    other = Select(select).first_selected_option.text
    after = _wait_for_text_change(driver, select, before)
    _scroll_to_widget(driver, select)
    _shot(driver, "lab-00-orientation-after")
    assert after != before, f"summary did not change after choosing {other!r}"
    assert f"{other}:" in after, f"the summary should now describe {other!r}: {after[:200]!r}"
    assert not _stderr_in_widget_cells(driver)


def menu_items(driver, top: str) -> list[str]:
    """The labels of a top-level JupyterLab menu's items (opened, read, closed again)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(ec.element_to_be_clickable((By.XPATH, (
        f"//div[contains(@class,'lm-MenuBar-itemLabel') and normalize-space()='{top}']"
    )))).click()  # fmt: skip
    time.sleep(0.5)
    labels = [
        e.text.strip()
        for e in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu .lm-Menu-itemLabel")
        if e.text.strip()
    ]
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    return labels


def side_panels(driver) -> list[str]:
    """Titles of the panels in JupyterLab's left and right sidebars."""
    return driver.execute_script(
        "return [...document.querySelectorAll('.jp-SideBar .lm-TabBar-tab')]"
        ".map(t => t.title || t.getAttribute('data-id') || '');"
    )


def open_lab(driver, url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 90).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#jp-main-dock-panel .lm-TabBar"))
    )
    time.sleep(2)  # let every plugin add its menu items and panels
    for button in driver.find_elements(
        By.XPATH, "//div[contains(@class,'Toastify')]//button[normalize-space()='No']"
    ):
        button.click()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_make_lab_is_the_student_view(driver, lab):
    base, token = lab
    open_lab(driver, f"{base}/lab?token={token}")
    _shot(driver, "view-student")
    labels = menu_items(driver, "Nbgrader")
    panels = side_panels(driver)
    (ARTEFACTS / "view-student.json").write_text(json.dumps({"menu": labels, "panels": panels}))
    assert "Assignment List" in labels, labels
    for hidden in ("Formgrader", "Course List"):
        assert hidden not in labels, f"the student view offers {hidden}: {labels}"
    assert not [p for p in panels if "Create Assignment" in p or "create-assignment" in p], panels
    # the server side: no formgrader, and only my-work/ is served (no course/source/)
    assert _status(f"{base}/formgrader?token={token}") == 404
    with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=30) as r:
        names = {item["name"] for item in json.load(r)["content"]}
    assert "00-orientation" in names and not names & {"course", "source", "my-work"}, names
    assert _status(f"{base}/api/contents/..%2Fcourse?token={token}") in (400, 403, 404)


def test_make_instructor_is_the_instructor_view(driver, instructor_lab):
    base, token = instructor_lab
    open_lab(driver, f"{base}/lab?token={token}")
    _shot(driver, "view-instructor")
    labels = menu_items(driver, "Nbgrader")
    panels = side_panels(driver)
    (ARTEFACTS / "view-instructor.json").write_text(json.dumps({"menu": labels, "panels": panels}))
    assert {"Formgrader", "Assignment List"} <= set(labels), labels
    assert [p for p in panels if "Create Assignment" in p or "create-assignment" in p], panels
    assert _status(f"{base}/formgrader?token={token}") == 200
    driver.get(f"{base}/formgrader?token={token}")
    _shot(driver, "view-instructor-formgrader")
    with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=30) as r:
        names = {item["name"] for item in json.load(r)["content"]}
    assert {"source", "release", "nbgrader_config.py"} <= names, names


def _simulation_notebook() -> str:
    for name in SIMULATION_NOTEBOOKS:
        if (RELEASE / name / f"{name}.ipynb").exists():
            return name
    pytest.skip(f"none of {SIMULATION_NOTEBOOKS} is in course/release yet")


def test_lab_simulation_slider_changes_the_summary(driver, lab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, token = lab
    name = _simulation_notebook()
    wait = _open_and_run_all(driver, base, token, name)

    def slider_with_summary(d):
        """The first slider whose widget box also shows an output area with text."""
        for candidate in d.find_elements(By.CSS_SELECTOR, ".widget-slider .noUi-handle"):
            if _widget_output_text(d, candidate).strip():
                return candidate
        return False

    handle = wait.until(slider_with_summary, "no slider next to a printed summary")
    # "Run All" stops at the first blank answer cell; wait for that so the page stops scrolling
    wait.until(lambda d: _kernel_idle(base, token, name))
    _scroll_to_widget(driver, handle)
    before = _widget_output_text(driver, handle)
    _shot(driver, f"lab-{name}-before")
    assert not _unfocusable_widget_controls(driver), "widget controls a keyboard cannot reach"
    driver.execute_script("arguments[0].focus();", handle)  # as Tab would, without a mouse
    assert driver.switch_to.active_element == handle, "the slider cannot take keyboard focus"
    handle.send_keys(Keys.ARROW_RIGHT)  # one step, as a keyboard user would
    after = _wait_for_text_change(driver, handle, before, timeout_s=45)
    wait.until(lambda d: _kernel_idle(base, token, name))
    after = _widget_output_text(driver, handle)
    readout = driver.execute_script(
        "const s = arguments[0].closest('.widget-slider');"
        "const r = s && s.querySelector('.widget-readout'); return r ? r.textContent.trim() : '';",
        handle,
    )
    _scroll_to_widget(driver, handle)
    _shot(driver, f"lab-{name}-after")
    assert after != before, "moving the slider did not change the printed summary"
    if name == "02-pharmacokinetics":  # the dose slider comes first; the summary names the dose
        assert f"{float(readout):g} mg/kg" in after, (readout, after[:200])
    assert not _stderr_in_widget_cells(driver)


def test_lab_glossary_link_opens_the_term(driver, lab):
    """A glossary link in a student notebook (made by nbgrader's generate step) opens the
    glossary.md shipped beside it in JupyterLab's Markdown preview, scrolled to the term, with
    no network (the autouse fixture fails the test on any request outside localhost). The term
    chosen has an apostrophe, the one character in a heading id beyond letters and hyphens."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from ketlearn import glossary

    base, token = lab
    name, term = "05-evidence-synthesis", "Egger's test"
    fragment = glossary.heading_id(term)
    notebook = (RELEASE / name / f"{name}.ipynb").read_text(encoding="utf-8")
    assert f"(glossary.md#{fragment})" in notebook, f"{name} does not link {term!r}"
    open_lab(driver, f"{base}/lab/tree/{name}/{name}.ipynb?token={token}")
    wait = WebDriverWait(driver, 90)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")))

    def rendered_link(d):
        for link in d.find_elements(By.CSS_SELECTOR, ".jp-Notebook a[href*='glossary.md']"):
            href = d.execute_script("return arguments[0].hash;", link)
            if urllib.parse.unquote(href) == f"#{fragment}":
                return link
        d.execute_script(  # cells render as they come into view: scroll on
            "document.querySelector('.jp-WindowedPanel-outer, .jp-Notebook').scrollBy(0, 600);"
        )
        return False

    link = wait.until(rendered_link, f"no rendered link to #{fragment}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    driver.execute_script("arguments[0].click();", link)
    selector = f'[data-jupyter-id="{fragment}"], [id="{fragment}"]'

    def heading_in_view(d):
        for heading in d.find_elements(By.CSS_SELECTOR, f".jp-RenderedMarkdown {selector}"):
            if heading.is_displayed() and d.execute_script(
                "const r = arguments[0].getBoundingClientRect();"
                "return r.top >= 0 && r.bottom <= window.innerHeight;",
                heading,
            ):
                return heading
        return False

    heading = wait.until(heading_in_view, f"glossary.md did not open at {term!r}")
    _shot(driver, "lab-glossary-link")
    assert heading.text.replace("¶", "").strip() == term
    tabs = [t.text for t in driver.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tabLabel")]
    assert "glossary.md" in tabs, tabs


if __name__ == "__main__":  # pragma: no cover - run one file by hand
    sys.exit(pytest.main([__file__, "-q"]))
