#include "math/rns.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "math/pointwise.hpp"

namespace twain::math {

std::shared_ptr<const RnsBase> RnsBase::create(std::size_t n, const std::vector<uint64_t>& primes) {
  return std::shared_ptr<const RnsBase>(new RnsBase(n, primes));
}

RnsBase::RnsBase(std::size_t n, const std::vector<uint64_t>& primes) : n_(n) {
  TWAIN_REQUIRE(!primes.empty() && primes.size() <= 8, InvalidArgument, "RnsBase: between 1 and 8 primes are required");
  double bits = 0;
  for (std::size_t i = 0; i < primes.size(); ++i) {
    TWAIN_REQUIRE(primes[i] < (uint64_t{1} << 30), InvalidArgument,
                  "RnsBase: prime " + std::to_string(primes[i]) + " is not below 2^30");
    for (std::size_t j = 0; j < i; ++j) {
      TWAIN_REQUIRE(primes[j] != primes[i], InvalidArgument,
                    "RnsBase: prime " + std::to_string(primes[i]) + " appears twice");
    }
    bits += std::log2(static_cast<double>(primes[i]));
  }
  TWAIN_REQUIRE(bits < 120, InvalidArgument, "RnsBase: the product of the primes must stay below 2^120");
  tables_.reserve(primes.size());
  for (uint64_t p : primes) tables_.emplace_back(n, p);
  for (std::size_t i = 0; i < primes.size(); ++i) {
    const Modulus& q = tables_[i].modulus();
    for (std::size_t j = 0; j < i; ++j) {
      inverse_.push_back(q.inv(q.reduce(primes[j])));
      inverse_shoup_.push_back(shoup_precompute(inverse_.back(), primes[i]));
    }
    digit_offset_.push_back(((uint64_t{1} << 30) / primes[i] + 1) * primes[i]);
    product_ *= primes[i];
  }
}

bool RnsBase::same_as(const RnsBase& other) const {
  if (this == &other) return true;
  if (n_ != other.n_ || size() != other.size()) return false;
  for (std::size_t i = 0; i < size(); ++i)
    if (prime(i) != other.prime(i)) return false;
  return true;
}

double RnsBase::product_log2() const {
  double bits = 0;
  for (const auto& t : tables_) bits += std::log2(static_cast<double>(t.p()));
  return bits;
}

u128 RnsBase::reconstruct(const uint32_t* residues, std::size_t stride) const {
  // Garner: mixed-radix digits d_i from residues alone (small Shoup products), then
  // x = d_0 + q_0 (d_1 + q_1 (d_2 + ...)) with a few 128-bit multiply-adds.
  constexpr std::size_t kMaxLimbs = 8;
  uint64_t digits[kMaxLimbs];
  const std::size_t limbs = std::min(tables_.size(), kMaxLimbs);
  const uint64_t* inverse = inverse_.data();
  const uint64_t* inverse_shoup = inverse_shoup_.data();
  for (std::size_t i = 0; i < limbs; ++i) {
    const uint64_t q = tables_[i].p();
    uint64_t t = residues[i * stride];
    for (std::size_t j = 0; j < i; ++j, ++inverse, ++inverse_shoup) {
      t = mul_shoup(t + digit_offset_[i] - digits[j], *inverse, *inverse_shoup, q);
    }
    digits[i] = t;
  }
  u128 value = digits[limbs - 1];
  for (std::size_t i = limbs - 1; i-- > 0;) value = value * tables_[i].p() + digits[i];
  return value;
}

RnsPoly::RnsPoly(const RnsBase& base, PolyForm form)
    : base_(base.shared_from_this()), form_(form), data_(base.size() * base.n(), 0) {}

void RnsPoly::require_compatible(const RnsPoly& other, const char* operation) const {
  TWAIN_REQUIRE(same_base(other), InvalidArgument,
                std::string("RnsPoly::") + operation + ": operands use different RNS bases");
  TWAIN_REQUIRE(form_ == other.form_, InvalidArgument,
                std::string("RnsPoly::") + operation + ": operands are in different forms");
}

void RnsPoly::to_ntt() {
  TWAIN_REQUIRE(form_ == PolyForm::Coefficient, InvalidArgument, "RnsPoly::to_ntt: already in NTT form");
  for (std::size_t i = 0; i < limbs(); ++i) ntt_forward(limb(i), base_->ntt(i));
  form_ = PolyForm::Ntt;
}

void RnsPoly::to_coefficients() {
  TWAIN_REQUIRE(form_ == PolyForm::Ntt, InvalidArgument, "RnsPoly::to_coefficients: already in coefficient form");
  for (std::size_t i = 0; i < limbs(); ++i) ntt_inverse(limb(i), base_->ntt(i));
  form_ = PolyForm::Coefficient;
}

RnsPoly& RnsPoly::operator+=(const RnsPoly& other) {
  require_compatible(other, "add");
  for (std::size_t i = 0; i < limbs(); ++i) pointwise_add(limb(i), limb(i), other.limb(i), n(), base_->prime(i));
  return *this;
}

RnsPoly& RnsPoly::operator-=(const RnsPoly& other) {
  require_compatible(other, "sub");
  for (std::size_t i = 0; i < limbs(); ++i) pointwise_sub(limb(i), limb(i), other.limb(i), n(), base_->prime(i));
  return *this;
}

void RnsPoly::negate() {
  for (std::size_t i = 0; i < limbs(); ++i) {
    const uint32_t p = base_->prime(i);
    uint32_t* a = limb(i);
    for (std::size_t j = 0; j < n(); ++j) a[j] = a[j] == 0 ? 0 : p - a[j];
  }
}

void RnsPoly::mul_pointwise(const RnsPoly& other) {
  require_compatible(other, "mul_pointwise");
  TWAIN_REQUIRE(form_ == PolyForm::Ntt, InvalidArgument, "RnsPoly::mul_pointwise: operands must be in NTT form");
  for (std::size_t i = 0; i < limbs(); ++i) pointwise_mul(limb(i), limb(i), other.limb(i), n(), base_->prime(i));
}

void RnsPoly::set_signed(std::span<const int64_t> coefficients) {
  TWAIN_REQUIRE(form_ == PolyForm::Coefficient, InvalidArgument, "RnsPoly::set_signed: needs coefficient form");
  TWAIN_REQUIRE(coefficients.size() == n(), InvalidArgument,
                "RnsPoly::set_signed: expected " + std::to_string(n()) + " coefficients, got " +
                    std::to_string(coefficients.size()));
  for (std::size_t i = 0; i < limbs(); ++i) {
    const uint64_t q = base_->prime(i);
    // Adding offset = K q >= 2^62 makes every |c| < 2^62 non-negative without a sign branch
    // (the coefficients are often secret); Shoup's product by 1 then reduces it.
    const uint64_t offset = ((uint64_t{1} << 62) / q + 1) * q;
    const uint64_t one_shoup = shoup_precompute(1, q);
    uint32_t* a = limb(i);
    for (std::size_t j = 0; j < n(); ++j) {
      TWAIN_DEBUG_CHECK(coefficients[j] > -(int64_t{1} << 62) && coefficients[j] < (int64_t{1} << 62),
                        "RnsPoly::set_signed: coefficient beyond 2^62");
      const uint64_t shifted = static_cast<uint64_t>(coefficients[j]) + offset;
      a[j] = static_cast<uint32_t>(mul_shoup(shifted, 1, one_shoup, q));
    }
  }
}

RnsAccumulator::RnsAccumulator(const RnsBase& base)
    : base_(base.shared_from_this()), acc_(base.size() * base.n(), 0) {
  uint64_t largest = 0;
  for (std::size_t i = 0; i < base.size(); ++i) largest = std::max<uint64_t>(largest, base.prime(i));
  const u128 square = static_cast<u128>(largest - 1) * (largest - 1);
  // After a reduction every entry is below p, so (2^64 - 1 - p) / (p - 1)^2 more products fit.
  capacity_ = static_cast<std::size_t>((~uint64_t{0} - largest) / square);
}

void RnsAccumulator::reduce_in_place() {
  const std::size_t n = base_->n();
  for (std::size_t i = 0; i < base_->size(); ++i) {
    const Modulus& q = base_->modulus(i);
    uint64_t* a = acc_.data() + i * n;
    for (std::size_t j = 0; j < n; ++j) a[j] = q.reduce(a[j]);
  }
  since_reduction_ = 0;
}

void RnsAccumulator::add_product(const RnsPoly& a, const RnsPoly& b) {
  TWAIN_REQUIRE(b.base().same_as(*base_), InvalidArgument, "RnsAccumulator: operands use a different RNS base");
  TWAIN_REQUIRE(b.form() == PolyForm::Ntt, InvalidArgument, "RnsAccumulator: operands must be in NTT form");
  add_product(a, b.data());
}

void RnsAccumulator::add_product(const RnsPoly& a, std::span<const uint32_t> b_ntt) {
  TWAIN_REQUIRE(a.base().same_as(*base_), InvalidArgument, "RnsAccumulator: operands use a different RNS base");
  TWAIN_REQUIRE(a.form() == PolyForm::Ntt, InvalidArgument, "RnsAccumulator: operands must be in NTT form");
  const std::size_t n = base_->n();
  TWAIN_REQUIRE(b_ntt.size() == base_->size() * n, InvalidArgument,
                "RnsAccumulator: " + std::to_string(b_ntt.size()) + " words for " + std::to_string(base_->size()) +
                    " limbs of " + std::to_string(n));
  if (since_reduction_ == capacity_) reduce_in_place();
  for (std::size_t i = 0; i < base_->size(); ++i)
    pointwise_mul_acc(acc_.data() + i * n, a.limb(i), b_ntt.data() + i * n, n);
  ++since_reduction_;
  ++products_;
}

void RnsAccumulator::add_scaled(const RnsPoly& a, std::span<const uint32_t> c) {
  TWAIN_REQUIRE(a.base().same_as(*base_) && c.size() == base_->size(), InvalidArgument,
                "RnsAccumulator: operand of a different RNS base, or " + std::to_string(c.size()) +
                    " residues for " + std::to_string(base_->size()) + " limbs");
  TWAIN_REQUIRE(a.form() == PolyForm::Ntt, InvalidArgument, "RnsAccumulator: operand must be in NTT form");
  for (std::size_t i = 0; i < c.size(); ++i)
    TWAIN_REQUIRE(c[i] < base_->prime(i), InvalidArgument, "RnsAccumulator: a residue is not below its prime");
  if (since_reduction_ == capacity_) reduce_in_place();
  const std::size_t n = base_->n();
  for (std::size_t i = 0; i < base_->size(); ++i) scalar_mul_acc(acc_.data() + i * n, a.limb(i), c[i], n);
  ++since_reduction_;
  ++products_;
}

RnsPoly RnsAccumulator::result() const {
  RnsPoly out(*base_, PolyForm::Ntt);
  const std::size_t n = base_->n();
  for (std::size_t i = 0; i < base_->size(); ++i) {
    reduce_accumulator(out.limb(i), acc_.data() + i * n, n, base_->modulus(i));
  }
  return out;
}

}  // namespace twain::math
