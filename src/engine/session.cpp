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

// The time of `work` and the traffic since `from` (by default, since the work began): a command
// counts in the phase it opens, its wait does not.
PhaseReport measure(net::Channel& channel, const std::function<void()>& work,
                    std::optional<net::ChannelCounters> from = std::nullopt) {
  const auto before = from.value_or(channel.counters());
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
  const auto inferences = static_cast<int64_t>(model.policy().max_inferences);
  const auto transfer = std::chrono::duration<double>(static_cast<double>(inferences) * bytes / kBudgetBytesPerSecond);
  return kBudgetFloor + kBudgetPerOp * (inferences * static_cast<int64_t>(model.graph().ops.size())) +
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
  report.setup += measure(channel, [&] { nonlinear.emplace(nonlinear::Role::kServer, channel, prg, nl, options.backend); });
  report.statistical_bits_session = model.flooding().statistical_bits;
  report.flooded_responses = model.flooding().responses;
  const nonlinear::Plan plan = plan_graph(model.graph(), options);
  const auto pool = make_pool(policy.threads);
  const uint64_t allowed = model.policy().max_inferences;
  uint64_t prepared = 0;
  for (;;) {
    const net::ChannelCounters before = channel.counters();
    const SessionCommand command = decode_command(channel.recv_message(kMaxCommandBytes));
    if (command.kind == SessionCommand::Kind::kEnd) break;
    if (command.kind == SessionCommand::Kind::kPrepare) {
      if (report.inferences + prepared + command.count > allowed || prepared + command.count > kMaxPreparedAhead)
        throw PolicyError("session command: prepare " + std::to_string(command.count) + " after " +
                          std::to_string(report.inferences) + " inferences run and " + std::to_string(prepared) +
                          " prepared exceeds the " + std::to_string(allowed) + " a session may run or the " +
                          std::to_string(kMaxPreparedAhead) + " it may hold prepared");
      report.offline += measure(
          channel, [&] { for (uint64_t k = 0; k < command.count; ++k) nonlinear->offline(plan); }, before);
      prepared += command.count;
      continue;
    }
    if (prepared == 0) throw FormatError("session command: an inference without prepared material");
    report.online += measure(
        channel,
        [&] {
          Executor executor(model.graph(), ServerParty{model, pk}, channel, *nonlinear, prg, options, pool.get());
          const std::vector<uint64_t> logits = executor.run({}, progress, report.steps);
          if (trace != nullptr) *trace = executor.tensors();
          serve_output(*nonlinear, logits, options);
          check_transcript(channel);
        },
        before);
    nonlinear->release_consumed();
    --prepared;
    ++report.inferences;
  }
  report.planned = nonlinear->planned();
  report.consumed = nonlinear->consumed();
  return report;
}

struct ClientSession::Started {
  core::Prg prg = core::Prg::from_os();
  he::ContextPtr context;
  std::optional<he::SecretKey> sk;
  std::vector<LinearClient> linear;
  std::optional<nonlinear::Plan> plan;
  std::optional<nonlinear::NonlinearSession> nonlinear;
  std::unique_ptr<core::ThreadPool> pool;
  double statistical_bits_session = 0;
  uint64_t flooded_responses = 0;
};

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

ClientSession::~ClientSession() {
  try {
    close();
  } catch (...) {
    // The server ends the session at its deadline, or when the connection closes.
  }
}

void ClientSession::check_open() const {
  if (failed_) throw NetworkError("the session ended with an error before; open a new one");
  if (closed_) throw InvalidArgument("the session was closed; open a new one");
}

// Whatever fails once traffic may have started leaves the two parties out of step: the session
// is over.
template <class F>
auto ClientSession::on_the_wire(F&& work) {
  try {
    return work();
  } catch (...) {
    failed_ = true;
    throw;
  }
}

void ClientSession::send_command(const SessionCommand& command) {
  channel_.send_message(encode_command(command));
}

void ClientSession::start(uint64_t first_count) {
  auto started = std::make_unique<Started>();
  Started& s = *started;
  s.context = he::Context::create(he::Parameters::standard(graph_.ring_bits));
  s.plan.emplace(plan_graph(graph_, options_));
  if (options_.choose_backend) options_.backend = choose_backend(first_count * s.plan->needs());
  s.pool = make_pool(threads_);
  setup_ = measure(channel_, [&] {
    channel_.send_message(encode_request(options_));
    s.sk = he::generate_secret_key(*s.context, s.prg);
    channel_.send_message(he::serialize(*s.context, he::generate_public_key(*s.context, *s.sk, s.prg)));
    const SessionFlooding flooding =
        plan_session_flooding(graph_, *s.context, policy_.statistical_bits, policy_.max_inferences);
    s.statistical_bits_session = flooding.statistical_bits;
    s.flooded_responses = flooding.responses;
    s.linear = make_linear_clients(graph_, s.context, flooding.layers);
  });
  setup_ += connect_;
  const nonlinear::Options nl = nonlinear_options(graph_, options_);
  const uint64_t received_before_setup = channel_.counters().bytes_received;
  try {
    setup_ += measure(channel_, [&] { s.nonlinear.emplace(nonlinear::Role::kClient, channel_, s.prg, nl, options_.backend); });
  } catch (const TimeoutError&) {
    throw;
  } catch (const NetworkError& e) {
    // A server closes a connection it does not admit (busy, or too many sessions from this
    // address) right after reading the request; only its log says which.
    if (channel_.counters().bytes_received != received_before_setup) throw;
    throw NetworkError(std::string(e.what()) +
                       " (the server closed the connection after the request: it refused the session, see its log)");
  }
  started_ = std::move(started);
}

void ClientSession::prepare(uint64_t count) {
  check_open();
  // Refused here, before any work or traffic, as the server would refuse it.
  check_output_request(options_, policy_);
  TWAIN_REQUIRE(count >= 1, InvalidArgument, "prepare: at least one inference");
  if (inferences_ + prepared() + count > policy_.max_inferences)
    throw PolicyError("the server allows " + std::to_string(policy_.max_inferences) +
                      " inferences per session (its --max-images); " + std::to_string(inferences_) + " ran and " +
                      std::to_string(prepared()) + " are prepared, " + std::to_string(count) +
                      " more were asked for: open another session");
  if (prepared() + count > kMaxPreparedAhead)
    throw PolicyError("a session holds the material of at most " + std::to_string(kMaxPreparedAhead) +
                      " inferences at once; " + std::to_string(prepared()) + " are prepared, " + std::to_string(count) +
                      " more were asked for");
  on_the_wire([&] {
    if (!started_) start(count);
    Started& s = *started_;
    // The command counts in the first inference's offline phase.
    std::optional<net::ChannelCounters> from = channel_.counters();
    send_command({SessionCommand::Kind::kPrepare, count});
    for (uint64_t k = 0; k < count; ++k) {
      offline_.push_back(measure(channel_, [&] { s.nonlinear->offline(*s.plan); }, from));
      from.reset();
    }
  });
}

InferenceResult ClientSession::infer(std::span<const float> image, const Progress& progress, Trace* trace) {
  check_open();
  // Checked before any work or traffic.
  check_output_request(options_, policy_);
  const std::vector<uint64_t> input = model::quantize_input(graph_, image);
  if (prepared() == 0) prepare(1);
  return on_the_wire([&] {
    Started& s = *started_;
    InferenceResult result;
    result.frac_bits = graph_.frac_bits;
    SessionReport& report = result.report;
    if (inferences_ == 0) report.setup = setup_;
    report.offline = offline_.front();
    report.statistical_bits_session = s.statistical_bits_session;
    report.flooded_responses = s.flooded_responses;
    report.online = measure(channel_, [&] {
      send_command({SessionCommand::Kind::kInfer, 0});
      Executor executor(graph_, ClientParty{s.linear, *s.sk}, channel_, *s.nonlinear, s.prg, options_, s.pool.get());
      const std::vector<uint64_t> logits = executor.run(input, progress, report.steps);
      if (trace != nullptr) *trace = executor.tensors();
      receive_output(*s.nonlinear, graph_, logits, options_, result.top, result.logits);
      check_transcript(channel_);
    });
    s.nonlinear->release_consumed();
    report.planned = s.nonlinear->planned();
    report.consumed = s.nonlinear->consumed();
    offline_.erase(offline_.begin());
    ++inferences_;
    report.inferences = 1;
    return result;
  });
}

void ClientSession::close() {
  if (closed_ || failed_ || !started_) {
    closed_ = true;
    return;
  }
  closed_ = true;
  send_command({SessionCommand::Kind::kEnd, 0});
  channel_.flush();
}

}  // namespace twain::engine
