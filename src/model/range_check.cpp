#include "model/range_check.hpp"

#include <algorithm>
#include <bit>

#include "model/fixed_evaluator.hpp"
#include "model/ring.hpp"

namespace twain::model {
namespace {

uint64_t max_abs(const std::vector<uint64_t>& values, int ring_bits) {
  uint64_t best = 0;
  for (uint64_t v : values) {
    const int64_t s = to_signed(v, ring_bits);
    best = std::max(best, s < 0 ? uint64_t{0} - static_cast<uint64_t>(s) : static_cast<uint64_t>(s));
  }
  return best;
}

int bit_length(uint64_t v) { return static_cast<int>(std::bit_width(v)); }

}  // namespace

int RangeReport::max_bits() const {
  int bits = bit_length(input_max_abs);
  for (const OpRange& r : ops) bits = std::max(bits, r.bits);
  return bits;
}

std::vector<OpRange> RangeReport::overflows() const {
  std::vector<OpRange> out;
  for (const OpRange& r : ops)
    if (r.bits > ring_bits - 1 - margin_bits) out.push_back(r);
  return out;
}

std::string RangeReport::describe() const {
  std::string text = "input: max |v| = " + std::to_string(input_max_abs) + ", " +
                     std::to_string(bit_length(input_max_abs)) + " bits\n";
  for (const OpRange& r : ops)
    text += r.name + " (" + r.op + "): max |v| = " + std::to_string(r.max_abs) + ", " + std::to_string(r.bits) +
            " bits of " + std::to_string(ring_bits - 1) + "\n";
  return text;
}

RangeReport measure_ranges(const QuantizedGraph& graph, std::span<const uint64_t> input, int margin_bits) {
  TWAIN_REQUIRE(margin_bits >= 0 && margin_bits < graph.ring_bits - 1, InvalidArgument,
                "measure_ranges: margin_bits = " + std::to_string(margin_bits) + " is out of range");
  graph.validate();
  TWAIN_REQUIRE(std::all_of(input.begin(), input.end(), [&](uint64_t v) { return (v & ~ring_mask(graph.ring_bits)) == 0; }),
                InvalidArgument, "measure_ranges: an input value is not below 2^l");
  // The same graph in Z_{2^64}: the signed input values carried over, nothing wraps at 2^l.
  QuantizedGraph wide = graph;
  wide.ring_bits = 64;
  std::vector<uint64_t> wide_input(input.size());
  for (std::size_t k = 0; k < input.size(); ++k) wide_input[k] = to_ring(to_signed(input[k], graph.ring_bits), 64);
  const auto values = evaluate_fixed_all(wide, wide_input);
  RangeReport report;
  report.ring_bits = graph.ring_bits;
  report.margin_bits = margin_bits;
  report.input_max_abs = max_abs(wide_input, 64);
  for (const QOp& op : graph.ops) {
    const uint64_t m = max_abs(values[static_cast<std::size_t>(op.output)], 64);
    report.ops.push_back({op.name, op_name(op.op), op.output, m, bit_length(m)});
  }
  return report;
}

RangeReport check_ranges(const QuantizedGraph& graph, std::span<const uint64_t> input, int margin_bits) {
  RangeReport report = measure_ranges(graph, input, margin_bits);
  const auto bad = report.overflows();
  if (!bad.empty()) {
    const OpRange& first = bad.front();
    throw RangeError("activations overflow the ring Z_2^" + std::to_string(graph.ring_bits) + ": op '" + first.name +
                         "' (" + first.op + ") reaches |v| = " + std::to_string(first.max_abs) + " (" +
                         std::to_string(first.bits) + " bits, at most " +
                         std::to_string(graph.ring_bits - 1 - margin_bits) + " allowed); " +
                         std::to_string(bad.size()) + " op(s) overflow",
                     std::move(report));
  }
  return report;
}

}  // namespace twain::model
