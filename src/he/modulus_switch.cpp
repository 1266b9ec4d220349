#include "he/modulus_switch.hpp"

#include "core/errors.hpp"

namespace twain::he {

RnsModulusSwitcher::RnsModulusSwitcher(const math::RnsBase& base, int bits)
    : mask_((uint64_t{1} << bits) - 1) {
  TWAIN_REQUIRE(bits >= 1 && bits <= 62, InvalidArgument, "modulus switch: bits must be in [1, 62]");
  for (std::size_t i = 0; i < base.size(); ++i) {
    const math::Modulus& q = base.modulus(i);
    uint64_t hat = 1;
    for (std::size_t j = 0; j < base.size(); ++j)
      if (j != i) hat = q.mul(hat, q.reduce(static_cast<uint64_t>(base.prime(j))));
    primes_.push_back(q.value());
    hat_inverse_.push_back(q.inv(hat));
    hat_inverse_shoup_.push_back(math::shoup_precompute(hat_inverse_.back(), q.value()));
    scaled_.push_back((math::u128{1} << (bits + 64)) / q.value());
  }
}

}  // namespace twain::he
