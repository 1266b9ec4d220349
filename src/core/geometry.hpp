// Window geometry of 2-D convolutions and poolings on CHW tensors: the one definition used by the
// float and quantised graphs and their evaluators (model/), the HE convolution (linear/), the
// secure pooling (nonlinear/) and the public description (engine/).
//
// Conv2dGeometry is ONNX Conv without dilation. Tensors are flattened row-major: the input CHW,
// the weights OIHW with I = in_channels / groups; group g maps input channels [g I, (g + 1) I) to output
// channels [g O', (g + 1) O'), O' = out_channels / groups. Padding is zeros.
//
// Pool2dGeometry is ONNX MaxPool / AveragePool without dilation: output extent
// floor((H + pad_top + pad_bottom - kernel_h) / stride_h) + 1, or with ceil_mode the ceiling, less
// one when the last window would start in the bottom (right) padding (PyTorch's rule). A window
// covers input rows [oh stride_h - pad_top, oh stride_h - pad_top + kernel_h) clipped to the input;
// windows of a ceil-mode output may reach past the bottom padding and are clipped the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace twain::core {

// Largest extent of any dimension, kernel, stride or padding a geometry may declare.
inline constexpr int kMaxExtent = 1 << 16;

struct Conv2dGeometry {
  int in_channels = 0, height = 0, width = 0;
  int out_channels = 0;
  int kernel_h = 0, kernel_w = 0;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int groups = 1;

  // Throws InvalidArgument naming the first field out of its domain (extents and strides in
  // [1, kMaxExtent], paddings in [0, kMaxExtent], groups dividing both channel counts, kernel no
  // larger than the padded input).
  void validate() const;
  // Meaningful for valid geometries; 0 when a stride is below 1 or the kernel exceeds the padded input.
  int output_height() const;
  int output_width() const;
  int padded_height() const { return height + pad_top + pad_bottom; }
  int padded_width() const { return width + pad_left + pad_right; }
  int in_channels_per_group() const { return in_channels / groups; }
  int out_channels_per_group() const { return out_channels / groups; }
  // Element counts of the input (CHW), the weights (OIHW) and the output, for valid geometries.
  std::size_t input_size() const;
  std::size_t weight_size() const;
  std::size_t output_size() const;
  // OIHW element count (INT64_MAX when it would exceed 2^62, 0 for a non-positive factor).
  int64_t weight_count() const;
  // Output columns [first, second) whose kernel column kw reads inside the input (not the padding).
  std::pair<int, int> tap_columns(int kw) const;
  // "Conv2d 3x32x32 -> 16x32x32, kernel 3x3, stride 1x1, pads t1 l1 b1 r1, groups 1".
  std::string describe() const;
};

struct Pool2dGeometry {
  int channels = 0, height = 0, width = 0;
  int kernel_h = 0, kernel_w = 0;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;

  // Throws InvalidArgument naming the first field out of its domain; also when a padding is not
  // smaller than the kernel (a window could then hold no input element).
  void validate() const;
  // Meaningful for valid geometries; 0 when a stride is below 1 or the kernel exceeds the padded input.
  int output_height() const;
  int output_width() const;
  // Element counts of the input and the output (C x H x W, C x H' x W'), for valid geometries.
  std::size_t input_size() const;
  std::size_t output_size() const;
  // Rows [first, last) of the input covered by output row oh (columns alike): clipped to the input.
  int row_begin(int oh) const;
  int row_end(int oh) const;
  int col_begin(int ow) const;
  int col_end(int ow) const;
  // Number of positions of window (oh, ow) inside the padded input [-pad, extent + pad): the
  // divisor of an average with count_include_pad.
  int padded_window_size(int oh, int ow) const;
  // "Pool 16x32x32 -> 16x16x16, kernel 2x2, stride 2x2, pads t0 l0 b0 r0".
  std::string describe() const;
};

}  // namespace twain::core
