// What a client asks of a session; the server checks it and both parties run with it.
#pragma once

#include <cstdint>

#include "nonlinear/options.hpp"

namespace twain::engine {

struct SessionOptions {
  nonlinear::TruncMode mode = nonlinear::TruncMode::kExact;
  nonlinear::Backend backend = nonlinear::Backend::kFerret;
  // The client picks the backend from the plan's size (IKNP for small models, Ferret for large
  // ones) instead of `backend`.
  bool choose_backend = true;
  nonlinear::CompareMode compare = nonlinear::CompareMode::kAuto;
  // The link kAuto plans the comparison circuits for (both parties use the client's).
  nonlinear::LinkModel link;
  // The client learns the top_k largest logits (indices and values) and nothing else ...
  int top_k = 5;
  // ... unless it asks for every logit.
  bool reveal_logits = false;
};

// Most threads a party may use.
inline constexpr int kMaxThreads = 256;

// Most inferences one session may carry (ModelPolicy::max_inferences): each widens the flooding
// of every response (engine/session_flooding.hpp).
inline constexpr uint64_t kMaxInferences = 4096;

// Most inferences whose offline material a session holds at once: each costs the server the
// whole plan's triples and OTs in memory, which a client could otherwise make it hold for
// max_inferences images.
inline constexpr uint64_t kMaxPreparedAhead = 4;

// Largest top_k a client may ask for.
inline constexpr int kMaxTopK = 1000;

}  // namespace twain::engine
