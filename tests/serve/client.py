#!/usr/bin/python3
"""The classroom server's endpoint tests, client side (tests/lua/test_serve.lua starts the
server and runs this; it answers the requests on nabla's main thread meanwhile).

    client.py PORT DIGITS OUT [WEBDIR]

DIGITS: n records of 784 bytes (MNIST test digits, light on dark) then n label bytes.
Writes OUT as JSON: every answer (with the kind of request that got it), and the checks
that need no model (errors, pages, concurrency, events), each {name, ok, detail}."""
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib

PORT, DIGITS, OUT = int(sys.argv[1]), sys.argv[2], sys.argv[3]
WEB = sys.argv[4] if len(sys.argv) > 4 else None
BASE = f"http://127.0.0.1:{PORT}"
checks, answers = [], []


def check(name, ok, detail=""):
    checks.append({"name": name, "ok": bool(ok), "detail": str(detail)[:300]})


# ---- a small PNG writer (every colour type the tests send) ------------------------------

def png(width, height, rows, color_type, bit_depth=8, palette=None):
    """rows: list of bytes, already packed for the colour type and depth."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    if palette:
        out += chunk(b"PLTE", b"".join(bytes(p) for p in palette))
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def mnist_png(pix):
    """28x28 grey 8-bit, light ink on black: as MNIST stores it."""
    return png(28, 28, [bytes(pix[r * 28:(r + 1) * 28]) for r in range(28)], 0)


def sheet(pix, w=240, h=180, ox=150, oy=25, scale=4):
    """The digit as dark ink on a larger white sheet, scaled up (bilinear) and off-centre:
    grey levels 0..255 (255 = paper)."""
    g = [[255] * w for _ in range(h)]
    size = 28 * scale
    for y in range(size):
        for x in range(size):
            fy, fx = (y + 0.5) / scale - 0.5, (x + 0.5) / scale - 0.5
            y0, x0 = max(0, min(27, int(fy // 1))), max(0, min(27, int(fx // 1)))
            y1, x1 = min(27, y0 + 1), min(27, x0 + 1)
            ty, tx = min(1, max(0, fy - y0)), min(1, max(0, fx - x0))
            v = (pix[y0 * 28 + x0] * (1 - ty) * (1 - tx) + pix[y0 * 28 + x1] * (1 - ty) * tx
                 + pix[y1 * 28 + x0] * ty * (1 - tx) + pix[y1 * 28 + x1] * ty * tx)
            if 0 <= oy + y < h and 0 <= ox + x < w:
                g[oy + y][ox + x] = 255 - int(round(v))
    return g


def sheet_rgb(g):
    return png(len(g[0]), len(g), [bytes(v for p in row for v in (p, p, min(255, p + 10))) for row in g], 2)


def sheet_palette(g):
    pal = [(i, i, i) for i in range(0, 256, 17)]        # 16 greys
    return png(len(g[0]), len(g), [bytes(min(15, (p + 8) // 17) for p in row) for row in g], 3, 8, pal)


def sheet_grey16_alpha(g):
    return png(len(g[0]), len(g), [b"".join(struct.pack(">HH", p * 257, 65535) for p in row) for row in g], 4, 16)


def sheet_transparent(g):
    """black ink whose coverage is alpha, on a fully transparent canvas (a browser's canvas)"""
    return png(len(g[0]), len(g), [bytes(v for p in row for v in (0, 0, 0, 255 - p)) for row in g], 6)


# ---- HTTP ---------------------------------------------------------------------------------

def request(path, data=None, ctype=None, method=None, timeout=30):
    r = urllib.request.Request(BASE + path, data=data, method=method)
    if ctype:
        r.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(r, timeout=timeout) as f:
            return f.status, dict(f.headers), f.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def raw(request_bytes):
    """a hand-made request (paths urllib would clean up); returns the status and the body"""
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as s:
        s.sendall(request_bytes)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data:
        return 0, b""      # closed without an answer (civetweb refuses some request lines)
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def multipart(field, filename, content):
    b = "nablaBoundary7MA4YWxk"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + content + f"\r\n--{b}--\r\n".encode()
    return body, f"multipart/form-data; boundary={b}"


def predict(kind, index, data, ctype, query=""):
    status, headers, body = request("/predict" + query, data, ctype)
    entry = {"kind": kind, "index": index, "status": status}
    try:
        j = json.loads(body)
    except ValueError:
        j = {"error": "not JSON: " + body[:100].decode("latin-1")}
    entry.update(j)
    entry["ctype"] = headers.get("Content-Type", "")
    answers.append(entry)
    return status, j


def main():
    blob = open(DIGITS, "rb").read()
    n = len(blob) // 785
    digits = [blob[i * 784:(i + 1) * 784] for i in range(n)]
    labels = list(blob[n * 784:n * 785])

    # 1. real digits, MNIST-style and on a white sheet, in every transport and colour type
    for i, pix in enumerate(digits):
        predict("mnist-png", i, mnist_png(pix), "image/png")
        g = sheet(pix, ox=20 + (i * 37) % 110, oy=10 + (i * 23) % 50)
        form, ctype = multipart("image", f"digit{i}.png", sheet_rgb(g))
        predict("sheet-multipart", i, form, ctype)
        if i < 6:
            predict("sheet-palette", i, sheet_palette(g), "image/png")
            predict("sheet-grey16-alpha", i, sheet_grey16_alpha(g), "image/png")
            predict("sheet-transparent", i, sheet_transparent(g), "image/png")
        predict("pixels", i, json.dumps({"pixels": [v / 255 for v in pix]}).encode(), "application/json")
    st, j = predict("activations", 0, mnist_png(digits[0]), "image/png", "?activations=1")
    check("activations on request", st == 200 and isinstance(j.get("activations"), list) and len(j["activations"]) > 0,
          [(a.get("name"), a.get("kind"), a.get("shape")) for a in j.get("activations", [])])
    st, j = predict("activations-json", 1, json.dumps({"pixels": [v / 255 for v in digits[1]], "activations": True}).encode(),
                    "application/json")
    check("activations from JSON", st == 200 and len(j.get("activations", [])) > 0, st)
    check("no activations unless asked", "activations" not in answers[0], list(answers[0].keys()))

    # 2. bad input: a JSON error with the right status, never a crash
    good = mnist_png(digits[0])
    bad = [
        ("truncated PNG", good[:len(good) // 2], "image/png", 400),
        ("PNG signature then garbage", good[:8] + os.urandom(200), "image/png", 400),
        ("random bytes as PNG", os.urandom(3000), "image/png", 400),
        ("damaged CRC", good[:40] + bytes([good[40] ^ 0xFF]) + good[41:], "image/png", 400),
        ("huge dimensions (a bomb)", png(30000, 30000, [], 0)[:33] + good[33:], "image/png", 400),
        ("blank white sheet", png(50, 50, [b"\xff" * 50] * 50, 0), "image/png", 400),
        ("empty body", b"", "image/png", 400),
        ("broken JSON", b'{"pixels": [0.1, 0.2', "application/json", 400),
        ("JSON that is not an object", b"[1, 2, 3]", "application/json", 400),
        ("783 pixels", json.dumps({"pixels": [0.0] * 783}).encode(), "application/json", 400),
        ("785 pixels", json.dumps({"pixels": [0.0] * 785}).encode(), "application/json", 400),
        ("a pixel over 1", json.dumps({"pixels": [0.0] * 783 + [1.5]}).encode(), "application/json", 400),
        ("a negative pixel", json.dumps({"pixels": [-0.1] + [0.0] * 783}).encode(), "application/json", 400),
        ("a pixel that is a string", json.dumps({"pixels": ["0"] + [0.0] * 783}).encode(), "application/json", 400),
        ("form without an image field", multipart("file", "x.png", good)[0], multipart("file", "x.png", good)[1], 400),
        ("form with a broken image", *multipart("image", "x.png", b"not a png"), 400),
        ("unknown content type", b"hello", "text/plain", 400),
        ("body over 1 MiB", b"\x89PNG" + b"\0" * (1 << 20), "image/png", 413),
    ]
    for name, data, ctype, want in bad:
        status, headers, body = request("/predict", data, ctype)
        try:
            msg = json.loads(body).get("error")
        except ValueError:
            msg = None
        check(f"bad input: {name} -> {want}", status == want and isinstance(msg, str) and len(msg) > 10
              and headers.get("Content-Type", "").startswith("application/json"), (status, body[:160]))

    # 3. methods and paths
    status, headers, body = request("/predict")
    check("GET /predict -> 405 with Allow: POST", status == 405 and headers.get("Allow") == "POST", (status, headers.get("Allow")))
    status, headers, body = request("/model", b"{}", "application/json")
    check("POST /model -> 405 with Allow", status == 405 and "GET" in headers.get("Allow", ""), status)
    status, headers, body = request("/", method="DELETE")
    check("DELETE / -> 405 or 404", status in (404, 405), status)
    for path in ["/nope", "/static/nope.js", "/etc/passwd", "/static/", "/predict/x", "/web/index.html",
                 "/README.md", "/static/README.md"]:
        status, headers, body = request(path)
        check(f"GET {path} -> 404 JSON", status == 404 and b'"error"' in body, status)
    for path in [b"/static/../../../../etc/passwd", b"/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", b"//etc/passwd",
                 b"/static//etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/static/..%2f..%2f..%2fetc%2fpasswd",
                 b"/../meson.build", b"/static/%00", b"http://127.0.0.1/etc/passwd", b"/lesson/../../etc/passwd"]:
        status, body = raw(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(f"GET {path.decode()} serves no file", status in (0, 400, 404) and b"root:" not in body, status)

    # 4. the built-in pages: every file of web/ byte for byte, nothing else
    if WEB:
        pages = {"index.html": "/", "draw.html": "/draw", "lesson.html": "/lesson"}
        for root, _, files in os.walk(WEB):
            for f in files:
                rel = os.path.relpath(os.path.join(root, f), WEB)
                if rel == "README.md":
                    continue
                url = pages.get(rel, "/" + rel if rel.startswith("static/") else None)
                if not url:
                    continue
                status, headers, body = request(url)
                check(f"GET {url} is web/{rel}", status == 200 and body == open(os.path.join(WEB, rel), "rb").read(),
                      (status, headers.get("Content-Type")))

    # 5. /model and /state
    status, headers, body = request("/model")
    m = json.loads(body)
    check("GET /model", status == 200 and m.get("parameters", 0) > 0 and m.get("classes") == [str(k) for k in range(10)]
          and "experiment" in m and "test_accuracy" in m and len(m.get("layers", [])) > 0, body[:200])
    status, headers, body = request("/state")
    s = json.loads(body)
    check("GET /state", status == 200 and s.get("model", {}).get("parameters") == m["parameters"] and "training" in s
          and s.get("lang") in ("en", "ko"), body[:200])

    # 6. 64 requests, 16 at a time: every one answered, the same answer as alone
    results = [None] * 64
    expected = {i: None for i in range(8)}
    for a in answers:
        if a["kind"] == "mnist-png" and a["index"] < 8:
            expected[a["index"]] = a.get("probabilities")

    def worker(k):
        for r in range(k, 64, 16):
            st, hd, bd = request("/predict", mnist_png(digits[r % 8]), "image/png")
            results[r] = (st, json.loads(bd).get("probabilities") if st == 200 else bd)
    t0 = time.time()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.time() - t0
    ok = all(r and r[0] == 200 for r in results)
    same = ok and all(max(abs(a - b) for a, b in zip(results[r][1], expected[r % 8])) < 1e-5 for r in range(64))
    check("64 requests, 16 at a time: all 200", ok, [r[0] if r else None for r in results])
    check("64 requests, 16 at a time: each answer as when alone", same, f"{took:.2f} s")

    # 7. the event stream: hello first, then what fit() emits (the test trains after "ready")
    events = []
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=60)
    sock.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
    buf = b""
    open(OUT + ".ready", "w").close()
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            name = data = None
            for line in block.decode("utf-8", "replace").split("\n"):
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
            if name:
                events.append((name, json.loads(data) if data else None))
        # a /predict while fit() trains: answered between its steps
        if any(e[0] == "train_step" for e in events) and not any(a["kind"] == "during-fit" for a in answers):
            predict("during-fit", 2, mnist_png(digits[2]), "image/png")
        if sum(1 for e in events if e[0] == "epoch") >= 2:
            break
    sock.close()
    names = [e[0] for e in events]
    check("/events: hello first", names[:1] == ["hello"] and "model" in (events[0][1] or {}), names[:3])
    steps = [e[1] for e in events if e[0] == "train_step"]
    check("/events: train_step from fit", len(steps) >= 2 and all(
        k in steps[0] for k in ("epoch", "epochs", "step", "steps", "loss", "lr", "images_per_s", "grad_norms")),
          steps[:1])
    epochs = [e[1] for e in events if e[0] == "epoch"]
    check("/events: epoch from fit", len(epochs) >= 2 and all(k in epochs[0] for k in ("epoch", "train_loss", "val_loss", "val_acc")),
          epochs[:1])
    check("a /predict during fit is answered", any(a["kind"] == "during-fit" and a["status"] == 200 for a in answers),
          [a["status"] for a in answers if a["kind"] == "during-fit"])
    status, headers, body = request("/state")
    tr = json.loads(body).get("training") or {}
    check("/state after fit has the curves", len(tr.get("history", {}).get("loss", [])) >= 2
          and len(tr.get("history", {}).get("epoch_val_acc", [])) >= 2, str(tr)[:200])

    with open(OUT + ".tmp", "w") as f:
        json.dump({"answers": answers, "checks": checks, "labels": labels}, f)
    os.rename(OUT + ".tmp", OUT)


try:
    main()
except Exception as e:   # the Lua side reports it
    import traceback
    with open(OUT + ".tmp", "w") as f:
        json.dump({"crash": traceback.format_exc(), "answers": answers, "checks": checks}, f)
    os.rename(OUT + ".tmp", OUT)
