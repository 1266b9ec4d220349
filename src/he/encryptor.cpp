#include "he/encryptor.hpp"

#include "he/encoding.hpp"
#include "he/sampling.hpp"

namespace twain::he {

NoiseEstimate fresh_encryption_noise() { return {kErrorVariance + kRoundingVariance, 0}; }

Ciphertext encrypt(const Context& context, const SecretKey& secret, std::span<const uint64_t> message,
                   core::Prg& prg) {
  require_same_parameters(context, secret.params_id, "secret key");
  Ciphertext ct;
  ct.params_id = context.id();
  ct.seed = prg.derive_seed();
  ct.c1 = expand_uniform(context.rns(), *ct.seed);
  ct.c0 = encode_scaled(context, message, prg);
  math::RnsPoly error(context.rns(), math::PolyForm::Coefficient);
  error.set_signed(sample_error(context.n(), prg));
  ct.c0 += error;
  ct.c0.to_ntt();
  math::RnsPoly a_s = ct.c1;
  a_s.mul_pointwise(secret.s);
  ct.c0 -= a_s;
  ct.noise = fresh_encryption_noise();
  return ct;
}

}  // namespace twain::he
