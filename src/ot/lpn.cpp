#include "ot/lpn.hpp"

#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

// The fixed public key of the code: the fraction bits of e (nothing up the sleeve).
constexpr core::Block kCodeKey{0xB7E151628AED2A6AULL, 0xBF7158809CF4F3C7ULL};
// Rows per chunk: one 64-bit word of output bits; 64 * 10 positions = 160 AES blocks.
constexpr std::size_t kChunkRows = 64;
constexpr std::size_t kChunkPositions = kChunkRows * kLpnRowWeight;
constexpr std::size_t kChunkBlocks = kChunkPositions * sizeof(uint32_t) / sizeof(core::Block);
// Rows between a prefetch and its use (long enough for a miss to DRAM, short enough to stay in L1).
constexpr std::size_t kPrefetchRows = 16;
static_assert(kChunkBlocks * sizeof(core::Block) == kChunkPositions * sizeof(uint32_t));

}  // namespace

LpnEncoder::LpnEncoder(std::size_t rows, std::size_t columns)
    : rows_(rows), columns_(columns), aes_(kCodeKey) {
  TWAIN_REQUIRE(rows > 0, InvalidArgument, "LPN: the code needs at least one row");
  TWAIN_REQUIRE(columns > 0 && columns < (std::size_t{1} << 32), InvalidArgument,
                "LPN: the number of columns must be in [1, 2^32), got " + std::to_string(columns));
}

// Positions are drawn independently, so a row may repeat a column (the two cancel under XOR and
// the row weighs less than d), as in Ferret's own local linear code.
void LpnEncoder::positions(std::size_t chunk, uint32_t* out) const {
  std::array<core::Block, kChunkBlocks> stream;
  aes_.keystream(core::Block{static_cast<uint64_t>(chunk) * kChunkBlocks, 0}, stream.data(),
                 kChunkBlocks);
  std::memcpy(out, stream.data(), sizeof(stream));
  for (std::size_t i = 0; i < kChunkPositions; ++i) {
    out[i] = static_cast<uint32_t>((static_cast<uint64_t>(out[i]) * columns_) >> 32);
  }
}

template <bool WithBits>
void LpnEncoder::run(std::span<const core::Block> base, std::span<const uint64_t> base_bits,
                     std::span<core::Block> out, core::BitVector* bits,
                     core::ThreadPool* pool) const {
  TWAIN_REQUIRE(base.size() == columns_ && out.size() == rows_, InvalidArgument,
                "LPN: expected " + std::to_string(columns_) + " base entries and " +
                    std::to_string(rows_) + " outputs, got " + std::to_string(base.size()) +
                    " and " + std::to_string(out.size()));
  if constexpr (WithBits) {
    TWAIN_REQUIRE(base_bits.size() * 64 >= columns_ && bits->size() == rows_, InvalidArgument,
                  "LPN: the bit vectors do not match the code's dimensions");
  }
  const std::size_t chunks = (rows_ + kChunkRows - 1) / kChunkRows;
  const auto body = [&](std::size_t begin, std::size_t end) {
    gather<WithBits>(begin, end, base, base_bits, out, bits);
  };
  if (pool != nullptr) {
    pool->parallel_for(chunks, body);
  } else {
    body(0, chunks);
  }
}

template <bool WithBits>
void LpnEncoder::gather(std::size_t begin, std::size_t end, std::span<const core::Block> base,
                        std::span<const uint64_t> base_bits, std::span<core::Block> out,
                        core::BitVector* bits) const {
  std::array<uint32_t, kChunkPositions> current;
  std::array<uint32_t, kChunkPositions> upcoming;
  positions(begin, current.data());
  for (std::size_t c = begin; c < end; ++c) {
    // The next chunk's positions are computed while this one is gathered; the entries of the
    // row kPrefetchRows ahead are prefetched.
    const bool ahead = c + 1 < end;
    if (ahead) positions(c + 1, upcoming.data());
    const std::size_t first = c * kChunkRows;
    const std::size_t count = std::min(kChunkRows, rows_ - first);
    uint64_t word = 0;
    for (std::size_t r = 0; r < count; ++r) {
      const std::size_t later = r + kPrefetchRows;
      if (later < kChunkRows || ahead) {
        const uint32_t* next = later < kChunkRows
                                   ? current.data() + later * kLpnRowWeight
                                   : upcoming.data() + (later - kChunkRows) * kLpnRowWeight;
        for (std::size_t j = 0; j < kLpnRowWeight; ++j) __builtin_prefetch(base.data() + next[j]);
      }
      const uint32_t* row = current.data() + r * kLpnRowWeight;
      core::Block acc = out[first + r];
      uint64_t bit = 0;
      for (std::size_t j = 0; j < kLpnRowWeight; ++j) {
        acc ^= base[row[j]];
        if constexpr (WithBits) bit ^= base_bits[row[j] / 64] >> (row[j] % 64);
      }
      out[first + r] = acc;
      word |= (bit & 1U) << r;
    }
    if constexpr (WithBits) bits->words()[c] ^= word;
    std::swap(current, upcoming);
  }
}

void LpnEncoder::encode(std::span<const core::Block> base, std::span<core::Block> out,
                        core::ThreadPool* pool) const {
  run<false>(base, {}, out, nullptr, pool);
}

void LpnEncoder::encode(std::span<const core::Block> base, std::span<const uint64_t> base_bits,
                        std::span<core::Block> out, core::BitVector& bits,
                        core::ThreadPool* pool) const {
  run<true>(base, base_bits, out, &bits, pool);
}

}  // namespace twain::ot
