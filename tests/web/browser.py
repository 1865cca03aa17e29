"""Helpers of the browser tests: Debian's chromium driven by python3-selenium through
chromium-driver (all from Debian: ./setup.sh test installs them), a nabla process running a
server, pointer-event drawing, JSON over loopback, screenshots under build/."""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def build_dir():
    """build/ of this checkout: screenshots go there (the nabla executable lives in it)."""
    exe = os.path.abspath(sys.argv[1])
    return os.path.dirname(exe)


class Checks:
    def __init__(self):
        self.n = 0

    def ok(self, cond, what):
        self.n += 1
        if not cond:
            raise AssertionError(what)
        print("ok", what, flush=True)


def browser(width=1280, height=900, mobile=False):
    """A fresh headless chromium: its own profile, nothing fetched from outside (the machine's
    closed network refuses it anyway), console messages kept for console_errors()."""
    for f in (CHROMIUM, DRIVER):
        if not os.path.exists(f):
            sys.exit(f"{f} is missing: ./setup.sh test installs chromium and chromium-driver")
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="nabla-chromium-")
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions",
              "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-US",
              f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        o.add_argument(a)
    if mobile:
        o.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True},
            "userAgent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/120.0 Mobile Safari/537.36"})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(DRIVER), options=o)
    d.set_page_load_timeout(120)     # a renderer on a loaded 2-core machine can take over 30 s to answer
    d._nabla_profile = profile
    return d


def close(d):
    try:
        d.quit()
    finally:
        shutil.rmtree(d._nabla_profile, ignore_errors=True)


def console_errors(d):
    """Console errors and failed loads the page had since the last call."""
    return [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]


def wait(what, fn, timeout=20.0, every=0.1):
    """fn() until it returns something true; its value, or an AssertionError naming what."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # noqa: BLE001  (the page may be between two states)
            last = e
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def screenshot(d, name, full=True):
    """build/<name>.png; full=True makes the window as tall as the page first."""
    path = os.path.join(build_dir(), name + ".png")
    d.execute_script("window.scrollTo(0, 0)")
    if full:
        size = d.get_window_size()
        h = d.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
        d.set_window_size(size["width"], min(max(h, size["height"]), 4000))
        time.sleep(0.4)
        d.save_screenshot(path)
        d.set_window_size(size["width"], size["height"])
    else:
        d.save_screenshot(path)
    print("screenshot", path, flush=True)
    return path


def stroke(d, element, points, kind="mouse", steps=8):
    """One stroke with real pointer events (WebDriver actions: pointerdown, pointermove...,
    pointerup) through points given as fractions (x, y) of the element's box."""
    # actions are relative to the viewport: scroll the element into view first
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    time.sleep(0.1)
    r = d.execute_script("const b = arguments[0].getBoundingClientRect();"
                         "return {x: b.left, y: b.top, width: b.width, height: b.height};", element)
    x0, y0 = r["x"], r["y"]
    pointer = {"mouse": interaction.POINTER_MOUSE, "touch": interaction.POINTER_TOUCH,
               "pen": interaction.POINTER_PEN}[kind]
    ab = ActionBuilder(d, mouse=PointerInput(pointer, kind), duration=16)   # a move every 16 ms, as a real pointer
    pa = ab.pointer_action

    def at(p):
        return int(x0 + p[0] * r["width"]), int(y0 + p[1] * r["height"])

    pa.move_to_location(*at(points[0]))
    pa.pointer_down()
    prev = points[0]
    for p in points[1:]:
        for k in range(1, steps + 1):
            u = k / steps
            pa.move_to_location(*at((prev[0] + (p[0] - prev[0]) * u, prev[1] + (p[1] - prev[1]) * u)))
        prev = p
    pa.pointer_up()
    ab.perform()


def http(url, data=None, ctype=None, timeout=20):
    """(status, parsed JSON) of a GET, or a POST when data is given."""
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode("utf-8") or "null")


def canvas_png(d, canvas_id):
    """The PNG bytes of a canvas, as the page itself would send them."""
    url = d.execute_script(f"return document.getElementById('{canvas_id}').toDataURL('image/png')")
    return base64.b64decode(url.split(",", 1)[1])


class Nabla:
    """A nabla process running a Lua script (a server, maybe training): started with the
    test environment, its output kept; the script prints "URL http://..." when serving."""

    def __init__(self, exe, script, args=(), env=None, lang=None):
        self.dir = tempfile.mkdtemp(prefix="nabla-web-")
        self.script = os.path.join(self.dir, "run.lua")
        with open(self.script, "w") as f:
            f.write(script)
        e = dict(os.environ)
        e.update({"HOME": self.dir, "XDG_STATE_HOME": self.dir, "LANG": "C.UTF-8"})
        if env:
            e.update(env)
        cmd = [exe] + (["--lang", lang] if lang else []) + [self.script, *args]
        self.log = open(os.path.join(self.dir, "out.txt"), "w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=e,
                                     cwd=os.environ.get("NABLA_TESTS", self.dir), start_new_session=True)
        self.url = None

    def output(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def wait_url(self, timeout=120):
        def found():
            if self.proc.poll() is not None:
                raise AssertionError(f"nabla exited ({self.proc.returncode}) before serving:\n{self.output()}")
            m = re.search(r"^URL (http://\S+?)/?$", self.output(), re.M)
            return m and m.group(1)
        deadline = time.time() + timeout
        while time.time() < deadline:
            u = found()
            if u:
                self.url = u
                return u
            time.sleep(0.1)
        raise AssertionError(f"nabla did not start serving in {timeout} s:\n{self.output()}")

    def signal_file(self, name):
        """Creates DIR/name: the script polls for it to go on (e.g. to start fit)."""
        open(os.path.join(self.dir, name), "w").close()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
