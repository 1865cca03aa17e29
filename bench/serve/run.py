#!/usr/bin/python3
"""bench/serve: requests/s and p50/p99 latency of POST /predict (one MNIST test digit as a
28x28 PNG) at 1, 16 and 64 concurrent clients, for the MNIST MLP and CNN of experiments/,
served by nabla and by Flask + PyTorch with the same weights, in the same run; and the
shell's keystroke echo while nabla serves 64 clients.
    /usr/bin/python3 bench/serve/run.py [BUILD_DIR]      (needs python3-flask python3-torch python3-pil)
Bounded: a fixed number of requests per client. Prints a Markdown table."""
import json
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
NABLA = os.path.join(BUILD, "nabla")
tmp = tempfile.mkdtemp(prefix="bench-serve-")
LOAD = os.path.join(tmp, "load")
subprocess.run(["cc", "-O2", "-pthread", "-o", LOAD, os.path.join(ROOT, "bench/serve/load.c")], check=True)


def png28(pix):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + bytes(pix[r * 28:(r + 1) * 28]) for r in range(28))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


with open(os.path.join(ROOT, "datasets/mnist-small/t10k-images-idx3-ubyte"), "rb") as f:
    f.seek(16)
    digit = f.read(784)
BODY = os.path.join(tmp, "digit.png")
with open(BODY, "wb") as f:
    f.write(png28(digit))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(cmd, port, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = p.stdout.readline()
    if "ready" not in line:
        raise SystemExit(f"{cmd[0]} did not start: {line}{p.stdout.read()}")
    for _ in range(100):     # listening?
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return p
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{cmd} does not listen on {port}")


def load(port, clients, per_client):
    r = subprocess.run([LOAD, "127.0.0.1", str(port), "/predict", BODY, "image/png", str(clients), str(per_client)],
                       capture_output=True, text=True)
    return json.loads(r.stdout)


def shell_echo(kind, port):
    """keystroke echo of the nabla shell serving the model while 64 clients load it"""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(NABLA, [NABLA, "-q"])
    def read_until(token, limit=30):
        buf, t0 = b"", time.time()
        while time.time() - t0 < limit:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                buf += os.read(fd, 65536)
                if token in buf:
                    return buf
        return buf
    read_until("∇".encode())
    os.write(fd, (f'exp = dofile("{ROOT}/experiments/mnist-{kind}.lua"); m = exp.model(exp.config); '
                  f'srv = serve{{ model = m, port = {port}, quiet = true, queue = 256 }}\r').encode())
    read_until(b"[:%d]" % port)
    gen = subprocess.Popen([LOAD, "127.0.0.1", str(port), "/predict", BODY, "image/png", "64", "60"],
                           stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    lat = []
    for i in range(40):
        ch = b"abcdefghij"[i % 10:i % 10 + 1]
        t0 = time.time()
        os.write(fd, ch)
        buf = b""
        while ch not in buf and time.time() - t0 < 2:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                buf += os.read(fd, 4096)
        lat.append((time.time() - t0) * 1e3)
        time.sleep(0.05)
        if gen.poll() is not None:
            break
    gen.wait()
    os.write(fd, b"\x15srv:stop(); os.exit(0)\r")
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    lat.sort()
    return {"n": len(lat), "p50": lat[len(lat) // 2], "max": lat[-1], "load": json.loads(gen.stdout.read() or "{}")}


procs = []
rows = []
env = dict(os.environ, OMP_NUM_THREADS="2", OMP_WAIT_POLICY="passive")
for kind in ("mlp", "cnn"):
    weights = os.path.join(tmp, f"{kind}.safetensors")
    pn, pf = free_port(), free_port()
    nab = start([NABLA, os.path.join(ROOT, "bench/serve/nabla_server.lua"), kind, str(pn), weights], pn, env)
    fl = start(["/usr/bin/python3", os.path.join(ROOT, "bench/serve/flask_server.py"), kind, str(pf), weights], pf)
    load(pn, 4, 20)
    load(pf, 4, 5)   # warm up
    for clients, n_nabla, n_flask in ((1, 1000, 150), (16, 150, 20), (64, 50, 6)):
        a = load(pn, clients, n_nabla)
        b = load(pf, clients, n_flask)
        rows.append((kind, clients, a, b))
        print(kind, clients, a, b, file=sys.stderr, flush=True)
    for p in (nab, fl):
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
echo = shell_echo("cnn", free_port())

print(f"bench/serve — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores (shared with other jobs: noisy)")
print()
print("| model | clients | nabla req/s | p50 ms | p99 ms | Flask+PyTorch req/s | p50 ms | p99 ms | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for kind, c, a, b in rows:
    print(f"| {kind} | {c} | {a['rps']:.0f} | {a['p50']:.2f} | {a['p99']:.2f} | {b['rps']:.0f} | {b['p50']:.2f} | "
          f"{b['p99']:.2f} | {a['rps'] / b['rps']:.1f}x |")
print()
print(f"shell keystroke echo while nabla serves the CNN to 64 clients: p50 {echo['p50']:.1f} ms, "
      f"max {echo['max']:.1f} ms over {echo['n']} keys (load: {echo['load'].get('rps', 0):.0f} req/s, "
      f"p99 {echo['load'].get('p99', 0):.1f} ms)")
errors = sum(a["errors"] + b["errors"] for _, _, a, b in rows)
if errors:
    print(f"errors: {errors}")
