#include "ot/lpn.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "core/errors.hpp"

namespace twain::ot {
namespace {

// The fixed public key of the code: the fraction bits of e (nothing up the sleeve).
constexpr core::Block kCodeKey{0xB7E151628AED2A6AULL, 0xBF7158809CF4F3C7ULL};
// Rows per chunk: 64 rows * 10 positions = 160 AES blocks of 32-bit words.
constexpr std::size_t kChunkRows = 64;
constexpr std::size_t kChunkPositions = kChunkRows * kLpnRowWeight;
constexpr std::size_t kChunkBlocks = kChunkPositions * sizeof(uint32_t) / sizeof(core::Block);
// Rows between a prefetch and its use: enough misses in flight to cover the L3 latency, few
// enough to stay within the core's miss buffers.
constexpr std::size_t kPrefetchRows = 16;
static_assert(kChunkBlocks * sizeof(core::Block) == kChunkPositions * sizeof(uint32_t));
static_assert(kPrefetchRows < kChunkRows);

}  // namespace

LpnEncoder::LpnEncoder(std::size_t rows, std::size_t columns)
    : rows_(rows), columns_(columns), aes_(kCodeKey) {
  TWAIN_REQUIRE(rows > 0, InvalidArgument, "LPN: the code needs at least one row");
  TWAIN_REQUIRE(columns > 0 && columns < (std::size_t{1} << 32), InvalidArgument,
                "LPN: the number of columns must be in [1, 2^32), got " + std::to_string(columns));
}

// Positions are drawn independently, so a row may repeat a column (the two cancel under XOR and
// the row weighs less than d), as in Ferret's own local linear code.
void LpnEncoder::positions(std::size_t chunk, core::Block* stream, uint32_t* out) const {
  // The keystream is written straight into the position words (AES output is bytes; the
  // positions are its little-endian 32-bit words).
  aes_.keystream(core::Block{static_cast<uint64_t>(chunk) * kChunkBlocks, 0}, stream, kChunkBlocks);
  const auto* words = reinterpret_cast<const uint32_t*>(stream);
  // columns < 2^32: one 32 x 32 -> 64-bit product per position.
  const auto columns = static_cast<uint32_t>(columns_);
  for (std::size_t i = 0; i < kChunkPositions; ++i) {
    out[i] = static_cast<uint32_t>((static_cast<uint64_t>(words[i]) * columns) >> 32);
  }
}

template <bool Accumulate>
void LpnEncoder::gather(std::size_t begin, std::size_t end, const core::Block* base,
                        core::Block* out) const {
  alignas(64) std::array<uint32_t, kChunkPositions> current;
  alignas(64) std::array<uint32_t, kChunkPositions> upcoming;
  alignas(64) std::array<core::Block, kChunkBlocks> stream;  // keystream scratch, reused per chunk
  positions(begin, stream.data(), current.data());
  for (std::size_t c = begin; c < end; ++c) {
    // The next chunk's positions are computed while this one's prefetches are in flight; the
    // entries of the row kPrefetchRows ahead are prefetched before each row is summed.
    const bool ahead = c + 1 < end;
    if (ahead) positions(c + 1, stream.data(), upcoming.data());
    const std::size_t first = c * kChunkRows;
    const std::size_t count = std::min(kChunkRows, rows_ - first);
    core::Block* rows = out + first;
    for (std::size_t r = 0; r < count; ++r) {
      const std::size_t later = r + kPrefetchRows;
      if (later < kChunkRows || ahead) {
        const uint32_t* next = later < kChunkRows
                                   ? current.data() + later * kLpnRowWeight
                                   : upcoming.data() + (later - kChunkRows) * kLpnRowWeight;
        for (std::size_t j = 0; j < kLpnRowWeight; ++j) __builtin_prefetch(base + next[j]);
      }
      const uint32_t* row = current.data() + r * kLpnRowWeight;
      core::Block acc = Accumulate ? rows[r] : core::Block{};
      for (std::size_t j = 0; j < kLpnRowWeight; ++j) acc ^= base[row[j]];
      rows[r] = acc;
    }
    std::swap(current, upcoming);
  }
}

void LpnEncoder::encode(std::span<const core::Block> base, std::span<core::Block> out,
                        core::ThreadPool* pool) const {
  run<true>(base, out, pool);
}

void LpnEncoder::assign(std::span<const core::Block> base, std::span<core::Block> out,
                        core::ThreadPool* pool) const {
  run<false>(base, out, pool);
}

template <bool Accumulate>
void LpnEncoder::run(std::span<const core::Block> base, std::span<core::Block> out,
                     core::ThreadPool* pool) const {
  TWAIN_REQUIRE(base.size() == columns_ && out.size() == rows_, InvalidArgument,
                "LPN: expected " + std::to_string(columns_) + " base entries and " +
                    std::to_string(rows_) + " outputs, got " + std::to_string(base.size()) +
                    " and " + std::to_string(out.size()));
  const std::size_t chunks = (rows_ + kChunkRows - 1) / kChunkRows;
  const auto body = [&](std::size_t begin, std::size_t end) {
    gather<Accumulate>(begin, end, base.data(), out.data());
  };
  if (pool != nullptr) {
    pool->parallel_for(chunks, body);
  } else {
    body(0, chunks);
  }
}

}  // namespace twain::ot
