#include "engine/local_ops.hpp"

#include "core/errors.hpp"
#include "model/ring.hpp"

namespace twain::engine {
namespace {

using model::QOp;
using model::QuantizedGraph;

std::size_t size_of(const QuantizedGraph& graph, model::TensorId id) {
  return static_cast<std::size_t>(model::element_count(graph.tensors[static_cast<std::size_t>(id)].shape));
}

void require_size(const QOp& op, std::span<const uint64_t> x, std::size_t expected) {
  TWAIN_REQUIRE(x.size() == expected, InvalidArgument,
                "op '" + op.name + "': an input share has " + std::to_string(x.size()) + " values, expected " +
                    std::to_string(expected));
}

std::vector<uint64_t> sum_pool(const core::Pool2dGeometry& g, std::span<const uint64_t> x, uint64_t mask) {
  const int oh_count = g.output_height(), ow_count = g.output_width();
  std::vector<uint64_t> y(static_cast<std::size_t>(g.channels) * oh_count * ow_count);
  std::size_t at = 0;
  for (int c = 0; c < g.channels; ++c)
    for (int oh = 0; oh < oh_count; ++oh)
      for (int ow = 0; ow < ow_count; ++ow) {
        uint64_t sum = 0;
        for (int i = g.row_begin(oh); i < g.row_end(oh); ++i)
          for (int j = g.col_begin(ow); j < g.col_end(ow); ++j)
            sum += x[(static_cast<std::size_t>(c) * g.height + i) * g.width + j];
        y[at++] = sum & mask;
      }
  return y;
}

std::vector<uint64_t> pad(const QuantizedGraph& graph, const QOp& op, const model::qop::Pad& p,
                          std::span<const uint64_t> x, bool server) {
  const model::Shape& in = graph.tensors[static_cast<std::size_t>(op.inputs[0])].shape;
  const auto channels = static_cast<std::size_t>(in[1]), height = static_cast<std::size_t>(in[2]),
             width = static_cast<std::size_t>(in[3]);
  const std::size_t out_h = height + p.pad_top + p.pad_bottom, out_w = width + p.pad_left + p.pad_right;
  const uint64_t fill = server ? model::to_ring(p.value, graph.ring_bits) : 0;
  std::vector<uint64_t> y(channels * out_h * out_w, fill);
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t i = 0; i < height; ++i)
      for (std::size_t j = 0; j < width; ++j)
        y[(c * out_h + i + p.pad_top) * out_w + j + p.pad_left] = x[(c * height + i) * width + j];
  return y;
}

}  // namespace

std::vector<uint64_t> run_local_op(const QuantizedGraph& graph, const QOp& op,
                                   std::span<const std::span<const uint64_t>> inputs, bool server) {
  const uint64_t mask = model::ring_mask(graph.ring_bits);
  TWAIN_REQUIRE(inputs.size() == op.inputs.size(), InvalidArgument, "op '" + op.name + "': wrong input count");
  for (std::size_t k = 0; k < inputs.size(); ++k) require_size(op, inputs[k], size_of(graph, op.inputs[k]));
  if (const auto* pool = std::get_if<model::qop::SumPool>(&op.op)) return sum_pool(pool->shape, inputs[0], mask);
  if (std::holds_alternative<model::qop::Add>(op.op)) {
    std::vector<uint64_t> y(inputs[0].size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = (inputs[0][i] + inputs[1][i]) & mask;
    return y;
  }
  if (const auto* constant = std::get_if<model::qop::AddConstant>(&op.op)) {
    std::vector<uint64_t> y(inputs[0].begin(), inputs[0].end());
    if (server) {
      TWAIN_REQUIRE(constant->values.size() == y.size(), InvalidArgument,
                    "op '" + op.name + "': the server lacks the constant's values");
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = (y[i] + model::to_ring(constant->values[i], graph.ring_bits)) & mask;
    }
    return y;
  }
  if (std::holds_alternative<model::qop::Concat>(op.op)) {
    std::vector<uint64_t> y;
    for (const auto& x : inputs) y.insert(y.end(), x.begin(), x.end());
    return y;
  }
  if (std::holds_alternative<model::qop::Reshape>(op.op)) return {inputs[0].begin(), inputs[0].end()};
  if (const auto* p = std::get_if<model::qop::Pad>(&op.op)) return pad(graph, op, *p, inputs[0], server);
  throw InvalidArgument("op '" + op.name + "' (" + model::op_name(op.op) + ") is not a local op");
}

void add_bias(const QuantizedGraph& graph, const QOp& op, std::vector<uint64_t>& y) {
  const std::vector<int64_t>* bias = nullptr;
  if (const auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) bias = &conv->bias;
  if (const auto* gemm = std::get_if<model::qop::Gemm>(&op.op)) bias = &gemm->bias;
  if (bias == nullptr || bias->empty()) return;
  const std::size_t per_channel = y.size() / bias->size();
  const uint64_t mask = model::ring_mask(graph.ring_bits);
  for (std::size_t o = 0; o < bias->size(); ++o) {
    const uint64_t b = model::to_ring((*bias)[o], graph.ring_bits);
    for (std::size_t p = 0; p < per_channel; ++p) y[o * per_channel + p] = (y[o * per_channel + p] + b) & mask;
  }
}

}  // namespace twain::engine
