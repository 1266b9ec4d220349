// The dispatch point of the ot/ AES kernels: 512-bit VAES when the CPU has VAES and AVX-512F,
// 256-bit VAES when it has VAES and AVX2 (either only while TWAIN_DISABLE_SIMD is unset), else
// core::Aes128.
#include "ot/wide_aes.hpp"

#include <array>

#include "core/cpu_features.hpp"
#include "ot/wide_aes_vaes512.hpp"

namespace twain::ot {
namespace {

bool have_vaes() {
  static const bool vaes = [] {
    const core::CpuFeatures& f = core::cpu_features();
    return f.vaes && f.avx2 && f.aesni;
  }();
  return vaes;
}

// Decided once for the process: every WideAes with VAES uses the same register width.
bool have_vaes512() {
  static const bool vaes512 = have_vaes() && core::cpu_features().avx512f;
  return vaes512;
}

// The portable paths work in pieces of this many blocks, kept on the stack.
constexpr std::size_t kFallbackChunk = 64;

// Calls body(done, m) for consecutive pieces [done, done + m) of n, m <= kFallbackChunk.
template <class Body>
void for_pieces(std::size_t n, Body&& body) {
  for (std::size_t done = 0; done < n; done += kFallbackChunk) {
    body(done, n - done < kFallbackChunk ? n - done : kFallbackChunk);
  }
}

}  // namespace

WideAes::WideAes(const core::Block& key) : fallback_(key), vaes_(have_vaes()) {
  if (vaes_) keys_ = detail::vaes_expand_key(key);
}

void WideAes::encrypt(const core::Block* in, core::Block* out, std::size_t n) const {
  if (vaes_) {
    (have_vaes512() ? detail::vaes512_encrypt : detail::vaes_encrypt)(keys_, in, out, n);
  } else {
    fallback_.encrypt(in, out, n);
  }
}

void WideAes::keystream(core::Block counter, core::Block* out, std::size_t n) const {
  if (vaes_) {
    (have_vaes512() ? detail::vaes512_keystream : detail::vaes_keystream)(keys_, counter, out, n);
  } else {
    fallback_.keystream(counter, out, n);
  }
}

void WideAes::keystream_below(core::Block counter, uint32_t bound, uint32_t* out,
                              std::size_t blocks) const {
  if (vaes_) {
    (have_vaes512() ? detail::vaes512_keystream_below : detail::vaes_keystream_below)(keys_, counter, bound,
                                                                                     out, blocks);
    return;
  }
  alignas(16) std::array<core::Block, kFallbackChunk> stream;
  for_pieces(blocks, [&](std::size_t done, std::size_t m) {
    fallback_.keystream(counter.plus(done), stream.data(), m);
    const auto* words = reinterpret_cast<const uint32_t*>(stream.data());
    for (std::size_t j = 0; j < 4 * m; ++j) out[4 * done + j] = detail::scale_below(words[j], bound);
  });
}

void WideAes::tccr_hash(const core::Block* in, uint64_t first_tweak, core::Block* out,
                        std::size_t n) const {
  if (vaes_) {
    (have_vaes512() ? detail::vaes512_tccr_hash : detail::vaes_tccr_hash)(keys_, in, first_tweak, out, n);
    return;
  }
  alignas(16) std::array<core::Block, kFallbackChunk> permuted;
  alignas(16) std::array<core::Block, kFallbackChunk> tweaked;
  for_pieces(n, [&](std::size_t done, std::size_t m) {
    fallback_.encrypt(in + done, permuted.data(), m);
    for (std::size_t k = 0; k < m; ++k) {
      tweaked[k] = permuted[k] ^ core::Block{first_tweak + done + k, 0};
    }
    fallback_.encrypt(tweaked.data(), tweaked.data(), m);
    for (std::size_t k = 0; k < m; ++k) out[done + k] = tweaked[k] ^ permuted[k];
  });
}

void WideAes::tccr_hash_pairs(const core::Block* q, const core::Block& delta, uint64_t first_tweak,
                              core::Block* out0, core::Block* out1, std::size_t stride,
                              std::size_t n) const {
  if (vaes_) {
    (have_vaes512() ? detail::vaes512_tccr_hash_pairs : detail::vaes_tccr_hash_pairs)(
        keys_, q, delta, first_tweak, out0, out1, stride, n);
    return;
  }
  alignas(16) std::array<core::Block, kFallbackChunk> hashed;
  for_pieces(n, [&](std::size_t done, std::size_t m) {
    tccr_hash(q + done, first_tweak + done, hashed.data(), m);
    for (std::size_t k = 0; k < m; ++k) out0[(done + k) * stride] = hashed[k];
    for (std::size_t k = 0; k < m; ++k) hashed[k] = q[done + k] ^ delta;
    tccr_hash(hashed.data(), first_tweak + done, hashed.data(), m);
    for (std::size_t k = 0; k < m; ++k) out1[(done + k) * stride] = hashed[k];
  });
}

namespace {

// sigma({lo, hi}) = {hi, hi ^ lo}.
core::Block sigma(const core::Block& x) { return {x.hi, x.hi ^ x.lo}; }

}  // namespace

HalfTreeHash::HalfTreeHash(const core::Block& key) : pi_(key) {}

core::Block HalfTreeHash::of_zero() const {
  const core::Block zero;
  core::Block out[2];
  expand(&zero, out, 1);
  return out[0];
}

core::Block HalfTreeHash::expand(const core::Block* in, core::Block* out, std::size_t n) const {
  if (pi_.vaes_) {
    return (have_vaes512() ? detail::vaes512_half_tree_expand : detail::vaes_half_tree_expand)(
        pi_.keys_, in, out, n);
  }
  alignas(16) std::array<core::Block, kFallbackChunk> s;
  alignas(16) std::array<core::Block, kFallbackChunk> h;
  core::Block sum;
  for_pieces(n, [&](std::size_t done, std::size_t m) {
    for (std::size_t i = 0; i < m; ++i) s[i] = sigma(in[done + i]);
    pi_.fallback_.encrypt(s.data(), h.data(), m);
    for (std::size_t i = 0; i < m; ++i) {
      const core::Block left = h[i] ^ s[i];
      sum ^= left;
      out[2 * (done + i)] = left;
      out[2 * (done + i) + 1] = in[done + i] ^ left;
    }
  });
  return sum;
}

}  // namespace twain::ot
