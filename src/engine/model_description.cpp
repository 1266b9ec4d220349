#include "engine/model_description.hpp"

#include "core/errors.hpp"
#include "core/hash.hpp"
#include "engine/options.hpp"

#include <algorithm>
#include "engine/wire.hpp"

namespace twain::engine {
namespace {

using namespace model;

constexpr uint32_t kMagic = 0x444d5754;  // "TWMD"
constexpr uint8_t kVersion = 3;

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

void write_conv(WireWriter& w, const core::Conv2dGeometry& g) {
  for (int v : {g.in_channels, g.height, g.width, g.out_channels, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w,
                g.pad_top, g.pad_left, g.pad_bottom, g.pad_right, g.groups})
    w.u32(static_cast<uint32_t>(v));
}

core::Conv2dGeometry read_conv(WireReader& r) {
  core::Conv2dGeometry g;
  for (int* v : {&g.in_channels, &g.height, &g.width, &g.out_channels, &g.kernel_h, &g.kernel_w, &g.stride_h,
                 &g.stride_w, &g.pad_top, &g.pad_left, &g.pad_bottom, &g.pad_right, &g.groups})
    *v = static_cast<int>(r.integer("convolution geometry", 0, core::kMaxExtent));
  return g;
}

void write_pool(WireWriter& w, const core::Pool2dGeometry& g) {
  for (int v : {g.channels, g.height, g.width, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.pad_top, g.pad_left,
                g.pad_bottom, g.pad_right})
    w.u32(static_cast<uint32_t>(v));
  w.u8(g.ceil_mode ? 1 : 0);
}

core::Pool2dGeometry read_pool(WireReader& r) {
  core::Pool2dGeometry g;
  for (int* v : {&g.channels, &g.height, &g.width, &g.kernel_h, &g.kernel_w, &g.stride_h, &g.stride_w, &g.pad_top,
                 &g.pad_left, &g.pad_bottom, &g.pad_right})
    *v = static_cast<int>(r.integer("pooling geometry", 0, core::kMaxExtent));
  g.ceil_mode = r.small("ceil_mode", 1) != 0;
  return g;
}

void write_op(WireWriter& w, const QOpKind& kind) {
  w.u8(static_cast<uint8_t>(kind.index()));
  std::visit(Overloaded{[&](const qop::Conv2d& o) {
                          write_conv(w, o.shape);
                          w.u64(o.weight_bound);
                        },
                        [&](const qop::Gemm& o) {
                          w.u32(static_cast<uint32_t>(o.in_features));
                          w.u32(static_cast<uint32_t>(o.out_features));
                          w.u64(o.weight_bound);
                        },
                        [&](const qop::ChannelAffine& o) {
                          w.u32(static_cast<uint32_t>(o.channels));
                          w.u64(o.scale_bound);
                        },
                        [&](const qop::Truncate& o) {
                          w.u32(static_cast<uint32_t>(o.shift));
                          w.u8(o.input_nonnegative ? 1 : 0);
                        },
                        [&](const qop::Relu6& o) { w.i64(o.upper); },
                        [&](const qop::ReluTruncate& o) { w.u32(static_cast<uint32_t>(o.shift)); },
                        [&](const qop::MaxPool& o) { write_pool(w, o.shape); },
                        [&](const qop::SumPool& o) { write_pool(w, o.shape); },
                        [&](const qop::DivideFloor& o) {
                          w.u32(static_cast<uint32_t>(o.divisors.size()));
                          for (int64_t d : o.divisors) w.i64(d);
                        },
                        [&](const qop::Pad& o) {
                          for (int v : {o.pad_top, o.pad_left, o.pad_bottom, o.pad_right})
                            w.u32(static_cast<uint32_t>(v));
                          w.i64(o.value);
                        },
                        [](const auto&) {}},
             kind);
}

QOpKind read_op(WireReader& r) {
  const auto index = r.small("op kind", static_cast<uint8_t>(std::variant_size_v<QOpKind> - 1));
  switch (index) {
    case 0: {
      qop::Conv2d o;
      o.shape = read_conv(r);
      o.weight_bound = r.u64("weight bound");
      return o;
    }
    case 1: {
      qop::Gemm o;
      o.in_features = static_cast<int>(r.integer("in_features", 1, kMaxTensorElements));
      o.out_features = static_cast<int>(r.integer("out_features", 1, kMaxTensorElements));
      o.weight_bound = r.u64("weight bound");
      return o;
    }
    case 2: {
      qop::ChannelAffine o;
      o.channels = static_cast<int>(r.integer("channels", 1, core::kMaxExtent));
      o.scale_bound = r.u64("scale bound");
      return o;
    }
    case 3: {
      qop::Truncate o;
      o.shift = static_cast<int>(r.integer("shift", 1, 63));
      o.input_nonnegative = r.small("input_nonnegative", 1) != 0;
      return o;
    }
    case 4: return qop::Relu{};
    case 5: return qop::Relu6{r.i64("upper")};
    case 6: return qop::ReluTruncate{static_cast<int>(r.integer("shift", 1, 63))};
    case 7: return qop::MaxPool{read_pool(r)};
    case 8: return qop::SumPool{read_pool(r)};
    case 9: {
      qop::DivideFloor o;
      const auto count = r.integer("divisor count", 1, core::kMaxExtent * 4);
      for (int64_t i = 0; i < count; ++i) o.divisors.push_back(r.i64("divisor"));
      return o;
    }
    case 10: return qop::Add{};
    case 11: return qop::AddConstant{};
    case 12: return qop::Concat{};
    case 13: return qop::Reshape{};
    default: {
      qop::Pad o;
      for (int* v : {&o.pad_top, &o.pad_left, &o.pad_bottom, &o.pad_right})
        *v = static_cast<int>(r.integer("padding", 0, core::kMaxExtent));
      o.value = r.i64("pad value");
      return o;
    }
  }
}

}  // namespace

std::vector<uint8_t> describe_public(const QuantizedGraph& graph, const PublicPolicy& policy, bool names) {
  static_assert(std::variant_size_v<QOpKind> == 15, "a new op needs its public fields in the description");
  WireWriter w;
  w.u32(kMagic);
  w.u8(kVersion);
  w.u8(static_cast<uint8_t>(graph.ring_bits));
  w.u8(static_cast<uint8_t>(graph.frac_bits));
  w.u8(static_cast<uint8_t>(policy.statistical_bits));
  w.u32(static_cast<uint32_t>(policy.max_top_k));
  w.u8(policy.allow_logits ? 1 : 0);
  w.u32(static_cast<uint32_t>(policy.max_inferences));
  w.u32(static_cast<uint32_t>(graph.tensors.size()));
  for (const QTensor& t : graph.tensors) {
    w.string(names ? t.name : std::string());
    w.u8(static_cast<uint8_t>(t.shape.size()));
    for (int64_t d : t.shape) w.u32(static_cast<uint32_t>(d));
    w.u32(static_cast<uint32_t>(t.scale_bits));
  }
  w.u32(static_cast<uint32_t>(graph.input));
  w.u32(static_cast<uint32_t>(graph.output));
  w.u32(static_cast<uint32_t>(graph.ops.size()));
  for (const QOp& op : graph.ops) {
    w.string(names ? op.name : std::string());
    w.u8(static_cast<uint8_t>(op.inputs.size()));
    for (TensorId id : op.inputs) w.u32(static_cast<uint32_t>(id));
    w.u32(static_cast<uint32_t>(op.output));
    write_op(w, op.op);
  }
  return w.take();
}

std::string model_fingerprint(std::span<const uint8_t> description, std::string_view card) {
  core::Sha256 h;
  h.update_u64(description.size()).update(description.data(), description.size());
  h.update_u64(card.size()).update(card);
  return core::to_hex(h.finish());
}

PublicModel parse_public(std::span<const uint8_t> bytes) {
  WireReader r(bytes, "model description");
  if (bytes.size() > kMaxDescriptionBytes) r.fail("larger than " + std::to_string(kMaxDescriptionBytes) + " bytes");
  if (r.u32("magic") != kMagic) r.fail("bad magic (not a twain model description)");
  if (const uint8_t version = r.u8("version"); version != kVersion)
    r.fail("version " + std::to_string(version) + ", this build reads version " + std::to_string(kVersion));
  PublicModel m;
  QuantizedGraph& g = m.graph;
  g.ring_bits = r.u8("ring_bits");
  g.frac_bits = r.u8("frac_bits");
  m.policy.statistical_bits = r.small("statistical_bits", 128);
  m.policy.max_top_k = static_cast<int>(r.integer("max_top_k", 1, kMaxTopK));
  m.policy.allow_logits = r.small("allow_logits", 1) != 0;
  m.policy.max_inferences = static_cast<uint64_t>(r.integer("max_inferences", 1, static_cast<int64_t>(kMaxInferences)));
  const auto tensors = r.integer("tensor count", 1, kMaxGraphTensors);
  int64_t elements = 0;
  for (int64_t i = 0; i < tensors; ++i) {
    QTensor t;
    t.name = r.string("tensor name", kMaxNameLength);
    const auto rank = r.u8("rank");
    if (rank < 1 || rank > kMaxRank) r.fail("tensor '" + t.name + "' has rank " + std::to_string(rank));
    for (int d = 0; d < rank; ++d) t.shape.push_back(r.integer("dimension", 1, kMaxTensorElements));
    // Each tensor is checked by validate(); the sum is bounded here, before the next is read.
    int64_t count = 1;
    for (int64_t d : t.shape) count = std::min(count * d, kMaxDescribedElements + 1);
    elements += count;
    if (elements > kMaxDescribedElements)
      r.fail("its tensors hold more than " + std::to_string(kMaxDescribedElements) + " elements in all");
    t.scale_bits = static_cast<int>(r.integer("scale", 0, 64));
    g.tensors.push_back(std::move(t));
  }
  g.input = static_cast<TensorId>(r.integer("input id", 0, tensors - 1));
  g.output = static_cast<TensorId>(r.integer("output id", 0, tensors - 1));
  const auto ops = r.integer("op count", 1, kMaxGraphTensors);
  for (int64_t i = 0; i < ops; ++i) {
    QOp op;
    op.name = r.string("op name", kMaxNameLength);
    const auto inputs = r.u8("input count");
    for (int k = 0; k < inputs; ++k)
      op.inputs.push_back(static_cast<TensorId>(r.integer("input id", 0, tensors - 1)));
    op.output = static_cast<TensorId>(r.integer("output id", 0, tensors - 1));
    op.op = read_op(r);
    if (op.name.empty()) op.name = op_name(op.op) + " #" + std::to_string(i);  // a label for reports
    g.ops.push_back(std::move(op));
  }
  r.finish();
  try {
    g.validate(QuantizedGraph::Parameters::kAbsent);
  } catch (const InvalidArgument& e) {
    r.fail(e.what());
  }
  // Planning the linear layers costs about their kernel taps times their outputs; bound the sum.
  int64_t taps = 0;
  for (const QOp& op : g.ops) {
    if (const auto* conv = std::get_if<qop::Conv2d>(&op.op)) {
      const core::Conv2dGeometry& s = conv->shape;
      taps += int64_t{s.out_channels} * (s.in_channels / std::max(1, s.groups)) * s.kernel_h * s.kernel_w;
    } else if (const auto* gemm = std::get_if<qop::Gemm>(&op.op)) {
      taps += int64_t{gemm->in_features} * gemm->out_features;
    }
    if (taps > kMaxDescribedKernelTaps)
      r.fail("its linear layers have more than " + std::to_string(kMaxDescribedKernelTaps) + " weights in all");
  }
  if (m.policy.statistical_bits < 1) r.fail("statistical_bits = 0");
  return m;
}

}  // namespace twain::engine
