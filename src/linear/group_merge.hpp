// Merging the groups of a grouped convolution. Cheetah's encoding (conv2d_plan.hpp) gives every
// group its own ciphertexts, so a depthwise layer on a small image (a 7x7 channel in a
// 4096-coefficient polynomial) or a standalone BatchNorm (a depthwise 1x1 layer) sends one
// upload and one response per channel. Taking m consecutive groups as one group with
// block-diagonal weights (zero across the old groups) leaves the CHW tensors and every output
// as they were, and lets one ciphertext carry m groups' channels.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "he/params.hpp"
#include "linear/conv2d_plan.hpp"
#include "core/geometry.hpp"

namespace twain::linear {

// The layer with groups / m groups (m divides groups, else InvalidArgument).
core::Conv2dGeometry merge_groups(const core::Conv2dGeometry& shape, int m);
// The OIHW weights of merge_groups(shape, m): each old group's weights on its own channels.
std::vector<int64_t> merge_group_weights(const core::Conv2dGeometry& shape, std::span<const int64_t> weights, int m);
// The plan of the merged layer that sends the fewest bytes, over the divisors m of groups up to
// the point where merged inputs fill a polynomial (m = 1, the layer itself, when that is
// cheapest; plan.shape() is the layer planned). Public inputs only, so both parties choose the
// same.
Conv2dPlan cheapest_group_merge(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                                const he::FloodBudget& budget = {});
// The plan both parties run a layer with: its unstrided form (strided_pointwise.hpp) with groups
// merged as cheapest_group_merge chooses.
Conv2dPlan plan_layer(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                      const he::FloodBudget& budget);

}  // namespace twain::linear
