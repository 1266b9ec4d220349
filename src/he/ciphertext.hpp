// Ciphertexts: full-modulus RLWE pairs (c0, c1) with c0 + c1 s = round(Q m / t) + e, and the
// small responses left after switching the modulus down to a power of two.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/prg.hpp"
#include "he/noise.hpp"
#include "he/params.hpp"

namespace twain::he {

struct Ciphertext {
  uint64_t params_id = 0;
  math::RnsPoly c0;
  math::RnsPoly c1;
  // Set while c1 = expand_uniform(seed): only the seed goes on the wire.
  std::optional<core::Seed> seed;
  NoiseEstimate noise;
  // Set by rerandomize and flood; a ciphertext carrying products is switched only after both.
  bool rerandomized = false;
  bool flooded = false;
};

// A ciphertext mod 2^bits: c0 + c1 s = 2^(bits - l) m + e (mod 2^bits). c0 may hold only the
// coefficients listed in c0_indices (all n when empty); c1 always holds all n.
struct SwitchedCiphertext {
  uint64_t params_id = 0;
  int bits = 0;
  std::vector<uint32_t> c0_indices;
  std::vector<uint64_t> c0;
  std::vector<uint64_t> c1;
};

}  // namespace twain::he
