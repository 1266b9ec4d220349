#include "engine/executor.hpp"

#include "core/errors.hpp"
#include "engine/linear_shapes.hpp"
#include "engine/local_ops.hpp"
#include "engine/nonlinear_steps.hpp"
#include "engine/output_step.hpp"
#include "model/ring.hpp"

namespace twain::engine {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

bool is_linear(const model::QOpKind& op) {
  return std::holds_alternative<model::qop::Conv2d>(op) || std::holds_alternative<model::qop::Gemm>(op) ||
         std::holds_alternative<model::qop::ChannelAffine>(op);
}

}  // namespace

std::vector<LinearClient> make_linear_clients(const model::QuantizedGraph& graph, const he::ContextPtr& context,
                                              const std::vector<he::FloodBudget>& budgets) {
  std::vector<LinearClient> clients(graph.ops.size());
  for (std::size_t i = 0; i < graph.ops.size(); ++i) {
    const model::QOp& op = graph.ops[i];
    const he::FloodBudget& budget = budgets.at(i);
    if (const auto* conv = std::get_if<model::qop::Conv2d>(&op.op)) {
      clients[i].emplace<linear::Conv2dClient>(context, conv->shape, conv->weight_bound, budget);
    } else if (const auto* gemm = std::get_if<model::qop::Gemm>(&op.op)) {
      clients[i].emplace<linear::FullyConnectedClient>(context, gemm_shape(*gemm), gemm->weight_bound, budget);
    } else if (const auto* affine = std::get_if<model::qop::ChannelAffine>(&op.op)) {
      clients[i].emplace<linear::BatchNormClient>(context, affine_shape(graph, op), affine->scale_bound, budget);
    }
  }
  return clients;
}

nonlinear::Options nonlinear_options(const model::QuantizedGraph& graph, const SessionOptions& options) {
  nonlinear::Options nl;
  nl.ring_bits = graph.ring_bits;
  nl.compare = options.compare;
  nl.link = options.link;
  return nl;
}

nonlinear::Plan plan_graph(const model::QuantizedGraph& graph, const SessionOptions& options) {
  nonlinear::Plan plan(nonlinear_options(graph, options));
  for (const model::QOp& op : graph.ops) plan_nonlinear_op(plan, graph, op, options);
  plan_output(plan, graph, options);
  return plan;
}

Executor::Executor(const model::QuantizedGraph& graph, std::variant<ServerParty, ClientParty> party,
                   net::Channel& channel, nonlinear::NonlinearSession& nonlinear, core::Prg& prg, const SessionOptions& options,
                   core::ThreadPool* pool)
    : graph_(graph),
      party_(party),
      channel_(channel),
      nonlinear_(nonlinear),
      prg_(prg),
      options_(options),
      pool_(pool),
      mask_(model::ring_mask(graph.ring_bits)),
      shares_(graph.tensors.size()) {}

const std::vector<uint64_t>& Executor::in(const model::QOp& op, std::size_t k) const {
  return shares_[static_cast<std::size_t>(op.inputs.at(k))];
}

std::vector<uint64_t> Executor::run(std::vector<uint64_t> input_share, const Progress& progress,
                                    std::vector<StepReport>& steps) {
  const auto input_size = static_cast<std::size_t>(model::element_count(graph_.tensors[graph_.input].shape));
  if (server()) input_share.assign(input_size, 0);
  TWAIN_REQUIRE(input_share.size() == input_size, InvalidArgument,
                "the input has " + std::to_string(input_share.size()) + " values, the model expects " +
                    std::to_string(input_size) + " (" + model::to_string(graph_.tensors[graph_.input].shape) + ")");
  for (uint64_t& v : input_share) v &= mask_;
  shares_[static_cast<std::size_t>(graph_.input)] = std::move(input_share);
  for (std::size_t i = 0; i < graph_.ops.size(); ++i) {
    const model::QOp& op = graph_.ops[i];
    if (progress) progress(i, graph_.ops.size(), op.name);
    const auto before = channel_.counters();
    const auto start = std::chrono::steady_clock::now();
    run_op(i);
    channel_.flush();
    steps.push_back({op.name, model::op_name(op.op),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                     channel_.counters() - before});
  }
  if (progress) progress(graph_.ops.size(), graph_.ops.size(), "done");
  return shares_[static_cast<std::size_t>(graph_.output)];
}

void Executor::run_op(std::size_t index) {
  const model::QOp& op = graph_.ops[index];
  if (is_linear(op.op)) {
    run_linear(index);
  } else if (is_nonlinear(op.op)) {
    shares_[static_cast<std::size_t>(op.output)] = run_nonlinear_op(nonlinear_, graph_, op, in(op, 0), options_);
  } else {
    std::vector<std::span<const uint64_t>> inputs;
    for (std::size_t k = 0; k < op.inputs.size(); ++k) inputs.emplace_back(in(op, k));
    shares_[static_cast<std::size_t>(op.output)] = run_local_op(graph_, op, inputs, server());
  }
}

void Executor::run_linear(std::size_t index) {
  const model::QOp& op = graph_.ops[index];
  // The client owns the whole input: a first Conv or Gemm encrypts it directly (no server share);
  // other ops get the server's share of zeros.
  const bool first_layer =
      op.inputs[0] == graph_.input && !std::holds_alternative<model::qop::ChannelAffine>(op.op);
  const std::vector<uint64_t>& x = in(op, 0);
  std::vector<uint64_t> y;
  if (const auto* s = std::get_if<ServerParty>(&party_)) {
    const std::span<const uint64_t> share = first_layer ? std::span<const uint64_t>() : std::span(x);
    y = std::visit(Overloaded{[](const std::monostate&) -> std::vector<uint64_t> {
                                throw InvalidArgument("internal: a linear op without its server object");
                              },
                              [&](const auto& layer) { return layer.run(channel_, s->pk, share, prg_, pool_); }},
                   s->model.linear(index));
    add_bias(graph_, op, y);
  } else {
    const auto& c = std::get<ClientParty>(party_);
    y = std::visit(Overloaded{[](const std::monostate&) -> std::vector<uint64_t> {
                                throw InvalidArgument("internal: a linear op without its client object");
                              },
                              [&](const auto& layer) { return layer.run(channel_, c.sk, x, prg_, pool_); }},
                   c.linear.at(index));
  }
  shares_[static_cast<std::size_t>(op.output)] = std::move(y);
}

}  // namespace twain::engine
