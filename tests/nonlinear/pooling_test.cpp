// MaxPool (direct and separable trees), ArgMax, top-k and exact division against plaintext.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "nonlinear/pooling.hpp"
#include "nonlinear_test_support.hpp"

namespace twain::nonlinear {
namespace {

using testing::Shared;

// Plaintext MaxPool by direct loops over each window, padded positions skipped.
// The output extents are the oracle's own (the ONNX / PyTorch ceil-mode rule written out), not
// the geometry's.
int oracle_extent(int size, int kernel, int stride, int pad_a, int pad_b, bool ceil_mode) {
  const int span = size + pad_a + pad_b - kernel;
  int out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= size + pad_a) --out;  // the last window must start inside
  return out;
}

std::vector<int64_t> plain_maxpool(const std::vector<int64_t>& x, const core::Pool2dGeometry& s) {
  std::vector<int64_t> out;
  const int out_h = oracle_extent(s.height, s.kernel_h, s.stride_h, s.pad_top, s.pad_bottom, s.ceil_mode);
  const int out_w = oracle_extent(s.width, s.kernel_w, s.stride_w, s.pad_left, s.pad_right, s.ceil_mode);
  EXPECT_EQ(out_h, s.output_height());
  EXPECT_EQ(out_w, s.output_width());
  for (std::size_t c = 0; c < static_cast<std::size_t>(s.channels); ++c) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        int64_t best = std::numeric_limits<int64_t>::min();
        for (int dy = 0; dy < s.kernel_h; ++dy) {
          for (int dx = 0; dx < s.kernel_w; ++dx) {
            const long long y = static_cast<long long>(oy) * s.stride_h - s.pad_top + dy;
            const long long xx = static_cast<long long>(ox) * s.stride_w - s.pad_left + dx;
            if (y < 0 || xx < 0 || y >= s.height || xx >= s.width) continue;
            const std::size_t h = static_cast<std::size_t>(s.height), w = static_cast<std::size_t>(s.width);
            best = std::max(best, x[(c * h + static_cast<std::size_t>(y)) * w + static_cast<std::size_t>(xx)]);
          }
        }
        out.push_back(best);
      }
    }
  }
  return out;
}

core::Pool2dGeometry shape(std::size_t c, std::size_t h, std::size_t w, int k, int stride, int pad, bool ceil_mode) {
  return make_pool_shape(c, h, w, k, k, stride, stride, {pad, pad, pad, pad}, ceil_mode);
}

class PoolTest : public ::testing::TestWithParam<std::tuple<int, CompareMode>> {
 protected:
  int l() const { return std::get<0>(GetParam()); }
  Options options() const { return testing::options_for(l(), std::get<1>(GetParam())); }
  std::vector<int64_t> values(std::size_t n, uint8_t seed) const {
    return testing::test_values(l(), n, int64_t{1} << (l() - 2), seed);
  }
};

TEST_P(PoolTest, MaxPoolMatchesPlaintext) {
  const core::Pool2dGeometry shapes[] = {shape(3, 8, 8, 2, 2, 0, false), shape(2, 9, 9, 3, 2, 0, true),
                              shape(2, 8, 8, 3, 2, 0, true), shape(2, 7, 6, 3, 1, 1, false)};
  for (const core::Pool2dGeometry& s : shapes) {
    for (PoolMethod method : {PoolMethod::kDirect, PoolMethod::kSeparable}) {
      const auto v = values(s.input_size(), static_cast<uint8_t>(s.height + s.kernel_h));
      const Shared x = testing::share(v, l());
      const auto r = testing::run_both(options(), [&](NonlinearSession& session) {
        Plan plan = session.plan();
        plan.add_maxpool(s, method);
        session.offline(plan);
        auto out = session.maxpool(x.of(session.role()), s, method);
        EXPECT_EQ(session.planned(), session.consumed());
        return out;
      });
      EXPECT_EQ(testing::reconstruct(r.first, r.second, l()), plain_maxpool(v, s))
          << s.kernel_h << "x" << s.kernel_w << "/" << s.stride_h << " pad " << s.pad_top << " method "
          << static_cast<int>(method);
    }
  }
}

TEST_P(PoolTest, ArgMaxAndTopK) {
  auto v = values(100, 21);
  v[40] = v[77] = (int64_t{1} << (l() - 2)) - 1;  // a tie at the top: the lower index wins
  const Shared x = testing::share(v, l());
  const std::size_t k = 5;
  const auto r = testing::run_both(options(), [&](NonlinearSession& s) {
    Plan plan = s.plan();
    plan.add_argmax(v.size());
    plan.add_top_k(v.size(), k);
    s.offline(plan);
    const ArgMaxShares a = s.argmax(x.of(s.role()));
    auto top = s.top_k(x.of(s.role()), k);
    EXPECT_EQ(s.planned(), s.consumed());
    return std::make_pair(a, top);
  });
  const uint64_t mask = testing::mask_of(l());
  EXPECT_EQ((r.first.first.index + r.second.first.index) & mask, 40U);
  EXPECT_EQ(testing::to_signed((r.first.first.value + r.second.first.value) & mask, l()), v[40]);
  EXPECT_TRUE(r.first.second.empty());  // the server learns nothing
  std::vector<std::size_t> order(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] > v[b]; });
  ASSERT_EQ(r.second.second.size(), k);
  for (std::size_t j = 0; j < k; ++j) {
    EXPECT_EQ(r.second.second[j].index, order[j]);
    EXPECT_EQ(r.second.second[j].value, v[order[j]]);
  }
}

TEST_P(PoolTest, DivideFloorIsExact) {
  for (uint64_t d : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{7}, uint64_t{169}, uint64_t{4096}}) {
    auto v = testing::test_values(l(), 200, (int64_t{1} << (l() - 1)) - static_cast<int64_t>(d), static_cast<uint8_t>(d));
    const Shared x = testing::share(v, l(), static_cast<uint8_t>(d + 1));
    const auto r = testing::run_both(options(), [&](NonlinearSession& s) {
      Plan plan = s.plan();
      plan.add_divide(v.size(), d);
      s.offline(plan);
      auto out = s.divide_floor(x.of(s.role()), d);
      EXPECT_EQ(s.planned(), s.consumed());
      return out;
    });
    const auto got = testing::reconstruct(r.first, r.second, l());
    for (std::size_t i = 0; i < v.size(); ++i) {
      const int64_t q = v[i] / static_cast<int64_t>(d);
      const int64_t want = (v[i] % static_cast<int64_t>(d) != 0 && v[i] < 0) ? q - 1 : q;
      EXPECT_EQ(got[i], want) << v[i] << " / " << d;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rings, PoolTest,
                         ::testing::Combine(::testing::Values(32, 37, 44),
                                            ::testing::Values(CompareMode::kLogDepth, CompareMode::kSerial)));

TEST(PoolGeometry, SeparableHalvesThreeByThreeStrideOne) {
  const core::Pool2dGeometry s = shape(1, 32, 32, 3, 1, 1, false);
  EXPECT_LT(pool_comparisons(s, PoolMethod::kSeparable), pool_comparisons(s, PoolMethod::kDirect));
  EXPECT_EQ(choose_pool_method(s), PoolMethod::kSeparable);
  // SqueezeNet's 3x3/2 ceil pools: 111 -> 55, 55 -> 27, 27 -> 13.
  EXPECT_EQ(shape(64, 111, 111, 3, 2, 0, true).output_height(), 55);
  EXPECT_EQ(shape(128, 55, 55, 3, 2, 0, true).output_height(), 27);
  EXPECT_EQ(shape(256, 27, 27, 3, 2, 0, true).output_width(), 13);
  // 2x2/2 windows do not overlap: the direct tree is kept.
  EXPECT_EQ(choose_pool_method(shape(1, 8, 8, 2, 2, 0, false)), PoolMethod::kDirect);
  EXPECT_THROW(shape(1, 4, 4, 3, 1, 3, false), InvalidArgument);
}

}  // namespace
}  // namespace twain::nonlinear
