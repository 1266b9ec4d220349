// Internal: the NTT kernels behind the dispatch in ntt_dispatch.cpp. Arguments are not checked
// here; the public functions in ntt.hpp validate them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace twain::math {
class NttTables;
}  // namespace twain::math

namespace twain::math::detail {

// ntt_scalar.cpp (portable).
void ntt_forward_scalar64(uint64_t* a, const NttTables& tables);
void ntt_inverse_scalar64(uint64_t* a, const NttTables& tables);
void ntt_forward_scalar32(uint32_t* a, const NttTables& tables);
void ntt_inverse_scalar32(uint32_t* a, const NttTables& tables);

// What the SIMD kernels read from NttTables, as plain data: ntt_avx2.cpp (-mavx2) and
// ntt_avx512.cpp (-mavx512f) must not instantiate inline library code (accessors, std::vector)
// that the linker could then share with portable translation units.
struct Ntt32View {
  std::size_t n;
  int log_n;
  uint32_t p;
  // Forward: roots32 / simd_roots; inverse: inv_roots32 / simd_inv_roots (with companions).
  const uint32_t* roots;
  const uint32_t* roots_shoup;
  const uint32_t* lane_roots;
  const uint32_t* lane_roots_shoup;
  // Inverse only: 1/n and psi^-brv(1)/n with companions.
  uint32_t inv_n, inv_n_shoup, inv_n_root, inv_n_root_shoup;
};

// ntt_avx2.cpp (compiled with -mavx2 -mbmi2; call only when the CPU has both). n >= 64.
void ntt_forward_avx2(uint32_t* a, const Ntt32View& view);
void ntt_inverse_avx2(uint32_t* a, const Ntt32View& view);

// ntt_avx512.cpp (compiled with -mavx512f; call only when the CPU has AVX-512F). n >= 128.
void ntt_forward_avx512(uint32_t* a, const Ntt32View& view);
void ntt_inverse_avx512(uint32_t* a, const Ntt32View& view);

}  // namespace twain::math::detail
