#!/usr/bin/env python3
"""Writes tests/data/dilated_conv.onnx: a small CNN with dilated convolutions (seeded weights),
for the end-to-end check that dilated convolutions run in the HE path (apps.dilated_conv).

  /usr/bin/python3 tools/make_dilated_model.py tests/data/dilated_conv.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(path):
    rng = np.random.default_rng(2026)

    def tensor(name, *shape, scale=0.3):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    inits = [tensor("w1", 8, 3, 3, 3), tensor("b1", 8, scale=0.1),
             tensor("w2", 8, 8, 3, 3, scale=0.15), tensor("b2", 8, scale=0.1),
             tensor("fc", 10, 8, scale=0.5), tensor("fc_b", 10, scale=0.1)]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], dilations=[2, 2], pads=[2, 2, 2, 2]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], dilations=[3, 2], pads=[3, 2, 3, 2], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc", "fc_b"], ["y"], transB=1),
    ]
    graph = helper.make_graph(nodes, "dilated", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="twain-tools")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":
    main(sys.argv[1])
