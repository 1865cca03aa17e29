#!/usr/bin/python3
"""POST /read over loopback, client side (tests/lua/test_read.lua starts the servers, writes
the lines and runs this; it answers on nabla's main thread meanwhile).

    read_client.py PORT IDLE_PORT LINES OUT

LINES: JSON [{"text": "4093", "h": 28, "w": W, "pixels": [h*w bytes 0..255, light ink on
black], "spans": [[x0, x1], ...]}, ...] - lines composed from MNIST test digits.
Each line is sent as it is and as photo-like pages (scaled up, dark ink on light paper lit
unevenly, noise, margins, turned a few degrees, RGB; light ink on a dark board; as a form
field). OUT: JSON {"answers": [{kind, index, status, text, characters, model, ms, digit_boxes}],
"checks": [{name, ok, detail}], "latency_ms": {...}}. digit_boxes: where each digit of the
line went in the posted image (to check the boxes against)."""
import json
import math
import socket
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib

import numpy as np

if __name__ == "__main__":
    PORT, IDLE, LINES, OUT = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    BASE = f"http://127.0.0.1:{PORT}"
else:                                   # imported for png()
    BASE = None
checks, answers = [], []


def check(name, ok, detail=""):
    checks.append({"name": name, "ok": bool(ok), "detail": str(detail)[:400]})


def png(a, color_type=0):
    """a: uint8 array (h, w) grey or (h, w, 3) RGB."""
    h, w = a.shape[:2]

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def post(path, data, ctype="image/png", method="POST", base=None, timeout=60):
    req = urllib.request.Request((base or BASE) + path, data=data, method=method)
    if ctype:
        req.add_header("Content-Type", ctype)
    t0 = time.time()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            return r.status, json.loads(body), dict(r.headers), (time.time() - t0) * 1e3
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            j = json.loads(body)
        except ValueError:
            j = {"raw": body.decode("latin-1")[:200]}
        return e.code, j, dict(e.headers), (time.time() - t0) * 1e3


def photo(ink, scale, angle_deg, margin, seed, dark_board=False):
    """The line (ink 0..1, h x w) as a photo of a page: scaled, turned by angle_deg about the
    centre, inside margins, paper lit from one side, grain. Returns uint8 RGB (or grey for
    the dark board) and the map from line coordinates to the photo's."""
    rng = np.random.default_rng(seed)
    h, w = ink.shape
    sh, sw = h * scale, w * scale
    t = math.radians(angle_deg)
    c, s = math.cos(t), math.sin(t)
    # the turned line's extent
    bw = abs(sw * c) + abs(sh * s)
    bh = abs(sw * s) + abs(sh * c)
    W, H = int(bw + 2 * margin[0]), int(bh + 2 * margin[1])
    cx, cy = W / 2, H / 2
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float64) + 0.5
    # photo point -> line point (inverse turn, then unscale)
    dx, dy = xs - cx, ys - cy
    u = (dx * c + dy * s + sw / 2) / scale
    v = (-dx * s + dy * c + sh / 2) / scale
    # bilinear in the line
    u0, v0 = np.floor(u - 0.5).astype(int), np.floor(v - 0.5).astype(int)
    tu, tv = u - 0.5 - u0, v - 0.5 - v0
    val = np.zeros((H, W))
    for du in (0, 1):
        for dv in (0, 1):
            uu, vv = u0 + du, v0 + dv
            ok = (uu >= 0) & (uu < w) & (vv >= 0) & (vv < h)
            wt = (tu if du else 1 - tu) * (tv if dv else 1 - tv)
            val += np.where(ok, ink[np.clip(vv, 0, h - 1), np.clip(uu, 0, w - 1)], 0) * wt
    val = np.clip(val, 0, 1)

    def to_photo(x, y):
        """a point of the line -> the photo"""
        px, py = x * scale - sw / 2, y * scale - sh / 2
        return cx + px * c - py * s, cy + px * s + py * c

    if dark_board:
        board = 40 + 15 * (xs / W)
        img = board + val * (215 - board) + rng.normal(0, 4, (H, W))
        return np.clip(img, 0, 255).astype(np.uint8), to_photo
    paper = 175 + 60 * (xs / W) + 10 * (ys / H)          # lit from the right
    ink_colour = np.array([30.0, 35.0, 80.0])            # blue-black pen
    img = np.empty((H, W, 3))
    for k in range(3):
        img[..., k] = paper * (1 - val) + ink_colour[k] * val
    img += rng.normal(0, 5, (H, W, 1))
    return np.clip(img, 0, 255).astype(np.uint8), to_photo


def boxes_in(to_photo, spans, h):
    """each digit's span (line x0..x1, all rows) as a box of the photo"""
    out = []
    for x0, x1 in spans:
        pts = [to_photo(x, y) for x in (x0, x1) for y in (0, h)]
        out.append([min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts)])
    return out


def read_line(kind, i, data, ctype="image/png", digit_boxes=None):
    status, j, _, ms = post("/read", data, ctype)
    a = {"kind": kind, "index": i, "status": status, "wall_ms": ms, "digit_boxes": digit_boxes}
    a.update(j if isinstance(j, dict) else {"raw": j})
    answers.append(a)
    return a


def multipart(field, data, name="line.png"):
    b = "nablaBOUNDARY42"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    return body, f"multipart/form-data; boundary={b}"


def main():
    lines = json.load(open(LINES))
    for i, L in enumerate(lines):
        h, w = L["h"], L["w"]
        ink = np.array(L["pixels"], dtype=np.float64).reshape(h, w) / 255
        a = np.array(L["pixels"], dtype=np.uint8).reshape(h, w)
        read_line("clean", i, png(a), digit_boxes=[[x0, 0, x1, h] for x0, x1 in L["spans"]])
        angle = [-7, -4, 0, 3, 6, 9][i % 6]
        scale = [3, 4, 5][i % 3]
        img, f = photo(ink, scale, angle, (30 + 7 * (i % 5), 25 + 11 * (i % 4)), seed=i)
        read_line("photo", i, png(img, 2), digit_boxes=boxes_in(f, L["spans"], h))
        if i % 2 == 0:
            img, f = photo(ink, 2, -angle / 2, (20, 40), seed=100 + i, dark_board=True)
            read_line("board", i, png(img), digit_boxes=boxes_in(f, L["spans"], h))
        if i % 4 == 0:
            body, ct = multipart("image", png(a))
            read_line("multipart", i, body, ct, digit_boxes=[[x0, 0, x1, h] for x0, x1 in L["spans"]])

    # ---- every bad input: its status and a JSON error ------------------------------------
    good = png(np.array(lines[0]["pixels"], dtype=np.uint8).reshape(lines[0]["h"], lines[0]["w"]))

    def bad(name, want, data, ctype="image/png", method="POST", path="/read", base=None):
        status, j, headers, _ = post(path, data, ctype, method, base)
        err = j.get("error") if isinstance(j, dict) else None
        check(f"/read: {name} -> {want}", status == want and isinstance(err, str) and len(err) > 10,
              f"status {status}, body {j}")
        return status, err, headers

    bad("a body that is not a PNG", 400, b"hello, this is not an image at all")
    bad("a truncated PNG", 400, good[: len(good) // 2])
    bad("a PNG with a damaged IDAT", 400, good[:60] + bytes(40) + good[100:])
    huge = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
    huge += struct.pack(">I", zlib.crc32(huge[12:29]) & 0xFFFFFFFF)
    _, err, _ = bad("a PNG claiming 100000x100000 pixels", 400, huge + good[33:])
    check("/read: the huge PNG's error says how many pixels are accepted", err and "pixels" in err, err)
    _, err, _ = bad("a page 20000 pixels wide", 400, png(np.full((2, 20000), 255, dtype=np.uint8)))
    check("/read: the too-wide page's error says the largest side read", err and "16384" in err, err)
    bad("an empty body", 400, b"")
    bad("JSON (only images can be read)", 400, b'{"pixels": [0]}', "application/json")
    body, ct = multipart("file", good)
    bad("a form without the field 'image'", 400, body, ct)
    blank = png(np.full((60, 300), 255, dtype=np.uint8))
    _, err, _ = bad("a blank white page", 400, blank)
    check("/read: the blank page's error says it is blank", err and "blank" in err, err)
    bad("a body over the limit (2 MiB)", 413, b"\x89PNG" + bytes(2 * 1024 * 1024))
    _, _, headers = bad("GET /read", 405, None, None, "GET")
    check("/read: 405 names the method it takes (Allow: POST)", headers.get("Allow") == "POST", headers)
    bad("PUT /read", 405, good, "image/png", "PUT")
    bad("/read/x (an unknown path)", 404, good, "image/png", "POST", "/read/x")
    bad("no model served yet", 503, good, base=f"http://127.0.0.1:{IDLE}")
    # a raw request that stops mid-body: the server answers or closes, and lives on
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n" + good[:100])
    s.shutdown(socket.SHUT_WR)
    try:
        s.recv(1000)
    except OSError:
        pass
    s.close()
    status, j, _, _ = post("/read", good)
    check("/read: still answers after a request cut short", status == 200 and "text" in j, f"{status} {j}")

    # latency: the clean lines again, one after another
    times = []
    for L in lines[:10]:
        a = np.array(L["pixels"], dtype=np.uint8).reshape(L["h"], L["w"])
        _, j, _, ms = post("/read", png(a))
        times.append((ms, j.get("ms")))
    times.sort()
    photos = sorted(a["wall_ms"] for a in answers if a["kind"] == "photo")
    lat = {"clean_median_ms": times[len(times) // 2][0], "clean_model_ms": times[len(times) // 2][1],
           "photo_median_ms": photos[len(photos) // 2] if photos else None}
    open(OUT + ".tmp", "w").write(json.dumps({"answers": answers, "checks": checks, "latency_ms": lat}))
    import os
    os.rename(OUT + ".tmp", OUT)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001  (reported to the Lua side as a failed check)
        import traceback
        open(OUT, "w").write(json.dumps({"crash": traceback.format_exc(), "answers": answers, "checks": checks}))
