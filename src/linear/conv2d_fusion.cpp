#include "linear/conv2d_fusion.hpp"

#include <algorithm>
#include <string>

#include "core/errors.hpp"

namespace twain::linear {
namespace {

// Where `part`'s kernel sits in the fused kernel: rows [top, top + kernel_h), columns [left, ...).
struct Offset {
  int top = 0, left = 0;
};

Offset offset_in(const core::Conv2dGeometry& fused, const core::Conv2dGeometry& part) {
  return {fused.pad_top - part.pad_top, fused.pad_left - part.pad_left};
}

}  // namespace

core::Conv2dGeometry fuse_shapes(const core::Conv2dGeometry& first, const core::Conv2dGeometry& second) {
  first.validate();
  second.validate();
  const std::string which = " (" + first.describe() + " with " + second.describe() + ")";
  TWAIN_REQUIRE(first.groups == 1 && second.groups == 1, InvalidArgument, "fuse_shapes: grouped layers" + which);
  TWAIN_REQUIRE(first.in_channels == second.in_channels && first.height == second.height &&
                    first.width == second.width,
                InvalidArgument, "fuse_shapes: the layers read inputs of different extents" + which);
  TWAIN_REQUIRE(first.stride_h == second.stride_h && first.stride_w == second.stride_w, InvalidArgument,
                "fuse_shapes: different strides" + which);
  TWAIN_REQUIRE(first.output_height() == second.output_height() && first.output_width() == second.output_width(),
                InvalidArgument, "fuse_shapes: different output extents" + which);
  core::Conv2dGeometry fused = first;
  fused.out_channels = first.out_channels + second.out_channels;
  fused.kernel_h = std::max(first.kernel_h, second.kernel_h);
  fused.kernel_w = std::max(first.kernel_w, second.kernel_w);
  fused.pad_top = std::max(first.pad_top, second.pad_top);
  fused.pad_left = std::max(first.pad_left, second.pad_left);
  // The bottom and right paddings that keep each part's windows: the same for both, or no fusion.
  for (const core::Conv2dGeometry* part : {&first, &second}) {
    const Offset at = offset_in(fused, *part);
    TWAIN_REQUIRE(at.top + part->kernel_h <= fused.kernel_h && at.left + part->kernel_w <= fused.kernel_w,
                  InvalidArgument, "fuse_shapes: a kernel does not fit the fused one at its padding's offset" + which);
    const int bottom = part->pad_bottom + fused.kernel_h - part->kernel_h - at.top;
    const int right = part->pad_right + fused.kernel_w - part->kernel_w - at.left;
    if (part == &first) {
      fused.pad_bottom = bottom;
      fused.pad_right = right;
    }
    TWAIN_REQUIRE(bottom == fused.pad_bottom && right == fused.pad_right, InvalidArgument,
                  "fuse_shapes: the layers' windows do not align" + which);
  }
  fused.validate();
  TWAIN_REQUIRE(fused.output_height() == first.output_height() && fused.output_width() == first.output_width(),
                InvalidArgument, "fuse_shapes: the fused layer changes the output extent" + which);
  return fused;
}

std::vector<int64_t> fuse_weights(const core::Conv2dGeometry& first, std::span<const int64_t> first_weights,
                                  const core::Conv2dGeometry& second, std::span<const int64_t> second_weights) {
  const core::Conv2dGeometry fused = fuse_shapes(first, second);
  std::vector<int64_t> weights(fused.weight_size(), 0);
  std::size_t out_base = 0;
  for (const auto& [part, part_weights] : {std::pair{&first, first_weights}, std::pair{&second, second_weights}}) {
    TWAIN_REQUIRE(part_weights.size() == part->weight_size(), InvalidArgument,
                  "fuse_weights: " + std::to_string(part_weights.size()) + " weights where " + part->describe() +
                      " takes " + std::to_string(part->weight_size()));
    const Offset at = offset_in(fused, *part);
    const auto channels = static_cast<std::size_t>(part->in_channels);
    const auto kh = static_cast<std::size_t>(part->kernel_h), kw = static_cast<std::size_t>(part->kernel_w);
    const auto fh = static_cast<std::size_t>(fused.kernel_h), fw = static_cast<std::size_t>(fused.kernel_w);
    for (std::size_t o = 0; o < static_cast<std::size_t>(part->out_channels); ++o)
      for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t u = 0; u < kh; ++u)
          for (std::size_t v = 0; v < kw; ++v)
            weights[(((out_base + o) * channels + c) * fh + u + static_cast<std::size_t>(at.top)) * fw + v +
                    static_cast<std::size_t>(at.left)] = part_weights[((o * channels + c) * kh + u) * kw + v];
    out_base += static_cast<std::size_t>(part->out_channels);
  }
  return weights;
}

}  // namespace twain::linear
