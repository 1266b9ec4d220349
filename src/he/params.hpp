// RLWE parameters (a plain struct) and the validated, immutable context built from them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "math/modarith.hpp"
#include "math/rns.hpp"

namespace twain::he {

// What a caller chooses. Validated once by Context::create.
struct Parameters {
  std::size_t n = 4096;          // ring dimension: Z_Q[X]/(X^n + 1)
  std::vector<uint64_t> primes;  // Q = product; each prime < 2^30 and = 1 mod 2n
  int plain_bits = 37;           // plaintext modulus t = 2^plain_bits (the share ring Z_{2^l})
  // Parameters outside the 128-bit HomomorphicEncryption.org table are refused unless this is
  // set, which only insecure_for_tests() does.
  bool insecure_allowed = false;

  // N = 4096 and four ~27-bit primes, log2 Q ~ 108.9 (<= 109, the 128-bit bound for N = 4096).
  static Parameters standard(int plain_bits);
  // Any size, for fast tests of logic. NOT SECURE: the name says so and the flag is set.
  static Parameters insecure_for_tests(std::size_t n, int prime_bits, std::size_t prime_count, int plain_bits);
};

// Largest log2(Q) giving 128-bit classical security for a ternary secret and error of standard
// deviation 3.2 (HomomorphicEncryption.org standard, 2018, table 1); 0 for an unlisted n.
int max_modulus_bits_128(std::size_t n);

// The parameters checked and expanded into the tables every operation needs. Shared, immutable.
class Context {
 public:
  // Throws ParameterError for insecure or inconsistent parameters. Equal parameters give the
  // same Context object while one is alive, so objects made under either interoperate.
  static std::shared_ptr<const Context> create(const Parameters& parameters);

  const Parameters& parameters() const { return parameters_; }
  const math::RnsBase& rns() const { return *rns_; }
  std::size_t n() const { return parameters_.n; }
  int plain_bits() const { return parameters_.plain_bits; }
  uint64_t plain_mask() const { return plain_mask_; }
  math::u128 q() const { return rns_->product(); }
  double q_log2() const { return q_log2_; }
  // 64-bit digest of the parameters; every object carries the id of the context that made it.
  uint64_t id() const { return id_; }
  // Q = t * delta + rho, with delta = floor(Q / t) and rho = Q mod t.
  math::u128 delta() const { return delta_; }
  math::u128 rho() const { return rho_; }
  // delta mod q_i, for each prime.
  const std::vector<uint64_t>& delta_residues() const { return delta_residues_; }
  std::string describe() const;

  Context(const Parameters& parameters, uint64_t id);

 private:
  Parameters parameters_;
  std::shared_ptr<const math::RnsBase> rns_;
  uint64_t plain_mask_;
  uint64_t id_;
  double q_log2_;  // computed once: planners ask for it per candidate
  math::u128 delta_, rho_;
  std::vector<uint64_t> delta_residues_;
};

using ContextPtr = std::shared_ptr<const Context>;

// The id a Context made from these parameters carries (a digest of n, t and the primes).
uint64_t parameters_id(const Parameters& parameters);

// Throws ParameterError unless an object made under `object_id` may be used with `context`.
void require_same_parameters(const Context& context, uint64_t object_id, const char* what);

}  // namespace twain::he
