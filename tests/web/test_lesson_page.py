"""/lesson in headless chromium follows a teacher's shell (driven through a pseudo-terminal):
"no lesson" first; lesson "gradient-descent" shows its title, step 1 of n, the step's text
and code; typing the code that the page shows draws a plot, which appears on the page (as
an <img> of the SVG: nothing in it runs); next() and back() move the page; a shell started
with --lang ko gives a Korean page by default (no ?lang) with the Korean lesson; projector
mode; no console errors. Screenshots: build/web-lesson*.png."""
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
PROMPT = r"(∇(\[[^\]]*\])?|\.\.) "     # ∇[:PORT] while a server runs; .. inside a chunk


def js(d, code):
    return d.execute_script(code)


def start(lang):
    sh = Shell(EXE, args=["--lang", lang], env={"OMP_NUM_THREADS": "2"}, timeout=60)
    sh.read_until(PROMPT)
    sh.line("srv = serve{ port = 0 }")
    out = sh.read_until(r"http://127\.0\.0\.1:\d+/")
    sh.read_until(PROMPT)
    return sh, re.search(r"http://127\.0\.0\.1:\d+", out).group(0)


def step_shown(d):
    return js(d, "const l = document.getElementById('lesson'); return l.hidden ? 0 : Number(l.dataset.step)")


def words(s):
    return " ".join(s.split())


def english():
    sh, url = start("en")
    d = B.browser(1280, 900)
    try:
        d.get(url + "/lesson?lang=en")
        B.wait("the page", lambda: js(d, "return !document.documentElement.classList.contains('loading')"))
        C.ok(d.find_element("id", "no-lesson").is_displayed() and "No lesson is running" in d.find_element("tag name", "main").text,
             "before a lesson: the page says none is running")
        B.wait("live connection", lambda: js(d, "return document.getElementById('conn').dataset.state") == "live")

        sh.line('lesson "gradient-descent"')
        sh.read_until(PROMPT)
        B.wait("step 1 on the page", lambda: step_shown(d) == 1)
        status, state = B.http(url + "/state")
        les = state["lesson"]
        C.ok(status == 200 and les["id"] == "gradient-descent" and les["step"] == 1, "GET /state has the lesson at step 1")
        C.ok(d.find_element("id", "l-title").text == les["title"] == "Gradient descent, by hand", "the page shows the lesson's title")
        C.ok(d.find_element("id", "l-step").text == f"Step 1 of {les['steps']}", "the page shows 'Step 1 of n'")
        text = words(d.find_element("id", "l-text").text)
        C.ok(text == words(les["text"]), "the page shows the step's text (lines joined into paragraphs)")
        code = d.find_element("id", "l-code").text
        C.ok(code.strip() == les["code"].strip() and "plot.scatter" in code, "the page shows the step's code as it is")

        # type what the page shows, line by line, as a learner would
        for line in code.strip().split("\n"):
            sh.line(line)
            sh.read_until(PROMPT)
        B.wait("the plot on the page", lambda: d.find_elements("css selector", "#l-plot img"))
        img = d.find_element("css selector", "#l-plot img")
        B.wait("the plot to load", lambda: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img))
        src = img.get_attribute("src")
        C.ok(src.startswith("data:image/svg+xml") and "%3Csvg" in src, "the plot is the server's SVG, shown as an image")
        C.ok(img.size["width"] > 300, f"the plot is drawn large enough ({img.size['width']}px)")
        B.screenshot(d, "web-lesson")

        sh.line("next()")
        sh.read_until(PROMPT)
        B.wait("step 2 on the page", lambda: step_shown(d) == 2)
        C.ok(d.find_element("id", "l-step").text.startswith("Step 2 of"), "next() in the shell: the page shows step 2")
        _, state = B.http(url + "/state")
        C.ok(words(d.find_element("id", "l-text").text) == words(state["lesson"]["text"]), "step 2's text")
        sh.line("back()")
        sh.read_until(PROMPT)
        B.wait("step 1 again", lambda: step_shown(d) == 1, timeout=10)
        C.ok(d.find_element("id", "l-step").text.startswith("Step 1 of") and "plot.scatter" in d.find_element("id", "l-code").text,
             "back() in the shell: the page goes back to step 1")
        errs = B.console_errors(d)
        C.ok(not errs, f"/lesson: no console errors {errs}")
    except Exception:
        print(sh.text[-3000:])
        if d:
            print("browser console:", d.get_log("browser"))
        raise
    finally:
        B.close(d)
        sh.close()


def korean():
    sh, url = start("ko")
    d = B.browser(1280, 800)
    try:
        d.get(url + "/lesson?projector=1")             # no ?lang: the server's language
        B.wait("the page", lambda: js(d, "return !document.documentElement.classList.contains('loading')"))
        C.ok(js(d, "return document.documentElement.lang") == "ko", "a shell in Korean: the page is Korean without ?lang")
        C.ok("진행 중인 수업이 없습니다" in d.find_element("tag name", "main").text, "Korean: 'no lesson' in Korean")
        sh.line('lesson "gradient-descent"')
        sh.read_until(PROMPT)
        B.wait("step 1 on the page", lambda: step_shown(d) == 1)
        C.ok(d.find_element("id", "l-title").text == "경사 하강법, 손으로 직접", "Korean: the lesson's Korean title")
        C.ok(re.match(r"\d+단계 중 1단계", d.find_element("id", "l-step").text), "Korean: the step counter in Korean")
        C.ok(B.HANGUL.search(d.find_element("id", "l-text").text), "Korean: the step's text in Korean")
        C.ok(js(d, "return document.body.classList.contains('projector')"), "projector mode")
        time.sleep(0.3)
        B.screenshot(d, "web-lesson-projector-ko", full=False)
        errs = B.console_errors(d)
        C.ok(not errs, f"/lesson (Korean, projector): no console errors {errs}")
    except Exception:
        print(sh.text[-3000:])
        if d:
            print("browser console:", d.get_log("browser"))
        raise
    finally:
        B.close(d)
        sh.close()


english()
korean()
print(f"{C.n} checks passed")
