// A session of secure inferences between the server (owns the model) and the client (owns the
// inputs), DESIGN.md section 7. Messages, in order:
//   server -> client  the public model description (model_description.hpp) and model card
//   client -> server  request (mode, OT backend, comparison circuit, top-k or logits)
//   client -> server  the client's RLWE public key
//   both              base OTs / silent-OT setup (setup phase), once per session
//   then, as the client's commands (request_codec.hpp) say, until it ends the session:
//   prepare n         triples and correlated OTs for n inferences, each sized exactly from the
//                     plan (offline phase)
//   infer             every op of the graph on shares (online phase), then the output step: the
//                     client learns the top-k logits (indices and values) or, if it asked, all
//                     logits; the server learns nothing. Consumes one prepared inference.
// At most PublicPolicy::max_inferences inferences per session: the flooding covers that many.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/prg.hpp"
#include "engine/options.hpp"
#include "engine/report.hpp"
#include "engine/request_codec.hpp"
#include "engine/server_model.hpp"
#include "he/keys.hpp"
#include "net/channel.hpp"

namespace twain::engine {

struct ServerPolicy {
  // Accept clients asking for Backend::kFerretInsecureForTests (tests only).
  bool allow_insecure_for_tests = false;
  // Threads of the linear layers (1: none besides the caller's).
  int threads = 1;
};

// Throws PolicyError when `options` ask for more than `policy` reveals.
void check_output_request(const SessionOptions& options, const PublicPolicy& policy);

// The opening of a session, before the server commits any work to it: the description and card
// went out, the client's request and RLWE public key came in and were checked.
struct SessionRequest {
  SessionOptions options;
  he::PublicKey public_key;
  PhaseReport exchange;  // time and traffic of the opening, counted in the session's setup
};

// Sends the description and card, then reads and checks the request and public key. Throws
// FormatError for a malformed request or key, PolicyError for a request the policy refuses,
// NetworkError (TimeoutError) for a peer that closes or stays silent. Cheap for the server: a
// server runs it for every connection before giving it a session slot.
SessionRequest receive_request(const ServerModel& model, net::Channel& channel, const ServerPolicy& policy = {});

// The rest of the session after receive_request: the setup, then the client's commands until it
// ends the session. Throws NetworkError when the client disconnects (also before it ends the
// session), FormatError for a command out of order or beyond the policy; the model is untouched
// either way. trace: when given, receives the server's share of every tensor of the last inference.
SessionReport serve_session(const ServerModel& model, net::Channel& channel, SessionRequest request,
                            const ServerPolicy& policy = {}, const Progress& progress = {}, Trace* trace = nullptr);

// Both steps: serves one client on `channel`.
SessionReport serve_session(const ServerModel& model, net::Channel& channel, const ServerPolicy& policy = {},
                            const Progress& progress = {}, Trace* trace = nullptr);

// The wall-clock time a server allows the session `options` asks for, derived from its plan and
// public values only: for each inference the policy allows, the bytes both parties send (the linear
// layers' plans exactly, the nonlinear plan's correlated OTs at kBudgetBytesPerOt each) at
// kBudgetBytesPerSecond, plus kBudgetPerOp for each op's round trips; plus kBudgetFloor. A client slower than that (or a peer
// that trickles) is cut off instead of holding a session slot without end.
inline constexpr std::chrono::seconds kBudgetFloor{60};
inline constexpr double kBudgetBytesPerSecond = 1e6;
inline constexpr double kBudgetBytesPerOt = 4;
inline constexpr std::chrono::milliseconds kBudgetPerOp{500};
std::chrono::milliseconds session_time_budget(const ServerModel& model, const SessionOptions& options);

struct ClassScore {
  std::size_t index = 0;
  int64_t value = 0;  // the logit at scale frac_bits
};

struct InferenceResult {
  std::vector<ClassScore> top;   // best first (all logits sorted when they were revealed)
  std::vector<int64_t> logits;   // every logit at scale frac_bits, when revealed
  int frac_bits = 0;
  SessionReport report;
};

// The client's side: connects to the model the server describes, then runs inferences on images
// (C x H x W floats, already normalised), quantised to the model's fixed point, all in one
// session: one key exchange and setup, the offline material of each inference made ahead by
// prepare() or, when none is left, by infer() itself.
class ClientSession {
 public:
  // Reads the description and the card. Throws FormatError for a malformed description.
  // threads: of the client's linear layers (1: none besides the caller's).
  ClientSession(net::Channel& channel, const SessionOptions& options, int threads = 1);
  // Ends the session (close()) if it is still open; errors are dropped here.
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  const model::QuantizedGraph& model() const { return graph_; }
  // The server's public model card (ServerModel::card), possibly empty.
  const std::string& card() const { return card_; }
  // What the server's policy makes public: its statistical security, the most classes it reveals.
  const PublicPolicy& policy() const { return policy_; }
  // model_fingerprint of the description and card the server sent.
  const std::string& fingerprint() const { return fingerprint_; }
  // Makes the offline material of `count` more inferences (after the session's setup, on the
  // first call). Throws PolicyError, before any traffic, when the options ask for more than
  // policy() allows, when the inferences run and prepared would exceed its max_inferences, or the
  // prepared ones kMaxPreparedAhead.
  void prepare(uint64_t count = 1);
  // One inference on prepared material (prepare(1) first when none is left). Throws PolicyError
  // as prepare does. trace: when given, receives the client's share of every tensor. Its report
  // holds the session's setup on the first inference, and the offline work of its own material.
  InferenceResult infer(std::span<const float> image, const Progress& progress = {}, Trace* trace = nullptr);
  // Ends the session: the server's side returns. Does nothing when it never started or already
  // ended; after an error the session is over and every call but this one throws.
  void close();

  uint64_t prepared() const { return offline_.size(); }
  uint64_t inferences() const { return inferences_; }

 private:
  struct Started;  // what the setup made: keys, linear objects, the nonlinear session
  void start(uint64_t first_count);
  void send_command(const SessionCommand& command);
  void check_open() const;
  template <class F>
  auto on_the_wire(F&& work);

  net::Channel& channel_;
  SessionOptions options_;
  int threads_;
  model::QuantizedGraph graph_;
  std::string card_;
  PublicPolicy policy_;
  std::string fingerprint_;
  PhaseReport connect_;
  PhaseReport setup_;  // reported with the first inference
  std::unique_ptr<Started> started_;
  std::vector<PhaseReport> offline_;  // the offline work of each prepared inference, oldest first
  uint64_t inferences_ = 0;
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace twain::engine
