// The single place that chooses the element-wise kernels (AVX-512, AVX2 or scalar, as
// ntt_best_kernel() chooses the NTT), with the public checks.
#include <string>

#include "core/errors.hpp"
#include "math/pointwise.hpp"
#include "math/pointwise_kernels.hpp"

namespace twain::math {

namespace {

void require_modulus(uint64_t p, const char* what) {
  TWAIN_REQUIRE(p >= 2 && p < (uint64_t{1} << 30), InvalidArgument,
                std::string(what) + ": modulus must be in [2, 2^30), got " + std::to_string(p));
}

void require_data(std::size_t n, const void* x, const void* y, const void* z, const char* what) {
  TWAIN_REQUIRE(n == 0 || (x != nullptr && y != nullptr && z != nullptr), InvalidArgument,
                std::string(what) + ": null pointer");
}

void require_kernel(NttKernel kernel) {
  TWAIN_REQUIRE(ntt_kernel_available(kernel), InvalidArgument,
                std::string("pointwise: the ") + (kernel == NttKernel::Avx512 ? "AVX-512" : "AVX2") +
                    " kernel is not available on this CPU");
}

// Inputs must be residues; checked in debug builds only (hot path).
void debug_check_residues([[maybe_unused]] const uint32_t* a, [[maybe_unused]] std::size_t n,
                          [[maybe_unused]] uint32_t p) {
#ifndef NDEBUG
  for (std::size_t i = 0; i < n; ++i) TWAIN_DEBUG_CHECK(a[i] < p, "pointwise: input not below p");
#endif
}

detail::Barrett32 barrett(uint32_t p) {
  const int bits = 32 - __builtin_clz(p);
  return {p, bits - 1, bits + 1, static_cast<uint32_t>((uint64_t{1} << (2 * bits)) / p)};
}

void mul(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p,
         NttKernel kernel) {
  require_modulus(p, "pointwise_mul");
  require_data(n, out, a, b, "pointwise_mul");
  debug_check_residues(a, n, p);
  debug_check_residues(b, n, p);
  switch (kernel) {
    case NttKernel::Avx512: detail::pointwise_mul_avx512(out, a, b, n, barrett(p)); break;
    case NttKernel::Avx2: detail::pointwise_mul_avx2(out, a, b, n, barrett(p)); break;
    case NttKernel::Scalar: detail::pointwise_mul_scalar(out, a, b, n, barrett(p)); break;
  }
}

void mul_acc(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n,
             NttKernel kernel) {
  require_data(n, acc, a, b, "pointwise_mul_acc");
  switch (kernel) {
    case NttKernel::Avx512: detail::pointwise_mul_acc_avx512(acc, a, b, n); break;
    case NttKernel::Avx2: detail::pointwise_mul_acc_avx2(acc, a, b, n); break;
    case NttKernel::Scalar: detail::pointwise_mul_acc_scalar(acc, a, b, n); break;
  }
}

void scaled_acc(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n, NttKernel kernel) {
  require_data(n, acc, a, a, "scalar_mul_acc");
  switch (kernel) {
    case NttKernel::Avx512: detail::scalar_mul_acc_avx512(acc, a, c, n); break;
    case NttKernel::Avx2: detail::scalar_mul_acc_avx2(acc, a, c, n); break;
    case NttKernel::Scalar: detail::scalar_mul_acc_scalar(acc, a, c, n); break;
  }
}

}  // namespace

void pointwise_mul(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p) {
  mul(out, a, b, n, p, ntt_best_kernel());
}

void pointwise_mul(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p,
                   NttKernel kernel) {
  require_kernel(kernel);
  mul(out, a, b, n, p, kernel);
}

void pointwise_mul_acc(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n) {
  mul_acc(acc, a, b, n, ntt_best_kernel());
}

void pointwise_mul_acc(uint64_t* acc, const uint32_t* a, const uint32_t* b, std::size_t n,
                       NttKernel kernel) {
  require_kernel(kernel);
  mul_acc(acc, a, b, n, kernel);
}

void scalar_mul_acc(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n) {
  scaled_acc(acc, a, c, n, ntt_best_kernel());
}

void scalar_mul_acc(uint64_t* acc, const uint32_t* a, uint32_t c, std::size_t n, NttKernel kernel) {
  require_kernel(kernel);
  scaled_acc(acc, a, c, n, kernel);
}

void reduce_accumulator(uint32_t* out, const uint64_t* acc, std::size_t n, const Modulus& p) {
  require_modulus(p.value(), "reduce_accumulator");
  require_data(n, out, acc, acc, "reduce_accumulator");
  const auto q = static_cast<uint32_t>(p.value());
  const uint32_t c = static_cast<uint32_t>((uint64_t{1} << 32) % q);
  const detail::Split64 k{q, c, static_cast<uint32_t>((static_cast<uint64_t>(c) << 32) / q),
                          static_cast<uint32_t>((uint64_t{1} << 32) / q)};
  switch (ntt_best_kernel()) {
    case NttKernel::Avx512: detail::reduce_accumulator_avx512(out, acc, n, k); break;
    case NttKernel::Avx2: detail::reduce_accumulator_avx2(out, acc, n, k); break;
    case NttKernel::Scalar: detail::reduce_accumulator_scalar(out, acc, n, k); break;
  }
}

namespace {

using ElementwiseKernel = void (*)(uint32_t*, const uint32_t*, const uint32_t*, std::size_t, uint32_t);

// The public checks, then the AVX-512, AVX2 or scalar form of an element-wise add or subtract.
void elementwise(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p, const char* what,
                 ElementwiseKernel avx512, ElementwiseKernel avx2, ElementwiseKernel scalar) {
  require_modulus(p, what);
  require_data(n, out, a, b, what);
  debug_check_residues(a, n, p);
  debug_check_residues(b, n, p);
  const NttKernel best = ntt_best_kernel();
  (best == NttKernel::Avx512 ? avx512 : best == NttKernel::Avx2 ? avx2 : scalar)(out, a, b, n, p);
}

}  // namespace

void pointwise_add(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p) {
  elementwise(out, a, b, n, p, "pointwise_add", detail::pointwise_add_avx512, detail::pointwise_add_avx2,
              detail::pointwise_add_scalar);
}

void pointwise_sub(uint32_t* out, const uint32_t* a, const uint32_t* b, std::size_t n, uint32_t p) {
  elementwise(out, a, b, n, p, "pointwise_sub", detail::pointwise_sub_avx512, detail::pointwise_sub_avx2,
              detail::pointwise_sub_scalar);
}


}  // namespace twain::math
