#include "engine/linear_shapes.hpp"

#include "core/errors.hpp"

namespace twain::engine {

linear::FullyConnectedShape gemm_shape(const model::qop::Gemm& gemm) {
  return linear::FullyConnectedShape{gemm.in_features, gemm.out_features};
}

linear::BatchNormShape affine_shape(const model::QuantizedGraph& graph, const model::QOp& op) {
  const model::Shape& shape = graph.tensors.at(static_cast<std::size_t>(op.inputs.at(0))).shape;
  int64_t rest = 1;
  for (std::size_t d = 2; d < shape.size(); ++d) rest *= shape[d];
  TWAIN_REQUIRE(shape.size() >= 2 && rest <= core::kMaxExtent, InvalidArgument,
                "ChannelAffine '" + op.name + "': input shape " + model::to_string(shape) + " is not [1, C, ...]");
  return linear::BatchNormShape{static_cast<int>(shape[1]), 1, static_cast<int>(rest)};
}

}  // namespace twain::engine
