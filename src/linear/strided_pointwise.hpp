// A 1x1 convolution with stride s > 1 (ResNet's downsampling shortcuts) reads one pixel in s x s
// of its padded input. Both parties subsample their shares locally and run the stride-1 layer on
// the subsampled input: s^2 times fewer values to encrypt than the stride-phase layout, whose
// other phases would carry only zero weights.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "linear/conv2d_shape.hpp"

namespace twain::linear {

bool is_strided_pointwise(const Conv2dShape& shape);
// The layer the protocol runs: for a strided 1x1 layer, the stride-1 1x1 layer on the
// subsampled input (no padding, output extent unchanged); otherwise the layer itself.
Conv2dShape unstrided_layer(const Conv2dShape& shape);
// The subsampled input (CHW) of a strided 1x1 layer: value (c, i, j) is the padded input's
// (c, i s_h, j s_w), zero in the padding. tensor.size() must be shape.input_size().
std::vector<uint64_t> subsample_input(const Conv2dShape& shape, std::span<const uint64_t> tensor);
// The input unstrided_layer(shape) takes: tensor itself, or its subsample kept in `storage`.
std::span<const uint64_t> unstrided_input(const Conv2dShape& shape, std::span<const uint64_t> tensor,
                                          std::vector<uint64_t>& storage);

}  // namespace twain::linear
