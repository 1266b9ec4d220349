// CompareMode::kAuto: the circuit is chosen from the link model and the batch size, the same
// way by the plan and the online call, and the results stay correct.
#include <gtest/gtest.h>

#include <vector>

#include "nonlinear/carry.hpp"
#include "nonlinear_test_support.hpp"

namespace twain::nonlinear {
namespace {

Options auto_options(double bits_per_second, double latency_s) {
  Options o = testing::options_for(37, CompareMode::kAuto);
  o.link.bits_per_second = bits_per_second;
  o.link.one_way_latency_s = latency_s;
  return o;
}

TEST(CompareMode, AutoPicksByLink) {
  const int positions[] = {36};
  // A large batch on a slow link: bytes dominate, the serial chain (fewer bits) wins.
  EXPECT_EQ(resolve_compare_mode(auto_options(1e8, 1e-3), 1 << 20, 36, positions), CompareMode::kSerial);
  // A small batch on a high-latency link: rounds dominate, the log-depth tree wins.
  EXPECT_EQ(resolve_compare_mode(auto_options(1e9, 20e-3), 1000, 36, positions), CompareMode::kLogDepth);
  // Fixed modes are kept.
  EXPECT_EQ(resolve_compare_mode(testing::options_for(37, CompareMode::kSerial), 10, 36, positions),
            CompareMode::kSerial);
}

TEST(CompareMode, AutoPlansWhatItRuns) {
  const int l = 37;
  const auto v = testing::test_values(l, 500, int64_t{1} << 36);
  const testing::Shared x = testing::share(v, l);
  for (const Options& o : {auto_options(1e8, 1e-3), auto_options(1e9, 20e-3)}) {
    const auto r = testing::run_both(o, [&](NonlinearSession& s) {
      Plan plan = s.plan();
      plan.add_relu(v.size(), 12, TruncMode::kExact);
      s.offline(plan);
      auto out = s.relu_truncate(x.of(s.role()), 12, TruncMode::kExact);
      EXPECT_EQ(s.planned(), s.consumed());
      return out;
    });
    const auto got = testing::reconstruct(r.first, r.second, l);
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(got[i], v[i] > 0 ? v[i] >> 12 : 0);
  }
}

// The log-depth circuit meets its round bound: 1 leaf flight + ceil(log2 (l - 1)) AND layers.
TEST(CompareMode, LogDepthRounds) {
  const int l = 37;
  const auto v = testing::test_values(l, 100, int64_t{1} << 36);
  const testing::Shared x = testing::share(v, l);
  const auto r = testing::run_both(testing::options_for(l), [&](NonlinearSession& s) {
    Plan plan = s.plan();
    plan.add_drelu(v.size());
    s.offline(plan);
    s.drelu(x.of(s.role()));
    return s.stats().online.flights;
  });
  EXPECT_EQ(r.first, 7U);  // ceil(log2 37) + 1
  EXPECT_EQ(r.second, 7U);
}

}  // namespace
}  // namespace twain::nonlinear
