#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "linear/conv2d_shape.hpp"

namespace twain::linear {
namespace {

Conv2dShape expand_3x3() { return {16, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}; }

void expect_rejected(const Conv2dShape& shape, const std::string& field) {
  try {
    shape.validate();
    FAIL() << "accepted an invalid " << field;
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(Conv2dShape, OutputExtentsFollowPaddingAndStride) {
  const Conv2dShape same = expand_3x3();
  EXPECT_NO_THROW(same.validate());
  EXPECT_EQ(same.output_height(), 14);
  EXPECT_EQ(same.output_width(), 14);
  const Conv2dShape first{3, 32, 32, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1};
  EXPECT_EQ(first.output_height(), 16);  // (34 - 3) / 2 + 1
  const Conv2dShape asymmetric{1, 10, 7, 1, 3, 2, 3, 2, 0, 1, 2, 0, 1};
  EXPECT_EQ(asymmetric.output_height(), 4);  // (12 - 3) / 3 + 1
  EXPECT_EQ(asymmetric.output_width(), 4);   // (8 - 2) / 2 + 1
  const Conv2dShape depthwise{32, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 32};
  EXPECT_NO_THROW(depthwise.validate());
  EXPECT_EQ(depthwise.in_channels_per_group(), 1);
  EXPECT_EQ(depthwise.out_channels_per_group(), 2);
  EXPECT_EQ(depthwise.weight_size(), 64u * 9);
  EXPECT_EQ(depthwise.output_size(), 64u * 64);
  EXPECT_NE(same.describe().find("16x14x14 -> 64x14x14"), std::string::npos) << same.describe();
}

TEST(Conv2dShape, EachInvalidFieldIsNamed) {
  auto with = [](auto edit) {
    Conv2dShape s = expand_3x3();
    edit(s);
    return s;
  };
  expect_rejected(with([](auto& s) { s.in_channels = 0; }), "in_channels");
  expect_rejected(with([](auto& s) { s.height = -1; }), "height");
  expect_rejected(with([](auto& s) { s.width = kMaxConvDimension + 1; }), "width");
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

}  // namespace
}  // namespace twain::linear
