#include "linear/strided_pointwise.hpp"

#include <string>

#include "core/errors.hpp"

namespace twain::linear {

bool is_strided_pointwise(const core::Conv2dGeometry& shape) {
  return shape.kernel_h == 1 && shape.kernel_w == 1 && (shape.stride_h > 1 || shape.stride_w > 1);
}

core::Conv2dGeometry unstrided_layer(const core::Conv2dGeometry& shape) {
  shape.validate();
  if (!is_strided_pointwise(shape)) return shape;
  core::Conv2dGeometry layer = shape;
  layer.height = shape.output_height();
  layer.width = shape.output_width();
  layer.stride_h = layer.stride_w = 1;
  layer.pad_top = layer.pad_left = layer.pad_bottom = layer.pad_right = 0;
  return layer;
}

std::vector<uint64_t> subsample_input(const core::Conv2dGeometry& shape, std::span<const uint64_t> tensor) {
  TWAIN_REQUIRE(tensor.size() == shape.input_size(), InvalidArgument,
                "subsample_input: " + std::to_string(tensor.size()) + " values where " + shape.describe() +
                    " takes " + std::to_string(shape.input_size()));
  const int oh = shape.output_height(), ow = shape.output_width();
  std::vector<uint64_t> out(static_cast<std::size_t>(shape.in_channels) * oh * ow, 0);
  std::size_t k = 0;
  for (int c = 0; c < shape.in_channels; ++c)
    for (int i = 0; i < oh; ++i)
      for (int j = 0; j < ow; ++j, ++k) {
        // Public positions only: which pixels are padding follows from the shape.
        const int row = i * shape.stride_h - shape.pad_top, col = j * shape.stride_w - shape.pad_left;
        if (row >= 0 && row < shape.height && col >= 0 && col < shape.width)
          out[k] = tensor[(static_cast<std::size_t>(c) * shape.height + row) * shape.width + col];
      }
  return out;
}

std::span<const uint64_t> unstrided_input(const core::Conv2dGeometry& shape, std::span<const uint64_t> tensor,
                                          std::vector<uint64_t>& storage) {
  if (!is_strided_pointwise(shape)) return tensor;
  storage = subsample_input(shape, tensor);
  return storage;
}

}  // namespace twain::linear
