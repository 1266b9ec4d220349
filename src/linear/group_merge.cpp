#include "linear/group_merge.hpp"

#include <optional>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "linear/strided_pointwise.hpp"

namespace twain::linear {

core::Conv2dGeometry merge_groups(const core::Conv2dGeometry& shape, int m) {
  shape.validate();
  TWAIN_REQUIRE(m >= 1 && shape.groups % m == 0, InvalidArgument,
                "merge_groups: " + std::to_string(m) + " does not divide the " + std::to_string(shape.groups) +
                    " groups of " + shape.describe());
  core::Conv2dGeometry merged = shape;
  merged.groups = shape.groups / m;
  return merged;
}

std::vector<int64_t> merge_group_weights(const core::Conv2dGeometry& shape, std::span<const int64_t> weights, int m) {
  const core::Conv2dGeometry merged = merge_groups(shape, m);
  TWAIN_REQUIRE(weights.size() == shape.weight_size(), InvalidArgument,
                "merge_group_weights: " + std::to_string(weights.size()) + " weights where " + shape.describe() +
                    " takes " + std::to_string(shape.weight_size()));
  const std::size_t taps = static_cast<std::size_t>(shape.kernel_h) * static_cast<std::size_t>(shape.kernel_w);
  const auto ig = static_cast<std::size_t>(shape.in_channels_per_group());
  const auto og = static_cast<std::size_t>(shape.out_channels_per_group());
  const auto merged_ig = static_cast<std::size_t>(merged.in_channels_per_group());
  std::vector<int64_t> out(merged.weight_size(), 0);
  for (std::size_t o = 0; o < static_cast<std::size_t>(shape.out_channels); ++o) {
    // Output channel o keeps its old group's input channels, at that group's place in the new one.
    const std::size_t first = o / og % static_cast<std::size_t>(m) * ig;
    for (std::size_t c = 0; c < ig; ++c)
      for (std::size_t t = 0; t < taps; ++t)
        out[(o * merged_ig + first + c) * taps + t] = weights[(o * ig + c) * taps + t];
  }
  return out;
}

Conv2dPlan cheapest_group_merge(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                                const he::FloodBudget& budget) {
  shape.validate();
  std::optional<Conv2dPlan> best;
  uint64_t best_bytes = 0;
  const std::size_t group_input = static_cast<std::size_t>(shape.in_channels_per_group()) *
                                  static_cast<std::size_t>(shape.padded_height()) *
                                  static_cast<std::size_t>(shape.padded_width());
  for (int m = 1; m <= shape.groups; ++m) {
    if (shape.groups % m != 0) continue;
    // Once m groups' inputs fill a polynomial, more merging only multiplies zero weights.
    if (m > 1 && static_cast<std::size_t>(m / 2) * group_input >= context.n()) break;
    const core::Conv2dGeometry merged = merge_groups(shape, m);
    try {
      Conv2dPlan plan(merged, context, weight_bound, budget);
      const uint64_t bytes = plan.bytes_sent(Role::Client) + plan.bytes_sent(Role::Server);
      if (!best || bytes < best_bytes) {
        best = std::move(plan);
        best_bytes = bytes;
      }
    } catch (const CapacityError&) {
      if (m == 1) throw;  // the layer itself does not fit: report that, not a merged variant
    }
  }
  return *best;
}

Conv2dPlan plan_layer(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                      const he::FloodBudget& budget) {
  return cheapest_group_merge(unstrided_layer(shape), context, weight_bound, budget);
}

}  // namespace twain::linear
