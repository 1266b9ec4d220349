// The dispatch point of the ot/ AES kernels: VAES when the CPU has VAES and AVX2 (and
// TWAIN_DISABLE_SIMD is unset), else core::Aes128.
#include "ot/wide_aes.hpp"

#include <array>

#include "core/cpu_features.hpp"

namespace twain::ot {
namespace {

bool have_vaes() {
  static const bool vaes = [] {
    const core::CpuFeatures& f = core::cpu_features();
    if (!f.avx2 || !f.aesni) return false;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("vaes") != 0;
#else
    return false;
#endif
  }();
  return vaes;
}

}  // namespace

WideAes::WideAes(const core::Block& key) : fallback_(key), vaes_(have_vaes()) {
  if (vaes_) keys_ = detail::vaes_expand_key(key);
}

void WideAes::encrypt(const core::Block* in, core::Block* out, std::size_t n) const {
  if (vaes_) {
    detail::vaes_encrypt(keys_, in, out, n);
  } else {
    fallback_.encrypt(in, out, n);
  }
}

void WideAes::keystream(core::Block counter, core::Block* out, std::size_t n) const {
  if (vaes_) {
    detail::vaes_keystream(keys_, counter, out, n);
  } else {
    fallback_.keystream(counter, out, n);
  }
}

WideAesPair::WideAesPair(const core::Block& left_key, const core::Block& right_key)
    : left_(left_key), right_(right_key) {}

void WideAesPair::expand(const core::Block* in, core::Block* out, std::size_t n) const {
  if (left_.vaes_) {
    detail::vaes_expand_pair(left_.keys_, right_.keys_, in, out, n);
    return;
  }
  constexpr std::size_t kChunk = 64;
  alignas(16) std::array<core::Block, kChunk> l;
  alignas(16) std::array<core::Block, kChunk> r;
  for (std::size_t done = 0; done < n; done += kChunk) {
    const std::size_t m = n - done < kChunk ? n - done : kChunk;
    left_.fallback_.encrypt(in + done, l.data(), m);
    right_.fallback_.encrypt(in + done, r.data(), m);
    for (std::size_t i = 0; i < m; ++i) {
      out[2 * (done + i)] = l[i] ^ in[done + i];
      out[2 * (done + i) + 1] = r[i] ^ in[done + i];
    }
  }
}

}  // namespace twain::ot
