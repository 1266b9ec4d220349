#include "linear/conv2d_plan.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "core/bit_packing.hpp"
#include "core/errors.hpp"
#include "he/encoding.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/noise.hpp"
#include "he/plaintext.hpp"
#include "he/sampling.hpp"
#include "he/serialization.hpp"

namespace twain::linear {
namespace {

constexpr std::size_t kFrameBytes = 8;          // length prefix of a framed message (net::Channel)
constexpr std::size_t kSeedBytes = 32;          // a seeded ciphertext sends c1's seed
constexpr std::size_t kFormBytes = 1;           // the ciphertext's form byte
constexpr std::size_t kSwitchedFieldBytes = 5;  // a switched ciphertext's modulus bits and kept count
constexpr uint64_t kMaxWeightBound = uint64_t{1} << 40;  // he::NttPlaintext's limit

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// The public bound of a kernel polynomial packing `packed` output channels over input channels
// whose kernels have `taps` nonzero taps in all: what Conv2dServer declares and the noise model counts.
he::PlainBound packed_kernel_bound(uint64_t weight_bound, std::size_t taps, int packed) {
  return {weight_bound, static_cast<std::size_t>(packed) * taps};
}

// Weight digits: the balanced base-2^d representation w = sum_j w_j 2^(d j) (j < count) whose
// largest digit bound is least. Digits below the top lie in [-2^(d-1), 2^(d-1)); each step
// (w - w_j) / 2^d at most halves |w| + 2^(d-1) twice over d, which gives the top digit's bound.
WeightDigits split_bound(uint64_t weight_bound, int count) {
  if (count == 1) return {1, 0, weight_bound};
  WeightDigits best{count, 0, UINT64_MAX};
  for (int d = 1; d <= 40; ++d) {
    uint64_t top = weight_bound;
    for (int j = 0; j + 1 < count; ++j) top = (top + (uint64_t{1} << (d - 1))) >> d;
    const uint64_t bound = std::max(uint64_t{1} << (d - 1), top);
    if (bound < best.bound) best = {count, d, bound};
  }
  return best;
}

// The stride-1 convolution on stride phases equivalent to a strided one: phase (py, px) of input
// channel c is channel c s_h s_w + py s_w + px, holding padded rows py, py + s_h, ... and columns
// px, px + s_w, ...; its kernel holds taps (py + u s_h, px + v s_w). Output (a, b) is the same.
core::Conv2dGeometry phase_shape(const core::Conv2dGeometry& shape) {
  const int sh = shape.stride_h, sw = shape.stride_w;
  const int kh = ceil_div(shape.kernel_h, sh), kw = ceil_div(shape.kernel_w, sw);
  return {shape.in_channels * sh * sw,
          shape.output_height() + kh - 1,
          shape.output_width() + kw - 1,
          shape.out_channels,
          kh,
          kw,
          1,
          1,
          0,
          0,
          0,
          0,
          shape.groups};
}

// The public noise model of a response, from he::: products of the client's ciphertexts (fresh,
// plus the server share's rounding; first-layer inputs are counted the same, see Conv2dServer)
// with packed kernels within the weight bound, then finish_response (he::response_noise). Both
// parties derive every response's modulus from it, so message sizes are known in advance.
class ResponseModel {
 public:
  // taps: nonzero kernel taps per input channel of a group, prefix-summed (taps[c] for channels < c).
  ResponseModel(const he::Context& context, const he::FloodBudget& budget, const std::vector<std::size_t>& taps)
      : context_(context), budget_(budget), taps_(taps) {}

  // Variance of the weight-dependent noise of a sum over channel blocks (as MultiplyAccumulator)
  // of kernels packing `packed` output channels each.
  // bound: the public bound of the kernels' coefficients (the weights', or their digits').
  double weight_variance(uint64_t bound, int channels_per_group, int block_channels, int channel_blocks,
                         int packed) const {
    return input_variance() * sum_over_blocks(bound, channels_per_group, block_channels, channel_blocks, packed,
                                              [](const he::PlainBound& b) { return b.norm2_squared(); });
  }
  // The squared norm of the map from the channel blocks' noise to the `revealed` coefficients of
  // one such response, in the same units: each block's multiplication by its kernel has norm at
  // most its l1 norm (he/flooding.hpp) and at most its Frobenius norm, revealed times its squared
  // l2 norm, whichever is smaller.
  double operator_variance(uint64_t bound, int channels_per_group, int block_channels, int channel_blocks, int packed,
                           std::size_t revealed) const {
    const auto m = static_cast<double>(revealed);
    return input_variance() * sum_over_blocks(bound, channels_per_group, block_channels, channel_blocks, packed,
                                              [m](const he::PlainBound& b) {
                                                return std::min(b.norm1() * b.norm1(), m * b.norm2_squared());
                                              });
  }

  // The modulus bits of a response revealing `revealed` outputs; 0 when none decrypts exactly.
  int response_bits(double weight_variance, std::size_t revealed) const {
    const he::NoiseEstimate product{weight_variance, weight_variance, 0};
    return he::response_switch_bits(context_, product, revealed, budget_);
  }

  // `count` responses revealing `revealed` outputs, as FloodLedger counts them.
  he::FloodedResponses flooded(double weight_variance, double operator_variance, std::size_t revealed,
                               uint64_t count) const {
    const he::NoiseEstimate product{weight_variance, weight_variance, 0};
    return {count == 0 ? he::FloodDistribution{} : he::response_flooding(context_, product, revealed, budget_),
            weight_variance, operator_variance, revealed, count};
  }

 private:
  // The proxy of each input coefficient's noise: fresh, plus the server share's add_plain (first
  // layer inputs are counted the same, see Conv2dServer).
  static double input_variance() { return he::fresh_encryption_noise().variance + he::kRoundingVariance; }

  template <typename Norm>
  double sum_over_blocks(uint64_t bound, int channels_per_group, int block_channels, int channel_blocks, int packed,
                         Norm norm) const {
    double sum = 0;
    for (int b = 0; b < channel_blocks; ++b) {
      const int channels = std::min(block_channels, channels_per_group - b * block_channels);
      const std::size_t first = static_cast<std::size_t>(b) * static_cast<std::size_t>(block_channels);
      sum += norm(packed_kernel_bound(bound, taps_[first + static_cast<std::size_t>(channels)] - taps_[first], packed));
    }
    return sum;
  }

  const he::Context& context_;
  he::FloodBudget budget_;
  const std::vector<std::size_t>& taps_;
};

// One candidate: q_h x q_w outputs per spatial block, Cn channels per channel block, P output
// channels per response.
struct Candidate {
  int rows = 0, cols = 0;  // outputs per spatial block (the last ones may have fewer)
  BlockExtent block;
  int channel_blocks = 0;
  int packed = 0;
  WeightDigits digits;
  uint64_t bytes = 0;
  uint64_t messages = 0;
};

}  // namespace

Conv2dPlan Conv2dPlan::cheapest(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                                const he::FloodBudget& budget) {
  if (shape.stride_h == 1 && shape.stride_w == 1) return Conv2dPlan(shape, context, weight_bound, budget, false);
  // Both layouts of a strided layer; the one that sends fewer bytes (a public choice).
  std::optional<Conv2dPlan> direct;
  std::optional<CapacityError> direct_error;
  try {
    direct = Conv2dPlan(shape, context, weight_bound, budget, false);
  } catch (const CapacityError& e) {
    direct_error = e;
  }
  try {
    Conv2dPlan phases(shape, context, weight_bound, budget, true);
    if (!direct || phases.bytes_sent(Role::Client) + phases.bytes_sent(Role::Server) <
                       direct->bytes_sent(Role::Client) + direct->bytes_sent(Role::Server))
      return phases;
  } catch (const CapacityError&) {
    if (!direct) throw *direct_error;
  }
  return std::move(*direct);
}

Conv2dPlan::Conv2dPlan(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                       const he::FloodBudget& budget)
    : Conv2dPlan(cheapest(shape, context, weight_bound, budget)) {}

Conv2dPlan::Conv2dPlan(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                       const he::FloodBudget& budget, bool phases)
    : shape_(shape),
      weight_bound_(weight_bound),
      budget_(budget),
      n_(context.n()),
      plain_mask_(context.plain_mask()),
      phases_(phases) {
  shape_.validate();
  TWAIN_REQUIRE(weight_bound < kMaxWeightBound, InvalidArgument,
                "Conv2dPlan: weight bound " + std::to_string(weight_bound) + " is not below 2^40");
  layout_ = phases ? phase_shape(shape_) : shape_;
  // Nonzero taps per input channel of the layout (prefix sums): kh kw each, or a phase's share.
  const int layout_channels = layout_.in_channels_per_group();
  taps_.assign(static_cast<std::size_t>(layout_channels) + 1, 0);
  for (int c = 0; c < layout_channels; ++c) {
    std::size_t taps = static_cast<std::size_t>(shape_.kernel_h) * static_cast<std::size_t>(shape_.kernel_w);
    if (phases) {
      const int phase = c % (shape_.stride_h * shape_.stride_w);
      const int py = phase / shape_.stride_w, px = phase % shape_.stride_w;
      taps = static_cast<std::size_t>(std::max(0, ceil_div(shape_.kernel_h - py, shape_.stride_h))) *
             static_cast<std::size_t>(std::max(0, ceil_div(shape_.kernel_w - px, shape_.stride_w)));
    }
    taps_[static_cast<std::size_t>(c) + 1] = taps_[static_cast<std::size_t>(c)] + taps;
  }
  int limb_bits = 0;
  for (std::size_t i = 0; i < context.rns().size(); ++i) limb_bits += std::bit_width(context.rns().prime(i));
  upload_bytes_ = he::kHeaderBytes + kFormBytes + kSeedBytes + core::packed_size(n_, limb_bits);

  const int kh = layout_.kernel_h, kw = layout_.kernel_w, sh = layout_.stride_h, sw = layout_.stride_w;
  const int oh = layout_.output_height(), ow = layout_.output_width();
  const int ig = layout_.in_channels_per_group(), og = layout_.out_channels_per_group();
  const uint64_t groups = static_cast<uint64_t>(layout_.groups);
  const ResponseModel model(context, budget_, taps_);
  // The digit splits tried, fewest first: a layer splits its weights only when that is cheaper
  // (or the only way) to decrypt exactly.
  std::vector<WeightDigits> splits;
  for (int count = 1; count <= kMaxWeightDigits; ++count)
    if (count == 1 || split_bound(weight_bound, count).bound < splits.back().bound)
      splits.push_back(split_bound(weight_bound, count));
  auto response_size = [&](int bits, std::size_t m) {
    return he::kHeaderBytes + kSwitchedFieldBytes + core::packed_size(n_ + m, bits);
  };
  // No response decrypts exactly below 2^(l + 1): a floor for pruning candidates.
  const uint64_t least_response = kFrameBytes + response_size(context.plain_bits() + 1, 0);

  // The cheapest candidate over block shapes, each with the fewest of `tried` digit splits that decrypts.
  const auto search = [&](std::span<const WeightDigits> tried) {
    Candidate best;
    best.bytes = std::numeric_limits<uint64_t>::max();
    for (int rows = 1; rows <= oh; ++rows) {
      const std::size_t hn = static_cast<std::size_t>(rows - 1) * sh + kh;
      if (hn * static_cast<std::size_t>(kw) > n_) break;
      for (int cols = 1; cols <= ow; ++cols) {
        const std::size_t wn = static_cast<std::size_t>(cols - 1) * sw + kw;
        if (hn * wn > n_) break;
        // Spatial blocks: full ones of rows x cols outputs, a last row and column of blocks with fewer.
        const int row_blocks = ceil_div(oh, rows), col_blocks = ceil_div(ow, cols);
        const int last_rows = oh - (row_blocks - 1) * rows, last_cols = ow - (col_blocks - 1) * cols;
        const uint64_t spatial = static_cast<uint64_t>(row_blocks) * static_cast<uint64_t>(col_blocks);
        // Channels per block: from as many as fit down, each distinct balanced count once.
        const int most_channels = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(ig), n_ / (hn * wn)));
        for (int channels = ceil_div(ig, ceil_div(ig, most_channels)); channels >= 1;
             channels = channels == 1 ? 0 : ceil_div(ig, ceil_div(ig, channels - 1))) {
          const int channel_blocks = ceil_div(ig, channels);
          const uint64_t uploads = groups * spatial * static_cast<uint64_t>(channel_blocks);
          const uint64_t upload_total = uploads * (kFrameBytes + upload_bytes_);
          if (upload_total >= best.bytes) break;  // more channel blocks only send more
          const std::size_t block_size = static_cast<std::size_t>(channels) * hn * wn;
          const int most_packed = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(og), n_ / block_size));
          // Output channels per response: from as many as fit down, each distinct balanced count once.
          for (int packed = ceil_div(og, ceil_div(og, most_packed)); packed >= 1;
               packed = packed == 1 ? 0 : ceil_div(og, ceil_div(og, packed - 1))) {
            const int per_block = ceil_div(og, packed);
            const uint64_t responses = groups * spatial * static_cast<uint64_t>(per_block);
            if (upload_total + responses * least_response >= best.bytes) break;  // fewer per response only adds
            const int last_packed = og - (per_block - 1) * packed;
            for (const WeightDigits& split : tried) {
              const uint64_t digit_responses = responses * static_cast<uint64_t>(split.count);
              if (upload_total + digit_responses * least_response >= best.bytes) break;
              const double full_variance = model.weight_variance(split.bound, ig, channels, channel_blocks, packed);
              const double last_variance = model.weight_variance(split.bound, ig, channels, channel_blocks, last_packed);
              uint64_t per_group = 0;  // response bytes of one group over all spatial blocks
              bool feasible = true;
              for (const auto& [r, rcount] : {std::pair{rows, row_blocks - 1}, std::pair{last_rows, 1}})
                for (const auto& [c, ccount] : {std::pair{cols, col_blocks - 1}, std::pair{last_cols, 1}}) {
                  if (rcount == 0 || ccount == 0 || !feasible) continue;
                  const std::size_t m = static_cast<std::size_t>(r) * static_cast<std::size_t>(c);
                  const int full_bits = model.response_bits(full_variance, m * static_cast<std::size_t>(packed));
                  const int last_bits = model.response_bits(last_variance, m * static_cast<std::size_t>(last_packed));
                  feasible = full_bits != 0 && last_bits != 0;
                  const uint64_t per_block_bytes =
                      static_cast<uint64_t>(per_block - 1) * (kFrameBytes + response_size(full_bits, m * packed)) +
                      kFrameBytes + response_size(last_bits, m * last_packed);
                  per_group += static_cast<uint64_t>(rcount) * static_cast<uint64_t>(ccount) * per_block_bytes;
                }
              if (!feasible) continue;
              const uint64_t bytes = upload_total + groups * per_group * static_cast<uint64_t>(split.count);
              if (bytes < best.bytes || (bytes == best.bytes && uploads + digit_responses < best.messages)) {
                best = {rows,   cols,  {channels, static_cast<int>(hn), static_cast<int>(wn)}, channel_blocks, packed, split,
                        bytes, uploads + digit_responses};
              }
              break;  // more digits only send more for this block shape
            }
          }
        }
      }
    }
    return best;
  };
  // D digits multiply a layer's kernels (server memory) and products by D: a layer that decrypts
  // whole keeps its weights whole unless digits send less than half the bytes.
  Candidate best = search(splits);
  if (best.digits.count > 1) {
    const Candidate whole = search(std::span<const WeightDigits>(splits).first(1));
    if (whole.channel_blocks != 0 && whole.bytes <= 3 * best.bytes) best = whole;
  }
  TWAIN_REQUIRE(best.channel_blocks != 0, CapacityError,
                shape_.describe() + ": no block shape gives responses that decrypt exactly with weight bound " +
                    std::to_string(weight_bound) + " under " + context.describe() +
                    (static_cast<std::size_t>(kh) * static_cast<std::size_t>(kw) > n_
                         ? " (the kernel alone exceeds n coefficients)"
                         : " (lower the weight bound or the plaintext bits, or use a larger ring)"));

  block_ = best.block;
  digits_ = best.digits;
  channel_blocks_ = best.channel_blocks;
  channels_per_response_ = best.packed;
  responses_per_block_ = ceil_div(og, best.packed);
  const int last_packed = channels_in_response(responses_per_block_ - 1);
  const double full_variance =
      model.weight_variance(digits_.bound, ig, block_.channels, channel_blocks_, channels_per_response_);
  const double last_variance = model.weight_variance(digits_.bound, ig, block_.channels, channel_blocks_, last_packed);
  for (int row = 0; row < oh; row += best.rows)
    for (int col = 0; col < ow; col += best.cols) {
      SpatialBlock s;
      s.output_row = row;
      s.output_col = col;
      s.output_rows = std::min(best.rows, oh - row);
      s.output_cols = std::min(best.cols, ow - col);
      s.input_row = row * sh;
      s.input_col = col * sw;
      for (int i = 0; i < s.output_rows; ++i)
        for (int j = 0; j < s.output_cols; ++j) {
          const std::size_t a = static_cast<std::size_t>(i) * sh + kh - 1, b = static_cast<std::size_t>(j) * sw + kw - 1;
          s.kept.push_back(static_cast<uint32_t>(
              ((static_cast<std::size_t>(block_.channels) - 1) * block_.height + a) * block_.width + b));
        }
      s.response_bits = model.response_bits(full_variance, s.kept.size() * channels_per_response_);
      s.last_response_bits = model.response_bits(last_variance, s.kept.size() * last_packed);
      spatial_.push_back(std::move(s));
    }
}

he::PlainBound Conv2dPlan::kernel_bound(int channel_block, int response) const {
  const auto channels = static_cast<std::size_t>(channels_in_block(channel_block));
  const std::size_t first = static_cast<std::size_t>(channel_block) * static_cast<std::size_t>(block_.channels);
  return packed_kernel_bound(digits_.bound, taps_[first + channels] - taps_[first], channels_in_response(response));
}

int Conv2dPlan::channels_in_block(int channel_block) const {
  TWAIN_REQUIRE(channel_block >= 0 && channel_block < channel_blocks_, InvalidArgument,
                "Conv2dPlan: channel block " + std::to_string(channel_block) + " is outside [0, " +
                    std::to_string(channel_blocks_) + ")");
  return std::min(block_.channels, layout_.in_channels_per_group() - channel_block * block_.channels);
}

std::size_t Conv2dPlan::uploads() const {
  return static_cast<std::size_t>(shape_.groups) * spatial_.size() * static_cast<std::size_t>(channel_blocks_);
}

int Conv2dPlan::channels_in_response(int response) const {
  TWAIN_REQUIRE(response >= 0 && response < responses_per_block_, InvalidArgument,
                "Conv2dPlan: response " + std::to_string(response) + " is outside [0, " +
                    std::to_string(responses_per_block_) + ")");
  return std::min(channels_per_response_, shape_.out_channels_per_group() - response * channels_per_response_);
}

std::vector<uint32_t> Conv2dPlan::response_kept(const SpatialBlock& block, int response) const {
  const auto block_size = static_cast<uint32_t>(block_.channels * block_.height * block_.width);
  const int channels = channels_in_response(response);
  std::vector<uint32_t> kept;
  kept.reserve(static_cast<std::size_t>(channels) * block.kept.size());
  for (int j = 0; j < channels; ++j)
    for (const uint32_t k : block.kept) kept.push_back(static_cast<uint32_t>(j) * block_size + k);
  return kept;
}

int Conv2dPlan::response_bits(const SpatialBlock& block, int response) const {
  return channels_in_response(response) == channels_per_response_ ? block.response_bits : block.last_response_bits;
}

std::size_t Conv2dPlan::responses() const {
  return static_cast<std::size_t>(shape_.groups) * spatial_.size() * static_cast<std::size_t>(responses_per_block_) *
         static_cast<std::size_t>(digits_.count);
}

int64_t Conv2dPlan::weight_digit(int64_t w, int digit) const {
  TWAIN_REQUIRE(digit >= 0 && digit < digits_.count, InvalidArgument,
                "Conv2dPlan: weight digit " + std::to_string(digit) + " is outside [0, " +
                    std::to_string(digits_.count) + ")");
  if (digits_.count == 1) return w;
  // Arithmetic on the value only (no branch on it): the weights are the server's secret.
  const int d = digits_.bits;
  const int64_t half = int64_t{1} << (d - 1), mask = (int64_t{1} << d) - 1;
  for (int j = 0; j < digit; ++j) w = (w - (((w + half) & mask) - half)) >> d;
  return digit + 1 == digits_.count ? w : ((w + half) & mask) - half;
}

std::size_t Conv2dPlan::response_bytes(const SpatialBlock& block, int response) const {
  const std::size_t kept = static_cast<std::size_t>(channels_in_response(response)) * block.kept.size();
  return he::kHeaderBytes + kSwitchedFieldBytes + core::packed_size(n_ + kept, response_bits(block, response));
}

uint64_t Conv2dPlan::bytes_sent(Role role) const {
  if (role == Role::Client) return uploads() * (kFrameBytes + upload_bytes_);
  uint64_t per_group = 0;
  for (const SpatialBlock& s : spatial_)
    for (int r = 0; r < responses_per_block_; ++r) per_group += kFrameBytes + response_bytes(s, r);
  return static_cast<uint64_t>(shape_.groups) * per_group * static_cast<uint64_t>(digits_.count);
}

void Conv2dPlan::account(const he::Context& context, he::FloodLedger& ledger) const {
  const ResponseModel model(context, budget_, taps_);
  const int ig = layout_.in_channels_per_group();
  const int last_packed = channels_in_response(responses_per_block_ - 1);
  const uint64_t bound = digits_.bound;
  const double full_variance = model.weight_variance(bound, ig, block_.channels, channel_blocks_, channels_per_response_);
  const double last_variance = model.weight_variance(bound, ig, block_.channels, channel_blocks_, last_packed);
  const auto digits = static_cast<uint64_t>(digits_.count);
  // A block: one spatial block of one group, whose responses (every digit's) all read the same uploads.
  for (const SpatialBlock& s : spatial_) {
    const std::size_t full_m = s.kept.size() * static_cast<std::size_t>(channels_per_response_);
    const std::size_t last_m = s.kept.size() * static_cast<std::size_t>(last_packed);
    const double full_operator =
        model.operator_variance(bound, ig, block_.channels, channel_blocks_, channels_per_response_, full_m);
    const double last_operator = model.operator_variance(bound, ig, block_.channels, channel_blocks_, last_packed, last_m);
    const he::FloodedResponses block[] = {
        model.flooded(full_variance, full_operator, full_m, digits * static_cast<uint64_t>(responses_per_block_ - 1)),
        model.flooded(last_variance, last_operator, last_m, digits)};
    ledger.add_block(block, static_cast<uint64_t>(shape_.groups));
  }
}

std::vector<uint64_t> Conv2dPlan::encode_input(std::span<const uint64_t> tensor, int group, int channel_block,
                                               const SpatialBlock& spatial) const {
  TWAIN_REQUIRE(tensor.size() == shape_.input_size(), InvalidArgument,
                "Conv2dPlan: input of " + std::to_string(tensor.size()) + " values where " + shape_.describe() +
                    " takes " + std::to_string(shape_.input_size()));
  TWAIN_REQUIRE(group >= 0 && group < shape_.groups, InvalidArgument,
                "Conv2dPlan: group " + std::to_string(group) + " is outside [0, " + std::to_string(shape_.groups) + ")");
  const int channels = channels_in_block(channel_block);
  const int sh = phases_ ? shape_.stride_h : 1, sw = phases_ ? shape_.stride_w : 1;
  const std::size_t h = static_cast<std::size_t>(shape_.height), w = static_cast<std::size_t>(shape_.width);
  std::vector<uint64_t> poly(n_, 0);
  for (int c = 0; c < channels; ++c) {
    // Layout channel -> the layer's channel and (for stride phases) the phase's padded offset.
    const int local = channel_block * block_.channels + c;
    const int channel = group * shape_.in_channels_per_group() + local / (sh * sw);
    const int py = local % (sh * sw) / sw, px = local % sw;
    for (int a = 0; a < block_.height; ++a) {
      const int row = (spatial.input_row + a) * sh + py - shape_.pad_top;
      if (row < 0 || row >= shape_.height) continue;
      for (int b = 0; b < block_.width; ++b) {
        const int col = (spatial.input_col + b) * sw + px - shape_.pad_left;
        if (col < 0 || col >= shape_.width) continue;
        const std::size_t index = (static_cast<std::size_t>(channel) * h + row) * w + col;
        TWAIN_REQUIRE(tensor[index] <= plain_mask_, InvalidArgument,
                      "Conv2dPlan: input value at index " + std::to_string(index) + " is not below 2^" +
                          std::to_string(std::bit_width(plain_mask_)));
        poly[(static_cast<std::size_t>(c) * block_.height + a) * block_.width + b] = tensor[index];
      }
    }
  }
  return poly;
}

std::size_t Conv2dPlan::kernel_count() const {
  return static_cast<std::size_t>(shape_.groups) * static_cast<std::size_t>(responses_per_block_) *
         static_cast<std::size_t>(digits_.count) * static_cast<std::size_t>(channel_blocks_);
}

std::vector<int64_t> Conv2dPlan::encode_kernel(std::span<const int64_t> weights, int group, int response,
                                               int channel_block) const {
  TWAIN_REQUIRE(weights.size() == shape_.weight_size(), InvalidArgument,
                "Conv2dPlan: " + std::to_string(weights.size()) + " weights where " + shape_.describe() + " takes " +
                    std::to_string(shape_.weight_size()));
  TWAIN_REQUIRE(group >= 0 && group < shape_.groups, InvalidArgument,
                "Conv2dPlan: group " + std::to_string(group) + " is outside [0, " + std::to_string(shape_.groups) + ")");
  const int packed = channels_in_response(response);
  const int channels = channels_in_block(channel_block);
  const int sh = phases_ ? shape_.stride_h : 1, sw = phases_ ? shape_.stride_w : 1;
  const std::size_t ig = static_cast<std::size_t>(shape_.in_channels_per_group());
  const std::size_t kh = static_cast<std::size_t>(shape_.kernel_h), kw = static_cast<std::size_t>(shape_.kernel_w);
  // The layout's kernel extent: the layer's, or a phase's.
  const std::size_t lh = static_cast<std::size_t>(layout_.kernel_h), lw = static_cast<std::size_t>(layout_.kernel_w);
  const std::size_t block_size = static_cast<std::size_t>(block_.channels) * block_.height * block_.width;
  std::vector<int64_t> poly(n_, 0);
  for (int j = 0; j < packed; ++j) {
    const std::size_t out_channel = static_cast<std::size_t>(group) * shape_.out_channels_per_group() +
                                    static_cast<std::size_t>(response) * channels_per_response_ + j;
    for (int c = 0; c < channels; ++c) {
      const int local = channel_block * block_.channels + c;
      const auto channel = static_cast<std::size_t>(local / (sh * sw));
      const auto py = static_cast<std::size_t>(local % (sh * sw) / sw), px = static_cast<std::size_t>(local % sw);
      for (std::size_t u = 0; u < lh; ++u)
        for (std::size_t v = 0; v < lw; ++v) {
          const std::size_t tap_row = u * static_cast<std::size_t>(sh) + py, tap_col = v * static_cast<std::size_t>(sw) + px;
          if (tap_row >= kh || tap_col >= kw) continue;  // beyond the kernel: a zero of the phase
          const std::size_t slot =
              j * block_size + ((static_cast<std::size_t>(block_.channels - 1 - c) * block_.height + lh - 1 - u) *
                                block_.width) +
              lw - 1 - v;
          poly[slot] = weights[((out_channel * ig + channel) * kh + tap_row) * kw + tap_col];
        }
    }
  }
  return poly;
}

std::size_t Conv2dPlan::output_index(int out_channel, const SpatialBlock& spatial, std::size_t i) const {
  const std::size_t cols = static_cast<std::size_t>(spatial.output_cols);
  const std::size_t row = static_cast<std::size_t>(spatial.output_row) + i / cols;
  const std::size_t col = static_cast<std::size_t>(spatial.output_col) + i % cols;
  return (static_cast<std::size_t>(out_channel) * shape_.output_height() + row) * shape_.output_width() + col;
}

std::string Conv2dPlan::describe() const {
  int low = 64, high = 0;
  for (const SpatialBlock& s : spatial_)
    for (const int bits : {s.response_bits, s.last_response_bits}) {
      low = std::min(low, bits);
      high = std::max(high, bits);
    }
  std::ostringstream out;
  if (phases_) out << "stride phases (" << layout_.describe() << "), ";
  out << "block " << block_.channels << "x" << block_.height << "x" << block_.width << ", " << channel_blocks_
      << " channel block(s) x " << spatial_.size() << " spatial block(s) per group, " << channels_per_response_
      << " output channel(s) per response, ";
  if (digits_.count > 1) out << digits_.count << " weight digits of " << digits_.bits << " bits, ";
  out << uploads() << " uploads, "
      << responses() << " responses at 2^" << low;
  if (high != low) out << "..2^" << high;
  out << ", " << bytes_sent(Role::Client) << " bytes up, " << bytes_sent(Role::Server) << " bytes down";
  return out.str();
}

}  // namespace twain::linear
