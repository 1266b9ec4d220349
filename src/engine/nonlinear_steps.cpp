#include "engine/nonlinear_steps.hpp"

#include <map>

#include "core/errors.hpp"
#include "model/ring.hpp"

namespace twain::engine {
namespace {

using namespace model;

std::size_t input_size(const QuantizedGraph& graph, const QOp& op) {
  return static_cast<std::size_t>(element_count(graph.tensors[static_cast<std::size_t>(op.inputs[0])].shape));
}

// Element indices of each distinct divisor (one divisor, or one per spatial position).
std::map<uint64_t, std::vector<std::size_t>> divisor_groups(const qop::DivideFloor& op, std::size_t n) {
  std::map<uint64_t, std::vector<std::size_t>> groups;
  const std::size_t positions = op.divisors.size();
  for (std::size_t i = 0; i < n; ++i) groups[static_cast<uint64_t>(op.divisors[i % positions])].push_back(i);
  return groups;
}

// ReLU6(x) = ReLU(x) - ReLU(x - 6): both ReLUs in one batch (the server shifts its share).
std::vector<uint64_t> relu6(nonlinear::NonlinearSession& session, const QuantizedGraph& graph,
                            const qop::Relu6& op, std::span<const uint64_t> x) {
  const uint64_t mask = ring_mask(graph.ring_bits);
  const bool server = session.role() == nonlinear::Role::kServer;
  const uint64_t upper = server ? to_ring(op.upper, graph.ring_bits) : 0;
  std::vector<uint64_t> both(x.begin(), x.end());
  for (uint64_t v : x) both.push_back((v - upper) & mask);
  const std::vector<uint64_t> r = session.relu(both);
  std::vector<uint64_t> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = (r[i] - r[x.size() + i]) & mask;
  return y;
}

std::vector<uint64_t> divide(nonlinear::NonlinearSession& session, const qop::DivideFloor& op,
                             std::span<const uint64_t> x) {
  std::vector<uint64_t> y(x.size());
  for (const auto& [d, indices] : divisor_groups(op, x.size())) {
    std::vector<uint64_t> part;
    for (std::size_t i : indices) part.push_back(x[i]);
    const std::vector<uint64_t> q = session.divide_floor(part, d);
    for (std::size_t k = 0; k < indices.size(); ++k) y[indices[k]] = q[k];
  }
  return y;
}

}  // namespace

bool is_nonlinear(const QOpKind& op) {
  return std::holds_alternative<qop::Truncate>(op) || std::holds_alternative<qop::Relu>(op) ||
         std::holds_alternative<qop::Relu6>(op) || std::holds_alternative<qop::ReluTruncate>(op) ||
         std::holds_alternative<qop::MaxPool>(op) || std::holds_alternative<qop::DivideFloor>(op);
}

std::vector<uint64_t> run_nonlinear_op(nonlinear::NonlinearSession& session, const QuantizedGraph& graph,
                                       const QOp& op, std::span<const uint64_t> x, const SessionOptions& options) {
  TWAIN_REQUIRE(x.size() == input_size(graph, op), InvalidArgument,
                "op '" + op.name + "': the input share has " + std::to_string(x.size()) + " values");
  if (const auto* t = std::get_if<qop::Truncate>(&op.op)) return session.truncate(x, t->shift, options.mode);
  if (std::holds_alternative<qop::Relu>(op.op)) return session.relu(x);
  if (const auto* r = std::get_if<qop::Relu6>(&op.op)) return relu6(session, graph, *r, x);
  if (const auto* rt = std::get_if<qop::ReluTruncate>(&op.op)) return session.relu_truncate(x, rt->shift, options.mode);
  if (const auto* m = std::get_if<qop::MaxPool>(&op.op)) return session.maxpool(x, m->shape);
  if (const auto* d = std::get_if<qop::DivideFloor>(&op.op)) return divide(session, *d, x);
  throw InvalidArgument("op '" + op.name + "' (" + op_name(op.op) + ") is not a nonlinear op");
}

void plan_nonlinear_op(nonlinear::Plan& plan, const QuantizedGraph& graph, const QOp& op,
                       const SessionOptions& options) {
  const std::size_t n = input_size(graph, op);
  if (const auto* t = std::get_if<qop::Truncate>(&op.op)) plan.add_truncate(n, t->shift, options.mode);
  if (std::holds_alternative<qop::Relu>(op.op)) plan.add_relu(n);
  if (std::holds_alternative<qop::Relu6>(op.op)) plan.add_relu(2 * n);
  if (const auto* rt = std::get_if<qop::ReluTruncate>(&op.op)) plan.add_relu(n, rt->shift, options.mode);
  if (const auto* m = std::get_if<qop::MaxPool>(&op.op)) plan.add_maxpool(m->shape);
  if (const auto* d = std::get_if<qop::DivideFloor>(&op.op))
    for (const auto& [divisor, indices] : divisor_groups(*d, n)) plan.add_divide(indices.size(), divisor);
}

}  // namespace twain::engine
