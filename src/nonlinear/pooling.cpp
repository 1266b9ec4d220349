#include "nonlinear/pooling.hpp"

#include <string>

#include "core/errors.hpp"
#include "nonlinear/arith.hpp"
#include "nonlinear/relu.hpp"

namespace twain::nonlinear {
namespace {

// Groups of candidate positions (indices into a value vector); each group reduces to its max.
using Groups = std::vector<std::vector<std::size_t>>;

// Number of pairwise maxima per level for groups of these sizes.
std::vector<std::size_t> level_pairs(std::vector<std::size_t> sizes) {
  std::vector<std::size_t> levels;
  for (;;) {
    std::size_t pairs = 0;
    for (auto& s : sizes) {
      pairs += s / 2;
      s = s - s / 2;
    }
    if (pairs == 0) return levels;
    levels.push_back(pairs);
  }
}

std::vector<std::size_t> sizes_of(const Groups& groups) {
  std::vector<std::size_t> sizes;
  sizes.reserve(groups.size());
  for (const auto& g : groups) sizes.push_back(g.size());
  return sizes;
}

Needs reduce_needs(const Options& options, const std::vector<std::size_t>& sizes, std::size_t per_bit) {
  Needs needs;
  for (std::size_t pairs : level_pairs(sizes)) needs += drelu_needs(options, pairs) + mux_needs(pairs, per_bit);
  return needs;
}

// Reduces each group to its maximum. `lanes` vectors travel together: lane 0 decides (the
// values), the others follow the same selection (indices for argmax). Pairs (2j, 2j+1) of a
// group keep the lower position on ties: max(a, b) = b + DReLU(a - b) (a - b).
std::vector<std::vector<uint64_t>> reduce_max(Context& ctx, std::vector<std::vector<uint64_t>> lanes, Groups groups) {
  const uint64_t mask = ring_mask(ctx.options.ring_bits);
  const std::size_t m = lanes.size();
  std::vector<std::vector<uint64_t>> cur(m);
  // Current candidates per group, as indices into cur.
  Groups slots(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t pos : groups[g]) {
      slots[g].push_back(cur[0].size());
      for (std::size_t j = 0; j < m; ++j) cur[j].push_back(lanes[j][pos]);
    }
  }
  for (;;) {
    std::vector<uint64_t> diff;
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (const auto& s : slots) {
      for (std::size_t k = 0; k + 1 < s.size(); k += 2) pairs.emplace_back(s[k], s[k + 1]);
    }
    if (pairs.empty()) break;
    const std::size_t n = pairs.size();
    std::vector<uint64_t> values(n * m);
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t i = 0; i < n; ++i) values[j * n + i] = (cur[j][pairs[i].first] - cur[j][pairs[i].second]) & mask;
    }
    const Words b = drelu(ctx, std::span<const uint64_t>(values).first(n));
    const auto selected = mux(ctx, b, n, values, m);
    std::vector<std::vector<uint64_t>> next(m);
    Groups next_slots(slots.size());
    std::size_t i = 0;
    for (std::size_t g = 0; g < slots.size(); ++g) {
      const auto& s = slots[g];
      for (std::size_t k = 0; k + 1 < s.size(); k += 2, ++i) {
        next_slots[g].push_back(next[0].size());
        for (std::size_t j = 0; j < m; ++j) next[j].push_back((cur[j][s[k + 1]] + selected[j * n + i]) & mask);
      }
      if (s.size() % 2 == 1) {
        next_slots[g].push_back(next[0].size());
        for (std::size_t j = 0; j < m; ++j) next[j].push_back(cur[j][s.back()]);
      }
    }
    cur = std::move(next);
    slots = std::move(next_slots);
  }
  std::vector<std::vector<uint64_t>> out(m, std::vector<uint64_t>(groups.size()));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t j = 0; j < m; ++j) out[j][g] = cur[j][slots[g][0]];
  }
  return out;
}

// Valid input rows (or columns) of output o: o * stride - pad + [0, kernel) within [0, size).
std::vector<std::size_t> window(std::size_t o, int kernel, int stride, int pad, std::size_t size) {
  std::vector<std::size_t> out;
  for (int d = 0; d < kernel; ++d) {
    const long long r = static_cast<long long>(o) * stride - pad + d;
    if (r >= 0 && r < static_cast<long long>(size)) out.push_back(static_cast<std::size_t>(r));
  }
  return out;
}

// Extents as std::size_t, for index arithmetic that cannot overflow int.
struct Extents {
  std::size_t channels, height, width, out_height, out_width;
  explicit Extents(const core::Pool2dGeometry& g)
      : channels(static_cast<std::size_t>(g.channels)),
        height(static_cast<std::size_t>(g.height)),
        width(static_cast<std::size_t>(g.width)),
        out_height(static_cast<std::size_t>(g.output_height())),
        out_width(static_cast<std::size_t>(g.output_width())) {}
};

Groups direct_groups(const core::Pool2dGeometry& s) {
  const Extents e(s);
  Groups groups;
  for (std::size_t c = 0; c < e.channels; ++c) {
    for (std::size_t oy = 0; oy < e.out_height; ++oy) {
      const auto rows = window(oy, s.kernel_h, s.stride_h, s.pad_top, e.height);
      for (std::size_t ox = 0; ox < e.out_width; ++ox) {
        const auto cols = window(ox, s.kernel_w, s.stride_w, s.pad_left, e.width);
        std::vector<std::size_t> g;
        for (std::size_t r : rows) {
          for (std::size_t q : cols) g.push_back((c * e.height + r) * e.width + q);
        }
        groups.push_back(std::move(g));
      }
    }
  }
  return groups;
}

// Stage 1 of the separable method: per channel, input row and output column.
Groups row_groups(const core::Pool2dGeometry& s) {
  const Extents e(s);
  Groups groups;
  for (std::size_t c = 0; c < e.channels; ++c) {
    for (std::size_t y = 0; y < e.height; ++y) {
      for (std::size_t ox = 0; ox < e.out_width; ++ox) {
        std::vector<std::size_t> g;
        for (std::size_t q : window(ox, s.kernel_w, s.stride_w, s.pad_left, e.width)) g.push_back((c * e.height + y) * e.width + q);
        groups.push_back(std::move(g));
      }
    }
  }
  return groups;
}

// Stage 2: over the C x H x W' row maxima.
Groups column_groups(const core::Pool2dGeometry& s) {
  const Extents e(s);
  Groups groups;
  for (std::size_t c = 0; c < e.channels; ++c) {
    for (std::size_t oy = 0; oy < e.out_height; ++oy) {
      const auto rows = window(oy, s.kernel_h, s.stride_h, s.pad_top, e.height);
      for (std::size_t ox = 0; ox < e.out_width; ++ox) {
        std::vector<std::size_t> g;
        for (std::size_t r : rows) g.push_back((c * e.height + r) * e.out_width + ox);
        groups.push_back(std::move(g));
      }
    }
  }
  return groups;
}

std::size_t comparisons(const Groups& groups) {
  std::size_t n = 0;
  for (const auto& g : groups) n += g.size() - 1;
  return n;
}

}  // namespace

std::size_t pool_comparisons(const core::Pool2dGeometry& shape, PoolMethod method) {
  if (method == PoolMethod::kDirect) return comparisons(direct_groups(shape));
  return comparisons(row_groups(shape)) + comparisons(column_groups(shape));
}

PoolMethod choose_pool_method(const core::Pool2dGeometry& shape) {
  return pool_comparisons(shape, PoolMethod::kSeparable) < pool_comparisons(shape, PoolMethod::kDirect)
             ? PoolMethod::kSeparable
             : PoolMethod::kDirect;
}

std::vector<uint64_t> maxpool(Context& ctx, std::span<const uint64_t> x, const core::Pool2dGeometry& shape, PoolMethod method) {
  shape.validate();
  TWAIN_REQUIRE(x.size() == shape.input_size(), InvalidArgument,
                "maxpool: " + std::to_string(x.size()) + " values for a " + std::to_string(shape.channels) + "x" +
                    std::to_string(shape.height) + "x" + std::to_string(shape.width) + " input");
  require_ring(ctx, x, "maxpool");
  std::vector<std::vector<uint64_t>> lanes{std::vector<uint64_t>(x.begin(), x.end())};
  if (method == PoolMethod::kDirect) return reduce_max(ctx, std::move(lanes), direct_groups(shape))[0];
  auto rows = reduce_max(ctx, std::move(lanes), row_groups(shape));
  return reduce_max(ctx, std::move(rows), column_groups(shape))[0];
}

std::vector<uint64_t> maxpool(Context& ctx, std::span<const uint64_t> x, const core::Pool2dGeometry& shape) {
  return maxpool(ctx, x, shape, choose_pool_method(shape));
}

Needs maxpool_needs(const Options& options, const core::Pool2dGeometry& shape, PoolMethod method) {
  shape.validate();
  if (method == PoolMethod::kDirect) return reduce_needs(options, sizes_of(direct_groups(shape)), 1);
  return reduce_needs(options, sizes_of(row_groups(shape)), 1) + reduce_needs(options, sizes_of(column_groups(shape)), 1);
}

Needs maxpool_needs(const Options& options, const core::Pool2dGeometry& shape) {
  return maxpool_needs(options, shape, choose_pool_method(shape));
}

ArgMaxShares argmax(Context& ctx, std::span<const uint64_t> x) {
  TWAIN_REQUIRE(!x.empty(), InvalidArgument, "argmax: empty vector");
  require_ring(ctx, x, "argmax");
  std::vector<uint64_t> index(x.size(), 0);
  if (ctx.server()) {
    for (std::size_t i = 0; i < x.size(); ++i) index[i] = i;
  }
  std::vector<std::size_t> all(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) all[i] = i;
  const auto out = reduce_max(ctx, {std::vector<uint64_t>(x.begin(), x.end()), index}, Groups{all});
  return {out[0][0], out[1][0]};
}

Needs argmax_needs(const Options& options, std::size_t n) { return reduce_needs(options, {n}, 2); }

std::vector<TopEntry> top_k(Context& ctx, std::span<const uint64_t> x, std::size_t k) {
  TWAIN_REQUIRE(k >= 1 && k <= x.size(), InvalidArgument,
                "top_k: k = " + std::to_string(k) + " outside [1, " + std::to_string(x.size()) + "]");
  const int l = ctx.options.ring_bits;
  const uint64_t mask = ring_mask(l);
  std::vector<uint64_t> own(x.begin(), x.end());
  std::vector<TopEntry> top;
  for (std::size_t round = 0; round < k; ++round) {
    const ArgMaxShares s = argmax(ctx, own);
    const uint64_t pair[2] = {s.value, s.index};
    if (ctx.server()) {
      MessageWriter out;
      out.values(pair, l);
      ctx.link.one_way(Role::kServer, out.bytes(), 0);
      continue;
    }
    const auto bytes = ctx.link.one_way(Role::kServer, {}, values_bytes(2, l));
    MessageReader in(bytes);
    const auto peer = in.values(2, l);
    in.finish();
    const uint64_t value = (s.value + peer[0]) & mask;
    const uint64_t index = (s.index + peer[1]) & mask;
    TWAIN_REQUIRE(index < own.size(), FormatError, "top_k: the revealed index is out of range");
    const int64_t signed_value =
        value >= (uint64_t{1} << (l - 1)) ? static_cast<int64_t>(value) - (int64_t{1} << l) : static_cast<int64_t>(value);
    top.push_back({static_cast<std::size_t>(index), signed_value});
    const uint64_t floor_value = (uint64_t{0} - (uint64_t{1} << (l - 2))) & mask;
    own[index] = (own[index] + floor_value - value) & mask;
  }
  return top;
}

Needs top_k_needs(const Options& options, std::size_t n, std::size_t k) { return k * argmax_needs(options, n); }

}  // namespace twain::nonlinear
