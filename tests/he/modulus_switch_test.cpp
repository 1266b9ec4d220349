#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "he/modulus_switch.hpp"
#include "he/params.hpp"
#include "he/scaled_division.hpp"

namespace twain::he {
namespace {

// The residue-only switch equals the exact rounding of 2^k c / Q (128-bit CRT and division) on
// random coefficients and on the edges 0 and Q - 1.
TEST(RnsModulusSwitcher, EqualsExactRounding) {
  const auto context = Context::create(Parameters::standard(37));
  const math::RnsBase& base = context->rns();
  core::Prg prg(core::Seed{41});
  for (int bits : {38, 48, 62}) {
    const RnsModulusSwitcher switcher(base, bits);
    const ScaledDivider exact(base.product(), bits);
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    std::vector<math::u128> values = {0, base.product() - 1, base.product() / 2};
    for (int i = 0; i < 100000; ++i) {
      values.push_back(((static_cast<math::u128>(prg.next_u64()) << 64) | prg.next_u64()) % base.product());
    }
    for (const math::u128 c : values) {
      uint32_t residues[8];
      for (std::size_t i = 0; i < base.size(); ++i) residues[i] = static_cast<uint32_t>(c % base.prime(i));
      ASSERT_EQ(switcher.switch_coefficient(residues, 1), exact.round(c) & mask) << "bits " << bits;
    }
  }
  EXPECT_THROW(RnsModulusSwitcher(base, 63), InvalidArgument);
}

}  // namespace
}  // namespace twain::he
