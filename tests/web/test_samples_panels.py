"""The dashboard's panels of generative models (issue 21) in headless chromium: a nabla process
serves the dashboard, then runs experiments/mnist-autoencoder.lua (mlp and vae) and
experiments/mnist-gan.lua (mlp and dcgan) on the committed subset, and emits a generated
text as char-rnn does. While they train, the latent scatter and the image sheet panels appear
and are redrawn every epoch ("sample" events on /events); the scatter is coloured by digit, the
sheet holds dark digits on white; the text panel shows the text; what the page shows matches
GET /state; a reload rebuilds the panels from /state; Korean and projector mode; no console
errors. Screenshots: build/web-samples*.png."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import browser as B  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402

EXE = sys.argv[1]
C = B.Checks()


def text_of(d, selector):
    """The text of the element now at selector: a panel redrawn by the next epoch replaces
    its element between finding it and reading it (seen on a fast, idle machine)."""
    for _ in range(100):
        try:
            return d.find_element("css selector", selector).text
        except StaleElementReferenceException:
            time.sleep(0.05)
    raise AssertionError(f"{selector} was replaced 100 times in a row")

SERVER = r"""
local nabla = require "nabla"
local S = require "nabla.serve"
local samples = require "nabla.samples"
local run = require "nabla.run"
local here = arg[0]:match("^(.*)/") or "."
local exp = (os.getenv("NABLA_TESTS") or "tests") .. "/../experiments/"
local srv = S.serve{ port = 0, quiet = true }
print("URL " .. srv:url())
io.stdout:flush()
-- the page connects first; the test then creates the file "go"
while not io.open(here .. "/go") do
  if nabla._C.serve_wait(100) then S.poll() end
end
local function quiet(args)
  local p = print
  print = function() end
  local code = run.main(args)
  print = p
  assert(code == 0, table.concat(args, " "))
end
quiet({ exp .. "mnist-autoencoder.lua", "--small", "true", "--models", "mlp,vae", "--epochs", "8",
        "--epochs_vae", "4", "--show", "false", "--points", "600", "--grid", "10", "--run_dir", here .. "/ae" })
print("AE DONE")
io.stdout:flush()
quiet({ exp .. "mnist-gan.lua", "--small", "true", "--limit", "640", "--models", "mlp,dcgan", "--epochs", "3",
        "--epochs_dcgan", "1", "--channels", "8", "--score_samples", "200", "--classifier_channels", "4",
        "--run_dir", here .. "/gan" })
samples.emit(samples.text("the quick brown fox jumps over the lazy dog\n경사 하강법으로 학습합니다", {
  source = "char-rnn", title = "char-rnn, epoch 1", epoch = 1, temperature = 0.8 }))
print("ALL DONE")
io.stdout:flush()
S.loop()
"""


def js(d, code, *args):
    return d.execute_script(code, *args)


def load(d, url, tries=4):
    """d.get(url), tried again when a starved chromium's renderer does not answer in time (on
    a machine shared by many jobs it may not: "Timed out receiving message from renderer")."""
    for k in range(tries):
        try:
            d.get(url)
            return
        except TimeoutException:
            if k == tries - 1:
                raise
            time.sleep(2)


def updates(d, kind):
    return js(d, f"const e = document.getElementById('sample-{kind}'); return e ? Number(e.dataset.updates) : 0")


# colours of a panel's canvas: the number of distinct non-grey colours (scatter), the share of
# dark pixels (sheets)
CANVAS_STATS = """
const c = document.querySelector('#sample-' + arguments[0] + ' canvas');
if (!c) return null;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const colours = new Set(); let dark = 0;
for (let i = 0; i < d.length; i += 4) {
  const r = d[i], g = d[i + 1], b = d[i + 2];
  if (Math.max(r, g, b) - Math.min(r, g, b) > 40) colours.add((r >> 4) + ',' + (g >> 4) + ',' + (b >> 4));
  if (r < 100 && g < 100 && b < 100) dark++;
}
return { colours: colours.size, dark: dark / (d.length / 4), w: c.width, h: c.height };
"""


def wait_output(srv, text, timeout):
    def seen():
        if text in srv.output():
            return True
        if srv.proc.poll() is not None:
            raise AssertionError(f"nabla exited before printing {text!r}:\n{srv.output()}")
        return False
    B.wait(text, seen, timeout=timeout)


def main():
    srv = B.Nabla(EXE, SERVER)
    d = None
    try:
        url = srv.wait_url().rstrip("/")
        d = B.browser(1280, 900)
        load(d, url + "/?lang=en")
        B.wait("the dashboard", lambda: js(d, "return !document.documentElement.classList.contains('loading')"))
        B.wait("live connection", lambda: js(d, "return document.getElementById('conn').dataset.state") == "live")
        C.ok(not d.find_element("id", "later").is_displayed(), "before any sample: no samples section")
        # the page's own timeline of panel redraws (the browser may answer WebDriver late)
        js(d, """window._redraws = [];
          new MutationObserver((ms) => { for (const m of ms) if (m.target.id && m.target.id.startsWith('sample-'))
              window._redraws.push([m.target.id, Number(m.target.dataset.updates), m.target.dataset.epoch]); })
            .observe(document.getElementById('later-panels'), { attributes: true, subtree: true,
                                                                attributeFilter: ['data-updates'] });""")
        srv.signal_file("go")

        B.wait("the latent scatter", lambda: updates(d, "scatter") >= 2, timeout=180)
        C.ok(d.find_element("id", "later").is_displayed(), "the samples section appears with the first sample")
        C.ok(d.find_element("id", "sample-image_grid").is_displayed(), "the reconstructions' sheet is shown")
        st = js(d, CANVAS_STATS, "scatter")
        C.ok(st and st["colours"] >= 5, f"the scatter is coloured by digit ({st})")
        legend = js(d, "return [...document.querySelectorAll('#sample-scatter .legend > span')].map(s => s.textContent)")
        C.ok(legend == [str(k) for k in range(10)], f"its legend names the ten digits ({legend})")
        cap = text_of(d, "#sample-scatter figcaption")
        C.ok("latent space" in cap, f"the scatter's caption says what it is ({cap!r})")
        B.screenshot(d, "web-samples")

        wait_output(srv, "AE DONE", 300)
        redraws = js(d, "return window._redraws")
        scatter_epochs = [e for i, n, e in redraws if i == "sample-scatter"]
        C.ok(len(set(scatter_epochs)) >= 4, f"the scatter was redrawn epoch after epoch while training ({scatter_epochs})")
        B.wait("the VAE's decoded grid", lambda: "VAE" in d.find_element("css selector", "#sample-image_grid figcaption").text)

        wait_output(srv, "ALL DONE", 400)
        B.wait("the GAN's sheet and the text", lambda: updates(d, "text") >= 1 and
               "GAN" in d.find_element("css selector", "#sample-image_grid figcaption").text)
        grids = [e for i, n, e in js(d, "return window._redraws") if i == "sample-image_grid"]
        C.ok(len(grids) >= 12 + 4, f"the image sheet was redrawn for every epoch of both experiments ({len(grids)} times)")
        st = js(d, CANVAS_STATS, "image_grid")
        C.ok(st and 0.02 < st["dark"] < 0.9, f"the GAN's sheet: dark strokes on white ({st})")
        C.ok(st["w"] >= 2 * 8 * 28 and st["h"] >= 2 * 8 * 28, "8 × 8 samples of 28 × 28 pixels, each at least twice as large")
        text = text_of(d, "#sample-text pre")
        C.ok("quick brown fox" in text and "경사 하강법" in text, f"the generated text is shown ({text!r})")
        C.ok("char-rnn" in text_of(d, "#sample-text figcaption"), "the text's caption")
        order = js(d, "return [...document.getElementById('later-panels').children].map(e => e.id)")
        C.ok(order == ["sample-scatter", "sample-image_grid", "sample-text"], f"panels in a fixed order ({order})")

        status, state = B.http(url + "/state")
        s = state["samples"]
        C.ok(status == 200 and set(s) == {"scatter", "image_grid", "text"}, "GET /state keeps the latest sample of each kind")
        C.ok(s["image_grid"]["source"] == "mnist-gan" and s["image_grid"]["rows"] * s["image_grid"]["cols"] == 64,
             "the latest sheet is the GAN's 64 samples")
        shown = js(d, "return document.getElementById('sample-image_grid').dataset.epoch")
        C.ok(shown == str(s["image_grid"]["epoch"]), f"the page shows the same epoch as /state ({shown})")
        C.ok(len(s["scatter"]["points"]) == 500, "the scatter in /state has a point per test digit of the subset (500)")
        errs = B.console_errors(d)
        C.ok(not errs, f"/: no console errors {errs}")
        B.screenshot(d, "web-samples-done")

        # a page opened later rebuilds the panels from GET /state
        load(d, url + "/?lang=en")
        # (GET /state on load, then the same snapshot again as /events' "hello")
        B.wait("the panels from /state", lambda: updates(d, "text") >= 1 and updates(d, "scatter") >= 1
               and updates(d, "image_grid") >= 1)
        st2 = js(d, CANVAS_STATS, "scatter")
        C.ok(st2 and st2["colours"] >= 5, "after a reload the scatter is drawn again from /state")

        load(d, url + "/?lang=ko&projector=1")
        B.wait("Korean page", lambda: js(d, "return document.documentElement.lang") == "ko")
        B.wait("the panels", lambda: updates(d, "image_grid") >= 1)
        C.ok("생성된 샘플과 잠재 공간" in d.find_element("id", "later").text, "Korean: the section's title")
        time.sleep(0.5)
        B.screenshot(d, "web-samples-projector-ko")      # the whole page: the panels are at its end
        errs = B.console_errors(d)
        C.ok(not errs, f"/?lang=ko&projector=1: no console errors {errs}")
    except Exception:
        print(srv.output()[-4000:])
        if d:
            print("browser console:", d.get_log("browser"))
        raise
    finally:
        if d:
            B.close(d)
        srv.stop()
    print(f"{C.n} checks passed")


main()
