// Window geometry of 2-D convolutions and poolings on CHW tensors, shared by the float graph, the
// quantised graph and both evaluators.
//
// Conv2dGeometry has the fields and the meaning of linear::Conv2dShape (ONNX Conv, no dilation):
// weights OIHW with I = in_channels / groups; group g maps input channels [g I, (g + 1) I) to output
// channels [g O', (g + 1) O'), O' = out_channels / groups. Padding is zeros.
//
// Pool2dGeometry is ONNX MaxPool / AveragePool without dilation: output extent
// floor((H + pad_top + pad_bottom - kernel_h) / stride_h) + 1, or with ceil_mode the ceiling, less
// one when the last window would start in the bottom (right) padding (PyTorch's rule). A window
// covers input rows [oh stride_h - pad_top, oh stride_h - pad_top + kernel_h) clipped to the input;
// windows of a ceil-mode output may reach past the bottom padding and are clipped the same way.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace twain::model {

// Largest extent of any dimension, kernel, stride or padding (linear::kMaxConvDimension).
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
  int in_channels_per_group() const { return in_channels / groups; }
  int out_channels_per_group() const { return out_channels / groups; }
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

}  // namespace twain::model
