// Two convolutions that read the same input as one convolution, so that the input is uploaded
// once (SqueezeNet's fire modules: expand1x1 and expand3x3 both read the squeeze output and their
// outputs are concatenated; Iandola, Han, Moskewicz, Ashraf, Dally, Keutzer, "SqueezeNet",
// arXiv:1602.07360, section 3.2).
//
// The fused layer has the larger kernel extent and the larger paddings; each kernel is embedded
// at the offset that keeps its output geometry (the 1x1 kernel at the centre of a 3x3 one with
// padding 1), with zeros elsewhere, and its output channels are those of the first layer followed
// by those of the second, which is the channel concatenation of the two outputs. The zero taps are
// public structure; the noise model counts the fused kernel's full extent, so the weight bound
// and the fused shape are all the server reveals, as for any layer.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/geometry.hpp"

namespace twain::linear {

// The fused shape of `first` and `second`. Throws InvalidArgument unless both are valid, have
// groups = 1, the same input extent and strides, and the same output extent, and each kernel fits
// the fused one at the offset its padding implies.
core::Conv2dGeometry fuse_shapes(const core::Conv2dGeometry& first, const core::Conv2dGeometry& second);

// The fused weights (OIHW of fuse_shapes(first, second)): first's output channels, then second's.
// Throws InvalidArgument for a weight count that does not match its shape.
std::vector<int64_t> fuse_weights(const core::Conv2dGeometry& first, std::span<const int64_t> first_weights,
                                  const core::Conv2dGeometry& second, std::span<const int64_t> second_weights);

}  // namespace twain::linear
