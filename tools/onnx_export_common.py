"""Shared helpers for twain's model tools (train_fashion_mnist.py, export_models.py).

Run with Debian's interpreter (/usr/bin/python3) and the Debian packages python3-torch,
python3-torchvision, python3-onnx, python3-numpy (python3-pil for PNG images).
"""
import hashlib
import io
import json
import os
import warnings

import numpy as np
import onnx
import onnx.checker
import onnx.numpy_helper
import onnx.shape_inference
import torch

OPSET = 13


def set_deterministic(threads=1, seed=0):
    """Fixed seeds, deterministic kernels, a fixed number of intra-op threads."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False


def export_onnx(model, example, keep_batchnorm=True):
    """Exports an eval-mode model to an ONNX ModelProto (opset 13, constant folding).

    keep_batchnorm=True keeps BatchNormalization nodes (PyTorch's exporter would otherwise fuse
    them into the preceding convolution), so an importer's own folding is exercised. Identity
    nodes the exporter adds when two parameters hold equal values are replaced by copies of the
    initializer, so every node of the graph is a real operator.
    """
    model.eval()
    buf = io.BytesIO()
    mode = torch.onnx.TrainingMode.PRESERVE if keep_batchnorm else torch.onnx.TrainingMode.EVAL
    with warnings.catch_warnings():
        # PRESERVE on an eval-mode model is inference export; the warning about constant folding
        # in training mode does not apply.
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, buf, opset_version=OPSET, do_constant_folding=True,
                          training=mode, input_names=["input"], output_names=["output"])
    proto = onnx.load_from_string(buf.getvalue())
    _inline_identity_initializers(proto.graph)
    _drop_zero_pads(proto.graph)
    _constants_to_initializers(proto.graph)
    return proto


def _constants_to_initializers(graph):
    """Constant nodes (e.g. the bounds of Clip for ReLU6) become initializers."""
    keep = []
    for node in graph.node:
        value = [a for a in node.attribute if a.name == "value"]
        if node.op_type == "Constant" and len(value) == 1:
            tensor = onnx.TensorProto()
            tensor.CopyFrom(value[0].t)
            tensor.name = node.output[0]
            graph.initializer.append(tensor)
        else:
            keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)


def _constant_values(graph):
    values = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    values[node.output[0]] = onnx.numpy_helper.to_array(a.t)
    return values


def _drop_zero_pads(graph):
    """Removes Pad nodes that pad nothing (PyTorch emits one before every AvgPool2d), then the
    Constant nodes nobody reads any more."""
    consts = _constant_values(graph)
    outputs = {o.name for o in graph.output}
    rename = {}
    keep = []
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]
        if node.op_type == "Pad" and node.output[0] not in outputs and len(node.input) >= 2 \
                and node.input[1] in consts and not np.any(consts[node.input[1]]):
            rename[node.output[0]] = node.input[0]
            continue
        keep.append(node)
    used = {name for node in keep for name in node.input} | outputs
    keep = [n for n in keep if n.op_type != "Constant" or n.output[0] in used]
    del graph.node[:]
    graph.node.extend(keep)
    for t in [t for t in graph.initializer if t.name not in used]:
        graph.initializer.remove(t)


def _inline_identity_initializers(graph):
    inits = {t.name: t for t in graph.initializer}
    keep = []
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            copy = onnx.TensorProto()
            copy.CopyFrom(inits[node.input[0]])
            copy.name = node.output[0]
            graph.initializer.append(copy)
            inits[copy.name] = copy
        else:
            keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)
    used = {name for node in graph.node for name in node.input}
    unused = [t for t in graph.initializer if t.name not in used]
    for t in unused:
        graph.initializer.remove(t)


def check_onnx(path):
    """onnx.checker (full) and strict shape inference; returns the sorted distinct op types."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    for out in inferred.graph.output:
        dims = [d.dim_value for d in out.type.tensor_type.shape.dim]
        if not dims or any(d <= 0 for d in dims):
            raise RuntimeError(f"{path}: output {out.name} has no static shape after inference")
    return sorted({n.op_type for n in model.graph.node})


def op_sequence(path):
    return [n.op_type for n in onnx.load(path).graph.node]


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def write_flat_json(path, obj):
    """A flat JSON object, one key per line, values (numbers, strings, lists) on that line."""
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in obj.items()]
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


def write_f32(path, array):
    """Raw little-endian float32, C order, no header."""
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def topk(logits, k):
    flat = np.asarray(logits, dtype=np.float64).reshape(-1)
    # Stable order: larger value first, lower index on ties.
    return [int(i) for i in sorted(range(flat.size), key=lambda i: (-flat[i], i))[:k]]
