// The linear/ layer shapes of the quantised graph's Gemm and ChannelAffine ops (both parties
// derive the same; a convolution's geometry is its core::Conv2dGeometry as it stands).
#pragma once

#include "linear/batch_norm.hpp"
#include "linear/fully_connected.hpp"
#include "model/quantized_graph.hpp"

namespace twain::engine {

linear::FullyConnectedShape gemm_shape(const model::qop::Gemm& gemm);
// A ChannelAffine's input as C x H x W (H = W = 1 for a vector).
linear::BatchNormShape affine_shape(const model::QuantizedGraph& graph, const model::QOp& op);

}  // namespace twain::engine
