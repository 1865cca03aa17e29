"""nabla installed, then moved away from its sources (issue 19).

`meson install --destdir` into a temporary directory; the installed prefix is copied to
another directory and the first copy removed, so that neither the build tree nor the source
tree can be reached from the installed files. From there, in an empty working directory,
with NABLA_PATH, NABLA_DATA and NABLA_LESSONS unset and HOME pointing at a new directory:
lessons() lists every lesson of the sources, a lesson opens in English and in Korean,
data.mnist{} loads the bundled subset, `nabla run --list` lists the bundled experiments,
`nabla run mnist-mlp --help` shows its options, a script trains a small model on the subset,
an experiment file given by path runs into runs/ under the working directory, help() works,
`require "nabla"` works from lua5.4, the Jupyter kernel installs pointing at the moved
executable, fetched data sets would go to $XDG_DATA_HOME/nabla/datasets, and nothing is
written into the installed tree.

Usage: test_install.py NABLA_EXE   (run from the source root; the build root is the
executable's directory). With NABLA_INSTALLED=PREFIX it checks an existing install instead
(tests/install/deb.sh: the Debian package, PREFIX=/usr).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
TMP = tempfile.mkdtemp(prefix="nabla-install-")
failures = []
passed = 0


def check(cond, what, detail=""):
    global passed
    if cond:
        passed += 1
        print("ok   " + what)
    else:
        failures.append(what)
        print("FAIL " + what + (("\n     " + detail.replace("\n", "\n     ")) if detail else ""))


def tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


# ---- install, then move -----------------------------------------------------------------
t0 = time.time()
if os.environ.get("NABLA_INSTALLED"):
    prefix = os.environ["NABLA_INSTALLED"]
else:
    build = os.path.dirname(EXE)
    dest = os.path.join(TMP, "destdir")
    r = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"],
                       capture_output=True, text=True)
    check(r.returncode == 0, "meson install --destdir", r.stdout + r.stderr)
    exes = glob.glob(os.path.join(dest, "**", "bin", "nabla"), recursive=True)
    check(len(exes) == 1, "one bin/nabla installed", repr(exes))
    if not exes:
        sys.exit(1)
    installed = os.path.dirname(os.path.dirname(exes[0]))
    prefix = os.path.join(TMP, "elsewhere", "nabla-copy")
    shutil.copytree(installed, prefix, symlinks=True)
    shutil.rmtree(dest)  # the first install is gone: only the copy is left
print("installed and moved in %.1f s: %s" % (time.time() - t0, prefix))

nabla = os.path.join(prefix, "bin", "nabla")
share = os.path.join(prefix, "share", "nabla")
work = os.path.join(TMP, "work")
home = os.path.join(TMP, "home")
os.makedirs(work)
os.makedirs(home)
env = {k: v for k, v in os.environ.items()
       if not k.startswith("NABLA_") and not k.startswith("XDG_") and k not in ("LUA_PATH", "LUA_CPATH")}
env.update({"HOME": home, "LANG": "C.UTF-8", "NO_COLOR": "1", "OMP_NUM_THREADS": "2",
            "PATH": os.path.join(prefix, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")})
# (an install into /usr: its share/nabla and bin/nabla only)
watched = share if os.environ.get("NABLA_INSTALLED") else prefix
before = tree(watched)


def run(args, env_extra=None, timeout=120, inp=None):
    e = dict(env)
    e.update(env_extra or {})
    r = subprocess.run(args, cwd=work, env=e, capture_output=True, text=True, timeout=timeout, input=inp)
    return r.returncode, r.stdout, r.stderr


def nb(*args, **kw):
    return run([nabla] + list(args), **kw)


# ---- files ------------------------------------------------------------------------------
for rel in ["lua/nabla/init.lua", "lua/nabla/paths.lua", "lessons/lib/digits.lua",
            "datasets/mnist-small/train-images-idx3-ubyte", "datasets/mnist-small/t10k-labels-idx1-ubyte",
            "datasets/fetch", "datasets/SHA256SUMS", "experiments/mnist-mlp.lua",
            "web/draw.html", "jupyter/nabla_kernel.py"]:
    check(os.path.isfile(os.path.join(share, rel)), "installed share/nabla/" + rel)
check(os.access(os.path.join(share, "datasets", "fetch"), os.X_OK), "datasets/fetch is executable")
check(os.path.isfile(os.path.join(prefix, "share", "man", "man1", "nabla.1")) or
      os.path.isfile(os.path.join(prefix, "share", "man", "man1", "nabla.1.gz")), "man page nabla.1")
check(os.path.isfile(os.path.join(prefix, "share", "doc", "nabla", "README.md")) or
      os.path.isfile(os.path.join(prefix, "share", "doc", "nabla", "README.md.gz")), "share/doc/nabla/README.md")
for d in ["lessons", "experiments", "web"]:
    srcfiles = sorted(os.path.relpath(p, os.path.join(SRC, d))
                      for p in glob.glob(os.path.join(SRC, d, "**", "*"), recursive=True) if os.path.isfile(p))
    missing = [f for f in srcfiles if not os.path.isfile(os.path.join(share, d, f))]
    check(not missing, "every file of %s/ installed (%d)" % (d, len(srcfiles)), "missing: %s" % missing)

# ---- where it looks ---------------------------------------------------------------------
rc, out, err = nb("-e", "print(paths.installed, paths.root); print(paths.data)")
lines = out.split("\n")
check(rc == 0 and lines[0].split()[:1] == ["true"], "paths.installed", out + err)
root_seen = lines[0].split(None, 1)[1] if rc == 0 and lines[0] else ""
check(os.path.realpath(root_seen) == os.path.realpath(share), "resources from the moved tree: " + root_seen,
      "expected %s" % share)
check(SRC not in out and SRC not in err, "no path into the source tree")
user_data = os.path.join(home, ".local", "share", "nabla", "datasets")
check(len(lines) > 1 and lines[1] == user_data, "fetched data sets go to ~/.local/share/nabla/datasets", out)
rc, out, err = nb("-e", "print(paths.data)", env_extra={"XDG_DATA_HOME": os.path.join(TMP, "xdg")})
check(out.strip() == os.path.join(TMP, "xdg", "nabla", "datasets"), "... or $XDG_DATA_HOME/nabla/datasets", out + err)
rc, out, err = nb("-e", "print(paths.data)", env_extra={"NABLA_DATA": os.path.join(TMP, "nd")})
check(out.strip() == os.path.join(TMP, "nd"), "... or $NABLA_DATA", out + err)
rc, out, err = run(["sh", os.path.join(share, "datasets", "fetch"), "--where"])
check(rc == 0 and out.strip() == user_data, "datasets/fetch --where: the user's data directory", out + err)
rc, out, err = nb("-e", "print(select(1, require('nabla.paths').fetch_command('mnist')))")
check(("NABLA_DATA='%s'" % user_data) in out, "data.mnist{download=true} fetches into the user's directory", out + err)

# ---- lessons ----------------------------------------------------------------------------
ids = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(SRC, "lessons", "*.lua")))
rc, out, err = nb("-e", "lessons()")
listed = re.findall(r"^\s*\d+\.\s+(\S+)", out, re.M)
check(rc == 0 and sorted(listed) == ids, "lessons() lists every lesson (%d)" % len(ids),
      "listed %s\nexpected %s\n%s" % (listed, ids, err))
rc, en, err = nb("-e", 'lesson "gradient-descent"')
check(rc == 0 and "Gradient descent" in en and "by hand" in en, "a lesson opens in English", en[:400] + err)
rc, ko, err = nb("--lang", "ko", "-e", 'lesson "gradient-descent"')
check(rc == 0 and "경사 하강법" in ko, "the lesson opens in Korean", ko[:400] + err)
rc, out, err = nb("-e", 'lesson "mnist"')  # its first step loads lessons/lib/digits.lua
check(rc == 0 and "error" not in (out + err).lower(), "the mnist lesson (lessons/lib) opens", out[-400:] + err)

# ---- data -------------------------------------------------------------------------------
rc, out, err = nb("-e", 'local tr, te = data.mnist{}, data.mnist{split = "test"}; print(#tr, #te, tr.path)')
f = out.split()
check(rc == 0 and f[:2] == ["2000", "500"], "data.mnist{} loads the bundled subset (2000/500)", out + err)
check(rc == 0 and len(f) > 2 and os.path.realpath(f[2]).startswith(os.path.realpath(share)),
      "... from the installed tree", out)

# ---- experiments --------------------------------------------------------------------------
exps = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(SRC, "experiments", "*.lua"))
              if re.search(r"[\s{,]run\s*=|function\s+\w+\.run\s*\(", open(p, encoding="utf-8").read()))
rc, out, err = nb("run", "--list")
rows = [l.split(None, 1) for l in out.strip().split("\n") if l.strip()]
check(rc == 0 and sorted(r[0] for r in rows) == exps, "nabla run --list lists the bundled experiments (%d)" % len(exps),
      out + err)
check(all(len(r) == 2 and len(r[1]) > 5 for r in rows) and all(len(l) <= 80 for l in out.split("\n")),
      "... one line each, with a description, within 80 columns", out)
rc, out, err = nb("run", "mnist-mlp", "--help")
check(rc == 0 and "--epochs" in out and "--lr" in out and "--hidden" in out, "nabla run mnist-mlp --help shows its options",
      out + err)
rc, out, err = nb("run", "mnist-mpl")
check(rc != 0 and "mnist-mlp" in err, "a misspelt experiment: an error naming the right one", out + err)

# ---- training ----------------------------------------------------------------------------
with open(os.path.join(work, "train.lua"), "w") as fh:
    fh.write("""
manual_seed(1)
local train = data.mnist{ small = true }
local test = data.mnist{ small = true, split = "test" }
local model = nn.Sequential{ nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10) }
local h = fit(model, data.loader(train, { batch = 50, shuffle = true, seed = 1 }),
              { epochs = 3, lr = 3e-3, quiet = true })
local ev = evaluate(model, test)
print(("accuracy %.3f loss %.3f"):format(ev.accuracy, h.loss[#h.loss]))
""")
rc, out, err = nb("train.lua", timeout=300)
m = re.search(r"accuracy ([\d.]+)", out)
check(rc == 0 and m and float(m.group(1)) > 0.80,
      "a script trains an MLP on the bundled subset (test accuracy %s > 0.80)" % (m.group(1) if m else "?"), out + err)

with open(os.path.join(work, "tiny.lua"), "w") as fh:
    fh.write("""-- tiny: a linear classifier on 500 digits of the bundled subset
local nabla = require "nabla"
return {
  name = "tiny",
  config = { epochs = 1, lr = 0.01 },
  run = function(cfg)
    local train = nabla.data.mnist{ small = true, limit = 500 }
    local model = nabla.nn.Sequential{ nabla.nn.Flatten(), nabla.nn.Linear(784, 10) }
    local h = nabla.fit(model, nabla.data.loader(train, { batch = 50 }),
                        { epochs = cfg.epochs, lr = cfg.lr, quiet = true, checkpoint = cfg.run_dir })
    return require("nabla.run").test_result(model, nabla.data.mnist{ small = true, split = "test" }, h)
  end,
}
""")
rc, out, err = nb("run", "tiny.lua", "--epochs", "2", timeout=300)
results = glob.glob(os.path.join(work, "runs", "tiny-*", "result.txt"))
check(rc == 0 and len(results) == 1 and "test_accuracy" in open(results[0]).read(),
      "nabla run FILE.lua writes runs/NAME-DATE/ under the working directory", out + err)

# ---- help, the Lua module, Jupyter ------------------------------------------------------
rc, out, err = nb("-e", "help()")
check(rc == 0 and "lessons" in out and len(out.split("\n")) > 10, "help() lists the topics", out[:300] + err)
rc, out, err = nb("-e", "help(nn.Linear)")
check(rc == 0 and "Linear(" in out, "help(nn.Linear)", out + err)
rc, out, err = nb("--lang", "ko", "-e", "help(fit)")
check(rc == 0 and re.search("[가-힣]", out), "help in Korean", out + err)
mods = (glob.glob(os.path.join(prefix, "lib", "lua", "5.4", "nabla.so")) +
        glob.glob(os.path.join(prefix, "lib", "*", "lua", "5.4", "nabla.so")))
check(len(mods) == 1, "nabla.so installed", repr(mods))
if mods and shutil.which("lua5.4"):
    rc, out, err = run(["lua5.4", "-e", "package.cpath = os.getenv('MODDIR') .. '/?.so;' .. package.cpath; "
                        "local n = require 'nabla'; print(n._C.paths.root); print(#n.data.mnist{ small = true })"],
                       env_extra={"MODDIR": os.path.dirname(mods[0])})
    first = out.split("\n")[0]
    check(rc == 0 and os.path.realpath(first) == os.path.realpath(share) and "2000" in out,
          "require 'nabla' from lua5.4 finds the installed files", out + err)
rc, out, err = nb("jupyter", "install", env_extra={"JUPYTER_DATA_DIR": os.path.join(TMP, "jupyter")})
kj = os.path.join(TMP, "jupyter", "kernels", "nabla", "kernel.json")
kernel = open(kj).read() if os.path.isfile(kj) else ""
check(rc == 0 and nabla in kernel and "NABLA_PATH" not in kernel,
      "nabla jupyter install: the kernel runs the moved nabla, no NABLA_PATH", out + err + kernel)

# ---- nothing written into the install -----------------------------------------------------
after = tree(watched)
changed = sorted(set(after) ^ set(before)) + sorted(k for k in before if k in after and after[k] != before[k])
check(not changed, "nothing written into the installed tree", repr(changed[:10]))

shutil.rmtree(TMP, ignore_errors=True)
print("install: %d passed, %d failed (%.1f s)" % (passed, len(failures), time.time() - t0))
sys.exit(1 if failures else 0)
