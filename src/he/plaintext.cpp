#include "he/plaintext.hpp"

#include <string>
#include <vector>

#include "core/errors.hpp"

namespace twain::he {

namespace {

void check_bound(const Context& context, const PlainBound& bound) {
  TWAIN_REQUIRE(bound.max_abs < (uint64_t{1} << 40) && bound.support <= context.n(), InvalidArgument,
                "NttPlaintext: bound max_abs = " + std::to_string(bound.max_abs) + ", support = " +
                    std::to_string(bound.support) + " is outside max_abs < 2^40, support <= n");
}

uint64_t magnitude(int64_t c) { return c < 0 ? 0 - static_cast<uint64_t>(c) : static_cast<uint64_t>(c); }

}  // namespace

NttPlaintext NttPlaintext::from_signed(const Context& context, std::span<const int64_t> coefficients,
                                       const PlainBound& bound) {
  TWAIN_REQUIRE(coefficients.size() <= context.n(), InvalidArgument,
                "NttPlaintext: " + std::to_string(coefficients.size()) + " coefficients exceed n = " +
                    std::to_string(context.n()));
  check_bound(context, bound);
  NttPlaintext p;
  p.params_id_ = context.id();
  p.bound_ = bound;
  std::vector<int64_t> padded(context.n(), 0);
  std::size_t nonzero = 0;
  for (std::size_t j = 0; j < coefficients.size(); ++j) {
    const int64_t c = coefficients[j];
    TWAIN_REQUIRE(magnitude(c) <= bound.max_abs, InvalidArgument,
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

NttPlaintext NttPlaintext::view(const Context& context, std::span<const uint32_t> ntt, const PlainBound& bound) {
  check_bound(context, bound);
  TWAIN_REQUIRE(ntt.size() == context.n() * context.rns().size(), InvalidArgument,
                "NttPlaintext: a view of " + std::to_string(ntt.size()) + " words where the parameters take " +
                    std::to_string(context.n() * context.rns().size()));
  NttPlaintext p;
  p.params_id_ = context.id();
  p.bound_ = bound;
  p.view_ = ntt;
  return p;
}

NttPlaintext NttPlaintext::constant(const Context& context, int64_t c, const PlainBound& bound) {
  check_bound(context, bound);
  TWAIN_REQUIRE(magnitude(c) <= bound.max_abs && bound.support >= (c != 0 ? 1U : 0U), InvalidArgument,
                "NttPlaintext: constant " + std::to_string(c) + " exceeds the declared bound " +
                    std::to_string(bound.max_abs) + " (support " + std::to_string(bound.support) + ")");
  NttPlaintext p;
  p.params_id_ = context.id();
  p.bound_ = bound;
  const math::RnsBase& rns = context.rns();
  for (std::size_t i = 0; i < rns.size(); ++i) {
    const int64_t q = rns.prime(i);
    p.residues_.push_back(static_cast<uint32_t>(((c % q) + q) % q));
  }
  return p;
}

NttPlaintext NttPlaintext::constant_from_residues(const Context& context, std::span<const uint32_t> residues,
                                                 const PlainBound& bound) {
  check_bound(context, bound);
  const math::RnsBase& rns = context.rns();
  TWAIN_REQUIRE(residues.size() == rns.size(), InvalidArgument,
                "NttPlaintext: " + std::to_string(residues.size()) + " residues for " + std::to_string(rns.size()) +
                    " limbs");
  for (std::size_t i = 0; i < rns.size(); ++i)
    TWAIN_REQUIRE(residues[i] < rns.prime(i), InvalidArgument,
                  "NttPlaintext: residue " + std::to_string(i) + " is not below its prime");
  NttPlaintext p;
  p.params_id_ = context.id();
  p.bound_ = bound;
  p.residues_.assign(residues.begin(), residues.end());
  return p;
}

std::span<const uint32_t> NttPlaintext::ntt() const {
  TWAIN_REQUIRE(!is_constant(), InvalidArgument, "NttPlaintext: a constant has no stored polynomial");
  return poly_.empty() ? view_ : poly_.data();
}

std::span<const uint32_t> NttPlaintext::residues() const {
  TWAIN_REQUIRE(is_constant(), InvalidArgument, "NttPlaintext: only a constant is kept as residues");
  return residues_;
}

std::size_t NttPlaintext::memory_bytes() const {
  // A view's words belong to its owner.
  return sizeof(NttPlaintext) + (residues_.size() + poly_.data().size()) * sizeof(uint32_t);
}

}  // namespace twain::he
