#!/usr/bin/python3
"""bench/serve: the same model with the same weights, served the way the lab is usually
written: Flask (threaded) + PyTorch, PIL to read the PNG.
    flask_server.py mlp|cnn PORT WEIGHTS.safetensors"""
import io
import json
import logging
import struct
import sys

import numpy as np
import torch
from flask import Flask, jsonify, request
from PIL import Image
from torch import nn

kind, port, weights = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np.float32).copy()).reshape(v["shape"])
    return out


if kind == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
else:
    c = 32
    model = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(2 * c * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
model.load_state_dict(load_safetensors(weights))
model.eval()

app = Flask(__name__)
logging.getLogger("werkzeug").setLevel(logging.ERROR)


@app.route("/predict", methods=["POST"])
def predict():
    data = request.files["image"].read() if "image" in request.files else request.get_data()
    img = Image.open(io.BytesIO(data)).convert("L").resize((28, 28))
    x = torch.tensor(np.asarray(img, dtype=np.float32) / 255.0).reshape(1, 1, 28, 28)
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)[0]
    return jsonify(label=int(p.argmax()), probabilities=p.tolist())


print("ready", flush=True)
app.run(host="127.0.0.1", port=port, threaded=True)
