// The overflow check: measured ranges agree with the float activations, and a calibration input
// that makes the ring wrap is reported with the op that overflows.
#include <gtest/gtest.h>

#include <cmath>

#include "model/fixed_evaluator.hpp"
#include "model/float_evaluator.hpp"
#include "model/quantize.hpp"
#include "model/range_check.hpp"
#include "model_test_support.hpp"

namespace twain::model {
namespace {

using namespace twain::model::testing;

// x [1, 3, 4, 4] -> Conv 3x3 (all weights 2, pad 1) -> Relu -> GlobalAvgPool -> output.
Graph amplifier() {
  GraphBuilder b({1, 3, 4, 4});
  TensorId t = b.add(op::Conv{{3, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1}, std::vector<float>(54, 2.0f), {}}, {b.input()}, "amp");
  t = b.add(op::Relu{}, {t}, "relu");
  return b.finish(b.add(op::GlobalAvgPool{}, {t}, "gap"));
}

TEST(RangeCheck, MeasuredRangesMatchFloatActivations) {
  const Graph g = amplifier();
  const QuantizedGraph q = quantize(g, 37, 12);
  const std::vector<float> x(48, 1.0f);
  const RangeReport report = check_ranges(q, quantize_input(q, x));
  EXPECT_EQ(report.input_max_abs, 4096u);
  ASSERT_EQ(report.ops[0].name, "amp");
  // The centre outputs sum 27 inputs of 1 times 2: 54 at scale 2^24.
  EXPECT_EQ(report.ops[0].max_abs, uint64_t{54} << 24);
  EXPECT_EQ(report.ops[0].bits, 30);
  EXPECT_EQ(report.max_bits(), 30);
  EXPECT_TRUE(report.overflows().empty());
  EXPECT_NE(report.describe().find("amp (Conv2d)"), std::string::npos) << report.describe();
  // A margin of 7 bits (30 > 36 - 7) is not met.
  EXPECT_THROW(check_ranges(q, quantize_input(q, x), 7), RangeError);
}

TEST(RangeCheck, OverflowingCalibrationInputIsReportedWithTheOp) {
  const Graph g = amplifier();
  const QuantizedGraph q = quantize(g, 37, 12);
  const std::vector<float> x(48, 200.0f);  // conv outputs up to 10800: 10800 * 2^24 > 2^36
  const auto input = quantize_input(q, x);
  try {
    check_ranges(q, input);
    FAIL() << "no overflow reported";
  } catch (const RangeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("op 'amp' (Conv2d)"), std::string::npos) << what;
    EXPECT_FALSE(e.report().overflows().empty());
    EXPECT_EQ(e.report().overflows().front().name, "amp");
  }
  // The check is not idle: in the ring the output is indeed wrong.
  const auto fixed = dequantize(evaluate_fixed(q, input), 37, 12);
  const auto exact = evaluate_float(g, x);
  double worst = 0;
  for (std::size_t k = 0; k < fixed.size(); ++k) worst = std::max(worst, std::fabs(fixed[k] - exact[k]));
  EXPECT_GT(worst, 1.0);
  // A wider ring holds it.
  const QuantizedGraph wide = quantize(g, 48, 12);
  EXPECT_NO_THROW(check_ranges(wide, quantize_input(wide, x)));
}

}  // namespace
}  // namespace twain::model
