// The one window geometry of convolutions and poolings: extents against the formulas written out,
// and every invalid field named.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "core/geometry.hpp"

namespace twain::core {
namespace {

Conv2dGeometry expand_3x3() { return {16, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}; }

void expect_rejected(const Conv2dGeometry& shape, const std::string& field) {
  try {
    shape.validate();
    FAIL() << "accepted an invalid " << field;
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(Conv2dGeometry, OutputExtentsFollowPaddingAndStride) {
  const Conv2dGeometry same = expand_3x3();
  EXPECT_NO_THROW(same.validate());
  EXPECT_EQ(same.output_height(), 14);
  EXPECT_EQ(same.output_width(), 14);
  const Conv2dGeometry first{3, 32, 32, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1};
  EXPECT_EQ(first.output_height(), 16);  // (34 - 3) / 2 + 1
  const Conv2dGeometry asymmetric{1, 10, 7, 1, 3, 2, 3, 2, 0, 1, 2, 0, 1};
  EXPECT_EQ(asymmetric.output_height(), 4);  // (12 - 3) / 3 + 1
  EXPECT_EQ(asymmetric.output_width(), 4);   // (8 - 2) / 2 + 1
  const Conv2dGeometry depthwise{32, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 32};
  EXPECT_NO_THROW(depthwise.validate());
  EXPECT_EQ(depthwise.in_channels_per_group(), 1);
  EXPECT_EQ(depthwise.out_channels_per_group(), 2);
  EXPECT_EQ(depthwise.weight_size(), 64u * 9);
  EXPECT_EQ(depthwise.output_size(), 64u * 64);
  EXPECT_NE(same.describe().find("16x14x14 -> 64x14x14"), std::string::npos) << same.describe();
}

TEST(Conv2dGeometry, EachInvalidFieldIsNamed) {
  auto with = [](auto edit) {
    Conv2dGeometry s = expand_3x3();
    edit(s);
    return s;
  };
  expect_rejected(with([](auto& s) { s.in_channels = 0; }), "in_channels");
  expect_rejected(with([](auto& s) { s.height = -1; }), "height");
  expect_rejected(with([](auto& s) { s.width = kMaxExtent + 1; }), "width");
  expect_rejected(with([](auto& s) { s.out_channels = 0; }), "out_channels");
  expect_rejected(with([](auto& s) { s.kernel_h = 0; }), "kernel_h");
  expect_rejected(with([](auto& s) { s.kernel_w = 0; }), "kernel_w");
  expect_rejected(with([](auto& s) { s.stride_h = 0; }), "stride_h");
  expect_rejected(with([](auto& s) { s.stride_w = -2; }), "stride_w");
  expect_rejected(with([](auto& s) { s.pad_top = -1; }), "pad_top");
  expect_rejected(with([](auto& s) { s.pad_left = -1; }), "pad_left");
  expect_rejected(with([](auto& s) { s.pad_bottom = -1; }), "pad_bottom");
  expect_rejected(with([](auto& s) { s.pad_right = -1; }), "pad_right");
  expect_rejected(with([](auto& s) { s.groups = 0; }), "groups");
  expect_rejected(with([](auto& s) { s.groups = 3; }), "groups");
  expect_rejected(with([](auto& s) { s.kernel_h = 17; }), "kernel_h");
  expect_rejected(with([](auto& s) { s.kernel_w = 17; }), "kernel_w");
}

// ONNX / PyTorch pooling extents, ceil mode included: the ceiling, less one when the last window
// would start in the bottom padding.
TEST(Pool2dGeometry, OutputExtentsFollowTheCeilModeRule) {
  const auto rows = [](int height, int kernel, int stride, int pad, bool ceil_mode) {
    return Pool2dGeometry{1, height, 4, kernel, 1, stride, 1, pad, 0, pad, 0, ceil_mode}.output_height();
  };
  EXPECT_EQ(rows(111, 3, 2, 0, true), 55);   // ceil((111 - 3) / 2) + 1
  EXPECT_EQ(rows(112, 3, 2, 0, false), 55);  // floor(109 / 2) + 1
  EXPECT_EQ(rows(112, 3, 2, 0, true), 56);   // ceil(109 / 2) + 1
  EXPECT_EQ(rows(5, 2, 2, 1, false), 3);     // floor(5 / 2) + 1
  // ceil(5 / 2) + 1 = 4, but the fourth window would start at row 6 - 1 = 5, in the padding.
  EXPECT_EQ(rows(5, 2, 2, 1, true), 3);
  EXPECT_EQ(rows(6, 2, 2, 1, true), 4);      // ceil(6 / 2) + 1 = 4, the last window starts at row 5
  const Pool2dGeometry pool{3, 9, 9, 3, 3, 2, 2, 0, 0, 0, 0, true};
  EXPECT_EQ(pool.input_size(), 3u * 81);
  EXPECT_EQ(pool.output_size(), 3u * 16);
  // A window of a ceil-mode output that reaches past the input is clipped to it.
  EXPECT_EQ(pool.row_begin(3), 6);
  EXPECT_EQ(pool.row_end(3), 9);
}

TEST(Pool2dGeometry, EachInvalidFieldIsNamed) {
  const Pool2dGeometry good{2, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, false};
  EXPECT_NO_THROW(good.validate());
  auto with = [&](auto edit) {
    Pool2dGeometry s = good;
    edit(s);
    return s;
  };
  const auto rejected = [](const Pool2dGeometry& s, const std::string& field) {
    try {
      s.validate();
      ADD_FAILURE() << "accepted an invalid " << field;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  rejected(with([](auto& s) { s.channels = 0; }), "channels");
  rejected(with([](auto& s) { s.height = kMaxExtent + 1; }), "height");
  rejected(with([](auto& s) { s.stride_w = 0; }), "stride_w");
  rejected(with([](auto& s) { s.pad_top = 3; }), "padding");
  rejected(with([](auto& s) { s.kernel_h = 11; s.pad_top = 0; s.pad_bottom = 0; }), "kernel_h");
}

}  // namespace
}  // namespace twain::core
