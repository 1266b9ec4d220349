#include "core/geometry.hpp"

#include <algorithm>
#include <limits>

#include "core/errors.hpp"

namespace twain::core {
namespace {

void require_in_range(const char* what, int value, int low, const char* field) {
  TWAIN_REQUIRE(value >= low && value <= kMaxExtent, InvalidArgument,
                std::string(what) + ": " + field + " = " + std::to_string(value) + " is outside [" +
                    std::to_string(low) + ", " + std::to_string(kMaxExtent) + "]");
}

// Computed in 64 bits so that any field values (even invalid ones in an error message) are safe.
int pooled_extent(int extent, int pad_begin, int pad_end, int kernel, int stride, bool ceil_mode) {
  const int64_t span = int64_t{extent} + pad_begin + pad_end - kernel;
  if (stride < 1 || span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= int64_t{extent} + pad_begin) --out;
  return static_cast<int>(std::min<int64_t>(out, kMaxExtent * int64_t{4}));
}

}  // namespace

void Conv2dGeometry::validate() const {
  const char* w = "Conv2dGeometry";
  require_in_range(w, in_channels, 1, "in_channels");
  require_in_range(w, height, 1, "height");
  require_in_range(w, width, 1, "width");
  require_in_range(w, out_channels, 1, "out_channels");
  require_in_range(w, kernel_h, 1, "kernel_h");
  require_in_range(w, kernel_w, 1, "kernel_w");
  require_in_range(w, stride_h, 1, "stride_h");
  require_in_range(w, stride_w, 1, "stride_w");
  require_in_range(w, pad_top, 0, "pad_top");
  require_in_range(w, pad_left, 0, "pad_left");
  require_in_range(w, pad_bottom, 0, "pad_bottom");
  require_in_range(w, pad_right, 0, "pad_right");
  require_in_range(w, groups, 1, "groups");
  TWAIN_REQUIRE(in_channels % groups == 0 && out_channels % groups == 0, InvalidArgument,
                "Conv2dGeometry: groups = " + std::to_string(groups) + " does not divide in_channels = " +
                    std::to_string(in_channels) + " and out_channels = " + std::to_string(out_channels));
  TWAIN_REQUIRE(kernel_h <= padded_height(), InvalidArgument,
                "Conv2dGeometry: kernel_h = " + std::to_string(kernel_h) + " exceeds the padded height " +
                    std::to_string(padded_height()) + " in " + describe());
  TWAIN_REQUIRE(kernel_w <= padded_width(), InvalidArgument,
                "Conv2dGeometry: kernel_w = " + std::to_string(kernel_w) + " exceeds the padded width " +
                    std::to_string(padded_width()) + " in " + describe());
}

int Conv2dGeometry::output_height() const {
  return pooled_extent(height, pad_top, pad_bottom, kernel_h, stride_h, false);
}

int Conv2dGeometry::output_width() const { return pooled_extent(width, pad_left, pad_right, kernel_w, stride_w, false); }

std::size_t Conv2dGeometry::input_size() const {
  return static_cast<std::size_t>(in_channels) * static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
}

std::size_t Conv2dGeometry::weight_size() const {
  return static_cast<std::size_t>(out_channels) * static_cast<std::size_t>(in_channels_per_group()) *
         static_cast<std::size_t>(kernel_h) * static_cast<std::size_t>(kernel_w);
}

std::size_t Conv2dGeometry::output_size() const {
  return static_cast<std::size_t>(out_channels) * static_cast<std::size_t>(output_height()) *
         static_cast<std::size_t>(output_width());
}

int64_t Conv2dGeometry::weight_count() const {
  if (groups < 1) return 0;
  int64_t count = 1;
  for (int64_t factor : {int64_t{out_channels}, int64_t{in_channels_per_group()}, int64_t{kernel_h}, int64_t{kernel_w}}) {
    if (factor < 1) return 0;
    if (count > (int64_t{1} << 62) / factor) return std::numeric_limits<int64_t>::max();
    count *= factor;
  }
  return count;
}

std::pair<int, int> Conv2dGeometry::tap_columns(int kw) const {
  const int out = output_width();
  int begin = 0;
  while (begin < out && begin * stride_w - pad_left + kw < 0) ++begin;
  int end = begin;
  while (end < out && end * stride_w - pad_left + kw < width) ++end;
  return {begin, end};
}

std::string Conv2dGeometry::describe() const {
  return "Conv2d " + std::to_string(in_channels) + "x" + std::to_string(height) + "x" + std::to_string(width) +
         " -> " + std::to_string(out_channels) + "x" + std::to_string(output_height()) + "x" +
         std::to_string(output_width()) + ", kernel " + std::to_string(kernel_h) + "x" + std::to_string(kernel_w) +
         ", stride " + std::to_string(stride_h) + "x" + std::to_string(stride_w) + ", pads t" +
         std::to_string(pad_top) + " l" + std::to_string(pad_left) + " b" + std::to_string(pad_bottom) + " r" +
         std::to_string(pad_right) + ", groups " + std::to_string(groups);
}

void Pool2dGeometry::validate() const {
  const char* w = "Pool2dGeometry";
  require_in_range(w, channels, 1, "channels");
  require_in_range(w, height, 1, "height");
  require_in_range(w, width, 1, "width");
  require_in_range(w, kernel_h, 1, "kernel_h");
  require_in_range(w, kernel_w, 1, "kernel_w");
  require_in_range(w, stride_h, 1, "stride_h");
  require_in_range(w, stride_w, 1, "stride_w");
  require_in_range(w, pad_top, 0, "pad_top");
  require_in_range(w, pad_left, 0, "pad_left");
  require_in_range(w, pad_bottom, 0, "pad_bottom");
  require_in_range(w, pad_right, 0, "pad_right");
  TWAIN_REQUIRE(pad_top < kernel_h && pad_bottom < kernel_h && pad_left < kernel_w && pad_right < kernel_w,
                InvalidArgument, "Pool2dGeometry: a padding is not smaller than the kernel in " + describe());
  TWAIN_REQUIRE(kernel_h <= height + pad_top + pad_bottom, InvalidArgument,
                "Pool2dGeometry: kernel_h = " + std::to_string(kernel_h) + " exceeds the padded height in " + describe());
  TWAIN_REQUIRE(kernel_w <= width + pad_left + pad_right, InvalidArgument,
                "Pool2dGeometry: kernel_w = " + std::to_string(kernel_w) + " exceeds the padded width in " + describe());
}

int Pool2dGeometry::output_height() const {
  return pooled_extent(height, pad_top, pad_bottom, kernel_h, stride_h, ceil_mode);
}

int Pool2dGeometry::output_width() const {
  return pooled_extent(width, pad_left, pad_right, kernel_w, stride_w, ceil_mode);
}

std::size_t Pool2dGeometry::input_size() const {
  return static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
}

std::size_t Pool2dGeometry::output_size() const {
  return static_cast<std::size_t>(channels) * static_cast<std::size_t>(output_height()) *
         static_cast<std::size_t>(output_width());
}

int Pool2dGeometry::row_begin(int oh) const { return std::max(oh * stride_h - pad_top, 0); }
int Pool2dGeometry::row_end(int oh) const { return std::min(oh * stride_h - pad_top + kernel_h, height); }
int Pool2dGeometry::col_begin(int ow) const { return std::max(ow * stride_w - pad_left, 0); }
int Pool2dGeometry::col_end(int ow) const { return std::min(ow * stride_w - pad_left + kernel_w, width); }

int Pool2dGeometry::padded_window_size(int oh, int ow) const {
  const int r0 = oh * stride_h - pad_top, c0 = ow * stride_w - pad_left;
  const int rows = std::min(r0 + kernel_h, height + pad_bottom) - r0;
  const int cols = std::min(c0 + kernel_w, width + pad_right) - c0;
  return rows * cols;
}

std::string Pool2dGeometry::describe() const {
  return "Pool " + std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width) + " -> " +
         std::to_string(channels) + "x" + std::to_string(output_height()) + "x" + std::to_string(output_width()) +
         ", kernel " + std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + ", stride " +
         std::to_string(stride_h) + "x" + std::to_string(stride_w) + ", pads t" + std::to_string(pad_top) + " l" +
         std::to_string(pad_left) + " b" + std::to_string(pad_bottom) + " r" + std::to_string(pad_right) +
         (ceil_mode ? ", ceil" : "");
}

}  // namespace twain::core
