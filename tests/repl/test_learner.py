"""A learner's first session in an 80-column terminal, through a pseudo-terminal: the
welcome screen (and -q, and no welcome when piped), values printed as Lua literals, no
duplicated output, lesson text wrapped at word boundaries in English and Korean, help
without parentheses, quit() and exit(), :lang and :reset saying what they did, "did you
mean", -e errors naming -e, Ctrl-C on a half-typed line and during fit."""
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyshell import Checks, Shell  # noqa: E402

EXE = sys.argv[1]
C = Checks()


def width(line):
    w = 0
    for ch in line:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def fits(text, cols=80):
    return all(width(l) <= cols for l in text.split("\n"))


def welcome():
    sh = Shell(EXE, cols=80)
    try:
        out = sh.prompt()
        C.ok("lessons()" in out and "help" in out and "quit()" in out,
             "an interactive start shows the welcome (lessons, help, leaving)")
        C.ok(fits(out) and out.count("\n") <= 24, "the welcome fits one 80x24 screen")
    finally:
        sh.close()
    sh = Shell(EXE, args=["-q"], cols=80)
    try:
        out = sh.prompt()
        C.ok("lessons()" not in out, "-q: no welcome")
    finally:
        sh.close()
    r = subprocess.run([EXE], input="print(1)\n", capture_output=True, text=True, timeout=30)
    C.ok("lessons()" not in r.stdout and r.stdout.strip() == "1", "no welcome when not a terminal")


def values_and_display():
    sh = Shell(EXE, args=["-q"], cols=80)
    try:
        sh.prompt()
        sh.line("{1, 2, 3}")
        out = sh.prompt()
        C.ok("{1, 2, 3}" in out and "table: 0x" not in out, "{1,2,3} prints as a Lua literal")
        sh.line("t = {}; for i = 1, 500 do t[i] = i * 0.5 end")
        sh.prompt()
        sh.line("t")
        out = sh.prompt()
        C.ok(re.search(r"… \d+ more\}", out) and fits(out), "a long list is cut to 80 columns with a count")
        sh.line("m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))")
        sh.prompt()
        sh.line("inspect(m)")
        out = sh.prompt()
        C.ok(out.count("[1].weight") == 1, "inspect(m) prints once")
        sh.line("inspect(m);")
        out = sh.prompt()
        C.ok(out.count("[1].weight") == 1, "inspect(m); prints once")
        sh.line("loss = m(randn(4, 2)):pow(2):mean()")
        sh.prompt()
        sh.line("graph(loss)")
        out = sh.prompt()
        C.ok(out.count("loss = mean") == 1, "graph(loss) prints once")
        sh.line("m")
        out = sh.prompt()
        C.ok("[1]: Linear" in out and "(0)" not in out, "a printed model shows m[1]'s index")
        sh.line("help")
        out = sh.prompt()
        C.ok("Topics" in out and "function: 0x" not in out, "help without parentheses shows help")
        C.ok(fits(out), "help fits 80 columns")
        sh.line("lineSpace(0, 1, 5)")
        out = sh.prompt()
        C.ok("did you mean 'linspace'?" in " ".join(out.split()), "did you mean, for an unknown global")
        sh.line(":lang ko")
        out = sh.prompt()
        C.ok("한국어" in out, ":lang ko says what it did")
        sh.line(":lang en")
        out = sh.prompt()
        C.ok("English" in out, ":lang en says what it did")
        sh.line("x = 5")
        sh.prompt()
        sh.line(":reset")
        out = sh.prompt()
        C.ok("fresh session" in out, ":reset says what it did")
        sh.line("x")
        out = sh.prompt()
        C.ok("nil" in out, ":reset dropped the variables")
    finally:
        sh.close()


def lesson_text(lang):
    sh = Shell(EXE, args=["-q", "--lang", lang], cols=80)
    try:
        sh.prompt()
        sh.line('lesson "backprop"')
        out = sh.prompt()
        C.ok(fits(out), f"lesson text fits 80 columns ({lang})")
        if lang == "en":
            words = set(re.findall(r"[A-Za-z]+", out))
            C.ok("autograd" in words and "hidden" in words and "autogra" not in words and "hidd" not in words,
                 "no word broken across lines (autograd, hidden)")
        else:
            C.ok("은닉 유닛" in out.replace("\n", " ") or "은닉" in out, "Korean lesson text shown whole")
        sh.line("help(nn)")
        out = sh.prompt()
        C.ok(fits(out), f"help(nn) fits 80 columns ({lang})")
    finally:
        sh.close()


def leaving():
    for word in ("quit()", "exit()"):
        sh = Shell(EXE, args=["-q"], cols=80)
        try:
            sh.prompt()
            sh.line(word)
            C.ok(sh.wait_exit() == 0, f"{word} leaves")
        finally:
            sh.close()


def ctrl_c():
    sh = Shell(EXE, args=["-q"], cols=80)
    try:
        sh.prompt()
        sh.send("abc")
        sh.read_until("abc")
        sh.send("\x03")
        sh.prompt()
        raw = sh.raw.decode("utf-8", "replace")
        C.ok(raw.count("^C") == 1, "Ctrl-C on a half-typed line: one ^C")
        sh.line("1+2")
        out = sh.read_until(r"\n3\n")
        C.ok("abc" not in out, "and a fresh prompt line")
        sh.prompt()
        sh.line("m = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2)); d = data.moons{n = 4000}")
        sh.prompt()
        sh.line("h = fit(m, data.loader(d, {batch = 4}), {epochs = 200})")
        sh.read_until(r"epoch 2/200", timeout=60)
        sh.send("\x03")
        sh.read_until(r"fit: interrupted[^\n]*\n", timeout=20)
        raw = sh.raw.decode("utf-8", "replace")
        C.ok(re.search(r"(\r\x1b\[K|\n)fit: interrupted", raw), "the interruption is said on its own line")
        sh.prompt()
        sh.line("h")
        out = sh.prompt()
        C.ok("history:" in out and "(interrupted)" in out, "fit returned the history so far")
        bar = [l for l in raw.replace("\r", "\n").split("\n") if "img/s" in l]
        wide = [l for l in bar if width(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\^C", "", l)) >= 80]
        C.ok(bar and not wide, f"the progress bar stays on one 80-column row {wide[:2]!r}")
    finally:
        sh.close()


def live():
    sh = Shell(EXE, args=["-q"], cols=80)
    try:
        sh.prompt()
        sh.line("m = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2)); d = data.moons{n = 4000}")
        sh.prompt()
        sh.line("h = fit(m, data.loader(d, {batch = 4}), {epochs = 2, live = true})")
        sh.read_until(r"∇ ", timeout=120)
        raw = sh.raw.decode("utf-8", "replace")
        redraws = len(re.findall(r"\x1b\[\d+A\r\x1b\[J", raw))
        C.ok(redraws >= 3, f"fit{{live = true}} redraws the curves in place ({redraws} redraws)")
        sh.line("#h.steps.loss")
        out = sh.prompt()
        C.ok("2000" in out, "with a loss for every step")
    finally:
        sh.close()
    # nabla run ... --live: every fit of the experiment draws live
    d = tempfile.mkdtemp(prefix="nabla-live-")
    exp = os.path.join(d, "tiny.lua")
    with open(exp, "w") as f:
        f.write("""local nabla = require "nabla"
return { name = "tiny", config = { epochs = 1 }, run = function(cfg)
  local m = nabla.nn.Sequential(nabla.nn.Linear(2, 8), nabla.nn.ReLU(), nabla.nn.Linear(8, 2))
  local h = nabla.fit(m, nabla.data.loader(nabla.data.moons{ n = 4000 }, { batch = 4 }), { epochs = cfg.epochs })
  return { steps = #h.steps.loss }
end }
""")
    sh = Shell(EXE, args=["run", exp, "--run_dir", os.path.join(d, "run"), "--live"], cols=80)
    try:
        sh.read_until(r"steps: 1000", timeout=120)
        raw = sh.raw.decode("utf-8", "replace")
        C.ok(len(re.findall(r"\x1b\[\d+A\r\x1b\[J", raw)) >= 2, "nabla run ... --live draws the curves live")
    finally:
        sh.close()


def dash_e():
    r = subprocess.run([EXE, "-e", "lineSpace(0, 1, 5)"], capture_output=True, text=True, timeout=30)
    C.ok("-e:1:" in r.stderr and "stdin" not in r.stderr, "-e errors name -e")
    C.ok("did you mean 'linspace'?" in " ".join(r.stderr.split()), "with did you mean")
    r = subprocess.run([EXE, "-e", 'lesson "foo"'], capture_output=True, text=True, timeout=30)
    C.ok("/lessons" not in r.stderr and "no lesson 'foo'" in r.stderr, "lesson \"foo\" shows no folder path")


welcome()
values_and_display()
lesson_text("en")
lesson_text("ko")
leaving()
ctrl_c()
live()
dash_e()
print(f"{C.n} passed, 0 failed")
