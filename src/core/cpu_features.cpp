#include "core/cpu_features.hpp"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace twain::core {

namespace {

#if defined(__x86_64__) || defined(__i386__)
// CPUID leaf 7, sub-leaf 0, ECX bit 9 (clang does not know "vaes" for __builtin_cpu_supports).
bool cpuid_has_vaes() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  return (ecx & (1u << 9)) != 0;
}
#endif

}  // namespace

const CpuFeatures& cpu_features_detected() {
  static const CpuFeatures detected = [] {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.aesni = __builtin_cpu_supports("aes");
    f.avx2 = __builtin_cpu_supports("avx2");
    f.bmi2 = __builtin_cpu_supports("bmi2");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512ifma = __builtin_cpu_supports("avx512ifma");
    // VAES needs the AVX register state at least; without AVX2 no kernel here would use it.
    f.vaes = f.avx2 && cpuid_has_vaes();
#endif
    return f;
  }();
  return detected;
}

namespace {

bool environment_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && std::strcmp(value, "1") == 0;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures effective = [] {
    if (environment_set("TWAIN_DISABLE_SIMD")) return CpuFeatures{};
    CpuFeatures f = cpu_features_detected();
    // The AVX2 kernels alone, as on a machine without AVX-512 (comparisons on one machine).
    if (environment_set("TWAIN_DISABLE_AVX512")) f.avx512f = f.avx512dq = f.avx512bw = f.avx512vl = f.avx512ifma = false;
    return f;
  }();
  return effective;
}

}  // namespace twain::core
