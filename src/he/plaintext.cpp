#include "he/plaintext.hpp"

#include <string>
#include <vector>

#include "core/errors.hpp"

namespace twain::he {

NttPlaintext NttPlaintext::from_signed(const Context& context, std::span<const int64_t> coefficients) {
  TWAIN_REQUIRE(coefficients.size() <= context.n(), InvalidArgument,
                "NttPlaintext: " + std::to_string(coefficients.size()) + " coefficients exceed n = " +
                    std::to_string(context.n()));
  NttPlaintext p;
  p.params_id_ = context.id();
  std::vector<int64_t> padded(context.n(), 0);
  for (std::size_t j = 0; j < coefficients.size(); ++j) {
    const int64_t c = coefficients[j];
    TWAIN_REQUIRE(c > -(int64_t{1} << 40) && c < (int64_t{1} << 40), InvalidArgument,
                  "NttPlaintext: coefficient " + std::to_string(j) + " = " + std::to_string(c) +
                      " exceeds 2^40 in magnitude");
    padded[j] = c;
    p.norm2_squared_ += static_cast<double>(c) * static_cast<double>(c);
  }
  p.poly_ = math::RnsPoly(context.rns(), math::PolyForm::Coefficient);
  p.poly_.set_signed(padded);
  p.poly_.to_ntt();
  return p;
}

}  // namespace twain::he
