#include "core/cpu_features.hpp"

#include <cstdlib>
#include <cstring>

namespace twain::core {

const CpuFeatures& cpu_features_detected() {
  static const CpuFeatures detected = [] {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.aesni = __builtin_cpu_supports("aes");
    f.avx2 = __builtin_cpu_supports("avx2");
    f.bmi2 = __builtin_cpu_supports("bmi2");
#endif
    return f;
  }();
  return detected;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures effective = [] {
    const char* disable = std::getenv("TWAIN_DISABLE_SIMD");
    if (disable != nullptr && std::strcmp(disable, "1") == 0) return CpuFeatures{};
    return cpu_features_detected();
  }();
  return effective;
}

}  // namespace twain::core
