// Client side: secret-key encryption with a seeded mask polynomial.
#pragma once

#include <cstdint>
#include <span>

#include "core/prg.hpp"
#include "he/ciphertext.hpp"
#include "he/keys.hpp"

namespace twain::he {

// The noise of a fresh encryption: error plus one randomised rounding.
NoiseEstimate fresh_encryption_noise();

// c1 = a = expand_uniform(seed) with a fresh seed, c0 = -a s + e + round(Q m / t); both in NTT
// form. message: at most n values in [0, t), coefficient j of the plaintext polynomial.
Ciphertext encrypt(const Context& context, const SecretKey& secret, std::span<const uint64_t> message,
                   core::Prg& prg);

}  // namespace twain::he
