#!/usr/bin/python3
"""A small NumPy evaluator for the ONNX operators twain's CNNs use, written from the ONNX
operator specification (opset 13). It re-runs an exported ONNX file independently of PyTorch,
so an export can be checked against PyTorch's own output (onnx 1.12 has no onnx.reference).

Operators: Conv, BatchNormalization, Relu, Clip, MaxPool, AveragePool, GlobalAveragePool, Add,
Concat, Flatten, Gemm, Constant, Identity, Dropout (inference). Anything else raises.

Usage as a tool: /usr/bin/python3 tools/onnx_numpy_ref.py model.onnx input.bin [expected.bin]
(raw little-endian float32; prints the output's top-5 and the largest difference to expected).
"""
import math
import sys

import numpy as np
import onnx
import onnx.numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _check_auto_pad(a, node):
    pad = a.get("auto_pad", b"NOTSET")
    if pad not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError(f"{node.name}: auto_pad {pad!r}")


def _im2col(x, kh, kw, sh, sw, dh, dw, oh, ow):
    n, c = x.shape[:2]
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                                 j * dw:j * dw + sw * (ow - 1) + 1:sw]
    return cols


def conv(node, x, w, b=None):
    a = _attrs(node)
    _check_auto_pad(a, node)
    group = a.get("group", 1)
    kh, kw = w.shape[2:]
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    x = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, c, h, wd = x.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (wd - dw * (kw - 1) - 1) // sw + 1
    cols = _im2col(x, kh, kw, sh, sw, dh, dw, oh, ow)
    m = w.shape[0]
    cg, mg = c // group, m // group
    out = np.empty((n, m, oh, ow), dtype=np.float64)
    for g in range(group):
        cg_cols = cols[:, g * cg:(g + 1) * cg].reshape(n, cg * kh * kw, oh * ow)
        wg = w[g * mg:(g + 1) * mg].reshape(mg, cg * kh * kw)
        out[:, g * mg:(g + 1) * mg] = np.einsum("mk,nkp->nmp", wg, cg_cols,
                                                optimize=True).reshape(n, mg, oh, ow)
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _pool_geometry(a, h, w):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    rnd = math.ceil if a.get("ceil_mode", 0) else math.floor
    oh = int(rnd((h + pt + pb - kh) / sh)) + 1
    ow = int(rnd((w + pl + pr - kw) / sw)) + 1
    # A window must start inside the input or its leading padding (ONNX Runtime, PyTorch).
    if a.get("ceil_mode", 0):
        if (oh - 1) * sh >= h + pt:
            oh -= 1
        if (ow - 1) * sw >= w + pl:
            ow -= 1
    return kh, kw, sh, sw, pt, pl, oh, ow


def _pool_windows(x, a, fill):
    kh, kw, sh, sw, pt, pl, oh, ow = _pool_geometry(a, x.shape[2], x.shape[3])
    need_h = (oh - 1) * sh + kh
    need_w = (ow - 1) * sw + kw
    padded = np.pad(x, ((0, 0), (0, 0), (pt, max(0, need_h - pt - x.shape[2])),
                        (pl, max(0, need_w - pl - x.shape[3]))), constant_values=fill)
    return _im2col(padded, kh, kw, sh, sw, 1, 1, oh, ow), (kh, kw, sh, sw, pt, pl, oh, ow)


def max_pool(node, x):
    a = _attrs(node)
    _check_auto_pad(a, node)
    if any(d != 1 for d in a.get("dilations", [1, 1])) or a.get("storage_order", 0):
        raise NotImplementedError(f"{node.name}: MaxPool dilations/storage_order")
    cols, _ = _pool_windows(x, a, -np.inf)
    return cols.max(axis=(2, 3))


def average_pool(node, x):
    a = _attrs(node)
    _check_auto_pad(a, node)
    cols, (kh, kw, sh, sw, pt, pl, oh, ow) = _pool_windows(x, a, 0.0)
    sums = cols.sum(axis=(2, 3))
    if a.get("count_include_pad", 0):
        return sums / (kh * kw)
    ones = np.ones((1, 1) + x.shape[2:])
    counts, _ = _pool_windows(ones, a, 0.0)
    return sums / counts.sum(axis=(2, 3))


def batch_norm(node, x, scale, bias, mean, var):
    eps = _attrs(node).get("epsilon", 1e-5)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * scale.reshape(shape) \
        + bias.reshape(shape)


def gemm(node, a_, b_, c_=None):
    a = _attrs(node)
    if a.get("transA", 0):
        a_ = a_.T
    if a.get("transB", 0):
        b_ = b_.T
    out = a.get("alpha", 1.0) * (a_ @ b_)
    if c_ is not None:
        out = out + a.get("beta", 1.0) * c_
    return out


def flatten(node, x):
    axis = _attrs(node).get("axis", 1)
    axis = axis + x.ndim if axis < 0 else axis
    return x.reshape(int(np.prod(x.shape[:axis])), -1)


def clip(node, x, lo=None, hi=None):
    if lo is not None and lo.size:
        x = np.maximum(x, lo)
    if hi is not None and hi.size:
        x = np.minimum(x, hi)
    return x


OPS = {
    "Conv": conv,
    "BatchNormalization": batch_norm,
    "Relu": lambda node, x: np.maximum(x, 0.0),
    "Clip": clip,
    "MaxPool": max_pool,
    "AveragePool": average_pool,
    "GlobalAveragePool": lambda node, x: x.mean(axis=(2, 3), keepdims=True),
    "Add": lambda node, x, y: x + y,
    "Concat": lambda node, *xs: np.concatenate(xs, axis=_attrs(node)["axis"]),
    "Flatten": flatten,
    "Gemm": gemm,
    "Identity": lambda node, x: x,
    "Dropout": lambda node, x, *rest: x,
}


def run(model, inputs):
    """Evaluates a ModelProto (or path) in float64 on a dict of input arrays; returns the graph
    outputs in order."""
    if isinstance(model, str):
        model = onnx.load(model)
    values = {t.name: onnx.numpy_helper.to_array(t).astype(np.float64)
              for t in model.graph.initializer}
    for name, arr in inputs.items():
        values[name] = np.asarray(arr, dtype=np.float64)
    for node in model.graph.node:
        if node.op_type == "Constant":
            values[node.output[0]] = onnx.numpy_helper.to_array(
                _attrs(node)["value"]).astype(np.float64)
            continue
        fn = OPS.get(node.op_type)
        if fn is None:
            raise NotImplementedError(f"operator {node.op_type} ({node.name})")
        args = [values[i] if i else None for i in node.input]
        values[node.output[0]] = fn(node, *args)
    return [values[o.name] for o in model.graph.output]


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    model = onnx.load(sys.argv[1])
    inp = model.graph.input[0]
    shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    x = np.fromfile(sys.argv[2], dtype="<f4").reshape(shape)
    out = run(model, {inp.name: x})[0].reshape(-1)
    print("top5", np.argsort(-out, kind="stable")[:5].tolist())
    if len(sys.argv) == 4:
        ref = np.fromfile(sys.argv[3], dtype="<f4").reshape(-1)
        print("max |diff|", float(np.abs(out - ref).max()), "max |ref|", float(np.abs(ref).max()))


if __name__ == "__main__":
    main()
