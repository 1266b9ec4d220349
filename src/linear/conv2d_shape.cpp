#include "linear/conv2d_shape.hpp"

#include <sstream>

#include "core/errors.hpp"

namespace twain::linear {
namespace {

void require_in_range(int value, int low, const char* field) {
  TWAIN_REQUIRE(value >= low && value <= kMaxConvDimension, InvalidArgument,
                std::string("Conv2dShape: ") + field + " = " + std::to_string(value) + " is outside [" +
                    std::to_string(low) + ", " + std::to_string(kMaxConvDimension) + "]");
}

}  // namespace

void Conv2dShape::validate() const {
  require_in_range(in_channels, 1, "in_channels");
  require_in_range(height, 1, "height");
  require_in_range(width, 1, "width");
  require_in_range(out_channels, 1, "out_channels");
  require_in_range(kernel_h, 1, "kernel_h");
  require_in_range(kernel_w, 1, "kernel_w");
  require_in_range(stride_h, 1, "stride_h");
  require_in_range(stride_w, 1, "stride_w");
  require_in_range(pad_top, 0, "pad_top");
  require_in_range(pad_left, 0, "pad_left");
  require_in_range(pad_bottom, 0, "pad_bottom");
  require_in_range(pad_right, 0, "pad_right");
  require_in_range(groups, 1, "groups");
  TWAIN_REQUIRE(in_channels % groups == 0 && out_channels % groups == 0, InvalidArgument,
                "Conv2dShape: groups = " + std::to_string(groups) + " does not divide in_channels = " +
                    std::to_string(in_channels) + " and out_channels = " + std::to_string(out_channels));
  TWAIN_REQUIRE(kernel_h <= padded_height(), InvalidArgument,
                "Conv2dShape: kernel_h = " + std::to_string(kernel_h) + " exceeds the padded height " +
                    std::to_string(padded_height()));
  TWAIN_REQUIRE(kernel_w <= padded_width(), InvalidArgument,
                "Conv2dShape: kernel_w = " + std::to_string(kernel_w) + " exceeds the padded width " +
                    std::to_string(padded_width()));
}

std::size_t Conv2dShape::input_size() const {
  return static_cast<std::size_t>(in_channels) * static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
}

std::size_t Conv2dShape::weight_size() const {
  return static_cast<std::size_t>(out_channels) * static_cast<std::size_t>(in_channels_per_group()) *
         static_cast<std::size_t>(kernel_h) * static_cast<std::size_t>(kernel_w);
}

std::size_t Conv2dShape::output_size() const {
  return static_cast<std::size_t>(out_channels) * static_cast<std::size_t>(output_height()) *
         static_cast<std::size_t>(output_width());
}

std::string Conv2dShape::describe() const {
  std::ostringstream s;
  s << "Conv2d " << in_channels << "x" << height << "x" << width << " -> " << out_channels << "x"
    << output_height() << "x" << output_width() << ", kernel " << kernel_h << "x" << kernel_w << ", stride "
    << stride_h << "x" << stride_w << ", pads t" << pad_top << " l" << pad_left << " b" << pad_bottom << " r"
    << pad_right << ", groups " << groups;
  return s.str();
}

}  // namespace twain::linear
