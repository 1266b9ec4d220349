#include "nonlinear/carry.hpp"

#include <algorithm>
#include <string>

#include "core/errors.hpp"

namespace twain::nonlinear {
namespace {

void validate(int k, std::span<const int> positions) {
  TWAIN_REQUIRE(k >= 1 && k <= 64, InvalidArgument, "carries: width " + std::to_string(k) + " outside [1, 64]");
  TWAIN_REQUIRE(!positions.empty(), InvalidArgument, "carries: no position requested");
  for (std::size_t j = 0; j < positions.size(); ++j) {
    TWAIN_REQUIRE(positions[j] >= 1 && positions[j] <= k && (j == 0 || positions[j] > positions[j - 1]),
                  InvalidArgument,
                  "carries: positions must increase within [1, " + std::to_string(k) + "], got " +
                      std::to_string(positions[j]));
  }
}

// One combine of the tree: node hi absorbs node lo of the same segment.
struct Combine {
  std::size_t segment;
  std::size_t lo;
  bool need_p;  // whether the combined node's P is needed
};

// The node lists of the tree mode, level by level. Node j of segment s covers a run of bits;
// has_p[s][j] says whether its propagate bit is needed (never for the node holding bit 0).
struct TreeSchedule {
  std::vector<std::pair<int, int>> segments;  // [begin, end)
  std::vector<std::vector<Combine>> levels;
  std::size_t gates = 0;  // AND gates per element over all levels, combines included

  explicit TreeSchedule(std::span<const int> positions) {
    int begin = 0;
    for (int p : positions) {
      segments.emplace_back(begin, p);
      begin = p;
    }
    std::vector<std::vector<bool>> has_p(segments.size());
    for (std::size_t s = 0; s < segments.size(); ++s) {
      const auto [b, e] = segments[s];
      for (int i = b; i < e; ++i) has_p[s].push_back(i != 0);
    }
    for (;;) {
      std::vector<Combine> level;
      std::vector<std::vector<bool>> next(segments.size());
      for (std::size_t s = 0; s < segments.size(); ++s) {
        const auto& nodes = has_p[s];
        for (std::size_t j = 0; j + 1 < nodes.size(); j += 2) {
          const bool need_p = nodes[j];  // the high node always has P; the low one decides
          level.push_back({s, j, need_p});
          next[s].push_back(need_p);
          gates += need_p ? 2 : 1;
        }
        if (nodes.size() % 2 == 1) next[s].push_back(nodes.back());
      }
      if (level.empty()) break;
      levels.push_back(std::move(level));
      has_p = std::move(next);
    }
    gates += segments.size() - 1;  // the sequential combines of the segments
  }

  std::size_t depth() const { return levels.size(); }
};

struct Node {
  Words g;
  Words p;
};

std::vector<Words> run_tree(Context& ctx, std::span<const uint64_t> own, std::span<const int> positions,
                            std::size_t words) {
  const TreeSchedule schedule(positions);
  const int top = positions.back();
  // Leaves: every generate bit in one leaf exchange.
  Words mine(static_cast<std::size_t>(top) * words);
  std::vector<Words> columns(static_cast<std::size_t>(top));
  for (int i = 0; i < top; ++i) {
    columns[i] = bit_column(own, i);
    std::copy(columns[i].begin(), columns[i].end(), mine.begin() + static_cast<std::ptrdiff_t>(i * words));
  }
  const Words g = cross_and(ctx, mine);
  std::vector<std::vector<Node>> nodes(schedule.segments.size());
  for (std::size_t s = 0; s < schedule.segments.size(); ++s) {
    for (int i = schedule.segments[s].first; i < schedule.segments[s].second; ++i) {
      Node node;
      node.g.assign(g.begin() + static_cast<std::ptrdiff_t>(i * words),
                    g.begin() + static_cast<std::ptrdiff_t>((i + 1) * words));
      if (i != 0) node.p = columns[i];
      nodes[s].push_back(std::move(node));
    }
  }
  for (const auto& level : schedule.levels) {
    Words x, y;
    for (const Combine& c : level) {
      const Node& lo = nodes[c.segment][c.lo];
      const Node& hi = nodes[c.segment][c.lo + 1];
      x.insert(x.end(), hi.p.begin(), hi.p.end());
      y.insert(y.end(), lo.g.begin(), lo.g.end());
      if (c.need_p) {
        x.insert(x.end(), hi.p.begin(), hi.p.end());
        y.insert(y.end(), lo.p.begin(), lo.p.end());
      }
    }
    const Words z = and_layer(ctx, x, y);
    std::vector<std::vector<Node>> next(nodes.size());
    std::size_t at = 0;
    std::size_t op = 0;
    for (std::size_t s = 0; s < nodes.size(); ++s) {
      std::size_t j = 0;
      for (; op < level.size() && level[op].segment == s; ++op, j += 2) {
        Node combined;
        combined.g = nodes[s][j + 1].g;
        for (std::size_t w = 0; w < words; ++w) combined.g[w] ^= z[at + w];
        at += words;
        if (level[op].need_p) {
          combined.p.assign(z.begin() + static_cast<std::ptrdiff_t>(at),
                            z.begin() + static_cast<std::ptrdiff_t>(at + words));
          at += words;
        }
        next[s].push_back(std::move(combined));
      }
      if (nodes[s].size() % 2 == 1) next[s].push_back(std::move(nodes[s].back()));
    }
    nodes = std::move(next);
  }
  std::vector<Words> out;
  out.push_back(nodes[0][0].g);
  for (std::size_t s = 1; s < nodes.size(); ++s) {
    Words z = and_layer(ctx, nodes[s][0].p, out.back());
    for (std::size_t w = 0; w < words; ++w) z[w] ^= nodes[s][0].g[w];
    out.push_back(std::move(z));
  }
  return out;
}

std::vector<Words> run_serial(Context& ctx, std::span<const uint64_t> own, std::span<const int> positions,
                              std::size_t words) {
  std::vector<Words> out;
  std::size_t next = 0;
  Words a0 = bit_column(own, 0);
  Words c = cross_and(ctx, a0);
  const bool server = ctx.server();
  for (int i = 1;; ++i) {
    if (positions[next] == i) {
      out.push_back(c);
      if (++next == positions.size()) break;
    }
    const Words col = bit_column(own, i);
    // x = a_i ^ b_i (shares: own bit); y = a_i ^ c_i (the server adds a_i to its share).
    Words y = c;
    if (server) {
      for (std::size_t w = 0; w < words; ++w) y[w] ^= col[w];
    }
    c = and_layer(ctx, col, y);
    if (server) {
      for (std::size_t w = 0; w < words; ++w) c[w] ^= col[w];
    }
  }
  return out;
}

std::size_t tree_online_bits(const TreeSchedule& s, int top, LeafMode leaf) {
  return static_cast<std::size_t>(top) * (leaf == LeafMode::kRandomOt ? 2 : 4) + 4 * s.gates;
}

}  // namespace

Needs serial_needs(const Options& options, std::size_t words, int top) {
  return cross_and_needs(options.leaf, words) + and_layer_needs(words * static_cast<std::size_t>(top - 1));
}

Needs tree_needs(const Options& options, std::size_t words, int top, const TreeSchedule& schedule) {
  return cross_and_needs(options.leaf, words * static_cast<std::size_t>(top)) +
         and_layer_needs(words * schedule.gates);
}

// Correlated OTs behind `needs`: a triple takes two (one each way), the rest one each.
double correlated_ots(const Needs& needs) {
  return 2.0 * static_cast<double>(needs.triples) +
         static_cast<double>(needs.leaf_ots + needs.cots_forward + needs.cots_backward);
}

CompareMode resolve_compare_mode(const Options& options, std::size_t n, int k, std::span<const int> positions) {
  validate(k, positions);
  if (options.compare != CompareMode::kAuto) return options.compare;
  const TreeSchedule schedule(positions);
  const int top = positions.back();
  const double elements = static_cast<double>(64 * words_for(n));
  const double tree_bits = static_cast<double>(tree_online_bits(schedule, top, options.leaf)) * elements;
  const double serial_bits =
      static_cast<double>((options.leaf == LeafMode::kRandomOt ? 2 : 4) + 4 * (top - 1)) * elements;
  const double tree_flights = 1.0 + static_cast<double>(schedule.depth() + schedule.segments.size() - 1);
  const double serial_flights = static_cast<double>(top);
  const auto time = [&](double bits, double flights, const Needs& needs) {
    return bits / options.link.bits_per_second + flights * options.link.one_way_latency_s +
           correlated_ots(needs) * options.link.offline_seconds_per_cot;
  };
  const std::size_t words = words_for(n);
  return time(serial_bits, serial_flights, serial_needs(options, words, top)) <
                 time(tree_bits, tree_flights, tree_needs(options, words, top, schedule))
             ? CompareMode::kSerial
             : CompareMode::kLogDepth;
}

std::vector<Words> carries(Context& ctx, std::span<const uint64_t> own, int k, std::span<const int> positions) {
  validate(k, positions);
  const uint64_t limit = k == 64 ? ~uint64_t{0} : (uint64_t{1} << k) - 1;
  for (std::size_t i = 0; i < own.size(); ++i) {
    TWAIN_REQUIRE(own[i] <= limit, InvalidArgument,
                  "carries: value " + std::to_string(i) + " does not fit in " + std::to_string(k) + " bits");
  }
  const std::size_t words = words_for(own.size());
  if (resolve_compare_mode(ctx.options, own.size(), k, positions) == CompareMode::kSerial) {
    return run_serial(ctx, own, positions, words);
  }
  return run_tree(ctx, own, positions, words);
}

Needs carries_needs(const Options& options, std::size_t n, int k, std::span<const int> positions) {
  const std::size_t words = words_for(n);
  const int top = positions.back();
  if (resolve_compare_mode(options, n, k, positions) == CompareMode::kSerial) return serial_needs(options, words, top);
  return tree_needs(options, words, top, TreeSchedule(positions));
}

Words greater_than(Context& ctx, std::span<const uint64_t> own, int k) {
  std::vector<uint64_t> v(own.begin(), own.end());
  if (!ctx.server()) {
    const uint64_t mask = k == 64 ? ~uint64_t{0} : (uint64_t{1} << k) - 1;
    for (auto& x : v) {
      TWAIN_REQUIRE(x <= mask, InvalidArgument, "greater_than: a value does not fit in " + std::to_string(k) + " bits");
      x = mask ^ x;
    }
  }
  const int position = k;
  return std::move(carries(ctx, v, k, std::span<const int>(&position, 1))[0]);
}

Needs greater_than_needs(const Options& options, std::size_t n, int k) {
  const int position = k;
  return carries_needs(options, n, k, std::span<const int>(&position, 1));
}

}  // namespace twain::nonlinear
