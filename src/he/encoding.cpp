#include "he/encoding.hpp"

#include <string>

#include "core/errors.hpp"

namespace twain::he {

math::RnsPoly encode_scaled(const Context& context, std::span<const uint64_t> message, core::Prg& prg) {
  const std::size_t n = context.n();
  TWAIN_REQUIRE(message.size() <= n, InvalidArgument,
                "encode: " + std::to_string(message.size()) + " values do not fit in n = " + std::to_string(n));
  const int l = context.plain_bits();
  const uint64_t mask = context.plain_mask();
  std::vector<uint64_t> random(message.size());
  prg.fill(random.data(), random.size() * sizeof(uint64_t));

  // Q m / t = delta m + (rho m) / t: integer part delta m + floor(rho m / t), fraction (rho m mod t) / t.
  std::vector<uint64_t> carry(message.size());
  for (std::size_t j = 0; j < message.size(); ++j) {
    const uint64_t m = message[j];
    TWAIN_DEBUG_CHECK(m <= mask, "encode: message value not reduced mod t");
    const math::u128 rho_m = context.rho() * m;
    const uint64_t fraction = static_cast<uint64_t>(rho_m) & mask;
    // Round up with probability fraction / t: compare against a uniform l-bit value, branch-free.
    const uint64_t up = static_cast<uint64_t>((random[j] & mask) < fraction);
    carry[j] = static_cast<uint64_t>(rho_m >> l) + up;
  }
  math::RnsPoly out(context.rns(), math::PolyForm::Coefficient);
  for (std::size_t i = 0; i < context.rns().size(); ++i) {
    const uint64_t q = context.rns().prime(i);
    const uint64_t delta = context.delta_residues()[i];
    const uint64_t delta_shoup = math::shoup_precompute(delta, q);
    const uint64_t one_shoup = math::shoup_precompute(1, q);
    uint32_t* limb = out.limb(i);
    // Shoup products accept any 64-bit operand, so m and the carry need no prior reduction.
    for (std::size_t j = 0; j < message.size(); ++j) {
      const uint64_t sum = math::mul_shoup(message[j], delta, delta_shoup, q) + math::mul_shoup(carry[j], 1, one_shoup, q);
      limb[j] = static_cast<uint32_t>(sum >= q ? sum - q : sum);
    }
  }
  return out;
}

}  // namespace twain::he
