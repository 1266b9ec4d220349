#include "engine/linear_shapes.hpp"

#include "core/errors.hpp"

namespace twain::engine {

linear::Conv2dShape conv_shape(const model::qop::Conv2d& conv) {
  const model::Conv2dGeometry& g = conv.shape;
  linear::Conv2dShape s;
  s.in_channels = g.in_channels;
  s.height = g.height;
  s.width = g.width;
  s.out_channels = g.out_channels;
  s.kernel_h = g.kernel_h;
  s.kernel_w = g.kernel_w;
  s.stride_h = g.stride_h;
  s.stride_w = g.stride_w;
  s.pad_top = g.pad_top;
  s.pad_left = g.pad_left;
  s.pad_bottom = g.pad_bottom;
  s.pad_right = g.pad_right;
  s.groups = g.groups;
  return s;
}

linear::FullyConnectedShape gemm_shape(const model::qop::Gemm& gemm) {
  return linear::FullyConnectedShape{gemm.in_features, gemm.out_features};
}

linear::BatchNormShape affine_shape(const model::QuantizedGraph& graph, const model::QOp& op) {
  const model::Shape& shape = graph.tensors.at(static_cast<std::size_t>(op.inputs.at(0))).shape;
  int64_t rest = 1;
  for (std::size_t d = 2; d < shape.size(); ++d) rest *= shape[d];
  TWAIN_REQUIRE(shape.size() >= 2 && rest <= linear::kMaxConvDimension, InvalidArgument,
                "ChannelAffine '" + op.name + "': input shape " + model::to_string(shape) + " is not [1, C, ...]");
  return linear::BatchNormShape{static_cast<int>(shape[1]), 1, static_cast<int>(rest)};
}

}  // namespace twain::engine
