// Client side: exact decryption to Z_t, and noise measurement (for tests and diagnostics).
#pragma once

#include <cstdint>
#include <vector>

#include "he/ciphertext.hpp"
#include "he/keys.hpp"

namespace twain::he {

// m = round(t (c0 + c1 s) / Q) mod t for every coefficient.
std::vector<uint64_t> decrypt(const Context& context, const SecretKey& secret, const Ciphertext& ct);
// m = round((c0 + c1 s mod 2^k) / 2^(k - l)) mod t for each kept c0 coefficient, in c0 order.
std::vector<uint64_t> decrypt(const Context& context, const SecretKey& secret, const SwitchedCiphertext& ct);

// The signed noise of every coefficient, e = c0 + c1 s - (Q/t) m with m the decrypted message.
std::vector<double> measure_noise(const Context& context, const SecretKey& secret, const Ciphertext& ct);
// log2 of the largest |e| over the coefficients (-inf when e = 0).
double measure_noise_log2(const Context& context, const SecretKey& secret, const Ciphertext& ct);
double measure_noise_log2(const Context& context, const SecretKey& secret, const SwitchedCiphertext& ct);

}  // namespace twain::he
