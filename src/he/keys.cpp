#include "he/keys.hpp"

#include "he/sampling.hpp"

namespace twain::he {

SecretKey generate_secret_key(const Context& context, core::Prg& prg) {
  SecretKey key{context.id(), math::RnsPoly(context.rns(), math::PolyForm::Coefficient)};
  key.s.set_signed(sample_ternary(context.n(), prg));
  key.s.to_ntt();
  return key;
}

PublicKey generate_public_key(const Context& context, const SecretKey& secret, core::Prg& prg) {
  require_same_parameters(context, secret.params_id, "secret key");
  PublicKey pk;
  pk.params_id = context.id();
  pk.seed = prg.derive_seed();
  pk.p1 = expand_uniform(context.rns(), pk.seed);
  pk.p0 = math::RnsPoly(context.rns(), math::PolyForm::Coefficient);
  pk.p0.set_signed(sample_error(context.n(), prg));
  pk.p0.to_ntt();
  math::RnsPoly a_s = pk.p1;
  a_s.mul_pointwise(secret.s);
  pk.p0 -= a_s;
  return pk;
}

}  // namespace twain::he
