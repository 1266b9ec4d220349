// Runs a quantised graph op by op on additive shares (DESIGN.md sections 2-7): linear ops through
// linear/ (HE), comparison-based ops through nonlinear/ (GMW and OT), the rest locally. Both
// parties walk the same ops in the same order; only the linear objects differ by role.
#pragma once

#include <variant>
#include <vector>

#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "engine/options.hpp"
#include "engine/report.hpp"
#include "engine/server_model.hpp"
#include "he/keys.hpp"
#include "linear/conv2d_client.hpp"
#include "nonlinear/plan.hpp"
#include "nonlinear/session.hpp"

namespace twain::engine {

using LinearClient = std::variant<std::monostate, linear::Conv2dClient, linear::FullyConnectedClient,
                                  linear::BatchNormClient>;

// The client's linear objects for a (public) graph: plans rebuilt from the public description,
// flooded for `budgets` (by op index: SessionFlooding::layers, as the server's).
std::vector<LinearClient> make_linear_clients(const model::QuantizedGraph& graph, const he::ContextPtr& context,
                                              const std::vector<he::FloodBudget>& budgets);

// Options of the nonlinear protocols for a graph and a session.
nonlinear::Options nonlinear_options(const model::QuantizedGraph& graph, const SessionOptions& options);

// Everything the graph's nonlinear ops and the output step consume (the offline phase makes
// exactly this much).
nonlinear::Plan plan_graph(const model::QuantizedGraph& graph, const SessionOptions& options);

// The role's keys and linear objects.
struct ServerParty {
  const ServerModel& model;
  const he::PublicKey& pk;
};
struct ClientParty {
  const std::vector<LinearClient>& linear;
  const he::SecretKey& sk;
};

class Executor {
 public:
  // graph: the full graph (server) or the public description (client); the party's objects must
  // be built for it. input_share: the client's quantised input (client) or nothing (server).
  Executor(const model::QuantizedGraph& graph, std::variant<ServerParty, ClientParty> party, net::Channel& channel,
           nonlinear::NonlinearSession& nonlinear, core::Prg& prg, const SessionOptions& options,
           core::ThreadPool* pool = nullptr);

  // Runs every op; returns this party's share of the output (the logits).
  std::vector<uint64_t> run(std::vector<uint64_t> input_share, const Progress& progress,
                            std::vector<StepReport>& steps);
  // After run: this party's share of every tensor.
  const Trace& tensors() const { return shares_; }

 private:
  void run_op(std::size_t index);
  void run_linear(std::size_t index);
  const std::vector<uint64_t>& in(const model::QOp& op, std::size_t k) const;
  bool server() const { return std::holds_alternative<ServerParty>(party_); }

  const model::QuantizedGraph& graph_;
  std::variant<ServerParty, ClientParty> party_;
  net::Channel& channel_;
  nonlinear::NonlinearSession& nonlinear_;
  core::Prg& prg_;
  SessionOptions options_;
  core::ThreadPool* pool_;
  uint64_t mask_;
  std::vector<std::vector<uint64_t>> shares_;  // by tensor id
};

}  // namespace twain::engine
