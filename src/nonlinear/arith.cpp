#include "nonlinear/arith.hpp"

#include <string>

#include "core/errors.hpp"

namespace twain::nonlinear {

core::BitVector to_bits(std::span<const uint64_t> words, std::size_t n) {
  TWAIN_REQUIRE(words.size() >= words_for(n), InvalidArgument, "to_bits: too few words");
  core::BitVector v(n);
  auto out = v.words();
  for (std::size_t w = 0; w < out.size(); ++w) out[w] = words[w];
  if (n % 64 != 0 && !out.empty()) out.back() &= (uint64_t{1} << (n % 64)) - 1;
  return v;
}

core::BitVector repeat_bits(std::span<const uint64_t> bits, std::size_t n, std::size_t per_bit) {
  core::BitVector v(n * per_bit);
  for (std::size_t j = 0; j < per_bit; ++j) {
    for (std::size_t i = 0; i < n; ++i) v.set(j * n + i, (bits[i / 64] >> (i % 64)) & 1U);
  }
  return v;
}

core::BitVector cot_offsets(const CotReceive& cots, const core::BitVector& choices) {
  TWAIN_REQUIRE(cots.choices.size() == choices.size(), InvalidArgument,
                "cot_offsets: " + std::to_string(choices.size()) + " choices for " +
                    std::to_string(cots.choices.size()) + " OTs");
  return choices ^ cots.choices;
}

std::vector<uint64_t> cot_messages(const CotSend& cots, const core::BitVector& offsets,
                                   std::span<const uint64_t> x, int width, MessageWriter& out) {
  const std::size_t n = cots.h0.size();
  TWAIN_REQUIRE(x.size() == n && offsets.size() == n, InvalidArgument,
                "cot_messages: " + std::to_string(x.size()) + " values and " + std::to_string(offsets.size()) +
                    " offsets for " + std::to_string(n) + " OTs");
  const uint64_t mask = ring_mask(width);
  std::vector<uint64_t> r(n), m(n);
  for (std::size_t k = 0; k < n; ++k) {
    const uint64_t swap = 0 - static_cast<uint64_t>(offsets.get(k));
    const uint64_t diff = (cots.h0[k] ^ cots.h1[k]) & swap;
    const uint64_t h0 = cots.h0[k] ^ diff;
    const uint64_t h1 = cots.h1[k] ^ diff;
    r[k] = h0 & mask;
    m[k] = (h0 + x[k] - h1) & mask;
  }
  out.values(m, width);
  return r;
}

std::vector<uint64_t> cot_outputs(const CotReceive& cots, const core::BitVector& choices, int width,
                                  MessageReader& in) {
  const std::size_t n = cots.h.size();
  const auto m = in.values(n, width);
  const uint64_t mask = ring_mask(width);
  std::vector<uint64_t> y(n);
  for (std::size_t k = 0; k < n; ++k) {
    const uint64_t select = 0 - static_cast<uint64_t>(choices.get(k));
    y[k] = (cots.h[k] + (m[k] & select)) & mask;
  }
  return y;
}

Needs b2a_needs(std::size_t n, int width) { return Needs{0, 0, width > 1 ? n : 0, 0}; }

std::vector<uint64_t> b2a(Context& ctx, std::span<const uint64_t> bits, std::size_t n, int width) {
  TWAIN_REQUIRE(width >= 1 && width <= 64, InvalidArgument, "b2a: width " + std::to_string(width) + " outside [1, 64]");
  const uint64_t mask = ring_mask(width);
  const core::BitVector own = to_bits(bits, n);
  std::vector<uint64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = own.get(i);
  if (width == 1) return out;
  if (ctx.server()) {
    const CotSend cots = ctx.pool.take_cot_send(n);
    const std::vector<uint8_t> offsets_in_bytes = ctx.link.one_way(Role::kClient, {}, bits_bytes(n));
  MessageReader offsets_in(offsets_in_bytes);
    const core::BitVector offsets = offsets_in.bits(n);
    offsets_in.finish();
    MessageWriter message;
    std::vector<uint64_t> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = out[i];
    const auto r = cot_messages(cots, offsets, x, width - 1, message);
    ctx.link.one_way(Role::kServer, message.bytes(), 0);
    // w_S + 2 r, the product's share being -r.
    for (std::size_t i = 0; i < n; ++i) out[i] = (out[i] + 2 * r[i]) & mask;
  } else {
    const CotReceive cots = ctx.pool.take_cot_receive(n);
    MessageWriter offsets;
    offsets.bits(cot_offsets(cots, own));
    ctx.link.one_way(Role::kClient, offsets.bytes(), 0);
    const std::vector<uint8_t> message_bytes = ctx.link.one_way(Role::kServer, {}, values_bytes(n, width - 1));
  MessageReader message(message_bytes);
    const auto y = cot_outputs(cots, own, width - 1, message);
    message.finish();
    for (std::size_t i = 0; i < n; ++i) out[i] = (out[i] - 2 * y[i]) & mask;
  }
  return out;
}

Needs mux_needs(std::size_t n, std::size_t per_bit) { return Needs{0, 0, n * per_bit, n * per_bit}; }

std::vector<uint64_t> mux(Context& ctx, std::span<const uint64_t> bits, std::size_t n,
                          std::span<const uint64_t> values, std::size_t per_bit) {
  const std::size_t total = n * per_bit;
  TWAIN_REQUIRE(values.size() == total, InvalidArgument,
                "mux: " + std::to_string(values.size()) + " values for " + std::to_string(n) + " bits x " +
                    std::to_string(per_bit));
  const int l = ctx.options.ring_bits;
  const uint64_t mask = ring_mask(l);
  const core::BitVector choices = repeat_bits(bits, n, per_bit);
  const CotSend send = ctx.pool.take_cot_send(total);
  const CotReceive receive = ctx.pool.take_cot_receive(total);
  MessageWriter first;
  first.bits(cot_offsets(receive, choices));
  const std::vector<uint8_t> offsets_in_bytes = ctx.link.exchange(first.bytes(), bits_bytes(total));
  MessageReader offsets_in(offsets_in_bytes);
  const core::BitVector offsets = offsets_in.bits(total);
  offsets_in.finish();
  // Own term: (b_own ^ b_peer) v_own = b_own v_own + b_peer (1 - 2 b_own) v_own.
  std::vector<uint64_t> x(total), out(total);
  for (std::size_t k = 0; k < total; ++k) {
    const uint64_t b = choices.get(k);
    const uint64_t v = values[k] & mask;
    x[k] = (v - 2 * b * v) & mask;
    out[k] = b * v;
  }
  MessageWriter second;
  const auto r = cot_messages(send, offsets, x, l, second);
  const std::vector<uint8_t> in_bytes = ctx.link.exchange(second.bytes(), values_bytes(total, l));
  MessageReader in(in_bytes);
  const auto y = cot_outputs(receive, choices, l, in);
  in.finish();
  for (std::size_t k = 0; k < total; ++k) out[k] = (out[k] - r[k] + y[k]) & mask;
  return out;
}

}  // namespace twain::nonlinear
