// The linear/ layer shapes of the quantised graph's linear ops (both parties derive the same).
#pragma once

#include "linear/batch_norm.hpp"
#include "linear/conv2d_shape.hpp"
#include "linear/fully_connected.hpp"
#include "model/quantized_graph.hpp"

namespace twain::engine {

linear::Conv2dShape conv_shape(const model::qop::Conv2d& conv);
linear::FullyConnectedShape gemm_shape(const model::qop::Gemm& gemm);
// A ChannelAffine's input as C x H x W (H = W = 1 for a vector).
linear::BatchNormShape affine_shape(const model::QuantizedGraph& graph, const model::QOp& op);

}  // namespace twain::engine
