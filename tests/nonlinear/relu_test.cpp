// DReLU, ReLU, truncation (fast and exact) and ReLU-then-truncate against plaintext, for
// l in {32, 37, 44}, both comparison circuits, random and edge values.
#include <gtest/gtest.h>

#include <tuple>

#include "nonlinear_test_support.hpp"

namespace twain::nonlinear {
namespace {

using testing::Shared;

struct Result {
  std::vector<uint64_t> values;
  Words bits;
  Needs planned;
  Needs consumed;
};

class ReluTest : public ::testing::TestWithParam<std::tuple<int, CompareMode>> {
 protected:
  int l() const { return std::get<0>(GetParam()); }
  Options options() const { return testing::options_for(l(), std::get<1>(GetParam())); }
  std::vector<int64_t> values(std::size_t count = 300) const {
    return testing::test_values(l(), count, int64_t{1} << (l() - 1));
  }

  template <class Add, class Call>
  std::pair<Result, Result> run(const Shared& x, Add add, Call call) {
    return testing::run_both(options(), [&](NonlinearSession& s) {
      Plan plan = s.plan();
      add(plan);
      s.offline(plan);
      Result r;
      call(s, x.of(s.role()), r);
      r.planned = s.planned();
      r.consumed = s.consumed();
      return r;
    });
  }

  static void expect_exact_use(const std::pair<Result, Result>& r) {
    EXPECT_EQ(r.first.planned, r.first.consumed);
    EXPECT_EQ(r.second.planned, r.second.consumed);
    EXPECT_GT(r.first.consumed.correlated_ots(), 0U);
  }
};

TEST_P(ReluTest, DreluMatchesSign) {
  const auto v = values();
  const Shared x = testing::share(v, l());
  const auto r = run(x, [&](Plan& p) { p.add_drelu(v.size()); },
                     [](NonlinearSession& s, const std::vector<uint64_t>& own, Result& out) { out.bits = s.drelu(own); });
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(testing::open_bit(r.first.bits, r.second.bits, i), v[i] >= 0) << "x = " << v[i];
  }
  expect_exact_use(r);
}

TEST_P(ReluTest, ReluMatchesPlaintext) {
  const auto v = values();
  const Shared x = testing::share(v, l());
  const auto r = run(x, [&](Plan& p) { p.add_relu(v.size()); },
                     [](NonlinearSession& s, const std::vector<uint64_t>& own, Result& out) { out.values = s.relu(own); });
  const auto got = testing::reconstruct(r.first.values, r.second.values, l());
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(got[i], v[i] > 0 ? v[i] : 0) << "x = " << v[i];
  expect_exact_use(r);
}

TEST_P(ReluTest, ExactTruncationIsTheFloorShift) {
  for (int f : {1, 12, l() - 2}) {
    const auto v = values(200);
    const Shared x = testing::share(v, l(), static_cast<uint8_t>(f));
    const auto r = run(x, [&](Plan& p) { p.add_truncate(v.size(), f, TruncMode::kExact); },
                       [f](NonlinearSession& s, const std::vector<uint64_t>& own, Result& out) {
                         out.values = s.truncate(own, f, TruncMode::kExact);
                       });
    const auto got = testing::reconstruct(r.first.values, r.second.values, l());
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(got[i], testing::floor_shift(v[i], f)) << v[i] << " >> " << f;
    expect_exact_use(r);
  }
}

TEST_P(ReluTest, FastTruncationIsAtMostOneBelow) {
  const int f = 12;
  const auto v = values(400);
  const Shared x = testing::share(v, l(), 5);
  const auto r = run(x, [&](Plan& p) { p.add_truncate(v.size(), f, TruncMode::kFast); },
                     [f](NonlinearSession& s, const std::vector<uint64_t>& own, Result& out) {
                       out.values = s.truncate(own, f, TruncMode::kFast);
                     });
  const auto got = testing::reconstruct(r.first.values, r.second.values, l());
  std::size_t off = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const int64_t want = testing::floor_shift(v[i], f);
    EXPECT_TRUE(got[i] == want || got[i] == want - 1) << v[i] << ": got " << got[i] << ", floor " << want;
    off += got[i] != want;
  }
  // Random shares drop a carry about half of the time: the check above is not vacuous.
  EXPECT_GT(off, 0U);
  expect_exact_use(r);
}

TEST_P(ReluTest, ReluTruncateBothModes) {
  const int f = 12;
  for (TruncMode mode : {TruncMode::kExact, TruncMode::kFast}) {
    const auto v = values(300);
    const Shared x = testing::share(v, l(), 7);
    const auto r = run(x, [&](Plan& p) { p.add_relu(v.size(), f, mode); },
                       [f, mode](NonlinearSession& s, const std::vector<uint64_t>& own, Result& out) {
                         out.values = s.relu_truncate(own, f, mode);
                       });
    const auto got = testing::reconstruct(r.first.values, r.second.values, l());
    for (std::size_t i = 0; i < v.size(); ++i) {
      const int64_t want = v[i] > 0 ? testing::floor_shift(v[i], f) : 0;
      if (mode == TruncMode::kExact) {
        EXPECT_EQ(got[i], want) << "x = " << v[i];
      } else {
        EXPECT_TRUE(got[i] == want || (v[i] >= 0 && got[i] == want - 1)) << "x = " << v[i] << " got " << got[i];
      }
    }
    expect_exact_use(r);
  }
}

TEST_P(ReluTest, CompareMatchesPlaintext) {
  const int k = l() - 1;
  core::Prg prg(testing::seed_of(11));
  std::vector<uint64_t> a(150), b(150);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = prg.next_u64() & testing::mask_of(k);
    b[i] = i % 3 == 0 ? a[i] : (i % 3 == 1 ? (a[i] ^ 1) : prg.next_u64() & testing::mask_of(k));
  }
  a[0] = 0, b[0] = 0, a[1] = testing::mask_of(k), b[1] = 0, a[2] = 0, b[2] = testing::mask_of(k);
  const Shared ab{a, b};
  const auto r = run(ab, [&](Plan& p) { p.add_compare(a.size(), k); },
                     [k](NonlinearSession& s, const std::vector<uint64_t>& own, Result& out) { out.bits = s.compare(own, k); });
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(testing::open_bit(r.first.bits, r.second.bits, i), a[i] > b[i]);
  expect_exact_use(r);
}

INSTANTIATE_TEST_SUITE_P(Rings, ReluTest,
                         ::testing::Combine(::testing::Values(32, 37, 44),
                                            ::testing::Values(CompareMode::kLogDepth, CompareMode::kSerial)));

TEST(ReluSession, OnlineBeyondThePlanThrowsCapacityError) {
  const int l = 37;
  const auto v = testing::test_values(l, 100, int64_t{1} << 30);
  const Shared x = testing::share(v, l);
  EXPECT_THROW(testing::run_both(testing::options_for(l),
                                 [&](NonlinearSession& s) {
                                   Plan plan = s.plan();
                                   plan.add_relu(50);
                                   s.offline(plan);
                                   return s.relu(x.of(s.role()));
                                 }),
               twain::CapacityError);
}

TEST(ReluSession, TripleLeavesGiveTheSameResults) {
  const int l = 37;
  const auto v = testing::test_values(l, 200, int64_t{1} << 36);
  const Shared x = testing::share(v, l);
  const auto r = testing::run_both(testing::options_for(l, CompareMode::kLogDepth, LeafMode::kTriple),
                                   [&](NonlinearSession& s) {
                                     Plan plan = s.plan();
                                     plan.add_relu(v.size(), 12, TruncMode::kExact);
                                     s.offline(plan);
                                     auto out = s.relu_truncate(x.of(s.role()), 12, TruncMode::kExact);
                                     EXPECT_EQ(s.planned(), s.consumed());
                                     EXPECT_EQ(s.consumed().leaf_ots, 0U);
                                     return out;
                                   });
  const auto got = testing::reconstruct(r.first, r.second, l);
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(got[i], v[i] > 0 ? v[i] >> 12 : 0);
}

// Two parties over loopback TCP give the same shares as over the in-memory channel (same seeds).
TEST(ReluSession, TcpEqualsInMemory) {
  const int l = 37;
  const auto v = testing::test_values(l, 300, int64_t{1} << 36);
  const Shared x = testing::share(v, l);
  const auto body = [&](NonlinearSession& s) {
    Plan plan = s.plan();
    plan.add_relu(v.size(), 12, TruncMode::kExact);
    plan.add_relu(v.size());
    s.offline(plan);
    auto a = s.relu_truncate(x.of(s.role()), 12, TruncMode::kExact);
    auto b = s.relu(x.of(s.role()));
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const auto memory = testing::run_both(testing::options_for(l), body, false);
  const auto tcp = testing::run_both(testing::options_for(l), body, true);
  EXPECT_EQ(memory.first, tcp.first);
  EXPECT_EQ(memory.second, tcp.second);
}

// The same results with Ferret (small insecure parameters) behind the triples and OTs.
TEST(ReluSession, FerretBackend) {
  const int l = 32;
  const auto v = testing::test_values(l, 500, int64_t{1} << 31);
  const Shared x = testing::share(v, l);
  const auto r = testing::run_both(
      testing::options_for(l),
      [&](NonlinearSession& s) {
        Plan plan = s.plan();
        plan.add_relu(v.size());
        s.offline(plan);
        EXPECT_GT(s.stats().setup.bytes(), 0U);
        return s.relu(x.of(s.role()));
      },
      false, Backend::kFerretInsecureForTests);
  const auto got = testing::reconstruct(r.first, r.second, l);
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(got[i], v[i] > 0 ? v[i] : 0);
}

}  // namespace
}  // namespace twain::nonlinear
