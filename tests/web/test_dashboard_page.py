"""The dashboard (/) in headless chromium while a teacher trains in the nabla shell (driven
through a pseudo-terminal): "waiting for training" before fit(); then the loss, gradient-norm
and learning-rate curves grow while fit() runs (pushed by /events), the epochs' train and
validation points appear, the run is shown finished when fit() returns and every number
equals GET /state; a reload rebuilds the same curves from /state; Korean; projector mode; no
console errors. Screenshots: build/web-dashboard*.png."""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "repl"))
import browser as B  # noqa: E402
from ptyshell import Shell  # noqa: E402

EXE = sys.argv[1]
C = B.Checks()
EPOCHS = 10

SETUP = ("manual_seed(1); train = data.mnist{ split = 'train', small = true }; "
         "test = data.mnist{ split = 'test', small = true }; "
         "m = nn.Sequential{ nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), "
         "nn.Linear(8 * 13 * 13, 32), nn.ReLU(), nn.Linear(32, 10) }")
FIT = (f"h = fit(m, data.loader(train, {{ batch = 16, shuffle = true, seed = 1 }}), "
       f"{{ epochs = {EPOCHS}, optimizer = optim.Adam(m:parameters(), {{ lr = 2e-3 }}), val = test }}); "
       "print('FIT' .. 'DONE')")


PROMPT = r"∇(\[[^\]]*\])? "     # the prompt says where the server is: ∇[:8000]


def js(d, code):
    return d.execute_script(code)


def chart_points(d, cid):
    """Points drawn in a chart, per legend entry (the chart's series)."""
    return js(d, f"return [...document.querySelectorAll('#{cid} .legend > span')].map(s => Number(s.dataset.count))")


def main():
    sh = Shell(EXE, env={"OMP_NUM_THREADS": "2"}, timeout=60)
    d = None
    try:
        sh.read_until(PROMPT)
        sh.line(SETUP)
        sh.read_until(PROMPT)
        sh.line("srv = serve{ model = m, port = 0 }")
        out = sh.read_until(r"http://127\.0\.0\.1:\d+/")
        url = re.search(r"http://127\.0\.0\.1:\d+", out).group(0)
        sh.read_until(PROMPT)

        d = B.browser(1280, 900)
        d.get(url + "/?lang=en")
        B.wait("the dashboard", lambda: js(d, "return !document.documentElement.classList.contains('loading')"))
        C.ok(d.find_element("id", "waiting").is_displayed() and "Waiting for training" in d.find_element("tag name", "main").text,
             "before fit(): the dashboard says it is waiting for training")
        B.wait("live connection", lambda: js(d, "return document.getElementById('conn').dataset.state") == "live")
        C.ok("parameters" in d.find_element("id", "model-line").text, "the served model is named with its parameter count")

        sh.line(FIT)
        B.wait("the first steps", lambda: (chart_points(d, "c-loss") or [0])[0] > 0, timeout=60)
        C.ok(not d.find_element("id", "waiting").is_displayed(), "fit() started: the waiting note is gone")
        first = chart_points(d, "c-loss")[0]
        grew = B.wait("the loss curve to grow", lambda: chart_points(d, "c-loss")[0] > first + 3 and chart_points(d, "c-loss")[0],
                      timeout=60)
        C.ok(grew > first, f"the loss curve grows while fit() runs ({first} -> {grew} points)")
        run = d.find_element("id", "s-run").text
        C.ok(re.search(rf"Epoch \d+ of {EPOCHS}", run) is not None, f"the headline shows the epoch ({run!r})")
        gn = chart_points(d, "c-gn")
        C.ok(len(gn) >= 2 and all(n > 0 for n in gn), f"a gradient-norm curve per layer ({len(gn)} curves)")
        C.ok(chart_points(d, "c-lr")[0] > 0, "the learning-rate curve has points")
        C.ok(re.search(r"\d", d.find_element("id", "s-ips").text) is not None, "images/s is shown")
        B.wait("a validation point", lambda: chart_points(d, "c-acc")[1] >= 1, timeout=60)
        mid = js(d, "return document.getElementById('s-run').dataset.running") == "1"
        if mid:
            B.screenshot(d, "web-dashboard")
        sh.read_until("FITDONE", timeout=300)
        sh.read_until(PROMPT)

        B.wait("the end of the run", lambda: "Finished" in d.find_element("id", "s-run").text, timeout=20)
        status, state = B.http(url + "/state")
        h = state["training"]["history"]
        C.ok(status == 200 and len(h["epoch_val_acc"]) == EPOCHS, f"GET /state holds the {EPOCHS} epochs")
        time.sleep(0.5)
        acc = chart_points(d, "c-acc")
        C.ok(acc == [EPOCHS, EPOCHS], f"an accuracy point per epoch, train and validation ({acc})")
        shown = d.find_element("id", "s-acc").text
        C.ok(shown == "%.2f%%" % (100 * h["epoch_val_acc"][-1]), f"the headline's validation accuracy is the last epoch's ({shown})")
        loss_pts = chart_points(d, "c-loss")[0]
        C.ok(loss_pts >= len(h["step"]) > 0, f"the loss curve has every step the server kept ({loss_pts} >= {len(h['step'])})")
        if not mid:                   # the machine was too fast (or too busy) to catch it running
            B.screenshot(d, "web-dashboard")
        errs = B.console_errors(d)
        C.ok(not errs, f"/: no console errors {errs}")

        # a reload (or a late-comer) rebuilds the same run from GET /state
        d.get(url + "/?lang=en")
        B.wait("the reloaded run", lambda: "Finished" in d.find_element("id", "s-run").text)
        again = chart_points(d, "c-loss")[0]
        C.ok(again == len(h["step"]), f"after a reload the loss curve comes from /state ({again} points)")
        C.ok(chart_points(d, "c-acc") == [EPOCHS, EPOCHS], "after a reload the epochs are all there")

        d.get(url + "/?lang=ko&projector=1")
        B.wait("Korean page", lambda: js(d, "return document.documentElement.lang") == "ko")
        text = d.find_element("tag name", "main").text
        C.ok("학습 완료" in text and "손실" in text and "학습률" in text, "Korean dashboard: the run and the charts in Korean")
        C.ok(js(d, "return document.body.classList.contains('projector')"), "?projector=1: projector mode")
        time.sleep(0.5)
        B.screenshot(d, "web-dashboard-projector-ko", full=False)
        errs = B.console_errors(d)
        C.ok(not errs, f"/?lang=ko&projector=1: no console errors {errs}")
    except Exception:
        print(sh.text[-3000:])
        raise
    finally:
        if d:
            B.close(d)
        sh.close()
    print(f"{C.n} checks passed")


main()
