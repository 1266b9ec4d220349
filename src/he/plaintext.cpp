#include "he/plaintext.hpp"

#include <string>
#include <vector>

#include "core/errors.hpp"

namespace twain::he {

NttPlaintext NttPlaintext::from_signed(const Context& context, std::span<const int64_t> coefficients,
                                       const PlainBound& bound) {
  TWAIN_REQUIRE(coefficients.size() <= context.n(), InvalidArgument,
                "NttPlaintext: " + std::to_string(coefficients.size()) + " coefficients exceed n = " +
                    std::to_string(context.n()));
  TWAIN_REQUIRE(bound.max_abs < (uint64_t{1} << 40) && bound.support <= context.n(), InvalidArgument,
                "NttPlaintext: bound max_abs = " + std::to_string(bound.max_abs) + ", support = " +
                    std::to_string(bound.support) + " is outside max_abs < 2^40, support <= n");
  NttPlaintext p;
  p.params_id_ = context.id();
  p.bound_ = bound;
  std::vector<int64_t> padded(context.n(), 0);
  std::size_t nonzero = 0;
  for (std::size_t j = 0; j < coefficients.size(); ++j) {
    const int64_t c = coefficients[j];
    const uint64_t magnitude = c < 0 ? 0 - static_cast<uint64_t>(c) : static_cast<uint64_t>(c);
    TWAIN_REQUIRE(magnitude <= bound.max_abs, InvalidArgument,
                  "NttPlaintext: coefficient " + std::to_string(j) + " = " + std::to_string(c) +
                      " exceeds the declared bound " + std::to_string(bound.max_abs));
    nonzero += c != 0;
    padded[j] = c;
  }
  TWAIN_REQUIRE(nonzero <= bound.support, InvalidArgument,
                "NttPlaintext: " + std::to_string(nonzero) + " nonzero coefficients exceed the declared support " +
                    std::to_string(bound.support));
  p.poly_ = math::RnsPoly(context.rns(), math::PolyForm::Coefficient);
  p.poly_.set_signed(padded);
  p.poly_.to_ntt();
  return p;
}

}  // namespace twain::he
