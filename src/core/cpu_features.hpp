// Run-time detection of the CPU features twain's kernels dispatch on.
#pragma once

namespace twain::core {

struct CpuFeatures {
  bool aesni = false;
  bool avx2 = false;
  bool bmi2 = false;
  // AVX-512 subsets (each implies that the OS saves the 512-bit state; checked by the compiler's
  // run-time detection through XGETBV).
  bool avx512f = false;
  bool avx512dq = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512ifma = false;
  // VAES (CPUID leaf 7, ECX bit 9): AES rounds on 256-bit registers with AVX2, and on 512-bit
  // registers when avx512f is also set.
  bool vaes = false;
};

// Detected once; TWAIN_DISABLE_SIMD=1 in the environment forces the portable kernels everywhere
// (every field false), TWAIN_DISABLE_AVX512=1 the AVX2 ones (the avx512 fields false).
const CpuFeatures& cpu_features();

// What the machine has, ignoring TWAIN_DISABLE_SIMD (tests use it to decide whether to skip).
const CpuFeatures& cpu_features_detected();

}  // namespace twain::core
