"""Real Jupyter front ends for the widget's browser tests: a JupyterLab 4 or Notebook 7
server started by the test (its own folders, a free port on 127.0.0.1, a token), headless
Chromium driven by Playwright (Debian's ``/usr/bin/chromium``, never a downloaded one),
and a client of the notebook's own kernel (over its connection file) to read what the
kernel holds.

Without Chromium, Playwright, JupyterLab, Notebook or anywidget the browser tests are
skipped, saying what is missing, unless ``CI=true``: then they fail, so CI cannot skip
them silently.
"""

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TOKEN = "chainrule-test"
HERE = os.path.dirname(os.path.abspath(__file__))
# Where a failing test leaves its screenshot (the workspace's target/, as the Rust browser
# tests do).
SHOTS = os.path.join(HERE, "..", "..", "..", "target", "tmp", "jupyter-browser")


def missing():
    """What the browser tests need and this machine lacks, in words (empty: nothing)."""
    lacks = []
    for module, package in [("playwright", "playwright"), ("jupyterlab", "jupyterlab"),
                            ("notebook", "notebook"), ("anywidget", "anywidget")]:
        if importlib.util.find_spec(module) is None:
            lacks.append(f"{package} (pip install {package})")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        lacks.append("chromium (apt-get install chromium)")
    return lacks


def require():
    """Skips the calling test without what it needs, or fails it under CI=true."""
    lacks = missing()
    if not lacks:
        return
    message = "the widget's browser tests need " + ", ".join(lacks)
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: not skipped)")
    pytest.skip(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The command-line option that turns the server extension chainrule.jupyter off for one
# server (installing chainrule enables it in the environment's Jupyter config).
STOCK = "--ServerApp.jpserver_extensions=chainrule.jupyter=False"


class Server:
    """A Jupyter server (``lab``: JupyterLab 4, ``notebook``: Notebook 7, ``server``: the
    bare jupyter_server) in folders of its own, serving ``root``; stopped with
    :meth:`stop`.

    With ``nodelay`` (the default) it is the server as installed: the server extension
    chainrule.jupyter, which installing chainrule enables, turns Nagle's algorithm off on
    its kernels' websockets. Without, it is the stock server: the extension is turned off
    on the command line. ``args`` are more command-line options, ``env`` more variables of
    its environment."""

    def __init__(self, app, nodelay=True, args=(), env=None):
        self.app = app
        self.nodelay = nodelay
        self.home = tempfile.mkdtemp(prefix=f"chainrule-{app}-")
        self.root = os.path.join(self.home, "root")
        os.makedirs(self.root)
        self.runtime = os.path.join(self.home, "runtime")
        settings = os.path.join(self.home, "settings", "@jupyterlab", "apputils-extension")
        os.makedirs(settings)
        # No news or update checks: nothing is fetched, no toast covers the notebook.
        with open(os.path.join(settings, "notification.jupyterlab-settings"), "w") as f:
            json.dump({"fetchNews": "false", "checkForUpdates": False}, f)
        self.env = env = dict(
            os.environ,
            JUPYTER_RUNTIME_DIR=self.runtime,
            JUPYTER_CONFIG_DIR=os.path.join(self.home, "config"),
            JUPYTER_DATA_DIR=os.path.join(self.home, "data"),
            JUPYTERLAB_SETTINGS_DIR=os.path.join(self.home, "settings"),
            JUPYTERLAB_WORKSPACES_DIR=os.path.join(self.home, "workspaces"),
            **(env or {}),
        )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.home, "server.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", app, "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={self.root}", "--LabApp.extension_manager=readonly"]
            + ([] if nodelay else [STOCK]) + list(args),
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.api("status")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"jupyter {app} did not start; its log:\n{self.read_log()}")
                time.sleep(0.2)

    def read_log(self, whole=False):
        """The server's log (its last 4,000 characters, or all of it with ``whole``)."""
        with open(self.log.name) as f:
            text = f.read()
        return text if whole else text[-4000:]

    def api(self, path):
        with urllib.request.urlopen(f"{self.base}/api/{path}?token={TOKEN}", timeout=5) as r:
            return json.loads(r.read())

    def url(self, name):
        """The page of notebook ``name`` in this front end (in JupyterLab, in a workspace
        of its own, so that no other notebook opened before is restored beside it)."""
        stem = os.path.splitext(name)[0]
        where = f"lab/workspaces/{stem}/tree" if self.app == "lab" else "notebooks"
        return f"{self.base}/{where}/{name}?token={TOKEN}"

    def write_notebook(self, name, cells):
        """Writes a notebook of code ``cells`` (source texts) into the served folder."""
        import nbformat
        from nbformat.v4 import new_code_cell, new_notebook

        nb = new_notebook(cells=[new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, os.path.join(self.root, name))

    def trust(self, name):
        """Signs notebook ``name`` as this server's user's own (what saving it in a front
        end does): its outputs' scripts, SVG and widgets are then shown."""
        subprocess.run([sys.executable, "-m", "jupyter", "trust", os.path.join(self.root, name)],
                       env=self.env, check=True, capture_output=True)

    def kernel_of(self, name, timeout=60):
        """The id of the kernel the notebook ``name`` runs on, once it is idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for s in self.api("sessions"):
                if s.get("path", "").endswith(name) and s["kernel"]["execution_state"] == "idle":
                    return s["kernel"]["id"]
            time.sleep(0.2)
        raise TimeoutError(f"no idle kernel for {name} after {timeout} s")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


class Kernel:
    """A second client of a notebook's kernel (its connection file), to run code there and
    read what it prints, as the notebook's own cells would."""

    def __init__(self, server, kernel_id):
        from jupyter_client import BlockingKernelClient

        self.client = BlockingKernelClient(
            connection_file=os.path.join(server.runtime, f"kernel-{kernel_id}.json")
        )
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=30)

    def run(self, code, timeout=60):
        """Runs ``code`` in the kernel; returns what it printed (and its last value)."""
        out = []

        def hook(msg):
            c = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(c["text"])
            elif msg["msg_type"] in ("execute_result", "display_data"):
                out.append(c["data"].get("text/plain", "") + "\n")
            elif msg["msg_type"] == "error":
                out.append("\n".join(c["traceback"]))

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=hook)
        text = "".join(out)
        if reply["content"]["status"] != "ok":
            raise AssertionError(f"the kernel could not run:\n{code}\n{text}")
        return text

    def value(self, expr):
        """The value of Python expression ``expr`` in the kernel, through JSON."""
        return json.loads(self.run(f"import json as _j; print(_j.dumps({expr}))").strip())

    def close(self):
        self.client.stop_channels()


def run_all(page):
    """Runs every cell of the notebook open in ``page``, from the Run menu (the same in
    JupyterLab and Notebook 7)."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def open_notebook(browser, server, name, cells, width=1280, height=900):
    """A new page with notebook ``name`` (code ``cells``, or as it is in the served folder
    when None) open and its kernel idle; returns ``(page, kernel id)``."""
    if cells is not None:
        server.write_notebook(name, cells)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server.url(name))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60000)
    return page, server.kernel_of(name)


def screenshot_on_failure(request, page, name):
    """Saves ``page``'s screenshot under target/tmp/jupyter-browser when the test failed."""
    if request.session.testsfailed and getattr(request.node, "_cr_failed_before", 0) < request.session.testsfailed:
        os.makedirs(SHOTS, exist_ok=True)
        path = os.path.join(SHOTS, f"{name}.png")
        try:
            page.screenshot(path=path, full_page=True)
            print(f"the page at the failure: {path}")
        except Exception as e:  # the page may be gone with the failure
            print(f"no screenshot: {e}")
