#include "engine/session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <type_traits>
#include <variant>

#include "core/errors.hpp"
#include "engine/executor.hpp"
#include "engine/model_description.hpp"
#include "engine/output_step.hpp"
#include "engine/request_codec.hpp"
#include "engine/transcript_check.hpp"
#include "engine/wire.hpp"
#include "he/keys.hpp"
#include "he/serialization.hpp"
#include "model/quantize.hpp"
#include "nonlinear/session.hpp"

namespace twain::engine {
namespace {

constexpr std::size_t kMaxPublicKeyBytes = std::size_t{1} << 20;

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Ferret's setup (base OTs and a 1.33 MB bootstrap, 0.08-0.25 s here) and its first segment,
// which also computes the 606,907 base COTs of its next iteration, pay off only for large plans;
// below this many correlated OTs IKNP (128 bits each) is faster end to end on a fast link.
constexpr uint64_t kFerretThresholdCots = uint64_t{1} << 24;

nonlinear::Backend choose_backend(const nonlinear::Needs& needs) {
  const uint64_t cots = 2 * needs.triples + needs.leaf_ots + needs.cots_forward + needs.cots_backward;
  return cots >= kFerretThresholdCots ? nonlinear::Backend::kFerret : nonlinear::Backend::kIknp;
}

std::unique_ptr<core::ThreadPool> make_pool(int threads) {
  TWAIN_REQUIRE(threads >= 1 && threads <= kMaxThreads, InvalidArgument,
                "threads = " + std::to_string(threads) + " outside [1, " + std::to_string(kMaxThreads) + "]");
  return threads > 1 ? std::make_unique<core::ThreadPool>(static_cast<std::size_t>(threads)) : nullptr;
}

void add(PhaseReport& total, const PhaseReport& part) {
  total.seconds += part.seconds;
  total.traffic.bytes_sent += part.traffic.bytes_sent;
  total.traffic.bytes_received += part.traffic.bytes_received;
  total.traffic.rounds += part.traffic.rounds;
  total.traffic.messages += part.traffic.messages;
  total.traffic.flushes += part.traffic.flushes;
}

PhaseReport measure(net::Channel& channel, const std::function<void()>& work) {
  const auto before = channel.counters();
  const auto start = Clock::now();
  work();
  channel.flush();
  return {since(start), channel.counters() - before};
}

}  // namespace

void check_output_request(const SessionOptions& options, const PublicPolicy& policy) {
  if (options.reveal_logits && !policy.allow_logits)
    throw PolicyError("the server does not reveal logits (its operator did not allow them): ask for the top-k classes");
  if (!options.reveal_logits && options.top_k > policy.max_top_k)
    throw PolicyError("the server reveals at most the top " + std::to_string(policy.max_top_k) + " classes; " +
                      std::to_string(options.top_k) + " were asked for");
}

SessionRequest receive_request(const ServerModel& model, net::Channel& channel, const ServerPolicy& policy) {
  std::optional<SessionOptions> options;
  std::optional<he::PublicKey> pk;
  const PhaseReport exchange = measure(channel, [&] {
    channel.send_message(model.description());
    channel.send_message(std::span(reinterpret_cast<const uint8_t*>(model.card().data()), model.card().size()));
    channel.flush();
    options = decode_request(channel.recv_message(kMaxRequestBytes));
    if (options->backend == nonlinear::Backend::kFerretInsecureForTests && !policy.allow_insecure_for_tests)
      throw PolicyError("session request: the client asked for insecure test parameters; refused");
    check_output_request(*options, model.policy());
    pk = he::deserialize_public_key(*model.context(), channel.recv_message(kMaxPublicKeyBytes));
  });
  return {*options, std::move(*pk), exchange};
}

SessionReport serve_session(const ServerModel& model, net::Channel& channel, const ServerPolicy& policy,
                            const Progress& progress, Trace* trace) {
  return serve_session(model, channel, receive_request(model, channel, policy), policy, progress, trace);
}

std::chrono::milliseconds session_time_budget(const ServerModel& model, const SessionOptions& options) {
  double bytes = kBudgetBytesPerOt * static_cast<double>(plan_graph(model.graph(), options).needs().correlated_ots());
  for (std::size_t i = 0; i < model.graph().ops.size(); ++i) {
    std::visit(
        [&](const auto& server) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(server)>, std::monostate>)
            bytes += static_cast<double>(server.plan().bytes_sent(linear::Role::Client) +
                                         server.plan().bytes_sent(linear::Role::Server));
        },
        model.linear(i));
  }
  const auto transfer = std::chrono::duration<double>(bytes / kBudgetBytesPerSecond);
  return kBudgetFloor + kBudgetPerOp * static_cast<int64_t>(model.graph().ops.size()) +
         std::chrono::ceil<std::chrono::milliseconds>(transfer);
}

SessionReport serve_session(const ServerModel& model, net::Channel& channel, SessionRequest request,
                            const ServerPolicy& policy, const Progress& progress, Trace* trace) {
  SessionReport report;
  auto prg = core::Prg::from_os();
  const SessionOptions options = request.options;
  const he::PublicKey pk = std::move(request.public_key);
  report.setup = request.exchange;
  const nonlinear::Options nl = nonlinear_options(model.graph(), options);
  std::optional<nonlinear::NonlinearSession> nonlinear;
  add(report.setup, measure(channel, [&] { nonlinear.emplace(nonlinear::Role::kServer, channel, prg, nl, options.backend); }));
  report.statistical_bits_session = model.flooding().statistical_bits;
  report.flooded_responses = model.flooding().responses;
  report.offline = measure(channel, [&] { nonlinear->offline(plan_graph(model.graph(), options)); });
  report.online = measure(channel, [&] {
    const auto pool = make_pool(policy.threads);
    Executor executor(model.graph(), ServerParty{model, pk}, channel, *nonlinear, prg, options, pool.get());
    const std::vector<uint64_t> logits = executor.run({}, progress, report.steps);
    if (trace != nullptr) *trace = executor.tensors();
    serve_output(*nonlinear, logits, options);
    check_transcript(channel);
  });
  return report;
}

ClientSession::ClientSession(net::Channel& channel, const SessionOptions& options, int threads)
    : channel_(channel), options_(options), threads_(threads) {
  TWAIN_REQUIRE(threads >= 1 && threads <= kMaxThreads, InvalidArgument,
                "threads = " + std::to_string(threads) + " outside [1, " + std::to_string(kMaxThreads) + "]");
  TWAIN_REQUIRE(options.top_k >= 1 && options.top_k <= kMaxTopK, InvalidArgument,
                "top_k = " + std::to_string(options.top_k) + " outside [1, " + std::to_string(kMaxTopK) + "]");
  options_ = as_sent(options_);
  connect_ = measure(channel_, [&] {
    const std::vector<uint8_t> description = channel_.recv_message(kMaxDescriptionBytes);
    PublicModel described = parse_public(description);
    graph_ = std::move(described.graph);
    policy_ = described.policy;
    const std::vector<uint8_t> card = channel_.recv_message(kMaxCardBytes);
    card_.assign(card.begin(), card.end());
    fingerprint_ = model_fingerprint(description, card_);
  });
}

InferenceResult ClientSession::infer(std::span<const float> image, const Progress& progress, Trace* trace) {
  // Refused here, before any work or traffic, as the server would refuse it.
  check_output_request(options_, policy_);
  InferenceResult result;
  result.frac_bits = graph_.frac_bits;
  SessionReport& report = result.report;
  auto prg = core::Prg::from_os();
  const auto context = he::Context::create(he::Parameters::standard(graph_.ring_bits));
  const std::vector<uint64_t> input = model::quantize_input(graph_, image);
  std::optional<he::SecretKey> sk;
  std::vector<LinearClient> linear;
  const nonlinear::Plan plan = plan_graph(graph_, options_);
  if (options_.choose_backend) options_.backend = choose_backend(plan.needs());
  report.setup = measure(channel_, [&] {
    channel_.send_message(encode_request(options_));
    sk = he::generate_secret_key(*context, prg);
    channel_.send_message(he::serialize(*context, he::generate_public_key(*context, *sk, prg)));
    const SessionFlooding flooding = plan_session_flooding(graph_, *context, policy_.statistical_bits);
    report.statistical_bits_session = flooding.statistical_bits;
    report.flooded_responses = flooding.responses;
    linear = make_linear_clients(graph_, context, flooding.layers);
  });
  add(report.setup, connect_);
  const nonlinear::Options nl = nonlinear_options(graph_, options_);
  std::optional<nonlinear::NonlinearSession> nonlinear;
  const uint64_t received_before_setup = channel_.counters().bytes_received;
  try {
    add(report.setup, measure(channel_, [&] { nonlinear.emplace(nonlinear::Role::kClient, channel_, prg, nl, options_.backend); }));
  } catch (const TimeoutError&) {
    throw;
  } catch (const NetworkError& e) {
    // A server closes a connection it does not admit (busy, or too many sessions from this
    // address) right after reading the request; only its log says which.
    if (channel_.counters().bytes_received != received_before_setup) throw;
    throw NetworkError(std::string(e.what()) +
                       " (the server closed the connection after the request: it refused the session, see its log)");
  }
  report.offline = measure(channel_, [&] { nonlinear->offline(plan); });
  report.online = measure(channel_, [&] {
    const auto pool = make_pool(threads_);
    Executor executor(graph_, ClientParty{linear, *sk}, channel_, *nonlinear, prg, options_, pool.get());
    const std::vector<uint64_t> logits = executor.run(input, progress, report.steps);
    if (trace != nullptr) *trace = executor.tensors();
    receive_output(*nonlinear, graph_, logits, options_, result.top, result.logits);
    check_transcript(channel_);
  });
  return result;
}

}  // namespace twain::engine
