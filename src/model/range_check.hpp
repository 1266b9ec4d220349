// The overflow check of issue 6 part 2: runs a quantised model on a calibration input without
// wrapping (in Z_{2^64}, where the values of any sane model are exact integers) and compares the
// largest |activation| of every op with 2^(l-1), the edge of the signed ring.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "model/quantized_graph.hpp"

namespace twain::model {

struct OpRange {
  std::string name;     // the op's name
  std::string op;       // op_name()
  TensorId output = 0;  // the op's output tensor
  uint64_t max_abs = 0;  // largest |value| of the output over the calibration input
  int bits = 0;          // bit length of max_abs
};

struct RangeReport {
  int ring_bits = 0;
  int margin_bits = 0;
  uint64_t input_max_abs = 0;
  std::vector<OpRange> ops;  // in execution order
  // Largest bit length over the input and all ops.
  int max_bits() const;
  // The ops whose max_abs reaches 2^(l - 1 - margin_bits).
  std::vector<OpRange> overflows() const;
  // One line per op: "name (op): max |v| = ..., bits b of l - 1".
  std::string describe() const;
};

// A calibration input whose activations do not fit the ring; the message names the first op.
class RangeError : public CapacityError {
 public:
  RangeError(const std::string& what, RangeReport report) : CapacityError(what), report_(std::move(report)) {}
  const RangeReport& report() const { return report_; }

 private:
  RangeReport report_;
};

// The report, without judging it. input: ring values as for evaluate_fixed (scale f).
RangeReport measure_ranges(const QuantizedGraph& graph, std::span<const uint64_t> input, int margin_bits = 0);

// The report; throws RangeError when any activation reaches 2^(l - 1 - margin_bits) (the ring
// would wrap, or leave less than margin_bits of headroom).
RangeReport check_ranges(const QuantizedGraph& graph, std::span<const uint64_t> input, int margin_bits = 0);

}  // namespace twain::model
