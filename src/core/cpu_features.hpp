// Run-time detection of the CPU features twain's kernels dispatch on.
#pragma once

namespace twain::core {

struct CpuFeatures {
  bool aesni = false;
  bool avx2 = false;
  bool bmi2 = false;
};

// Detected once; TWAIN_DISABLE_SIMD=1 in the environment forces the portable kernels everywhere.
const CpuFeatures& cpu_features();

// What the machine has, ignoring TWAIN_DISABLE_SIMD (tests use it to decide whether to skip).
const CpuFeatures& cpu_features_detected();

}  // namespace twain::core
