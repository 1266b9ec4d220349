// How a convolution is cut into ciphertexts: the Cheetah HomConv coefficient encoding (Huang,
// Lu, Hong, Liu, Zhang, Wang, "Cheetah: Lean and Fast Secure Two-Party Deep Neural Network
// Inference", USENIX Security 2022, section 4.1), DESIGN.md section 4.
//
// The input, padded with public zeros, is cut into blocks of Cn x Hn x Wn values (Cn Hn Wn <= N)
// that overlap by kernel - 1 rows and columns; a block is the polynomial
//   x(X) = sum x[c][a][b] X^((c Hn + a) Wn + b)
// and a kernel the reversed polynomial
//   k(X) = sum k[c][u][v] X^(((Cn - 1 - c) Hn + kh - 1 - u) Wn + kw - 1 - v),
// so that x k mod X^N + 1 holds the stride-1 output (a, b) of the block, for a <= Hn - kh and
// b <= Wn - kw, at coefficient ((Cn - 1) Hn + a + kh - 1) Wn + b + kw - 1 (no other term and no
// negacyclic wrap reaches these coefficients). Sums over channel blocks give the full output.
//
// Several output channels share one response when blocks are small: with B = Cn Hn Wn and
// P B <= N, the kernel of the j-th channel of a response (j < P) is multiplied by X^(j B), and
// that channel's outputs sit at the coefficients above plus j B. No collision: the kernel's
// support lies in [0, T], T = ((Cn - 1) Hn + kh - 1) Wn + kw - 1 the lowest kept coefficient, so
// channel j's product lies in [j B, j B + B - 1 + T] and its kept coefficients in j B + [T, B - 1];
// a lower channel j' < j reaches at most j B - 1 + T, a higher one starts at j' B >= j B + B. No
// wrap into them: terms past N land at most P B - 1 + T - N < T, below every kept coefficient.
// The packed kernel has P times the support, which the noise model counts.
//
// Strides have two layouts, and the plan keeps the one that sends fewer bytes. Direct: computed
// at stride 1 keeping only the needed outputs (a block of q output rows at stride s spans
// (q - 1) s + kh input rows, and keeps one coefficient in s^2). Stride phases: the padded input
// is split into s_h s_w phases (rows py, py + s_h, ..., columns px, px + s_w, ...), each a channel
// of its own, and the kernel likewise into phases of ceil(kh / s_h) x ceil(kw / s_w) taps (zero
// beyond the kernel); the strided convolution is then the stride-1 convolution of the phases, with
// dense outputs. The noise model counts each phase's nonzero taps only. Groups are independent
// convolutions: a block never mixes the channels of two groups.
//
// Weight digits: a response's flooding grows with its weight noise, which grows with the weight
// bound, and every response must still decrypt exactly under Q. A layer may therefore split its
// weights into D balanced digits, w = sum_j w_j 2^(d j) with |w_j| far below |w|, and answer each
// response with D responses, one per digit kernel, over the same uploads: the client decrypts
// x w_j + r_j for each (r_j fresh uniform masks) and sums them times 2^(d j), the server keeps
// -sum_j r_j 2^(d j), an additive sharing of x w in Z_{2^l} as before. Each digit response is
// flooded for its own smaller noise and counts in the session's budget as a response.
//
// The block shape, channels per block, output channels per response and weight digits are chosen
// per layer to minimise the bytes both parties send, using the public noise estimate of each
// response (which fixes its modulus 2^k) and skipping choices whose responses would not decrypt
// exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "he/flooding.hpp"
#include "he/params.hpp"
#include "he/plaintext.hpp"
#include "core/geometry.hpp"
#include "linear/role.hpp"

namespace twain::linear {

// At most this many weight digits per layer.
inline constexpr int kMaxWeightDigits = 3;

// How a layer's weights are split: `count` balanced digits of `bits` bits (none when count is 1),
// each within `bound` in magnitude (the weight bound itself when count is 1).
struct WeightDigits {
  int count = 1;
  int bits = 0;
  uint64_t bound = 0;
};

// Extent of the input blocks (every block has this extent; the last ones are zero-filled).
struct BlockExtent {
  int channels = 0, height = 0, width = 0;
};

// A window of the padded input and the outputs (at the layer's stride) it yields.
struct SpatialBlock {
  int input_row = 0, input_col = 0;    // top-left corner in the padded input
  int output_row = 0, output_col = 0;  // first output it yields
  int output_rows = 0, output_cols = 0;
  // Coefficient of each output of the block in a single channel's product polynomial, row-major
  // (the first channel of a response; see Conv2dPlan::response_kept for the others).
  std::vector<uint32_t> kept;
  // Responses for this block are switched to modulus 2^response_bits; the last response of a
  // group, which may hold fewer output channels, to 2^last_response_bits.
  int response_bits = 0;
  int last_response_bits = 0;
};

class Conv2dPlan {
 public:
  // weight_bound: the public bound on |w| (fixed-point weights), below 2^40. budget: the session
  // this layer runs in (its responses are flooded for all of the session's, he/flooding.hpp; the
  // default is a session of one response). Throws InvalidArgument for an invalid shape or bound,
  // CapacityError naming the shape when no block shape gives responses that decrypt exactly under
  // these parameters.
  Conv2dPlan(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
             const he::FloodBudget& budget = {});

  const core::Conv2dGeometry& shape() const { return shape_; }
  // The stride-1 convolution the blocks are laid on: shape() itself, or its stride phases.
  const core::Conv2dGeometry& layout() const { return layout_; }
  bool stride_phases() const { return phases_; }
  uint64_t weight_bound() const { return weight_bound_; }
  const he::FloodBudget& flood_budget() const { return budget_; }
  std::size_t n() const { return n_; }
  const BlockExtent& block() const { return block_; }
  // Channel blocks per group; block b holds channels [b Cn, min((b + 1) Cn, I)) of its group in
  // layout() (I counts phases as channels).
  int channel_blocks() const { return channel_blocks_; }
  int channels_in_block(int channel_block) const;
  const std::vector<SpatialBlock>& spatial_blocks() const { return spatial_; }
  // Output channels packed into one response (all but the last of a group hold this many), and
  // responses per group and spatial block: response r holds output channels
  // [g O' + r P, g O' + r P + channels_in_response(r)) of group g.
  int channels_per_response() const { return channels_per_response_; }
  // Whether every kernel polynomial is a constant (one channel per block and per response, a
  // 1x1 layout kernel): a public fact of the layout, as 1x1 convolutions on large images have.
  bool constant_kernels() const {
    return block_.channels == 1 && channels_per_response_ == 1 && layout_.kernel_h == 1 && layout_.kernel_w == 1;
  }
  // Kernel polynomials per layer: groups x responses per block x weight digits x channel blocks.
  std::size_t kernel_count() const;
  const WeightDigits& weight_digits() const { return digits_; }
  // Digit `digit` of a weight |w| <= weight_bound() (the weight itself without digits): the sum of
  // the digits times 2^(bits j) is w, and each lies within weight_digits().bound.
  int64_t weight_digit(int64_t w, int digit) const;
  int responses_per_block() const { return responses_per_block_; }
  int channels_in_response(int response) const;
  // Coefficients kept by response `response` of `block`: channel j's outputs (row-major), j in order.
  std::vector<uint32_t> response_kept(const SpatialBlock& block, int response) const;
  int response_bits(const SpatialBlock& block, int response) const;

  // Messages, in this order on both sides. Uploads: for each group, spatial block, channel block.
  // Responses: for each group, spatial block, response of the block, weight digit.
  std::size_t uploads() const;
  std::size_t responses() const;
  // Exact payload size of one upload (a seeded ciphertext) and of response `response` of `block`.
  std::size_t upload_bytes() const { return upload_bytes_; }
  std::size_t response_bytes(const SpatialBlock& block, int response) const;
  // Bytes `role` sends for one layer, the 8-byte message frames included.
  uint64_t bytes_sent(Role role) const;
  // Adds every response of the layer, with the flooding it gets, to `ledger`.
  void account(const he::Context& context, he::FloodLedger& ledger) const;

  // The plaintext polynomial of one input block: values of `tensor` (CHW, each below 2^l, else
  // InvalidArgument) in group `group`, channel block `channel_block` and `spatial`, zero where
  // the block leaves the input.
  std::vector<uint64_t> encode_input(std::span<const uint64_t> tensor, int group, int channel_block,
                                     const SpatialBlock& spatial) const;
  // The packed kernel polynomial of response `response` of group `group` over channel block
  // `channel_block`: the reversed kernel of its j-th output channel times X^(j Cn Hn Wn), summed;
  // weights OIHW.
  std::vector<int64_t> encode_kernel(std::span<const int64_t> weights, int group, int response,
                                     int channel_block) const;
  // The public bound of that polynomial's digits (the digit bound, and support: packed channels
  // times block channels times kernel size), from which the noise model derives the response moduli.
  he::PlainBound kernel_bound(int channel_block, int response) const;
  // Index in the output tensor (C'H'W') of the i-th kept output of `spatial` for `out_channel`.
  std::size_t output_index(int out_channel, const SpatialBlock& spatial, std::size_t i) const;

  // "block 16x16x16, 1 channel block(s) x 1 spatial block(s) per group, 4 output channels per
  // response, 1 uploads, 16 responses at 2^49, ...".
  std::string describe() const;

 private:
  // The cheaper of the direct and the stride-phase layouts (only the direct one at stride 1).
  static Conv2dPlan cheapest(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
                             const he::FloodBudget& budget);
  Conv2dPlan(const core::Conv2dGeometry& shape, const he::Context& context, uint64_t weight_bound,
             const he::FloodBudget& budget, bool phases);

  core::Conv2dGeometry shape_;
  uint64_t weight_bound_;
  he::FloodBudget budget_;
  std::size_t n_;
  uint64_t plain_mask_;
  bool phases_ = false;
  core::Conv2dGeometry layout_;
  std::vector<std::size_t> taps_;  // nonzero taps of layout channels [0, c) of a group, c = index
  BlockExtent block_;
  WeightDigits digits_;
  int channel_blocks_ = 0;
  int channels_per_response_ = 0;
  int responses_per_block_ = 0;
  std::vector<SpatialBlock> spatial_;
  std::size_t upload_bytes_ = 0;
};

}  // namespace twain::linear
