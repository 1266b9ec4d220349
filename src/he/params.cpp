#include "he/params.hpp"

#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "core/hash.hpp"
#include "math/primes.hpp"

namespace twain::he {

Parameters Parameters::standard(int plain_bits) {
  Parameters p;
  p.n = 4096;
  // Four primes = 1 mod 8192: 28 + 3 * 27 bits gives log2 Q just below 109.
  auto primes = math::ntt_primes(28, 1, p.n);
  for (uint64_t q : math::ntt_primes(27, 3, p.n)) primes.push_back(q);
  p.primes = primes;
  p.plain_bits = plain_bits;
  return p;
}

Parameters Parameters::insecure_for_tests(std::size_t n, int prime_bits, std::size_t prime_count, int plain_bits) {
  Parameters p;
  p.n = n;
  p.primes = math::ntt_primes(prime_bits, prime_count, n);
  p.plain_bits = plain_bits;
  p.insecure_allowed = true;
  return p;
}

int max_modulus_bits_128(std::size_t n) {
  switch (n) {
    case 1024: return 27;
    case 2048: return 54;
    case 4096: return 109;
    case 8192: return 218;
    case 16384: return 438;
    case 32768: return 881;
    default: return 0;
  }
}

std::shared_ptr<const Context> Context::create(const Parameters& parameters) {
  const std::size_t n = parameters.n;
  TWAIN_REQUIRE(n >= 8 && n <= 32768 && (n & (n - 1)) == 0, ParameterError,
                "HE parameters: n = " + std::to_string(n) + " is not a power of two in [8, 32768]");
  TWAIN_REQUIRE(!parameters.primes.empty() && parameters.primes.size() <= 8, ParameterError,
                "HE parameters: between 1 and 8 primes are required");
  double q_bits = 0;
  for (uint64_t q : parameters.primes) {
    TWAIN_REQUIRE(q < (uint64_t{1} << 30) && math::is_prime(q) && q % (2 * n) == 1, ParameterError,
                  "HE parameters: " + std::to_string(q) + " is not a prime below 2^30 equal to 1 mod 2n");
    q_bits += std::log2(static_cast<double>(q));
  }
  TWAIN_REQUIRE(std::set<uint64_t>(parameters.primes.begin(), parameters.primes.end()).size() == parameters.primes.size(),
                ParameterError, "HE parameters: the primes must be distinct");
  const int limit = max_modulus_bits_128(n);
  if (!parameters.insecure_allowed) {
    std::ostringstream why;
    why << "HE parameters: log2 Q = " << q_bits << " with n = " << n
        << " is outside the 128-bit HomomorphicEncryption.org table (limit " << limit
        << " bits); use Parameters::insecure_for_tests only in tests";
    TWAIN_REQUIRE(limit > 0 && q_bits <= limit, ParameterError, why.str());
  }
  TWAIN_REQUIRE(parameters.plain_bits >= 2 && parameters.plain_bits <= 60, ParameterError,
                "HE parameters: plain_bits = " + std::to_string(parameters.plain_bits) + " is outside [2, 60]");
  TWAIN_REQUIRE(q_bits >= parameters.plain_bits + 20, ParameterError,
                "HE parameters: Q must exceed the plaintext modulus by at least 20 bits");
  // One live Context per parameter id, so that equal ids always mean shared tables.
  static std::mutex mutex;
  static std::map<uint64_t, std::weak_ptr<const Context>> live;
  const uint64_t id = parameters_id(parameters);
  std::lock_guard<std::mutex> lock(mutex);
  std::erase_if(live, [](const auto& entry) { return entry.second.expired(); });
  if (auto existing = live[id].lock()) return existing;
  auto context = std::make_shared<const Context>(parameters, id);
  live[id] = context;
  return context;
}

uint64_t parameters_id(const Parameters& parameters) {
  core::Sha256 h;
  h.update("twain.he.Parameters.v1").update_u64(parameters.n).update_u64(static_cast<uint64_t>(parameters.plain_bits));
  h.update_u64(parameters.primes.size());
  for (uint64_t q : parameters.primes) h.update_u64(q);
  const core::Digest d = h.finish();
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id |= static_cast<uint64_t>(d[i]) << (8 * i);
  return id;
}

Context::Context(const Parameters& parameters, uint64_t id)
    : parameters_(parameters),
      rns_(math::RnsBase::create(parameters.n, parameters.primes)),
      plain_mask_((uint64_t{1} << parameters.plain_bits) - 1),
      id_(id),
      q_log2_(rns_->product_log2()) {
  const math::u128 q = rns_->product();
  delta_ = q >> parameters.plain_bits;
  rho_ = q & plain_mask_;
  for (std::size_t i = 0; i < rns_->size(); ++i) delta_residues_.push_back(static_cast<uint64_t>(delta_ % rns_->prime(i)));
}

std::string Context::describe() const {
  std::ostringstream s;
  s << "n=" << n() << " log2Q=" << q_log2() << " limbs=" << rns_->size() << " t=2^" << plain_bits();
  return s.str();
}

void require_same_parameters(const Context& context, uint64_t object_id, const char* what) {
  TWAIN_REQUIRE(object_id == context.id(), ParameterError,
                std::string(what) + " was made under different HE parameters than this context");
}

}  // namespace twain::he
