// The single place that chooses an NTT kernel: AVX2 when the CPU has it (and TWAIN_DISABLE_SIMD is
// not set), the portable scalar kernel otherwise. Public argument checks live here too.
#include <string>

#include "core/cpu_features.hpp"
#include "core/errors.hpp"
#include "math/ntt.hpp"
#include "math/ntt_kernels.hpp"

namespace twain::math {

namespace {

void require_data(const void* a) {
  TWAIN_REQUIRE(a != nullptr, InvalidArgument, "ntt: null coefficient pointer");
}

// Inputs must be residues (the lazy bounds assume it); checked in debug builds only.
template <class Word>
void debug_check_residues([[maybe_unused]] const Word* a, [[maybe_unused]] const NttTables& t) {
#ifndef NDEBUG
  for (std::size_t i = 0; i < t.n(); ++i) TWAIN_DEBUG_CHECK(a[i] < t.p(), "ntt: input not below p");
#endif
}

void require_32bit(const NttTables& tables) {
  TWAIN_REQUIRE(tables.has_32bit_tables(), InvalidArgument,
                "ntt: 32-bit data needs p < 2^30, got p = " + std::to_string(tables.p()));
}

void require_kernel(NttKernel kernel) {
  TWAIN_REQUIRE(ntt_kernel_available(kernel), InvalidArgument,
                "ntt: the AVX2 kernel is not available on this CPU");
}

detail::Ntt32View forward_view(const NttTables& t) {
  const auto& k = t.kernel_data();
  return {t.n(), t.log_n(), static_cast<uint32_t>(t.p()), t.roots32().data(),
          t.roots32_shoup().data(), k.simd_roots.data(), k.simd_roots_shoup.data(), 0, 0, 0, 0};
}

detail::Ntt32View inverse_view(const NttTables& t) {
  const auto& k = t.kernel_data();
  return {t.n(), t.log_n(), static_cast<uint32_t>(t.p()), t.inv_roots32().data(),
          t.inv_roots32_shoup().data(), k.simd_inv_roots.data(), k.simd_inv_roots_shoup.data(),
          k.inv_n32, k.inv_n32_shoup, k.inv_n_root32, k.inv_n_root32_shoup};
}

// The AVX2 kernel works on 64-coefficient blocks; smaller transforms use the scalar code, which
// gives the same (canonical) result.
void forward32(uint32_t* a, const NttTables& tables, NttKernel kernel) {
  debug_check_residues(a, tables);
  if (kernel == NttKernel::Avx2 && tables.n() >= 64) {
    detail::ntt_forward_avx2(a, forward_view(tables));
  } else {
    detail::ntt_forward_scalar32(a, tables);
  }
}

void inverse32(uint32_t* a, const NttTables& tables, NttKernel kernel) {
  debug_check_residues(a, tables);
  if (kernel == NttKernel::Avx2 && tables.n() >= 64) {
    detail::ntt_inverse_avx2(a, inverse_view(tables));
  } else {
    detail::ntt_inverse_scalar32(a, tables);
  }
}

}  // namespace

bool ntt_kernel_available(NttKernel kernel) {
  if (kernel == NttKernel::Scalar) return true;
  const auto& f = core::cpu_features_detected();
  return f.avx2 && f.bmi2;
}

NttKernel ntt_best_kernel() {
  static const NttKernel best = [] {
    const auto& f = core::cpu_features();
    return f.avx2 && f.bmi2 ? NttKernel::Avx2 : NttKernel::Scalar;
  }();
  return best;
}

void ntt_forward(uint64_t* a, const NttTables& tables) {
  require_data(a);
  debug_check_residues(a, tables);
  detail::ntt_forward_scalar64(a, tables);
}

void ntt_inverse(uint64_t* a, const NttTables& tables) {
  require_data(a);
  debug_check_residues(a, tables);
  detail::ntt_inverse_scalar64(a, tables);
}

void ntt_forward(uint32_t* a, const NttTables& tables) {
  require_data(a);
  require_32bit(tables);
  forward32(a, tables, ntt_best_kernel());
}

void ntt_inverse(uint32_t* a, const NttTables& tables) {
  require_data(a);
  require_32bit(tables);
  inverse32(a, tables, ntt_best_kernel());
}

void ntt_forward(uint32_t* a, const NttTables& tables, NttKernel kernel) {
  require_data(a);
  require_32bit(tables);
  require_kernel(kernel);
  forward32(a, tables, kernel);
}

void ntt_inverse(uint32_t* a, const NttTables& tables, NttKernel kernel) {
  require_data(a);
  require_32bit(tables);
  require_kernel(kernel);
  inverse32(a, tables, kernel);
}

}  // namespace twain::math
