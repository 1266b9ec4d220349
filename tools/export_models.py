#!/usr/bin/python3
"""Exports torchvision's ImageNet CNNs to ONNX with seeded random weights, for twain's tests and
benchmarks (no pretrained weights can be downloaded here), with PyTorch's float outputs as an
independent oracle.

For each model, into DIR/<name>/:
  model.onnx          opset 13, static input "input" 1x3x224x224, output "output" 1x1000, eval
                      mode, constant folding; BatchNormalization nodes kept unless --fuse-bn
  preprocess.json     the ImageNet-default preprocessing spec (same format as
                      models/fashion_mnist/preprocess.json)
  sample_K.png        seeded 224x224 RGB test image K (smooth random colour fields plus noise)
  input_K.bin         that image after preprocess.json: (pixel/255 - mean)/std, 1x3x224x224
  output_K.bin        PyTorch's float output for input_K.bin, 1x1000
  manifest.json       model name, shapes, file names, top-5 indices and logits per sample, ONNX
                      operator list, seed, generator hash (written last)
.bin files are raw little-endian float32 in C (NCHW) order, no header.

Weights: torchvision's own initialisation under torch.manual_seed(seed of the model); every
BatchNormalization gets a random affine (gamma in [0.5, 1.5], beta ~ N(0, 0.2)) and running
mean/variance calibrated on seeded random images (so folding BN is exercised with non-trivial
statistics and activations stay in a sane range); the last layer is scaled so that the logits
have standard deviation about 2 (random networks otherwise give near-ties in the top-5).

Idempotent: a model is skipped when its manifest exists, names the same generator hash (this
script, its helper, torch and torchvision versions, options) and all its files exist.
Every export is checked with onnx.checker (full) and strict shape inference, and re-run by the
NumPy evaluator tools/onnx_numpy_ref.py against PyTorch's outputs (--no-verify skips that).

Usage: /usr/bin/python3 tools/export_models.py [--out build/models] [--models a,b,...]
       [--samples 3] [--fuse-bn] [--no-verify] [--threads 1]
"""
import argparse
import hashlib
import os
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_export_common as common  # noqa: E402
import onnx_numpy_ref  # noqa: E402

MODELS = {
    "squeezenet1_0": torchvision.models.squeezenet1_0,
    "squeezenet1_1": torchvision.models.squeezenet1_1,
    "resnet50": torchvision.models.resnet50,
    "densenet121": torchvision.models.densenet121,
    "mobilenet_v2": torchvision.models.mobilenet_v2,
}
IMAGENET_SPEC = {"input": [3, 224, 224], "color": "rgb", "resize": [224, 224],
                 "scale": 1.0 / 255.0, "mean": [0.485, 0.456, 0.406],
                 "std": [0.229, 0.224, 0.225]}
SIZE = 224
CALIBRATION_IMAGES = 4
LOGIT_STD = 2.0


def model_seed(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def generator_hash(args):
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for f in ("export_models.py", "onnx_export_common.py"):
        h.update(common.file_sha256(os.path.join(here, f)).encode())
    h.update(f"torch {torch.__version__} torchvision {torchvision.__version__} "
             f"samples {args.samples} fuse_bn {args.fuse_bn}".encode())
    return h.hexdigest()


def random_images(gen, count):
    """uint8 NHWC images: a random 7x7 colour field upsampled bilinearly, plus pixel noise.
    Image k depends only on the generator state and k, not on count."""
    images = []
    for _ in range(count):
        coarse = torch.rand(1, 3, 7, 7, generator=gen) * 255.0
        field = F.interpolate(coarse, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
        noise = (torch.rand(1, 3, SIZE, SIZE, generator=gen) - 0.5) * 48.0
        images.append((field + noise).round().clamp(0, 255).to(torch.uint8))
    return torch.cat(images).permute(0, 2, 3, 1).contiguous().numpy()


def preprocess(images_u8):
    """(pixel/255 - mean)/std in float32, NHWC uint8 -> NCHW float32 (IMAGENET_SPEC)."""
    x = images_u8.astype(np.float32) * np.float32(IMAGENET_SPEC["scale"])
    x = (x - np.array(IMAGENET_SPEC["mean"], dtype=np.float32)) / \
        np.array(IMAGENET_SPEC["std"], dtype=np.float32)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2), dtype=np.float32)


def last_layer(model):
    last = None
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            last = m
    return last


def build(name, gen):
    torch.manual_seed(model_seed(name))
    model = MODELS[name](weights=None)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batch
    calib = torch.from_numpy(preprocess(random_images(gen, CALIBRATION_IMAGES)))
    with torch.no_grad():
        if bns:
            model.train()
            model(calib)
        model.eval()
        out = model(calib)
        layer = last_layer(model)
        factor = LOGIT_STD / float(out.std())
        layer.weight.mul_(factor)
        if layer.bias is not None:
            layer.bias.mul_(factor)
        for bn in bns:
            bn.momentum = 0.1
    return model


def export_one(name, args, gen_hash):
    out_dir = os.path.join(args.out, name)
    manifest_path = os.path.join(out_dir, "manifest.json")
    if up_to_date(manifest_path, out_dir, gen_hash):
        print(f"{name}: up to date ({manifest_path})", flush=True)
        return
    os.makedirs(out_dir, exist_ok=True)
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    start = time.time()
    gen = torch.Generator().manual_seed(model_seed(name))
    model = build(name, gen)
    onnx_path = os.path.join(out_dir, "model.onnx")
    onnx.save(common.export_onnx(model, torch.zeros(1, 3, SIZE, SIZE),
                                 keep_batchnorm=not args.fuse_bn), onnx_path)
    ops = common.check_onnx(onnx_path)
    common.write_flat_json(os.path.join(out_dir, "preprocess.json"), IMAGENET_SPEC)

    from PIL import Image  # python3-pil
    images = random_images(gen, args.samples)
    inputs = preprocess(images)
    samples = []
    proto = onnx.load(onnx_path) if args.verify else None
    for k in range(args.samples):
        x = inputs[k:k + 1]
        with torch.no_grad():
            y = model(torch.from_numpy(x)).numpy().astype(np.float32)
        Image.fromarray(images[k], mode="RGB").save(os.path.join(out_dir, f"sample_{k}.png"))
        common.write_f32(os.path.join(out_dir, f"input_{k}.bin"), x)
        common.write_f32(os.path.join(out_dir, f"output_{k}.bin"), y)
        top5 = common.topk(y, 5)
        entry = {"image": f"sample_{k}.png", "input": f"input_{k}.bin",
                 "output": f"output_{k}.bin", "top5": top5,
                 "top5_logits": [float(y.reshape(-1)[i]) for i in top5]}
        if args.verify:
            ref = onnx_numpy_ref.run(proto, {"input": x})[0].reshape(-1)
            diff = float(np.abs(ref - y.reshape(-1)).max())
            tol = 1e-3 * max(1.0, float(np.abs(y).max()))
            if diff > tol:
                raise RuntimeError(f"{name}: NumPy ONNX evaluation differs from PyTorch on "
                                   f"sample {k} by {diff} (tolerance {tol})")
            entry["numpy_onnx_max_abs_diff"] = diff
        samples.append(entry)

    manifest = {
        "model": name, "torchvision": f"torchvision.models.{name}(weights=None)",
        "seed": model_seed(name), "onnx": "model.onnx", "opset": common.OPSET,
        "input_name": "input", "input_shape": [1, 3, SIZE, SIZE],
        "output_name": "output", "output_shape": [1, 1000],
        "batchnorm": "fused by exporter" if args.fuse_bn else "kept as BatchNormalization",
        "preprocess": "preprocess.json",
        "format": "raw little-endian float32, C order (NCHW), no header",
        "operators": ops, "nodes": len(common.op_sequence(onnx_path)),
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "onnx_bytes": os.path.getsize(onnx_path),
        "samples": samples, "generator": gen_hash,
        "files": ["model.onnx", "preprocess.json"]
        + [s[k] for s in samples for k in ("image", "input", "output")],
    }
    common.write_json(manifest_path, manifest)
    print(f"{name}: exported in {time.time() - start:.1f} s, {len(ops)} operator types "
          f"{ops}, top-5 {samples[0]['top5']}", flush=True)


def up_to_date(manifest_path, out_dir, gen_hash):
    import json
    try:
        with open(manifest_path) as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return False
    return manifest.get("generator") == gen_hash and all(
        os.path.isfile(os.path.join(out_dir, f)) for f in manifest.get("files", [None]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="build/models")
    ap.add_argument("--models", default=",".join(MODELS),
                    help="comma-separated subset of " + ", ".join(MODELS))
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--fuse-bn", action="store_true",
                    help="let PyTorch fuse BatchNormalization into the preceding convolution")
    ap.add_argument("--no-verify", dest="verify", action="store_false",
                    help="skip the NumPy re-evaluation of the exported ONNX")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    names = [n.strip() for n in args.models.replace(" ", ",").split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    if args.samples < 1:
        ap.error("--samples must be at least 1")
    common.set_deterministic(threads=args.threads, seed=0)
    gen_hash = generator_hash(args)
    for name in names:
        export_one(name, args, gen_hash)


if __name__ == "__main__":
    main()
