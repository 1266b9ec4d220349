// The public description of a 2-D convolution layer (ONNX Conv semantics, no bias, no dilation).
//
// Tensors are flattened row-major: the input CHW, the weights OIHW with I = in_channels / groups,
// the output C'H'W' with C' = out_channels. Group g maps input channels [g I, (g + 1) I) to output
// channels [g O', (g + 1) O'), O' = out_channels / groups; depthwise is groups = in_channels.
#pragma once

#include <cstddef>
#include <string>

namespace twain::linear {

// Largest extent of any dimension, kernel, stride or padding a shape may declare.
inline constexpr int kMaxConvDimension = 1 << 16;

struct Conv2dShape {
  int in_channels = 0, height = 0, width = 0;
  int out_channels = 0;
  int kernel_h = 0, kernel_w = 0;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int groups = 1;

  // Throws InvalidArgument naming the first field out of its domain: extents and strides in
  // [1, kMaxConvDimension], paddings in [0, kMaxConvDimension], groups dividing both channel
  // counts, and the kernel no larger than the padded input.
  void validate() const;

  // Meaningful for valid shapes only.
  int padded_height() const { return height + pad_top + pad_bottom; }
  int padded_width() const { return width + pad_left + pad_right; }
  int output_height() const { return (padded_height() - kernel_h) / stride_h + 1; }
  int output_width() const { return (padded_width() - kernel_w) / stride_w + 1; }
  int in_channels_per_group() const { return in_channels / groups; }
  int out_channels_per_group() const { return out_channels / groups; }
  std::size_t input_size() const;
  std::size_t weight_size() const;
  std::size_t output_size() const;

  // "Conv2d 64x14x14 -> 16x14x14, kernel 1x1, stride 1x1, pads t0 l0 b0 r0, groups 1".
  std::string describe() const;
};

}  // namespace twain::linear
