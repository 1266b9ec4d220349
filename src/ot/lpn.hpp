// The local linear code of Ferret's LPN expansion: each output is the XOR of d base entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/block.hpp"
#include "core/thread_pool.hpp"
#include "ot/wide_aes.hpp"

namespace twain::ot {

// Row weight d of the local linear code (Ferret's choice, d = 10).
inline constexpr std::size_t kLpnRowWeight = 10;

// The public matrix A of the primal LPN assumption with a local linear code, as used by Yang,
// Weng, Lan, Zhang and Wang, "Ferret: Fast Extension for coRRElated oT with small
// communication", CCS 2020 (after Alekhnovich's local codes): output i is the XOR of the base entries at d = 10
// positions in [0, k). The positions are public: AES-128 in counter mode under a fixed key
// gives 32-bit words r, position = (r * k) >> 32 (a bias below k / 2^32, irrelevant for a
// public code). Both parties derive the same matrix; only public positions select addresses.
class LpnEncoder {
 public:
  // rows > 0, 0 < columns < 2^32 (else InvalidArgument).
  LpnEncoder(std::size_t rows, std::size_t columns);

  std::size_t rows() const { return rows_; }
  std::size_t columns() const { return columns_; }

  // out[i] ^= XOR of base[p] over the d positions p of row i. base.size() == columns(),
  // out.size() == rows() (else InvalidArgument). With a pool, rows are split among its threads
  // (same result).
  void encode(std::span<const core::Block> base, std::span<core::Block> out,
              core::ThreadPool* pool = nullptr) const;
  // As encode, but out[i] = the XOR (out's old contents are ignored).
  void assign(std::span<const core::Block> base, std::span<core::Block> out,
              core::ThreadPool* pool = nullptr) const;
  // Ferret carries each receiver choice bit in the least significant bit of its block
  // (ferret.hpp), so encoding the blocks also encodes the bits.

  // The same on rows [first_row, first_row + out.size()) only, out[j] standing for row
  // first_row + j. first_row must be a multiple of kRowAlignment and the rows must lie within
  // rows() (else InvalidArgument).
  void encode_rows(std::span<const core::Block> base, std::size_t first_row,
                   std::span<core::Block> out, core::ThreadPool* pool = nullptr) const;
  void assign_rows(std::span<const core::Block> base, std::size_t first_row,
                   std::span<core::Block> out, core::ThreadPool* pool = nullptr) const;
  // Rows share their position keystream in groups of this many.
  static constexpr std::size_t kRowAlignment = 64;

 private:
  template <bool Accumulate>
  void run(std::span<const core::Block> base, std::size_t first_row, std::span<core::Block> out,
           core::ThreadPool* pool) const;
  // Rows [begin, end) (begin a multiple of 64), row r written to out[r - first_row].
  template <bool Accumulate>
  void gather(std::size_t begin, std::size_t end, std::size_t first_row, const core::Block* base,
              core::Block* out) const;
  // The positions of the rows of `chunk` into out.
  void positions(std::size_t chunk, uint32_t* out) const;

  std::size_t rows_;
  std::size_t columns_;
  WideAes aes_;
};

}  // namespace twain::ot
