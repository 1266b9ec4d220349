// Primality and generation of NTT-friendly primes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace twain::math {

// Deterministic Miller-Rabin for all 64-bit n.
bool is_prime(uint64_t n);

// `count` distinct primes p with exactly `bits` bits (2^(bits-1) < p < 2^bits) and p = 1 mod 2n,
// largest first. 10 <= bits <= 61, n a power of two. Throws InvalidArgument if too few exist.
std::vector<uint64_t> ntt_primes(int bits, std::size_t count, std::size_t n);

// The smallest primitive (2n)-th root of unity modulo prime p (deterministic, so tables are stable).
uint64_t minimal_primitive_root(std::size_t two_n, uint64_t p);

}  // namespace twain::math
