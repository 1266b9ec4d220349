#include "nonlinear/relu.hpp"

#include <string>
#include <vector>

#include "core/errors.hpp"
#include "nonlinear/arith.hpp"
#include "nonlinear/carry.hpp"

namespace twain::nonlinear {
namespace {

std::vector<int> truncation_positions(int l, int f, TruncMode mode) {
  if (mode == TruncMode::kExact) return {f, l - 1};
  return {l - 1};
}

void require_shift(int l, int f) {
  TWAIN_REQUIRE(f >= 1 && f <= l - 2, InvalidArgument,
                "truncation by " + std::to_string(f) + " bits outside [1, " + std::to_string(l - 2) + "]");
}

std::vector<uint64_t> low_bits(std::span<const uint64_t> x, int bits) {
  std::vector<uint64_t> low(x.size());
  const uint64_t mask = ring_mask(bits);
  for (std::size_t i = 0; i < x.size(); ++i) low[i] = x[i] & mask;
  return low;
}

// Own share of DReLU from the carry c_{l-1}: the server adds the constant 1.
Words drelu_from_carry(const Context& ctx, std::span<const uint64_t> x, const Words& carry) {
  Words b = bit_column(x, ctx.options.ring_bits - 1);
  const uint64_t one = ctx.server() ? ~uint64_t{0} : 0;
  for (std::size_t w = 0; w < b.size(); ++w) b[w] ^= carry[w] ^ one;
  return b;
}

// B2A of the truncation carries and, when `select` is given, the multiplexer of the shifted
// value, in the flights described in relu.hpp.
std::vector<uint64_t> shift_and_select(Context& ctx, std::span<const uint64_t> x, int f, const Words& carry,
                                       const Words* low_carry, const Words* select) {
  // Under a multiplexer by DReLU(x) only x >= 0 matters, where MSB(x) = 0.
  const bool select_only = select != nullptr;
  const int l = ctx.options.ring_bits;
  const uint64_t mask = ring_mask(l);
  const std::size_t n = x.size();
  const bool server = ctx.server();
  // B2A groups: scaled ones (times 2^(l-f-1), subtracted, needed mod 2^(f+1)) and the low
  // carry (added, needed mod 2^l).
  struct Group {
    core::BitVector own;
    int width;
  };
  std::vector<Group> groups;
  groups.push_back({to_bits(carry, n), f + 1});
  if (!select_only) {
    // MSB(x) = MSB(x_S) ^ MSB(x_C) ^ c_{l-1}: XOR shares computed locally.
    Words msb = bit_column(x, l - 1);
    for (std::size_t w = 0; w < msb.size(); ++w) msb[w] ^= carry[w];
    groups.push_back({to_bits(msb, n), f + 1});
  }
  const std::size_t scaled = groups.size();
  if (low_carry != nullptr) groups.push_back({to_bits(*low_carry, n), l});
  const core::BitVector choice = select != nullptr ? to_bits(*select, n) : core::BitVector();

  // Material, forward first (B2A groups, then the multiplexer's forward half), then backward.
  std::vector<CotSend> b2a_send;
  std::vector<CotReceive> b2a_receive;
  for (const Group& g : groups) {
    if (g.width == 1) continue;
    if (server) {
      b2a_send.push_back(ctx.pool.take_cot_send(n));
    } else {
      b2a_receive.push_back(ctx.pool.take_cot_receive(n));
    }
  }
  CotSend mux_send;
  CotReceive mux_receive;
  if (select != nullptr) {
    if (server) {
      mux_send = ctx.pool.take_cot_send(n);
      mux_receive = ctx.pool.take_cot_receive(n);
    } else {
      mux_receive = ctx.pool.take_cot_receive(n);
      mux_send = ctx.pool.take_cot_send(n);
    }
  }

  // Flight 1: the receivers' offsets.
  MessageWriter first;
  std::size_t expect = 0;
  if (!server) {
    std::size_t k = 0;
    for (const Group& g : groups) {
      if (g.width > 1) first.bits(cot_offsets(b2a_receive[k++], g.own));
    }
  }
  if (select != nullptr) first.bits(cot_offsets(mux_receive, choice));
  if (server) {
    for (const Group& g : groups) expect += g.width > 1 ? bits_bytes(n) : 0;
  }
  if (select != nullptr) expect += bits_bytes(n);
  std::vector<uint8_t> first_in;
  if (select != nullptr) {
    first_in = ctx.link.exchange(first.bytes(), server ? expect : bits_bytes(n));
  } else if (server) {
    first_in = ctx.link.one_way(Role::kClient, {}, expect);
  } else {
    ctx.link.one_way(Role::kClient, first.bytes(), 0);
  }
  MessageReader offsets(first_in);

  // Own shifted share, before the B2A terms: (x >> f) - 2^(l-f-1) MSB(x_own).
  std::vector<uint64_t> t(n);
  for (std::size_t i = 0; i < n; ++i) {
    t[i] = ((x[i] >> f) - (((x[i] >> (l - 1)) & 1U) << (l - f - 1))) & mask;
  }
  // Adds the B2A share of group g (value mod 2^width) with its sign and scale.
  const auto add_group = [&](std::size_t g, std::size_t i, uint64_t share) {
    if (g < scaled) {
      t[i] = (t[i] - ((share & ring_mask(f + 1)) << (l - f - 1))) & mask;
    } else {
      t[i] = (t[i] + share) & mask;
    }
  };

  std::vector<uint64_t> out(n, 0);
  if (server) {
    MessageWriter second;
    std::size_t k = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const Group& grp = groups[g];
      std::vector<uint64_t> own(n);
      for (std::size_t i = 0; i < n; ++i) own[i] = grp.own.get(i);
      if (grp.width == 1) {
        for (std::size_t i = 0; i < n; ++i) add_group(g, i, own[i]);
        continue;
      }
      const core::BitVector d = offsets.bits(n);
      const auto r = cot_messages(b2a_send[k++], d, own, grp.width - 1, second);
      for (std::size_t i = 0; i < n; ++i) add_group(g, i, own[i] + 2 * r[i]);
    }
    if (select == nullptr) {
      offsets.finish();
      ctx.link.one_way(Role::kServer, second.bytes(), 0);
      return t;
    }
    const core::BitVector d = offsets.bits(n);
    offsets.finish();
    std::vector<uint64_t> xs(n);
    for (std::size_t i = 0; i < n; ++i) {
      const uint64_t b = choice.get(i);
      xs[i] = (t[i] - 2 * b * t[i]) & mask;
      out[i] = b * t[i];
    }
    const auto r = cot_messages(mux_send, d, xs, l, second);
    ctx.link.one_way(Role::kServer, second.bytes(), 0);
    const std::vector<uint8_t> third_bytes = ctx.link.one_way(Role::kClient, {}, values_bytes(n, l));
  MessageReader third(third_bytes);
    const auto y = cot_outputs(mux_receive, choice, l, third);
    third.finish();
    for (std::size_t i = 0; i < n; ++i) out[i] = (out[i] - r[i] + y[i]) & mask;
    return out;
  }
  // Client.
  std::size_t expect2 = 0;
  for (const Group& g : groups) expect2 += g.width > 1 ? values_bytes(n, g.width - 1) : 0;
  if (select != nullptr) expect2 += values_bytes(n, l);
  const core::BitVector d = select != nullptr ? offsets.bits(n) : core::BitVector();
  if (select != nullptr) offsets.finish();
  const std::vector<uint8_t> second_bytes = ctx.link.one_way(Role::kServer, {}, expect2);
  MessageReader second(second_bytes);
  std::size_t k = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Group& grp = groups[g];
    if (grp.width == 1) {
      for (std::size_t i = 0; i < n; ++i) add_group(g, i, grp.own.get(i));
      continue;
    }
    const auto y = cot_outputs(b2a_receive[k++], grp.own, grp.width - 1, second);
    for (std::size_t i = 0; i < n; ++i) add_group(g, i, grp.own.get(i) - 2 * y[i]);
  }
  if (select == nullptr) {
    second.finish();
    return t;
  }
  const auto y = cot_outputs(mux_receive, choice, l, second);
  second.finish();
  std::vector<uint64_t> xs(n);
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t b = choice.get(i);
    xs[i] = (t[i] - 2 * b * t[i]) & mask;
    out[i] = (b * t[i] + y[i]) & mask;
  }
  MessageWriter third;
  const auto r = cot_messages(mux_send, d, xs, l, third);
  ctx.link.one_way(Role::kClient, third.bytes(), 0);
  for (std::size_t i = 0; i < n; ++i) out[i] = (out[i] - r[i]) & mask;
  return out;
}

Needs shift_needs(const Options& o, std::size_t n, int f, TruncMode mode, bool select) {
  const int l = o.ring_bits;
  Needs needs = b2a_needs(n, f + 1);
  if (!select) needs += b2a_needs(n, f + 1);
  if (mode == TruncMode::kExact) needs += b2a_needs(n, l);
  if (select) needs += mux_needs(n);
  return needs;
}

}  // namespace

void require_ring(const Context& ctx, std::span<const uint64_t> x, const char* what) {
  const uint64_t mask = ring_mask(ctx.options.ring_bits);
  for (std::size_t i = 0; i < x.size(); ++i) {
    TWAIN_REQUIRE((x[i] & ~mask) == 0, InvalidArgument,
                  std::string(what) + ": share " + std::to_string(i) + " is not below 2^" +
                      std::to_string(ctx.options.ring_bits));
  }
}

Words drelu(Context& ctx, std::span<const uint64_t> x) {
  require_ring(ctx, x, "drelu");
  const int l = ctx.options.ring_bits;
  const int position = l - 1;
  const auto c = carries(ctx, low_bits(x, l - 1), l - 1, std::span<const int>(&position, 1));
  return drelu_from_carry(ctx, x, c[0]);
}

Needs drelu_needs(const Options& options, std::size_t n) {
  const int position = options.ring_bits - 1;
  return carries_needs(options, n, options.ring_bits - 1, std::span<const int>(&position, 1));
}

std::vector<uint64_t> relu(Context& ctx, std::span<const uint64_t> x) {
  const Words b = drelu(ctx, x);
  return mux(ctx, b, x.size(), x);
}

Needs relu_needs(const Options& options, std::size_t n) { return drelu_needs(options, n) + mux_needs(n); }

std::vector<uint64_t> truncate(Context& ctx, std::span<const uint64_t> x, int f, TruncMode mode) {
  require_ring(ctx, x, "truncate");
  const int l = ctx.options.ring_bits;
  require_shift(l, f);
  const auto positions = truncation_positions(l, f, mode);
  const auto c = carries(ctx, low_bits(x, l - 1), l - 1, positions);
  return shift_and_select(ctx, x, f, c.back(), mode == TruncMode::kExact ? &c[0] : nullptr, nullptr);
}

Needs truncate_needs(const Options& options, std::size_t n, int f, TruncMode mode) {
  const int l = options.ring_bits;
  require_shift(l, f);
  return carries_needs(options, n, l - 1, truncation_positions(l, f, mode)) + shift_needs(options, n, f, mode, false);
}

std::vector<uint64_t> relu_truncate(Context& ctx, std::span<const uint64_t> x, int f, TruncMode mode) {
  require_ring(ctx, x, "relu_truncate");
  const int l = ctx.options.ring_bits;
  require_shift(l, f);
  const auto positions = truncation_positions(l, f, mode);
  const auto c = carries(ctx, low_bits(x, l - 1), l - 1, positions);
  const Words b = drelu_from_carry(ctx, x, c.back());
  return shift_and_select(ctx, x, f, c.back(), mode == TruncMode::kExact ? &c[0] : nullptr, &b);
}

Needs relu_truncate_needs(const Options& options, std::size_t n, int f, TruncMode mode) {
  const int l = options.ring_bits;
  require_shift(l, f);
  return carries_needs(options, n, l - 1, truncation_positions(l, f, mode)) + shift_needs(options, n, f, mode, true);
}

}  // namespace twain::nonlinear
