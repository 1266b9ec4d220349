// The single place that chooses an NTT kernel: AVX-512 when the CPU has AVX-512F, else AVX2 when
// it has AVX2 and BMI2 (either only while TWAIN_DISABLE_SIMD is not set), the portable scalar
// kernel otherwise. Public argument checks live here too.
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

const char* kernel_name(NttKernel kernel) {
  switch (kernel) {
    case NttKernel::Scalar: return "scalar";
    case NttKernel::Avx2: return "AVX2";
    case NttKernel::Avx512: return "AVX-512";
  }
  return "unknown";
}

void require_kernel(NttKernel kernel) {
  TWAIN_REQUIRE(ntt_kernel_available(kernel), InvalidArgument,
                std::string("ntt: the ") + kernel_name(kernel) + " kernel is not available on this CPU");
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

// The AVX2 kernel works on 64-coefficient blocks and the AVX-512 kernel on pairs of them; smaller
// transforms use the next narrower kernel (an AVX-512 CPU has AVX2 too, which
// ntt_kernel_available checks), all of which give the same (canonical) result.
NttKernel effective_kernel(NttKernel kernel, std::size_t n) {
  if (kernel == NttKernel::Avx512 && n < 128) kernel = NttKernel::Avx2;
  if (kernel == NttKernel::Avx2 && n < 64) kernel = NttKernel::Scalar;
  return kernel;
}

void forward32(uint32_t* a, const NttTables& tables, NttKernel kernel) {
  debug_check_residues(a, tables);
  switch (effective_kernel(kernel, tables.n())) {
    case NttKernel::Avx512: detail::ntt_forward_avx512(a, forward_view(tables)); break;
    case NttKernel::Avx2: detail::ntt_forward_avx2(a, forward_view(tables)); break;
    case NttKernel::Scalar: detail::ntt_forward_scalar32(a, tables); break;
  }
}

void inverse32(uint32_t* a, const NttTables& tables, NttKernel kernel) {
  debug_check_residues(a, tables);
  switch (effective_kernel(kernel, tables.n())) {
    case NttKernel::Avx512: detail::ntt_inverse_avx512(a, inverse_view(tables)); break;
    case NttKernel::Avx2: detail::ntt_inverse_avx2(a, inverse_view(tables)); break;
    case NttKernel::Scalar: detail::ntt_inverse_scalar32(a, tables); break;
  }
}

bool avx2_usable(const core::CpuFeatures& f) { return f.avx2 && f.bmi2; }
bool avx512_usable(const core::CpuFeatures& f) { return avx2_usable(f) && f.avx512f; }

}  // namespace

bool ntt_kernel_available(NttKernel kernel) {
  const auto& f = core::cpu_features_detected();
  switch (kernel) {
    case NttKernel::Scalar: return true;
    case NttKernel::Avx2: return avx2_usable(f);
    case NttKernel::Avx512: return avx512_usable(f);
  }
  return false;
}

NttKernel ntt_best_kernel() {
  static const NttKernel best = [] {
    const auto& f = core::cpu_features();
    if (avx512_usable(f)) return NttKernel::Avx512;
    return avx2_usable(f) ? NttKernel::Avx2 : NttKernel::Scalar;
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
