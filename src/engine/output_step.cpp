#include "engine/output_step.hpp"

#include <algorithm>

#include "model/ring.hpp"

namespace twain::engine {
namespace {

std::size_t top_count(const model::QuantizedGraph& graph, const SessionOptions& options) {
  const auto n = static_cast<std::size_t>(model::element_count(graph.tensors[static_cast<std::size_t>(graph.output)].shape));
  return std::min(n, static_cast<std::size_t>(options.top_k));
}

}  // namespace

void serve_output(nonlinear::NonlinearSession& session, std::span<const uint64_t> logits,
                  const SessionOptions& options) {
  if (options.reveal_logits) {
    net::Channel& channel = session.context().link.channel();
    channel.send(logits);
    channel.flush();
    return;
  }
  session.top_k(logits, std::min(logits.size(), static_cast<std::size_t>(options.top_k)));
}

void receive_output(nonlinear::NonlinearSession& session, const model::QuantizedGraph& graph,
                    std::span<const uint64_t> logits, const SessionOptions& options, std::vector<ClassScore>& top,
                    std::vector<int64_t>& all) {
  top.clear();
  if (options.reveal_logits) {
    std::vector<uint64_t> peer(logits.size());
    session.context().link.channel().recv(std::span(peer));
    all.resize(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
      all[i] = model::to_signed(logits[i] + peer[i], graph.ring_bits);
      top.push_back({i, all[i]});
    }
    std::stable_sort(top.begin(), top.end(), [](const ClassScore& a, const ClassScore& b) { return a.value > b.value; });
    return;
  }
  for (const nonlinear::TopEntry& e : session.top_k(logits, top_count(graph, options))) top.push_back({e.index, e.value});
}

void plan_output(nonlinear::Plan& plan, const model::QuantizedGraph& graph, const SessionOptions& options) {
  if (options.reveal_logits) return;
  const auto n = static_cast<std::size_t>(model::element_count(graph.tensors[static_cast<std::size_t>(graph.output)].shape));
  plan.add_top_k(n, top_count(graph, options));
}

}  // namespace twain::engine
