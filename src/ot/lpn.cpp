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
constexpr std::size_t kChunkRows = LpnEncoder::kRowAlignment;
constexpr std::size_t kChunkPositions = kChunkRows * kLpnRowWeight;
constexpr std::size_t kChunkBlocks = kChunkPositions * sizeof(uint32_t) / sizeof(core::Block);
// Rows between a prefetch and its use: enough misses in flight to cover the L3 latency, few
// enough to stay within the core's miss buffers.
constexpr std::size_t kPrefetchRows = 10;
static_assert(kChunkBlocks * sizeof(core::Block) == kChunkPositions * sizeof(uint32_t));
static_assert(kPrefetchRows < kChunkRows);

// Rows [first_row, first_row + count) must lie in the code, start on a chunk and, when `whole`,
// be all of its rows.
void check_rows(std::size_t rows, std::size_t first_row, std::size_t count, bool whole) {
  TWAIN_REQUIRE(whole ? count == rows : first_row % kChunkRows == 0 && first_row <= rows &&
                                            count <= rows - first_row,
                InvalidArgument,
                "LPN: rows [" + std::to_string(first_row) + ", " +
                    std::to_string(first_row + count) + ") asked of a code with " +
                    std::to_string(rows) + " rows" +
                    (whole ? "" : " (the first must be a multiple of 64)"));
}

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
  // columns < 2^32: each position is one keystream word scaled below columns.
  aes_.keystream_below(core::Block{static_cast<uint64_t>(chunk) * kChunkBlocks, 0},
                       static_cast<uint32_t>(columns_), out, kChunkBlocks);
}

template <bool Accumulate>
void LpnEncoder::gather(std::size_t begin, std::size_t end, std::size_t first_row,
                        const core::Block* base, core::Block* out) const {
  alignas(64) std::array<uint32_t, kChunkPositions> first_positions;
  alignas(64) std::array<uint32_t, kChunkPositions> second_positions;
  uint32_t* current = first_positions.data();
  uint32_t* upcoming = second_positions.data();
  const std::size_t last_chunk = (end - 1) / kChunkRows;
  positions(begin / kChunkRows, current);
  for (std::size_t c = begin / kChunkRows; c <= last_chunk; ++c) {
    // The next chunk's positions are computed while this one's prefetches are in flight; the
    // entries of the row kPrefetchRows ahead are prefetched before each row is summed.
    const bool ahead = c < last_chunk;
    if (ahead) positions(c + 1, upcoming);
    const std::size_t first = c * kChunkRows;
    const std::size_t count = std::min(kChunkRows, end - first);
    core::Block* rows = out + (first - first_row);
    for (std::size_t r = 0; r < count; ++r) {
      const std::size_t later = r + kPrefetchRows;
      if (later < kChunkRows || ahead) {
        const uint32_t* next = later < kChunkRows
                                   ? current + later * kLpnRowWeight
                                   : upcoming + (later - kChunkRows) * kLpnRowWeight;
        for (std::size_t j = 0; j < kLpnRowWeight; ++j) __builtin_prefetch(base + next[j]);
      }
      const uint32_t* row = current + r * kLpnRowWeight;
      core::Block acc = Accumulate ? rows[r] : core::Block{};
      for (std::size_t j = 0; j < kLpnRowWeight; ++j) acc ^= base[row[j]];
      rows[r] = acc;
    }
    std::swap(current, upcoming);
  }
}

void LpnEncoder::encode(std::span<const core::Block> base, std::span<core::Block> out,
                        core::ThreadPool* pool) const {
  check_rows(rows_, 0, out.size(), true);
  run<true>(base, 0, out, pool);
}

void LpnEncoder::assign(std::span<const core::Block> base, std::span<core::Block> out,
                        core::ThreadPool* pool) const {
  check_rows(rows_, 0, out.size(), true);
  run<false>(base, 0, out, pool);
}

void LpnEncoder::encode_rows(std::span<const core::Block> base, std::size_t first_row,
                             std::span<core::Block> out, core::ThreadPool* pool) const {
  check_rows(rows_, first_row, out.size(), false);
  run<true>(base, first_row, out, pool);
}

void LpnEncoder::assign_rows(std::span<const core::Block> base, std::size_t first_row,
                             std::span<core::Block> out, core::ThreadPool* pool) const {
  check_rows(rows_, first_row, out.size(), false);
  run<false>(base, first_row, out, pool);
}

template <bool Accumulate>
void LpnEncoder::run(std::span<const core::Block> base, std::size_t first_row,
                     std::span<core::Block> out, core::ThreadPool* pool) const {
  TWAIN_REQUIRE(base.size() == columns_, InvalidArgument,
                "LPN: expected " + std::to_string(columns_) + " base entries, got " +
                    std::to_string(base.size()));
  if (out.empty()) return;
  const std::size_t end = first_row + out.size();
  const std::size_t chunks = (out.size() + kChunkRows - 1) / kChunkRows;
  const auto body = [&](std::size_t begin_chunk, std::size_t end_chunk) {
    gather<Accumulate>(first_row + begin_chunk * kChunkRows,
                       std::min(end, first_row + end_chunk * kChunkRows), first_row, base.data(),
                       out.data());
  };
  if (pool != nullptr) {
    pool->parallel_for(chunks, body);
  } else {
    body(0, chunks);
  }
}

}  // namespace twain::ot
