// A 1x1 convolution with stride s > 1 (ResNet's downsampling shortcuts) reads one pixel in s x s
// of its padded input. Both parties subsample their shares locally and run the stride-1 layer on
// the subsampled input: s^2 times fewer values to encrypt than the stride-phase layout, whose
// other phases would carry only zero weights.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/geometry.hpp"

namespace twain::linear {

bool is_strided_pointwise(const core::Conv2dGeometry& shape);
// The layer the protocol runs: for a strided 1x1 layer, the stride-1 1x1 layer on the
// subsampled input (no padding, output extent unchanged); otherwise the layer itself.
core::Conv2dGeometry unstrided_layer(const core::Conv2dGeometry& shape);
// The subsampled input (CHW) of a strided 1x1 layer: value (c, i, j) is the padded input's
// (c, i s_h, j s_w), zero in the padding. tensor.size() must be shape.input_size().
std::vector<uint64_t> subsample_input(const core::Conv2dGeometry& shape, std::span<const uint64_t> tensor);
// The input unstrided_layer(shape) takes: tensor itself, or its subsample kept in `storage`.
std::span<const uint64_t> unstrided_input(const core::Conv2dGeometry& shape, std::span<const uint64_t> tensor,
                                          std::vector<uint64_t>& storage);

}  // namespace twain::linear
