#!/usr/bin/python3
"""Trains twain's embedded default model: a small residual CNN on Fashion-MNIST.

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist). Seeded, deterministic
(torch.use_deterministic_algorithms, fixed seeds, one thread), so a rerun gives the same weights.
Input normalisation: x / 255, then (x - MEAN) / STD with the training set's mean and standard
deviation (rounded to 4 decimals, the values written to preprocess.json).

Writes into --out (default models/fashion_mnist):
  model.onnx       opset 13, input "input" 1x1x28x28 float (normalised), output "output" 1x10
                   logits; BatchNormalization nodes kept (not fused) so importers fold them
  labels.txt       the 10 class names in label order
  preprocess.json  the preprocessing spec the CLI reads
  images/NNNN_label.png  a few real test images (8-bit grayscale PNG, raw pixels)
  reference.json   PyTorch float logits for those images
  float_predictions.txt  PyTorch's float top-1 class of every t10k image, one digit each
  README.md        architecture, normalisation, float test accuracy on all 10,000 test images,
                   the command and the training time

Usage: /usr/bin/python3 tools/train_fashion_mnist.py [--out DIR] [--epochs N] [--threads T]
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_export_common as common  # noqa: E402
import onnx_numpy_ref  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# Test images written as PNG: the first t10k image of each class.
NUM_IMAGES = 10
SEED = 20261121


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {body.size} bytes of data, header says {dims}")
    return body.reshape(dims)


def load_split(split):
    images = read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"))
    return images, labels.astype(np.int64)


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(x + y)


class FashionNet(nn.Module):
    """28x28x1 -> conv16 -> pool -> conv32 -> residual(32) -> pool -> conv64 -> GAP -> fc10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.res = ResidualBlock(32)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)   # 16x14x14
        x = F.relu(self.bn2(self.conv2(x)))                    # 32x14x14
        x = F.max_pool2d(self.res(x), 2)                       # 32x7x7
        x = F.relu(self.bn3(self.conv3(x)))                    # 64x7x7
        x = F.adaptive_avg_pool2d(x, 1)                        # 64x1x1
        return self.fc(torch.flatten(x, 1))


def normalise(images_u8, mean, std):
    x = torch.from_numpy(images_u8.astype(np.float32)).unsqueeze(1) / 255.0
    return (x - mean) / std


def predict(model, x, batch=1000):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, x.shape[0], batch)])


def train(model, x, y, epochs, batch, lr, gen):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * ((x.shape[0] + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps,
                                                pct_start=0.2)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(x.shape[0], generator=gen)
        flips = torch.rand(x.shape[0], generator=gen) < 0.5
        total = 0.0
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            xb = x[idx]
            f = flips[idx]
            # Horizontal flips: clothes stay the same class when mirrored.
            xb = torch.where(f.view(-1, 1, 1, 1), xb.flip(3), xb)
            loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * idx.numel()
        print(f"epoch {epoch + 1}/{epochs}: mean training loss {total / x.shape[0]:.4f}",
              flush=True)


def write_png_gray(path, pixels_u8):
    from PIL import Image  # python3-pil
    Image.fromarray(np.ascontiguousarray(pixels_u8, dtype=np.uint8), mode="L").save(path)


def sample_indices(labels, count):
    """Indices of the first t10k image of each of the first count classes, ascending."""
    chosen = []
    for cls in range(10):
        chosen.append(int(np.nonzero(labels == cls)[0][0]))
    return sorted(chosen[:count])


def label_slug(name):
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="models/fashion_mnist")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    common.set_deterministic(threads=args.threads, seed=SEED)
    gen = torch.Generator().manual_seed(SEED)
    train_u8, train_y = load_split("train")
    test_u8, test_y = load_split("t10k")
    mean = round(float(train_u8.mean()) / 255.0, 4)
    std = round(float((train_u8 / 255.0).std()), 4)
    x_train = normalise(train_u8, mean, std)
    x_test = normalise(test_u8, mean, std)
    y_train = torch.from_numpy(train_y)
    y_test = torch.from_numpy(test_y)

    model = FashionNet()
    start = time.time()
    train(model, x_train, y_train, args.epochs, args.batch, args.lr, gen)
    seconds = time.time() - start
    model.eval()
    predictions = predict(model, x_test)
    accuracy = float((predictions == y_test).double().mean())
    print(f"float test accuracy {accuracy * 100:.2f}% on {x_test.shape[0]} images, "
          f"training {seconds:.1f} s", flush=True)

    out = args.out
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    proto = common.export_onnx(model, torch.zeros(1, 1, 28, 28), keep_batchnorm=True)
    onnx.save(proto, onnx_path)
    ops = common.check_onnx(onnx_path)
    sequence = common.op_sequence(onnx_path)

    with open(os.path.join(out, "float_predictions.txt"), "w") as f:
        f.write("".join(str(int(p)) for p in predictions) + "\n")
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("\n".join(LABELS) + "\n")
    common.write_flat_json(os.path.join(out, "preprocess.json"), {
        "input": [1, 28, 28], "color": "gray", "resize": [28, 28],
        "scale": 1.0 / 255.0, "mean": [mean], "std": [std], "labels": "labels.txt"})

    images = []
    for idx in sample_indices(test_y, NUM_IMAGES):
        name = f"{idx:04d}_{label_slug(LABELS[test_y[idx]])}.png"
        write_png_gray(os.path.join(out, "images", name), test_u8[idx])
        with torch.no_grad():
            logits = model(x_test[idx:idx + 1])[0].tolist()
        images.append({"file": f"images/{name}", "index": idx, "label": int(test_y[idx]),
                       "logits": logits, "top1": common.topk(logits, 1)[0]})
    verify_onnx(onnx_path, out, images, mean, std, test_u8)
    common.write_json(os.path.join(out, "reference.json"), {
        "model": "model.onnx", "input_shape": [1, 1, 28, 28],
        "preprocess": "x = (pixel / 255 - mean) / std, mean and std from preprocess.json",
        "images": images})

    write_readme(out, args, mean, std, accuracy, seconds, sequence, ops,
                 sum(p.numel() for p in model.parameters()), os.path.getsize(onnx_path))


def verify_onnx(onnx_path, out, images, mean, std, test_u8):
    """Re-reads each PNG and re-runs model.onnx with the NumPy evaluator: the pixels must be the
    dataset's and the logits PyTorch's (to 1e-4)."""
    from PIL import Image
    for entry in images:
        pixels = np.asarray(Image.open(os.path.join(out, entry["file"])))
        if not np.array_equal(pixels, test_u8[entry["index"]]):
            raise RuntimeError(f"{entry['file']}: PNG pixels differ from the dataset")
        x = ((pixels.astype(np.float32) / np.float32(255.0) - np.float32(mean))
             / np.float32(std)).reshape(1, 1, 28, 28)
        logits = onnx_numpy_ref.run(onnx_path, {"input": x})[0].reshape(-1)
        diff = float(np.abs(logits - np.array(entry["logits"])).max())
        if diff > 1e-4:
            raise RuntimeError(f"{entry['file']}: NumPy ONNX logits differ from PyTorch by {diff}")


def write_readme(out, args, mean, std, accuracy, seconds, sequence, ops, params, size):
    cmd = "/usr/bin/python3 tools/train_fashion_mnist.py"
    defaults = {"--out": "models/fashion_mnist", "--epochs": 5, "--batch": 128,
                "--lr": 4e-3, "--threads": 1}
    for flag, value in [("--out", args.out), ("--epochs", args.epochs), ("--batch", args.batch),
                        ("--lr", args.lr), ("--threads", args.threads)]:
        if value != defaults[flag]:
            cmd += f" {flag} {value}"
    text = f"""# Fashion-MNIST residual CNN (twain's embedded default model)

Trained here from Debian's `dataset-fashion-mnist` (60,000 training images, real data) by

```
{cmd}
```

(seeded and deterministic: fixed seeds, `torch.use_deterministic_algorithms(True)`,
{args.threads} thread(s); {args.epochs} epochs, AdamW with a one-cycle learning rate,
batch {args.batch}, random horizontal flips). Training took \
**{seconds:.0f} s** on this platform's shared 2-core
machine (Debian python3-torch {__import__('torch').__version__}).

**Float test accuracy: {accuracy * 100:.2f}%** on all 10,000 images of the t10k set.

## Input

`input`: 1x1x28x28 float32, one grayscale image, pixels as stored in the dataset (white object
on black). Normalisation: `x = (pixel / 255 - {mean}) / {std}` (the training set's mean and
standard deviation); see `preprocess.json`. Output `output`: 1x10 logits, classes in the order
of `labels.txt`.

## Architecture ({params} parameters, model.onnx {size} bytes, opset {common.OPSET})

conv3x3 1->16 + BN + ReLU, MaxPool 2x2 (16x14x14); conv3x3 16->32 + BN + ReLU; residual block
(conv3x3 32->32 + BN + ReLU, conv3x3 32->32 + BN, Add with the block input, ReLU); MaxPool 2x2
(32x7x7); conv3x3 32->64 + BN + ReLU; GlobalAveragePool; Flatten; Gemm 64->10. Convolutions
have no bias (the BN that follows has one). BatchNormalization nodes are kept in the ONNX file
(not fused by the exporter), so an importer folds them itself.

ONNX nodes in order: {", ".join(sequence)}.

Distinct operators: {", ".join(ops)}.

## Files

- `model.onnx`, `labels.txt`, `preprocess.json`
- `images/NNNN_label.png`: test images (index in the t10k set, true label), 8-bit grayscale
- `reference.json`: PyTorch float logits for those images (an oracle for tests)
- `float_predictions.txt`: one line of 10,000 digits, PyTorch's float top-1 class for each t10k
  image in order (to measure how often fixed-point or secure inference agrees with float)
"""
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
