// One party's nonlinear session: the OT providers, the offline pool, and the online protocols
// (DESIGN.md sections 6 and 7).
//
// Use: both parties build a session on the two ends of a channel (the constructor runs the base
// OTs), add every call they will make to a Plan, run offline(plan) (generates exactly plan.needs()
// in triples and OTs), then make the online calls in the same order on both sides, each party
// with its own shares. An online call that needs more than the offline phase generated throws
// CapacityError. Shares are uint64_t values below 2^l; a ring element v >= 2^(l-1) stands for
// v - 2^l. Comparison-based pooling (maxpool, argmax, top_k) needs |x| < 2^(l-2) (pooling.hpp);
// relu, relu_truncate, truncate and drelu take the whole ring.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/prg.hpp"
#include "net/channel.hpp"
#include "nonlinear/division.hpp"
#include "nonlinear/gmw.hpp"
#include "nonlinear/link.hpp"
#include "nonlinear/options.hpp"
#include "nonlinear/plan.hpp"
#include "nonlinear/pool.hpp"
#include "nonlinear/pooling.hpp"

namespace twain::nonlinear {

// Traffic and time of one phase as seen from this party (bytes both ways: add sent and received).
struct PhaseStats {
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t flights = 0;  // sequential message flights (an exchange counts once)
  double seconds = 0;
  uint64_t bytes() const { return bytes_sent + bytes_received; }
};

struct SessionStats {
  PhaseStats setup;    // base OTs, Ferret bootstrap
  PhaseStats offline;  // triples and OTs
  PhaseStats online;
};

class NonlinearSession {
 public:
  // Throws InvalidArgument unless ring_bits is in [kMinRingBits, kMaxRingBits]. The channel and
  // the generator must outlive the session.
  NonlinearSession(Role role, net::Channel& channel, core::Prg& prg, const Options& options,
                   Backend backend = Backend::kIknp);
  NonlinearSession(Role role, net::Channel& channel, core::Prg& prg, int ring_bits,
                   Backend backend = Backend::kIknp);

  Role role() const { return link_.role(); }
  const Options& options() const { return options_; }
  // An empty plan with this session's options.
  Plan plan() const { return Plan(options_); }

  // Generates plan.needs() (both parties, same plan). Throws InvalidArgument if the plan was
  // made with other options. May be called again to add material.
  void offline(const Plan& plan);

  // Online calls (see the headers named for the protocols and their costs).
  Words compare(std::span<const uint64_t> own, int bits);  // carry.hpp greater_than: [a_S > b_C]
  Words drelu(std::span<const uint64_t> x);                 // relu.hpp
  std::vector<uint64_t> b2a(std::span<const uint64_t> bits, std::size_t n, int width);  // arith.hpp
  std::vector<uint64_t> mux(std::span<const uint64_t> bits, std::size_t n, std::span<const uint64_t> values,
                            std::size_t per_bit = 1);
  std::vector<uint64_t> relu(std::span<const uint64_t> x);
  std::vector<uint64_t> relu_truncate(std::span<const uint64_t> x, int f, TruncMode mode);
  std::vector<uint64_t> truncate(std::span<const uint64_t> x, int f, TruncMode mode);
  // The method choose_pool_method picks, or the one given.
  std::vector<uint64_t> maxpool(std::span<const uint64_t> x, const core::Pool2dGeometry& shape);
  std::vector<uint64_t> maxpool(std::span<const uint64_t> x, const core::Pool2dGeometry& shape, PoolMethod method);
  std::vector<uint64_t> maxpool(std::span<const uint64_t> x, std::size_t channels, std::size_t height,
                                std::size_t width, int kernel_h, int kernel_w, int stride_h, int stride_w,
                                const std::array<int, 4>& pads, bool ceil_mode);  // pads: top, left, bottom, right
  std::vector<uint64_t> divide_floor(std::span<const uint64_t> x, uint64_t d);
  ArgMaxShares argmax(std::span<const uint64_t> x);
  std::vector<TopEntry> top_k(std::span<const uint64_t> x, std::size_t k);

  // Frees the material consumed so far (after an inference; what is left stays for the next).
  void release_consumed() { pool_.release_consumed(); }

  // Material planned (generated) and consumed so far.
  const Needs& planned() const { return planned_; }
  Needs consumed() const { return pool_.consumed(); }
  SessionStats stats() const { return stats_; }
  // The context the protocols run with (for composing protocols outside this class).
  Context context() { return Context{link_, pool_, options_}; }

 private:
  class Measure;
  template <class F>
  auto online(F&& f);

  Options options_;
  Link link_;
  Pool pool_;
  SessionStats stats_;
  OtSource source_;
  Needs planned_;
};

// The pooling geometry of the arguments of NonlinearSession::maxpool (validated: InvalidArgument
// names the first field out of its domain).
core::Pool2dGeometry make_pool_shape(std::size_t channels, std::size_t height, std::size_t width, int kernel_h,
                                     int kernel_w, int stride_h, int stride_w, const std::array<int, 4>& pads,
                                     bool ceil_mode);

}  // namespace twain::nonlinear
