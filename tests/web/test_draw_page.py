"""/draw in headless chromium against a real nabla server (a small CNN trained for a few
seconds on datasets/mnist-small): digits drawn with real pointer events (mouse, pen, touch
on a phone-sized screen) get the server's answer for the same drawing — the label, the ten
probabilities, the 28×28 image the model saw and the layers' activations equal those of a
direct POST /predict of the canvas's PNG; Clear and the Delete key; English, Korean,
projector mode; no console errors. Screenshots: build/web-draw*.png."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser as B  # noqa: E402

EXE = sys.argv[1]
C = B.Checks()

SERVER = r"""
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data
manual_seed(1)
local train = data.mnist{ split = "train", small = true }
local test = data.mnist{ split = "test", small = true }
local model = nn.Sequential{
  nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(16 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10),
}
nabla.fit(model, data.loader(train, { batch = 32, shuffle = true, seed = 1 }),
          { epochs = 8, optimizer = optim.Adam(model:parameters(), { lr = 2e-3 }), quiet = true })
local acc = nabla.evaluate(model, test).accuracy
local S = require "nabla.serve"
local srv = S.serve{ model = model, port = 0, quiet = true, info = { name = "test-cnn", test_accuracy = acc } }
print("URL " .. srv:url())
io.stdout:flush()
S.loop()
"""

# Strokes as fractions of the canvas: a 7 (one stroke), a 4 (two strokes), a 1.
SEVEN = [[(0.28, 0.22), (0.72, 0.22), (0.62, 0.45), (0.5, 0.8)]]
FOUR = [[(0.35, 0.2), (0.28, 0.55), (0.72, 0.55)], [(0.6, 0.3), (0.6, 0.82)]]
ONE = [[(0.52, 0.18), (0.5, 0.5), (0.48, 0.82)]]


def answers(d):
    return int(d.execute_script("return document.getElementById('answer-card').dataset.answers || 0"))


def draw(d, strokes, kind="mouse"):
    """Draws, then waits until the page has shown the answer to the whole drawing."""
    pad = d.find_element("id", "pad")
    for s in strokes:
        before = answers(d)
        B.stroke(d, pad, s, kind=kind)
        B.wait("the page's answer", lambda: answers(d) > before and
               d.execute_script("return !document.getElementById('answer-card').dataset.busy"))


def page_answer(d):
    return d.execute_script("""
      const bars = [...document.querySelectorAll('#bars .track')].map(t => Number(t.dataset.p));
      const seen = document.getElementById('seen').getContext('2d').getImageData(0, 0, 28, 28).data;
      const grey = []; for (let i = 0; i < 784; i++) grey.push(seen[4 * i]);
      const layers = [...document.querySelectorAll('#layers .layer')].map(l => ({
        name: l.dataset.layer, kind: l.dataset.kind, maps: l.querySelectorAll('.maps canvas').length,
        strip: l.querySelectorAll('canvas.strip').length }));
      const d = document.getElementById('digit');
      return { label: Number(d.dataset.label), shown: d.textContent, bars, grey, layers,
               win: [...document.querySelectorAll('#bars .track.win')].length,
               winLabel: (document.querySelector('#bars .lbl.win') || {}).textContent };
    """)


def same_as_server(d, url, what):
    png = B.canvas_png(d, "pad")
    status, direct = B.http(url + "/predict?activations=1", png, "image/png")
    C.ok(status == 200, f"{what}: a direct POST of the canvas's PNG is answered ({status})")
    p = page_answer(d)
    C.ok(p["label"] == direct["label"] and p["shown"] == str(direct["label"]),
         f"{what}: the page shows the server's digit ({p['shown']} vs {direct['label']})")
    C.ok(len(p["bars"]) == 10 and all(abs(a - b) < 1e-6 for a, b in zip(p["bars"], direct["probabilities"])),
         f"{what}: the ten bars are the server's probabilities")
    C.ok(p["win"] == 1 and p["winLabel"] == str(direct["label"]), f"{what}: the winner's bar is highlighted")
    want = [round(v * 255) for v in direct["input"]]
    C.ok(max(abs(a - b) for a, b in zip(p["grey"], want)) <= 1,
         f"{what}: the 28x28 image is the one the model saw")
    C.ok(sum(want) > 0, f"{what}: the model saw ink")
    acts = direct.get("activations") or []
    C.ok(len(acts) >= 2 and [L["name"] for L in p["layers"]] == [a["name"] for a in acts],
         f"{what}: one panel per layer of the answer ({[a['name'] for a in acts]})")
    for L, a in zip(p["layers"], acts):
        if a["kind"] == "maps":
            C.ok(L["maps"] == a["shape"][0], f"{what}: layer {a['name']} shows its {a['shape'][0]} feature maps")
        else:
            C.ok(L["strip"] == 1, f"{what}: layer {a['name']} shows its units as a strip")
    return direct


def no_console_errors(d, where):
    errs = B.console_errors(d)
    C.ok(not errs, f"{where}: no console errors {errs}")


def desktop(url):
    d = B.browser(1280, 1000)
    try:
        d.get(url + "/draw?lang=en")
        B.wait("the page", lambda: d.find_element("id", "bars").find_elements("css selector", ".track"))
        body = d.find_element("tag name", "main").text
        C.ok(d.execute_script("return document.documentElement.lang") == "en" and "Draw a digit" in body,
             "English page: title and heading")
        C.ok(not B.HANGUL.search(body), "English page: no Korean text (but the link to the Korean page)")
        C.ok("test-cnn" in d.find_element("id", "model-line").text, "the model line names the served model")
        C.ok(d.find_element("id", "digit").text == "?", "no answer before drawing")

        draw(d, SEVEN)
        first = same_as_server(d, url, "mouse 7")
        print("mouse 7 read as", first["label"], "p=%.3f" % first["probabilities"][first["label"]])
        B.screenshot(d, "web-draw")

        d.find_element("id", "clear").click()
        blank = d.execute_script("""const c = document.getElementById('pad');
          const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < a.length; i++) if (a[i] !== 255) return false; return true;""")
        C.ok(blank and d.find_element("id", "digit").text == "?", "Clear empties the canvas and the answer")

        draw(d, FOUR, kind="pen")
        same_as_server(d, url, "pen 4 (two strokes)")
        d.find_element("id", "pad").send_keys("\ue017")          # Delete
        C.ok(d.find_element("id", "digit").text == "?", "the Delete key clears")
        no_console_errors(d, "/draw")

        # projector mode: the toggle, the P key, ?projector=1
        normal = d.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
        d.find_element("id", "projector-toggle").click()
        C.ok("projector=1" in d.current_url and d.execute_script("return document.body.classList.contains('projector')"),
             "the projector toggle turns projector mode on and puts it in the URL")
        size = d.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
        C.ok(size >= 1.2 * normal, f"projector mode: large type ({size}px, {normal}px without)")
        d.find_element("tag name", "body").send_keys("p")
        C.ok(not d.execute_script("return document.body.classList.contains('projector')") and "projector" not in d.current_url,
             "the P key turns it off again")
        d.get(url + "/draw?projector=1&lang=en")
        B.wait("projector page", lambda: d.execute_script("return document.body.classList.contains('projector')"))
        C.ok(d.find_element("id", "projector-toggle").get_attribute("aria-pressed") == "true",
             "?projector=1 opens in projector mode")
        links = [a.get_attribute("href") for a in d.find_elements("css selector", ".top nav a")]
        C.ok(len(links) == 3 and all("projector=1" in h for h in links), "links to the other pages keep projector mode")
        draw(d, SEVEN)
        same_as_server(d, url, "projector 7")
        B.screenshot(d, "web-draw-projector", full=False)
        no_console_errors(d, "/draw?projector=1")

        # Korean
        d.get(url + "/draw?lang=ko")
        B.wait("Korean page", lambda: d.execute_script("return document.documentElement.lang") == "ko")
        body = d.find_element("tag name", "main").text
        C.ok(B.HANGUL.search(d.find_element("tag name", "h1").text) and "지우기" in body,
             "Korean page: heading and buttons in Korean")
        C.ok("Clear" not in body and "Draw a digit" not in body, "Korean page: no English labels left")
        draw(d, ONE)
        same_as_server(d, url, "Korean page 1")
        C.ok(B.HANGUL.search(d.find_element("id", "status").text), "Korean page: the status line is Korean")
        B.screenshot(d, "web-draw-ko")
        no_console_errors(d, "/draw?lang=ko")
    finally:
        B.close(d)


def phone(url):
    d = B.browser(390, 844, mobile=True)
    try:
        d.get(url + "/draw")
        B.wait("the page", lambda: d.find_element("id", "bars").find_elements("css selector", ".track"))
        w = d.execute_script("return document.documentElement.scrollWidth")
        C.ok(w <= 390, f"phone: nothing wider than the screen ({w}px)")
        pad = d.find_element("id", "pad").rect
        C.ok(pad["width"] >= 250, f"phone: the canvas is large enough to draw on ({pad['width']:.0f}px)")
        draw(d, SEVEN, kind="touch")
        direct = same_as_server(d, url, "touch 7 on a phone")
        quick = d.find_element("id", "quick")
        C.ok(quick.is_displayed() and str(direct["label"]) in quick.text,
             "phone: the answer is shown beside Clear, without scrolling")
        B.screenshot(d, "web-draw-phone", full=False)
        no_console_errors(d, "/draw on a phone")
    finally:
        B.close(d)


def main():
    srv = B.Nabla(EXE, SERVER)
    try:
        url = srv.wait_url().rstrip("/")
        status, model = B.http(url + "/model")
        C.ok(status == 200 and model["name"] == "test-cnn", "the server is up with the test model")
        desktop(url)
        phone(url)
    except Exception:
        print(srv.output())
        raise
    finally:
        srv.stop()
    print(f"{C.n} checks passed")


main()
