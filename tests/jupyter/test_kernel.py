#!/usr/bin/python3
"""nabla in Jupyter, tested in the real thing: `nabla jupyter install` into a temporary
JUPYTER_DATA_DIR, then notebooks executed headlessly on the installed kernel with nbclient
(values, inline SVG, HTML tables, an error cell followed by a working cell), a kernel client
for what a notebook cannot show (output streamed while a cell runs, the stop button on a
long loop, restart, completion, help), and one lesson notebook end to end in English and
in Korean. Needs Debian's python3-ipykernel, python3-nbclient, python3-nbformat
(./setup.sh test installs them).  Usage: test_kernel.py path/to/nabla"""
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import jupyter_client
    import nbclient
    import nbformat
except ImportError as e:  # exit 77: meson counts the test as skipped
    print("SKIP: python3-ipykernel, python3-nbclient and python3-nbformat are needed:", e)
    sys.exit(77)

NABLA = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else "build/nabla")
TMP = tempfile.mkdtemp(prefix="nabla-jupyter-")
os.environ["JUPYTER_DATA_DIR"] = os.path.join(TMP, "data")
os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(TMP, "runtime")
os.environ["JUPYTER_CONFIG_DIR"] = os.path.join(TMP, "config")
os.environ["XDG_STATE_HOME"] = os.path.join(TMP, "state")  # lesson progress
os.environ.pop("JUPYTER_PATH", None)

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if cond:
        print("ok -", what)
    else:
        print("not ok -", what)
        failures.append(what)
    return cond


def outputs_of(cell, kind):
    return [o for o in cell.outputs if o.output_type == kind]


def stream_text(cell, name="stdout"):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


def run_notebook(nb, allow_errors=True, timeout=120):
    client = nbclient.NotebookClient(nb, kernel_name="nabla", allow_errors=allow_errors,
                                     timeout=timeout, resources={"metadata": {"path": TMP}})
    client.execute()
    return nb


# ---- nabla jupyter install -------------------------------------------------------------------

r = subprocess.run([NABLA, "jupyter", "install"], capture_output=True, text=True)
check(r.returncode == 0, "nabla jupyter install exits 0 (%s)" % r.stderr.strip())
spec_dir = os.path.join(os.environ["JUPYTER_DATA_DIR"], "kernels", "nabla")
check(spec_dir in r.stdout, "install says where the kernel went: " + r.stdout.strip().splitlines()[0])
spec = json.load(open(os.path.join(spec_dir, "kernel.json")))
check(spec["argv"][0] == "/usr/bin/python3", "kernel.json runs Debian's /usr/bin/python3")
check(spec["argv"][-2:] == ["-f", "{connection_file}"], "kernel.json passes the connection file")
check(os.path.isfile(spec["argv"][-3]), "the kernel's Python file is installed: " + spec["argv"][-3])
check(spec["env"]["NABLA_EXE"] == NABLA, "the kernel runs this nabla: " + spec["env"]["NABLA_EXE"])
check(spec["language"] == "lua" and spec["interrupt_mode"] == "signal", "language lua, interrupt by signal")
ksm = jupyter_client.kernelspec.KernelSpecManager()
check("nabla" in ksm.find_kernel_specs(), "Jupyter finds the kernelspec 'nabla'")

# ---- a notebook: values, a plot, a model, HTML tables, an error, then a working cell ------------

cells = [
    "x = tensor{{1, 2}, {3, 4}}\nx:sum()",                                    # 0 value
    'print("before")\nplot.line({1, 4, 9, 16}, {title = "squares"})\nprint("after")',  # 1 svg
    "manual_seed(0)\nm = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\nm",  # 2 model
    "inspect(m)",                                                            # 3 html
    "a = tensor{2}:requires_grad()\nb = (a * a + 1):sum()\ngraph(b)",         # 4 html
    "kept = 42\nlocal t = nil\nprint(t.field)",                               # 5 error
    "kept + 1",                                                              # 6 after the error
    "x = = 1",                                                               # 7 syntax error
    "help(linspace)",                                                        # 8 help
    "local s = 0\nfor i = 1, 10 do s = s + i end\ns, s * 2",                  # 9 several values
    "plot.hist(randn(1000), {bins = 20})\nplot.scatter({1, 2, 3}, {3, 1, 2})",  # 10 two plots
    'display(setmetatable({}, {__html = function() return "<b>bold</b>" end,\n'
    '  __tostring = function() return "bold" end}))\nhelp(display)',      # 11 display()
]
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "nabla", "display_name": "nabla (Lua)", "language": "lua"}
nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
t0 = time.time()
run_notebook(nb)
print("# the notebook ran in %.1f s" % (time.time() - t0))
c = nb.cells

res = outputs_of(c[0], "execute_result")
check(len(res) == 1 and "10" in res[0].data["text/plain"], "a cell's last expression is its value: x:sum() = 10")
check(c[0].execution_count == 1, "execution counts are kept")

disp = outputs_of(c[1], "display_data")
check(len(disp) == 1, "plot.line shows one inline figure")
if disp:
    svg = disp[0].data.get("image/svg+xml", "")
    check("<svg" in svg and "squares" in svg and "<polyline" in svg, "the figure is image/svg+xml with the title and the line")
    check(svg.startswith("<svg"), "the SVG is the <svg> element only (no <?xml?>, which the classic notebook cannot insert)")
    check("squares" in disp[0].data.get("text/plain", ""), "with the terminal plot as its text fallback")
check(not outputs_of(c[1], "execute_result"), "the plot's returned text is not shown a second time")
kinds = [(o.output_type, getattr(o, "text", "").strip()) for o in c[1].outputs]
check(kinds[0] == ("stream", "before") and kinds[1][0] == "display_data" and kinds[2] == ("stream", "after"),
      "printed text and the plot come in the order of the code: %s" % [k[0] for k in kinds])

res = outputs_of(c[2], "execute_result")
check(len(res) == 1 and "Linear" in res[0].data["text/plain"] and "ReLU" in res[0].data["text/plain"],
      "a model shows as the shell shows it")

disp = outputs_of(c[3], "display_data")
html = disp[0].data.get("text/html", "") if disp else ""
check("<table" in html and "[1].weight" in html and "[3].bias" in html, "inspect(model) is an HTML table, a row per parameter")
check(disp and "[1].weight" in disp[0].data.get("text/plain", ""), "inspect keeps its text form")
check(not outputs_of(c[3], "execute_result"), "inspect's returned text is not shown a second time")

disp = outputs_of(c[4], "display_data")
html = disp[0].data.get("text/html", "") if disp else ""
check("<table" in html and "mul" in html and "leaf" in html and "4.0000" in html,
      "graph(loss) is an HTML table with each node's op, value and gradient")

err = outputs_of(c[5], "error")
check(len(err) == 1 and err[0].ename == "Error" and "attempt to index a nil value" in err[0].evalue,
      "a Lua error is a Jupyter error with name and message: %s" % (err[0].evalue if err else None))
check(err and any("cell[6]:3" in line for line in err[0].traceback), "with a traceback naming the cell and line")
res = outputs_of(c[6], "execute_result")
check(len(res) == 1 and res[0].data["text/plain"] == "43", "the kernel lives on after an error, with its variables")
err = outputs_of(c[7], "error")
check(len(err) == 1 and err[0].ename == "SyntaxError", "a syntax error is a SyntaxError")
check("linspace(a, b, n)" in stream_text(c[8]), "help() prints into the notebook")
res = outputs_of(c[9], "execute_result")
check(len(res) == 1 and res[0].data["text/plain"] == "55\t110", "several values are shown as the shell shows them")
disp = outputs_of(c[10], "display_data")
check(len(disp) == 2 and all("<svg" in d.data.get("image/svg+xml", "") for d in disp), "every plot in a cell is shown")
if len(disp) == 2:
    ids = [d.data["image/svg+xml"].split('clipPath id="')[1].split('"')[0] for d in disp
           if 'clipPath id="' in d.data["image/svg+xml"]]
    check(len(ids) == len(set(ids)), "two figures in one page do not share SVG ids: %s" % ids)

disp = outputs_of(c[11], "display_data")
check(len(disp) == 1 and disp[0].data.get("text/html") == "<b>bold</b>" and disp[0].data["text/plain"] == "bold",
      "display(x) sends x's __html with its text")
check("display(x" in stream_text(c[11]), "display has help")

# ---- a kernel client: streaming, interrupt, completion, help, restart -------------------------

km = jupyter_client.KernelManager(kernel_name="nabla")
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)


def execute(code, timeout=60, stop_on_error=True):
    """Runs code; returns (reply content, [(seconds since sent, iopub msg)])."""
    t = time.time()
    msg_id = kc.execute(code, stop_on_error=stop_on_error)
    msgs = []
    deadline = t + timeout
    while True:
        try:
            m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        except queue.Empty:
            raise AssertionError("no answer to %r within %d s" % (code, timeout))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append((time.time() - t, m))
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    return shell_reply(msg_id, timeout), msgs


def shell_reply(msg_id, timeout):
    """The reply to msg_id (a reply to an earlier request, e.g. wait_for_ready's, is skipped)."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def result(msgs):
    for _, m in msgs:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"]["text/plain"]
    return None


# print streams while the cell runs: each line arrives before the cell ends
code = 'for i = 1, 3 do\n  print("tick " .. i)\n  local t = clock() + 0.5\n  while clock() < t do end\nend'
reply, msgs = execute(code)
ticks = [(t, m["content"]["text"]) for t, m in msgs if m["msg_type"] == "stream"]
end = msgs[-1][0]
first = next((t for t, text in ticks if "tick 1" in text), None)
check(reply["status"] == "ok" and first is not None and end - first > 0.7,
      "print output streams as it is produced (tick 1 came %.2f s before the end of the cell)"
      % ((end - first) if first is not None else -1))

# a fit shows its epochs while it trains
code = ('manual_seed(1)\nX = randn(256, 4)\nY = X:sum(2, true)\n'
        'net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))\n'
        'h = fit(net, data.loader({X, Y}, {batch_size = 16}), {epochs = 3, loss = nn.MSELoss(), '
        'optimizer = optim.SGD(net:parameters(), {lr = 0.01}), quiet = false})')
reply, msgs = execute(code, timeout=120)
lines = "".join(m["content"]["text"] for _, m in msgs if m["msg_type"] == "stream")
check(reply["status"] == "ok" and lines.count("epoch") >= 3 and lines.count("loss") >= 3,
      "fit prints a line per epoch into the notebook: %r" % lines[:200])

# a slow fit (10 ms a batch; the bar is drawn every 10 batches) draws its progress bar while it trains; the notebook keeps the bar's last
# version, not one copy per batch
code = ('manual_seed(2)\nX2 = randn(64, 4)\nY2 = X2:sum(2, true)\nlin = nn.Linear(4, 1)\n'
        'slow = setmetatable({parameters = function() return lin:parameters() end},\n'
        '  {__call = function(_, x) local t = clock() + 0.01 while clock() < t do end return lin(x) end})\n'
        'h2 = fit(slow, data.loader({X2, Y2}, {batch_size = 1}), {epochs = 2, loss = nn.MSELoss(), '
        'optimizer = optim.SGD(lin:parameters(), {lr = 0.01})})\n#h2.loss')
reply, msgs = execute(code, timeout=120)
streams = [(t, m["content"]["text"]) for t, m in msgs if m["msg_type"] == "stream"]
end = msgs[-1][0]
bars = [t for t, text in streams if "█" in text or "░" in text]
check(reply["status"] == "ok" and result(msgs) == "2", "a fit in a notebook runs (%s)" % result(msgs))
check(len(bars) >= 3 and end - bars[0] > 0.4,
      "its progress bar is redrawn while it trains (%d updates, the first %.2f s before the end)"
      % (len(bars), (end - bars[0]) if bars else -1))
text = "".join(text for _, text in streams)
check(len(text) < 4000 and text.count("epoch 1/2") < 16 and "\x1b[K" not in text,
      "without one copy of the bar per batch (%d characters for 128 batches)" % len(text))
final = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
check(any(line.startswith("epoch 1/2") and "loss" in line and "█" not in line for line in final)
      and any(line.startswith("epoch 2/2") for line in final),
      "each epoch ends with its line: %s" % [line for line in final if line][:2])

# fit{live = true}: the loss curve is one inline figure, redrawn in place while it trains
code = ("h4 = fit(slow, data.loader({X2, Y2}, {batch_size = 1}), {epochs = 2, live = true, "
        "loss = nn.MSELoss(), optimizer = optim.SGD(lin:parameters(), {lr = 0.01})})")
reply, msgs = execute(code, timeout=120)
end = msgs[-1][0]
shows = [m for _, m in msgs if m["msg_type"] == "display_data"]
updates = [(t, m) for t, m in msgs if m["msg_type"] == "update_display_data"]
ids = {m["content"].get("transient", {}).get("display_id") for m in shows} | \
      {m["content"].get("transient", {}).get("display_id") for _, m in updates}
check(reply["status"] == "ok" and len(shows) == 1 and len(updates) >= 3 and len(ids) == 1 and None not in ids,
      "fit{live = true}: one figure (%d), redrawn in place (%d updates, display ids %s)" % (len(shows), len(updates), ids))
check(updates and end - updates[0][0] > 0.5 and "<svg" in updates[-1][1]["content"]["data"].get("image/svg+xml", ""),
      "the live figure is an SVG redrawn while it trains (first update %.2f s before the end)"
      % ((end - updates[0][0]) if updates else -1))

# the stop button stops a running loop and keeps every variable
msg_id = None
t = time.time()
# (stop_on_error=False: else ipykernel aborts a request that comes in right after the
# error, as a notebook's "run all" stops at the first error)
msg_id = kc.execute("n = 0\nwhile true do n = n + 1 end", stop_on_error=False)
time.sleep(1.5)
km.interrupt_kernel()
reply = shell_reply(msg_id, 20)
check(reply["status"] == "error" and reply["ename"] == "Interrupted",
      "interrupt stops `while true do end` (%s after %.1f s)" % (reply, time.time() - t))
reply, msgs = execute("n > 0")
check(result(msgs) == "true", "after the interrupt the loop's variable is still there (%s %s)" % (result(msgs), [(m["msg_type"], m["content"].get("text", m["content"].get("evalue", ""))) for _, m in msgs]))
reply, msgs = execute("kept_after_interrupt = 7\nkept_after_interrupt * 6")
check(result(msgs) == "42", "and the kernel goes on")

# the stop button during fit: fit stops and returns the history so far, as Ctrl-C in the shell
msg_id = kc.execute("h3 = fit(slow, data.loader({X2, Y2}, {batch_size = 1}), {epochs = 100, "
                    "loss = nn.MSELoss(), optimizer = optim.SGD(lin:parameters(), {lr = 0.01})})",
                    stop_on_error=False)
time.sleep(1.5)
km.interrupt_kernel()
reply = shell_reply(msg_id, 30)
reply2, msgs = execute("h3.interrupted and #h3.loss < 100")
check(reply["status"] == "ok" and result(msgs) == "true",
      "interrupt during fit keeps the history so far (%s, %s)" % (reply["status"], result(msgs)))

# completion and help through Jupyter's requests
execute("x = tensor{1, 2, 3}")
r = kc.complete("x:su", 4, reply=True, timeout=20)["content"]
check("x:sum" in r["matches"] and r["cursor_start"] == 0 and r["cursor_end"] == 4,
      "complete_request: x:su -> %s" % r["matches"][:6])
code = 'ㄱ = "가나다"; lins'
r = kc.complete(code, len(code), reply=True, timeout=20)["content"]
check("linspace" in r["matches"] and r["cursor_start"] == len(code) - 4,
      "completion positions count characters, not bytes (cursor_start %s)" % r["cursor_start"])
r = kc.inspect("linspace", 8, reply=True, timeout=20)["content"]
check(r["found"] and "linspace(a, b, n)" in r["data"]["text/plain"], "inspect_request gives help(linspace)")
r = kc.inspect("x:sum()", 5, reply=True, timeout=20)["content"]
check(r["found"] and "sum" in r["data"]["text/plain"], "inspect_request on a tensor method: x:sum")
r = kc.inspect("nothing_here", 5, reply=True, timeout=20)["content"]
check(not r["found"], "inspect_request on an unknown name finds nothing")

# os.exit() in a cell: the kernel says so and starts a fresh nabla
reply, msgs = execute("os.exit(3)", stop_on_error=False)
check(reply["status"] == "error" and "exit status 3" in reply["evalue"], "os.exit() in a cell is reported: " + reply.get("evalue", ""))
reply, msgs = execute("1 + 1")
check(result(msgs) == "2", "and the next cell runs in a fresh session")

# restart
km.restart_kernel(now=False)
kc.wait_for_ready(timeout=60)
reply, msgs = execute("kept_after_interrupt")
check(result(msgs) == "nil", "restart gives a fresh session (%s %s)" % (reply, [m["msg_type"] for _, m in msgs]))
reply, msgs = execute("tensor{1, 2}:sum():item()")
check(result(msgs) == "3.0" or result(msgs) == "3", "and it works: %s" % result(msgs))
kc.stop_channels()
km.shutdown_kernel(now=False)

# ---- a lesson as a notebook, end to end, in English and in Korean --------------------------------

for lang, well_done in (("en", "Well done"), ("ko", "좋아요")):
    path = os.path.join(TMP, "gd.%s.ipynb" % lang)
    r = subprocess.run([NABLA, "jupyter", "lesson", "gradient-descent", "--lang", lang, "--solutions", "-o", path],
                       capture_output=True, text=True)
    check(r.returncode == 0 and os.path.isfile(path), "nabla jupyter lesson gradient-descent --lang %s writes %s" % (lang, r.stdout.strip()))
    lesson_nb = nbformat.read(path, as_version=4)
    nbformat.validate(lesson_nb)
    roles = [cell.metadata.get("nabla", {}).get("role") for cell in lesson_nb.cells]
    check(roles.count("check") >= 5 and roles.count("quiz") == 1 and roles.count("code") >= 5,
          "%s: text, code, check and quiz cells (%d cells)" % (lang, len(lesson_nb.cells)))
    md = "".join(cell.source for cell in lesson_nb.cells if cell.cell_type == "markdown")
    check(("경사 하강법" in md) == (lang == "ko"), "%s: the text is in %s" % (lang, lang))
    t0 = time.time()
    try:
        run_notebook(lesson_nb, allow_errors=False, timeout=300)
        ran = True
    except nbclient.exceptions.CellExecutionError as e:
        ran = False
        print(str(e)[:2000])
    check(ran, "%s: the lesson notebook runs from top to bottom without an error (%.1f s)" % (lang, time.time() - t0))
    verdicts = [stream_text(cell) for cell in lesson_nb.cells if cell.metadata.get("nabla", {}).get("role") in ("check", "quiz")]
    passed = [v for v in verdicts if "✓" in v]
    check(verdicts and len(passed) == len(verdicts),
          "%s: every check cell passes on the reference solutions (%d/%d)" % (lang, len(passed), len(verdicts)))
    check(any(well_done in v for v in verdicts), "%s: the checks speak %s" % (lang, lang))
    svgs = sum(1 for cell in lesson_nb.cells for o in cell.get("outputs", [])
               if o.output_type == "display_data" and "image/svg+xml" in o.data)
    check(svgs >= 2, "%s: the lesson's plots are inline figures (%d)" % (lang, svgs))

# the learner's notebook: starter code, and a quiz cell waiting for a choice
path = os.path.join(TMP, "gd.ipynb")
subprocess.run([NABLA, "jupyter", "lesson", "gradient-descent", "-o", path], check=True, capture_output=True)
learner = nbformat.read(path, as_version=4)
quiz = [cell for cell in learner.cells if cell.metadata.get("nabla", {}).get("role") == "quiz"]
check(quiz and quiz[0].source.startswith('answer(nil, "gradient-descent"'), "the learner's quiz cell waits for a choice")
wrong = nbformat.v4.new_notebook()
wrong.metadata = learner.metadata
wrong.cells = [nbformat.v4.new_code_cell('x = linspace(0, 1, 10); y = 3 * x'),
               nbformat.v4.new_code_cell('check("gradient-descent", 1)'),
               nbformat.v4.new_code_cell('hint("gradient-descent", 1)')]
run_notebook(wrong)
check("✗" in stream_text(wrong.cells[1]) and "50 points" in stream_text(wrong.cells[1]),
      "a check cell catches a wrong answer and says what is wrong: " + stream_text(wrong.cells[1]).strip())
check("💡" in stream_text(wrong.cells[2]), "hint(id, k) works in a notebook")

# every lesson becomes a valid notebook in both languages (what ./setup.sh jupyter writes)
nbdir = os.path.join(TMP, "notebooks")
r = subprocess.run([NABLA, "jupyter", "notebooks", nbdir], capture_output=True, text=True)
lessons_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "lessons")
ids = sorted(f[:-4] for f in os.listdir(lessons_dir) if f.endswith(".lua"))
bad = []
for lang in ("en", "ko"):
    for lesson in ids:
        path = os.path.join(nbdir, lang, lesson + ".ipynb")
        try:
            book = nbformat.read(path, as_version=4)
            nbformat.validate(book)
            steps = {cell.metadata.get("nabla", {}).get("step") for cell in book.cells} - {None}
            if len(steps) < 6:
                bad.append("%s/%s: %d steps" % (lang, lesson, len(steps)))
        except Exception as e:  # a missing or invalid notebook
            bad.append("%s/%s: %s" % (lang, lesson, str(e)[:200]))
check(r.returncode == 0 and not bad, "nabla jupyter notebooks: all %d lessons in en and ko are valid notebooks %s"
      % (len(ids), bad))
r = subprocess.run([NABLA, "jupyter", "notebooks", nbdir], capture_output=True, text=True)
check(r.returncode == 0 and "0 notebooks" in r.stdout, "and a second run keeps the learner's notebooks: " + r.stdout.strip())

shutil.rmtree(TMP, ignore_errors=True)
print("%d checks, %d failed" % (checks, len(failures)))
for f in failures:
    print("FAILED:", f)
sys.exit(1 if failures else 0)
