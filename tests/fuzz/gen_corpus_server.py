#!/usr/bin/python3
"""Seed corpora of the classroom server's fuzzers (tests/fuzz/corpus/png, .../http), with
the standard library only: PNGs of each colour type and bit depth, and HTTP requests for
each route (JSON pixels, a PNG body, multipart, HEAD, chunked, malformed).
Usage: /usr/bin/python3 tests/fuzz/gen_corpus_server.py"""
import json
import os
import struct
import zlib

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(w, h, colour, depth, rows, palette=None):
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0))
    if palette:
        out += chunk(b"PLTE", palette)
    raw = b"".join(b"\x00" + r for r in rows)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def digit(w, h):
    """1 where a thick '1' stroke is, else 0"""
    return [[1 if abs(x - w // 2) <= max(1, w // 10) and h // 5 <= y < h - h // 5 else 0 for x in range(w)]
            for y in range(h)]


def write(sub, name, data):
    os.makedirs(os.path.join(root, sub), exist_ok=True)
    with open(os.path.join(root, sub, name), "wb") as f:
        f.write(data)


d = digit(28, 28)
grey8 = png(28, 28, 0, 8, [bytes(255 * v for v in r) for r in d])
write("png", "grey8_28", grey8)
write("png", "grey8_dark_ink", png(20, 12, 0, 8, [bytes(255 - 255 * v for v in r) for r in digit(20, 12)]))
write("png", "grey16", png(10, 10, 0, 16, [b"".join(struct.pack(">H", 65535 * v) for v in r) for r in digit(10, 10)]))
write("png", "rgb8", png(16, 16, 2, 8, [bytes(c for v in r for c in (255 * v, 0, 255 * v)) for r in digit(16, 16)]))
write("png", "rgba8", png(16, 16, 6, 8, [bytes(c for v in r for c in (0, 0, 0, 255 * v)) for r in digit(16, 16)]))
write("png", "palette", png(8, 8, 3, 8, [bytes(v for v in r) for r in digit(8, 8)], palette=b"\x00\x00\x00\xff\xff\xff"))
write("png", "grey1", png(8, 8, 0, 1, [bytes([sum(v << (7 - i) for i, v in enumerate(r))]) for r in digit(8, 8)]))
write("png", "blank", png(4, 4, 0, 8, [bytes(4)] * 4))
write("png", "truncated", grey8[:60])
# a line of three digits, dark ink on light paper (POST /read)
three = [r1 + [0, 0] + r2 + [0, 0] + r3 for r1, r2, r3 in zip(digit(12, 16), digit(12, 16), digit(12, 16))]
line = png(len(three[0]), len(three), 0, 8, [bytes(255 - 255 * v for v in r) for r in three])
write("png", "line_dark_ink", line)

line_form = (b"--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"l.png\"\r\n"
             b"Content-Type: image/png\r\n\r\n" + line + b"\r\n--XX--\r\n")
pixels = json.dumps({"pixels": [v for r in d for v in r]}).encode()
reqs = {
    "get_model": b"GET /model HTTP/1.1\r\nHost: x\r\n\r\n",
    "get_state": b"GET /state HTTP/1.1\r\nHost: x\r\n\r\n",
    "get_draw": b"GET /draw HTTP/1.1\r\nHost: x\r\nAccept-Language: ko\r\n\r\n",
    "head_index": b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
    "predict_json": b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(pixels)).encode() + b"\r\n\r\n" + pixels,
    "predict_png": b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: "
                   + str(len(grey8)).encode() + b"\r\n\r\n" + grey8,
    "predict_multipart": (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
                          b"Content-Length: " + str(len(grey8) + 100).encode() + b"\r\n\r\n--XX\r\n"
                          b"Content-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\n"
                          b"Content-Type: image/png\r\n\r\n" + grey8 + b"\r\n--XX--\r\n"),
    "predict_chunked": b"POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"pix\r\n0\r\n\r\n",
    "predict_bad_json": b"POST /predict?activations=1 HTTP/1.1\r\nContent-Length: 9\r\n\r\n{\"pixels\"",
    "read_png": b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: "
                + str(len(line)).encode() + b"\r\n\r\n" + line,
    "read_multipart": (b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
                       b"Content-Length: " + str(len(line_form)).encode() + b"\r\n\r\n" + line_form),
    "read_get": b"GET /read HTTP/1.1\r\nHost: x\r\n\r\n",
    "events_then_close": b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n",
    "garbage": b"\x00\xffGET\r\n\r\n",
}
for name, data in reqs.items():
    write("http", name, data)
print("corpus written under", root)
