#!/usr/bin/python3
"""`nabla run X.lua` records the experiment and config in its checkpoints, and
`nabla serve CHECKPOINT --port 0` rebuilds the model from them and serves it until Ctrl-C;
`--serve` trains with the dashboard live. Usage: test_serve_cli.py NABLA_EXE."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

NABLA = sys.argv[1]
failed = 0


def check(name, ok, detail=""):
    global failed
    print(("ok     " if ok else "FAILED ") + name + ("" if ok else f"\n  {detail}"))
    failed += 0 if ok else 1


EXPERIMENT = """
local nabla = require "nabla"
local nn, data = nabla.nn, nabla.data
return {
  name = "tiny-mlp",
  config = { epochs = 1, hidden = 24, seed = 1 },
  model = function(cfg)
    return nn.Sequential{ nn.Flatten(), nn.Linear(784, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, 10) }
  end,
  run = function(cfg, exp)
    local train = data.mnist{ split = "train", small = true }
    local test = data.mnist{ split = "test", small = true }
    local model = exp.model(cfg)
    local h = nabla.fit(model, data.loader(train, { batch = 50, shuffle = true, seed = cfg.seed }),
      { epochs = cfg.epochs, val = test, checkpoint = cfg.run_dir, quiet = true })
    return require("nabla.run").test_result(model, test, h)
  end,
}
"""


def start(args):
    p = subprocess.Popen([NABLA] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url, lines, t0 = None, [], time.time()
    while time.time() - t0 < 60:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if m:
            url = m.group(1)
            break
    return p, url, lines


def get(url):
    with urllib.request.urlopen(url, timeout=20) as f:
        return json.loads(f.read())


with tempfile.TemporaryDirectory() as d:
    exp = os.path.join(d, "tiny.lua")
    with open(exp, "w") as f:
        f.write(EXPERIMENT)
    run_dir = os.path.join(d, "run")
    r = subprocess.run([NABLA, "run", exp, "--hidden", "20", "--run_dir", run_dir], capture_output=True, text=True, timeout=300)
    check("nabla run trains the tiny experiment", r.returncode == 0, r.stdout + r.stderr)
    ck = os.path.join(run_dir, "best.safetensors")

    p, url, lines = start(["serve", ck, "--port", "0"])
    check("nabla serve prints its address", url is not None, "".join(lines))
    if url:
        m = get(url + "model")
        check("the model is rebuilt from the recorded experiment and config (hidden = 20)",
              m["name"] == "tiny-mlp" and m["experiment"] == exp and m["layers"][1]["params"] == 784 * 20 + 20
              and isinstance(m["test_accuracy"], float) and m["test_accuracy"] > 0.5, m)
        req = urllib.request.Request(url + "predict", json.dumps({"pixels": [0.0] * 784}).encode(),
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=20) as f:
            a = json.loads(f.read())
        check("it answers /predict", len(a["probabilities"]) == 10, a)
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    check("Ctrl-C stops nabla serve cleanly (exit 0)", rc == 0, rc)

    r = subprocess.run([NABLA, "serve", os.path.join(d, "missing.safetensors")], capture_output=True, text=True, timeout=60)
    check("a missing checkpoint: a message and a non-zero exit", r.returncode != 0 and "missing.safetensors" in r.stderr
          and "Traceback" not in r.stderr, r.stderr)
    r = subprocess.run([NABLA, "serve", ck, "--port", "x"], capture_output=True, text=True, timeout=60)
    check("a bad --port: a message and a non-zero exit", r.returncode != 0 and "--port" in r.stderr, r.stderr)

    # --serve: the dashboard while it trains, then the trained model until Ctrl-C
    p, url, lines = start(["run", exp, "--serve", "--port", "0", "--run_dir", os.path.join(d, "run2")])
    check("nabla run --serve prints its address", url is not None, "".join(lines))
    if url:
        deadline, model = time.time() + 120, None
        while time.time() < deadline:
            try:
                s = get(url + "state")
                if s.get("model") and s.get("training") and not s["training"]["running"]:
                    model = s
                    break
            except Exception:
                pass
            time.sleep(0.3)
        check("--serve: the state shows the trained model and its curves", model is not None
              and len(model["training"]["history"]["epoch_val_acc"]) == 1, str(model)[:300])
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    check("Ctrl-C ends nabla run --serve", rc == 0, rc)

print(f"{'FAILED' if failed else 'all passed'}")
sys.exit(1 if failed else 0)
