#include "ot/iknp.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/errors.hpp"
#include "ot/base_ot.hpp"
#include "ot/bit_transpose.hpp"

namespace twain::ot {
namespace {

// OTs are processed in groups of up to kGroupBlocks x 128: the group's matrices (32 KiB) stay
// in L1 cache between expansion and transposition.
constexpr std::size_t kGroupBlocks = 16;
constexpr std::size_t kGroupOts = kGroupBlocks * kIknpWidth;

// Block b of the choice vector (OTs 128b .. 128b+127), zero past the end.
core::Block choice_block(const core::BitVector& choices, std::size_t b) {
  const auto words = choices.words();
  const std::size_t w = 2 * b;
  return {w < words.size() ? words[w] : 0, w + 1 < words.size() ? words[w + 1] : 0};
}

// Transposes the group's `blocks` matrices (matrix k holds column j of OTs 128k.. at
// matrix[128k + j]) and copies the first `count` rows to out.
void transpose_out(std::vector<core::Block>& matrix, std::size_t blocks, std::size_t count,
                   core::Block* out) {
  for (std::size_t k = 0; k < blocks; ++k) {
    transpose_128x128(std::span<core::Block, kIknpWidth>(matrix.data() + k * kIknpWidth, kIknpWidth));
  }
  std::copy_n(matrix.data(), count, out);
}

// Delta with least significant bit 1: Ferret's LSB form (ferret.hpp) needs it; the other 127
// bits stay uniform.
core::Block odd(core::Block delta) {
  delta.lo |= 1U;
  return delta;
}

}  // namespace

IknpSender::IknpSender(net::Channel& channel, core::Prg& prg)
    : channel_(channel),
      delta_(odd(prg.next_block())),
      matrix_(kGroupOts),
      received_(kGroupOts) {
  core::BitVector delta_bits(kIknpWidth);
  delta_bits.words()[0] = delta_.lo;
  delta_bits.words()[1] = delta_.hi;
  const std::vector<core::Block> keys = base_ot_receive(channel_, prg, delta_bits);
  columns_.reserve(kIknpWidth);
  for (const core::Block& key : keys) columns_.emplace_back(key);
}

void IknpSender::extend(std::span<core::Block> q) {
  if (q.empty()) return;
  const uint64_t announced = channel_.recv_u64();
  TWAIN_REQUIRE(announced == q.size(), FormatError,
                "IKNP: the receiver extends " + std::to_string(announced) + " OTs, this side " +
                    std::to_string(q.size()));
  // Column masks: all ones where delta_j = 1 (no branch on the secret delta).
  std::array<core::Block, kIknpWidth> masks;
  for (std::size_t j = 0; j < kIknpWidth; ++j) {
    const uint64_t bit = ((j < 64 ? delta_.lo : delta_.hi) >> (j % 64)) & 1U;
    masks[j] = {0 - bit, 0 - bit};
  }
  std::array<core::Block, kGroupBlocks> expanded;
  for (std::size_t done = 0; done < q.size(); done += kGroupOts) {
    const std::size_t count = std::min(kGroupOts, q.size() - done);
    const std::size_t blocks = (count + kIknpWidth - 1) / kIknpWidth;
    channel_.recv(received_.data(), kIknpWidth * blocks * sizeof(core::Block));
    for (std::size_t j = 0; j < kIknpWidth; ++j) {
      columns_[j].next(expanded.data(), blocks);
      const core::Block* u = received_.data() + j * blocks;
      for (std::size_t k = 0; k < blocks; ++k) {
        matrix_[k * kIknpWidth + j] = expanded[k] ^ (u[k] & masks[j]);
      }
    }
    transpose_out(matrix_, blocks, count, q.data() + done);
  }
}

IknpReceiver::IknpReceiver(net::Channel& channel, core::Prg& prg)
    : channel_(channel), matrix_(kGroupOts), outgoing_(kGroupOts) {
  const std::vector<BlockPair> keys = base_ot_send(channel_, prg, kIknpWidth);
  columns_.reserve(kIknpWidth);
  for (const BlockPair& pair : keys) {
    columns_.push_back({CtrStream(pair[0]), CtrStream(pair[1])});
  }
}

void IknpReceiver::extend(const core::BitVector& choices, std::span<core::Block> t) {
  TWAIN_REQUIRE(choices.size() == t.size(), InvalidArgument,
                "IKNP: " + std::to_string(choices.size()) + " choice bits for " +
                    std::to_string(t.size()) + " outputs");
  if (t.empty()) return;
  channel_.send_u64(t.size());
  std::array<core::Block, kGroupBlocks> r;
  std::array<core::Block, kGroupBlocks> expanded0;
  std::array<core::Block, kGroupBlocks> expanded1;
  for (std::size_t done = 0; done < t.size(); done += kGroupOts) {
    const std::size_t count = std::min(kGroupOts, t.size() - done);
    const std::size_t blocks = (count + kIknpWidth - 1) / kIknpWidth;
    for (std::size_t k = 0; k < blocks; ++k) r[k] = choice_block(choices, done / kIknpWidth + k);
    for (std::size_t j = 0; j < kIknpWidth; ++j) {
      columns_[j][0].next(expanded0.data(), blocks);
      columns_[j][1].next(expanded1.data(), blocks);
      core::Block* u = outgoing_.data() + j * blocks;
      for (std::size_t k = 0; k < blocks; ++k) {
        matrix_[k * kIknpWidth + j] = expanded0[k];
        u[k] = expanded0[k] ^ expanded1[k] ^ r[k];
      }
    }
    channel_.send(outgoing_.data(), kIknpWidth * blocks * sizeof(core::Block));
    transpose_out(matrix_, blocks, count, t.data() + done);
  }
  channel_.flush();
}

}  // namespace twain::ot
