// Secret and public keys. The secret key is ternary; the public key is a seeded RLWE sample,
// used only by the server to re-randomise responses (encryptions of zero) for circuit privacy.
#pragma once

#include "core/prg.hpp"
#include "he/params.hpp"

namespace twain::he {

struct SecretKey {
  uint64_t params_id = 0;
  math::RnsPoly s;  // NTT form
};

struct PublicKey {
  uint64_t params_id = 0;
  core::Seed seed{};  // p1 = expand_uniform(seed)
  math::RnsPoly p0;   // -p1 s + e, NTT form
  math::RnsPoly p1;   // NTT form
};

SecretKey generate_secret_key(const Context& context, core::Prg& prg);
PublicKey generate_public_key(const Context& context, const SecretKey& secret, core::Prg& prg);

}  // namespace twain::he
