#include "nonlinear/session.hpp"

#include <string>

#include "core/errors.hpp"
#include "nonlinear/arith.hpp"
#include "nonlinear/carry.hpp"
#include "nonlinear/relu.hpp"

namespace twain::nonlinear {

// Adds the channel traffic, flights and time between construction and destruction to a phase.
class NonlinearSession::Measure {
 public:
  Measure(Link& link, PhaseStats& stats)
      : link_(link), stats_(stats), start_(std::chrono::steady_clock::now()),
        counters_(link.channel().counters()), flights_(link.flights()) {}
  ~Measure() {
    const auto delta = link_.channel().counters() - counters_;
    stats_.bytes_sent += delta.bytes_sent;
    stats_.bytes_received += delta.bytes_received;
    stats_.flights += link_.flights() - flights_;
    stats_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  Measure(const Measure&) = delete;
  Measure& operator=(const Measure&) = delete;

 private:
  Link& link_;
  PhaseStats& stats_;
  std::chrono::steady_clock::time_point start_;
  net::ChannelCounters counters_;
  uint64_t flights_;
};

namespace {

Options with_bits(int ring_bits) {
  Options o;
  o.ring_bits = ring_bits;
  return o;
}

const Options& checked(const Options& options) {
  Plan check(options);  // validates the ring width
  return options;
}

}  // namespace

NonlinearSession::NonlinearSession(Role role, net::Channel& channel, core::Prg& prg, const Options& options,
                                   Backend backend)
    : options_(checked(options)), link_(role, channel), pool_(role),
      source_((Measure(link_, stats_.setup), OtSource(role, channel, prg, backend))) {}

NonlinearSession::NonlinearSession(Role role, net::Channel& channel, core::Prg& prg, int ring_bits, Backend backend)
    : NonlinearSession(role, channel, prg, with_bits(ring_bits), backend) {}

void NonlinearSession::offline(const Plan& plan) {
  TWAIN_REQUIRE(plan.options() == options_, InvalidArgument,
                "NonlinearSession::offline: the plan was made with other options than the session");
  Measure measure(link_, stats_.offline);
  source_.generate(plan.needs(), pool_);
  planned_ += plan.needs();
}

template <class F>
auto NonlinearSession::online(F&& f) {
  Measure measure(link_, stats_.online);
  Context ctx = context();
  return f(ctx);
}

Words NonlinearSession::compare(std::span<const uint64_t> own, int bits) {
  return online([&](Context& c) { return greater_than(c, own, bits); });
}

Words NonlinearSession::drelu(std::span<const uint64_t> x) {
  return online([&](Context& c) { return nonlinear::drelu(c, x); });
}

std::vector<uint64_t> NonlinearSession::b2a(std::span<const uint64_t> bits, std::size_t n, int width) {
  return online([&](Context& c) { return nonlinear::b2a(c, bits, n, width); });
}

std::vector<uint64_t> NonlinearSession::mux(std::span<const uint64_t> bits, std::size_t n,
                                            std::span<const uint64_t> values, std::size_t per_bit) {
  return online([&](Context& c) { return nonlinear::mux(c, bits, n, values, per_bit); });
}

std::vector<uint64_t> NonlinearSession::relu(std::span<const uint64_t> x) {
  return online([&](Context& c) { return nonlinear::relu(c, x); });
}

std::vector<uint64_t> NonlinearSession::relu_truncate(std::span<const uint64_t> x, int f, TruncMode mode) {
  return online([&](Context& c) { return nonlinear::relu_truncate(c, x, f, mode); });
}

std::vector<uint64_t> NonlinearSession::truncate(std::span<const uint64_t> x, int f, TruncMode mode) {
  return online([&](Context& c) { return nonlinear::truncate(c, x, f, mode); });
}

std::vector<uint64_t> NonlinearSession::maxpool(std::span<const uint64_t> x, const core::Pool2dGeometry& shape) {
  return online([&](Context& c) { return nonlinear::maxpool(c, x, shape); });
}

std::vector<uint64_t> NonlinearSession::maxpool(std::span<const uint64_t> x, const core::Pool2dGeometry& shape,
                                                PoolMethod method) {
  return online([&](Context& c) { return nonlinear::maxpool(c, x, shape, method); });
}

std::vector<uint64_t> NonlinearSession::maxpool(std::span<const uint64_t> x, std::size_t channels,
                                                std::size_t height, std::size_t width, int kernel_h, int kernel_w,
                                                int stride_h, int stride_w, const std::array<int, 4>& pads,
                                                bool ceil_mode) {
  return maxpool(x, make_pool_shape(channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pads, ceil_mode));
}

std::vector<uint64_t> NonlinearSession::divide_floor(std::span<const uint64_t> x, uint64_t d) {
  return online([&](Context& c) { return nonlinear::divide_floor(c, x, d); });
}

ArgMaxShares NonlinearSession::argmax(std::span<const uint64_t> x) {
  return online([&](Context& c) { return nonlinear::argmax(c, x); });
}

std::vector<TopEntry> NonlinearSession::top_k(std::span<const uint64_t> x, std::size_t k) {
  return online([&](Context& c) { return nonlinear::top_k(c, x, k); });
}

core::Pool2dGeometry make_pool_shape(std::size_t channels, std::size_t height, std::size_t width, int kernel_h,
                                     int kernel_w, int stride_h, int stride_w, const std::array<int, 4>& pads,
                                     bool ceil_mode) {
  const auto extent = [](std::size_t v, const char* field) {
    TWAIN_REQUIRE(v <= static_cast<std::size_t>(core::kMaxExtent), InvalidArgument,
                  std::string("maxpool: ") + field + " = " + std::to_string(v) + " exceeds " + std::to_string(core::kMaxExtent));
    return static_cast<int>(v);
  };
  core::Pool2dGeometry s{extent(channels, "channels"), extent(height, "height"), extent(width, "width"),
                         kernel_h, kernel_w, stride_h, stride_w, pads[0], pads[1], pads[2], pads[3], ceil_mode};
  s.validate();
  return s;
}

}  // namespace twain::nonlinear
