// Fusing two convolutions that read the same tensor and whose ReLU outputs are concatenated
// (SqueezeNet's fire modules: expand1x1 and expand3x3 of the squeeze output) into one
// convolution with both sets of output channels: Concat(Relu(A x), Relu(B x)) = Relu([A; B] x).
// The smaller kernel is embedded, zero-padded, in the larger one at the offset its padding
// implies, so the fused convolution computes exactly the same numbers (also after quantisation).
// The secure engine then uploads the shared input once instead of twice.
#pragma once

#include "model/graph.hpp"

namespace twain::model {

// Rewrites every Concat of exactly two Relu outputs whose Relus each read a Conv that feeds only
// them, when both Convs read the same tensor with the same stride, groups 1 and the same output
// size, and one kernel window fits inside the other. Other graphs are returned unchanged.
Graph fuse_sibling_convolutions(Graph graph);

}  // namespace twain::model
