#include "engine/model_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "core/errors.hpp"
#include "engine/model_description.hpp"
#include "engine/options.hpp"
#include "engine/session_flooding.hpp"
#include "engine/wire.hpp"
#include "model/overloaded.hpp"
#include "net/transcript_checksum.hpp"

namespace twain::engine {
namespace {

using namespace model;

constexpr char kMagic[8] = {'T', 'W', 'A', 'I', 'N', 'M', 'F', '\0'};
constexpr std::size_t kPage = 4096;
// Each kernel starts on a cache line (the multiply-accumulate kernels load whole lines).
constexpr std::size_t kKernelAlignment = 64;
// Largest meta section read (the graph's weights travel in it).
constexpr uint64_t kMaxMetaBytes = uint64_t{1} << 34;

std::string rebuild_hint(const std::filesystem::path& file) {
  return "rebuild it with `twain prepare --model MODEL.onnx --out " + file.string() + "`";
}

net::TranscriptDigest checksum(const void* data, std::size_t bytes) {
  net::TranscriptChecksum c;
  c.update(static_cast<const uint8_t*>(data), bytes);
  return c.digest();
}

void write_digest(WireWriter& w, const net::TranscriptDigest& d) {
  for (uint8_t b : d.checksum) w.u8(b);
  w.u64(d.bytes);
}

net::TranscriptDigest read_digest(WireReader& r) {
  net::TranscriptDigest d;
  for (uint8_t& b : d.checksum) b = r.u8("checksum");
  d.bytes = r.u64("checksum length");
  return d;
}

void write_values(WireWriter& w, const std::vector<int64_t>& values) {
  w.u64(values.size());
  for (int64_t v : values) w.i64(v);
}

std::vector<int64_t> read_values(WireReader& r, const char* field) {
  const uint64_t count = r.u64(field);
  if (count > r.remaining() / 8) r.fail(std::string(field) + ": " + std::to_string(count) + " values, more than the file holds");
  std::vector<int64_t> values(count);
  for (int64_t& v : values) v = r.i64(field);
  return values;
}

// The values a description leaves out (model_description.hpp), op by op. One case per op kind and
// no default: a new op with private values cannot be forgotten here.
void write_private(WireWriter& w, const QOpKind& kind) {
  std::visit(Overloaded{[&](const qop::Conv2d& o) {
                          write_values(w, o.weights);
                          write_values(w, o.bias);
                        },
                        [&](const qop::Gemm& o) {
                          write_values(w, o.weights);
                          write_values(w, o.bias);
                        },
                        [&](const qop::ChannelAffine& o) {
                          write_values(w, o.scale);
                          write_values(w, o.shift);
                        },
                        [&](const qop::AddConstant& o) { write_values(w, o.values); },
                        [](const qop::Truncate&) {}, [](const qop::Relu&) {}, [](const qop::Relu6&) {},
                        [](const qop::ReluTruncate&) {}, [](const qop::MaxPool&) {}, [](const qop::SumPool&) {},
                        [](const qop::DivideFloor&) {}, [](const qop::Add&) {}, [](const qop::Concat&) {},
                        [](const qop::Reshape&) {}, [](const qop::Pad&) {}},
             kind);
}

void read_private(WireReader& r, QOpKind& kind) {
  std::visit(Overloaded{[&](qop::Conv2d& o) {
                          o.weights = read_values(r, "weights");
                          o.bias = read_values(r, "bias");
                        },
                        [&](qop::Gemm& o) {
                          o.weights = read_values(r, "weights");
                          o.bias = read_values(r, "bias");
                        },
                        [&](qop::ChannelAffine& o) {
                          o.scale = read_values(r, "scale");
                          o.shift = read_values(r, "shift");
                        },
                        [&](qop::AddConstant& o) { o.values = read_values(r, "constant"); },
                        [](qop::Truncate&) {}, [](qop::Relu&) {}, [](qop::Relu6&) {}, [](qop::ReluTruncate&) {},
                        [](qop::MaxPool&) {}, [](qop::SumPool&) {}, [](qop::DivideFloor&) {}, [](qop::Add&) {},
                        [](qop::Concat&) {}, [](qop::Reshape&) {}, [](qop::Pad&) {}},
             kind);
}

// The fields of ModelPolicy that shape the flooding (and so every layer's plan and kernels), then
// the output policy the file was made with (a server may serve under another).
void write_policy(WireWriter& w, const ModelPolicy& p) {
  w.u32(static_cast<uint32_t>(p.statistical_bits));
  w.u32(static_cast<uint32_t>(p.min_statistical_bits));
  w.u64(p.max_inferences);
  w.u32(static_cast<uint32_t>(p.max_top_k));
  w.u8(p.allow_logits ? 1 : 0);
  w.u8(p.send_names ? 1 : 0);
}

ModelPolicy read_policy(WireReader& r) {
  ModelPolicy p;
  p.statistical_bits = static_cast<int>(r.integer("statistical_bits", 1, 128));
  p.min_statistical_bits = static_cast<int>(r.integer("min_statistical_bits", 1, 128));
  p.max_inferences = r.u64("max_inferences");
  p.max_top_k = static_cast<int>(r.integer("max_top_k", 1, kMaxTopK));
  p.allow_logits = r.small("allow_logits", 1) != 0;
  p.send_names = r.small("send_names", 1) != 0;
  return p;
}

void write_double(WireWriter& w, double v) { w.u64(std::bit_cast<uint64_t>(v)); }
double read_double(WireReader& r, const char* field) { return std::bit_cast<double>(r.u64(field)); }

void write_budget(WireWriter& w, const he::FloodBudget& b) {
  w.u32(static_cast<uint32_t>(b.statistical_bits));
  w.u64(b.responses);
  write_double(w, b.concentration);
}

he::FloodBudget read_budget(WireReader& r) {
  he::FloodBudget b;
  b.statistical_bits = static_cast<int>(r.integer("flooding target", 0, 128));
  b.responses = r.u64("flooding responses");
  if (b.responses == 0) r.fail("a flooding budget of no response");
  b.concentration = read_double(r, "flooding concentration");
  if (!(b.concentration >= 1 && b.concentration <= he::kTailFactor * he::kTailFactor))
    r.fail("a flooding concentration outside [1, " + std::to_string(he::kTailFactor * he::kTailFactor) + "]");
  return b;
}

// The session flooding the kernels were planned under, so that a server need not plan it again.
void write_flooding(WireWriter& w, const SessionFlooding& f) {
  write_budget(w, f.budget);
  w.u32(static_cast<uint32_t>(f.layers.size()));
  for (const he::FloodBudget& b : f.layers) write_budget(w, b);
  w.u64(f.responses);
  write_double(w, f.coefficients);
  write_double(w, f.statistical_bits);
}

SessionFlooding read_flooding(WireReader& r) {
  SessionFlooding f;
  f.budget = read_budget(r);
  const auto layers = r.integer("flooded ops", 0, static_cast<int64_t>(kMaxGraphTensors));
  for (int64_t i = 0; i < layers; ++i) f.layers.push_back(read_budget(r));
  f.responses = r.u64("flooded responses");
  f.coefficients = read_double(r, "flooded coefficients");
  f.statistical_bits = read_double(r, "statistical bits");
  return f;
}

struct Header {
  uint32_t version = kModelFileVersion;
  uint32_t ring_bits = 0;
  uint64_t params_id = 0;
  uint64_t meta_offset = 0, meta_bytes = 0;
  uint64_t kernels_offset = 0, kernels_bytes = 0;
  net::TranscriptDigest meta_checksum;
};

std::vector<uint8_t> encode_header(const Header& h) {
  WireWriter w;
  for (char c : kMagic) w.u8(static_cast<uint8_t>(c));
  w.u32(h.version);
  w.u32(h.ring_bits);
  w.u64(h.params_id);
  w.u64(h.meta_offset);
  w.u64(h.meta_bytes);
  w.u64(h.kernels_offset);
  w.u64(h.kernels_bytes);
  write_digest(w, h.meta_checksum);
  std::vector<uint8_t> bytes = w.take();
  bytes.resize(kPage, 0);
  return bytes;
}

std::size_t align_up(std::size_t v, std::size_t a) { return (v + a - 1) / a * a; }

// A file mapped read-only and shared: the kernels' words stay where the page cache has them, and
// every process that maps the file shares those pages.
class Mapping {
 public:
  explicit Mapping(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InvalidArgument("cannot open the model file " + file.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw InvalidArgument("the model file " + file.string() + " is not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      data_ = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
      if (data_ == MAP_FAILED) {
        const int error = errno;
        ::close(fd);
        throw SystemError("cannot map the model file " + file.string() + ": " + std::strerror(error));
      }
    }
    ::close(fd);
  }
  ~Mapping() {
    if (data_ != nullptr && data_ != MAP_FAILED) ::munmap(data_, size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  std::span<const uint8_t> bytes() const { return {static_cast<const uint8_t*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// A layer's kernels in the file, or the weights of a layer on demand (one run of 2 words per
// weight).
struct LayerRecord {
  uint32_t count = 0;
  uint32_t words = 0;   // per kernel
  uint64_t offset = 0;  // of the first, from the start of the kernel section
  bool on_demand = false;
  net::TranscriptDigest checksum;
};

// The words the linear server of an op keeps: its kernels, or (on demand) its weights as one run.
std::vector<std::span<const uint32_t>> kept_words(const linear::Conv2dServer& s, bool& on_demand) {
  on_demand = !s.precomputed();
  if (!on_demand) return s.kernel_words();
  const std::span<const int64_t> w = s.on_demand_weights();
  return {std::span<const uint32_t>(reinterpret_cast<const uint32_t*>(w.data()), 2 * w.size())};
}

// Rebuilds the layer with the fewest prepared kernels from its weights and compares its words with
// the file's: a file whose kernels were laid out by another build (an NTT order or a packing that
// has since changed) is refused instead of answering wrongly.
void check_kernel_layout(const QuantizedGraph& graph, const PreparedKernels& prepared, const std::string& name,
                         const std::filesystem::path& file) {
  const LinearLayer* smallest = nullptr;
  const std::vector<LinearLayer> layers = linear_layers(graph);
  for (const LinearLayer& layer : layers) {
    const auto kernel_count = [&](std::size_t op) -> std::size_t {
      const auto* k = prepared.layers[op] ? std::get_if<linear::PreparedKernels>(&*prepared.layers[op]) : nullptr;
      return k != nullptr ? k->size() : 0;
    };
    const std::size_t count = kernel_count(layer.op);
    if (count > 0 && (smallest == nullptr || count < kernel_count(smallest->op))) smallest = &layer;
  }
  if (smallest == nullptr) return;
  const QOpKind& op = graph.ops[smallest->op].op;
  const std::vector<int64_t>* weights = nullptr;
  if (const auto* conv = std::get_if<qop::Conv2d>(&op)) {
    weights = &conv->weights;
  } else if (const auto* gemm = std::get_if<qop::Gemm>(&op)) {
    weights = &gemm->weights;
  } else if (const auto* affine = std::get_if<qop::ChannelAffine>(&op)) {
    weights = &affine->scale;
  } else {
    throw CapacityError("check_kernel_layout: op " + std::to_string(smallest->op) + " is no linear layer");
  }
  const auto context = he::Context::create(he::Parameters::standard(graph.ring_bits));
  const linear::Conv2dServer fresh(context, smallest->shape, *weights, smallest->weight_bound, SIZE_MAX,
                                   prepared.flooding.layers.at(smallest->op));
  const auto want = fresh.kernel_words();
  const auto& have = std::get<linear::PreparedKernels>(*prepared.layers[smallest->op]);
  bool same = want.size() == have.size();
  for (std::size_t k = 0; same && k < want.size(); ++k)
    same = std::equal(want[k].begin(), want[k].end(), have[k].begin(), have[k].end());
  if (!same)
    throw FormatError(name + ": out of date: the kernels of op " + std::to_string(smallest->op) +
                      " differ from this build's for the same weights; " + rebuild_hint(file));
}

std::size_t layer_bytes(const LayerRecord& l) {
  return l.count == 0 ? 0 : (l.count - 1) * align_up(l.words * sizeof(uint32_t), kKernelAlignment) + l.words * sizeof(uint32_t);
}

}  // namespace

bool is_model_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[sizeof kMagic] = {};
  return in.read(magic, sizeof magic) && std::memcmp(magic, kMagic, sizeof magic) == 0;
}

void write_model_file(const ServerModel& model, const std::filesystem::path& file) {
  const QuantizedGraph& graph = model.graph();
  // Each layer's kernel words, laid out one after the other.
  std::vector<std::vector<std::span<const uint32_t>>> layers(graph.ops.size());
  std::vector<LayerRecord> records(layers.size());
  for (std::size_t i = 0; i < graph.ops.size(); ++i) {
    bool& on_demand = records[i].on_demand;
    std::visit(Overloaded{[](const std::monostate&) {},
                          [&](const linear::Conv2dServer& s) { layers[i] = kept_words(s, on_demand); },
                          [&](const linear::FullyConnectedServer& s) { layers[i] = kept_words(s.convolution(), on_demand); },
                          [&](const linear::BatchNormServer& s) { layers[i] = kept_words(s.convolution(), on_demand); }},
               model.linear(i));
  }
  uint64_t kernels_bytes = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LayerRecord& rec = records[i];
    rec.count = static_cast<uint32_t>(layers[i].size());
    rec.words = layers[i].empty() ? 0 : static_cast<uint32_t>(layers[i][0].size());
    rec.offset = kernels_bytes;
    net::TranscriptChecksum c;
    for (const auto& k : layers[i]) {
      TWAIN_REQUIRE(k.size() == rec.words, InvalidArgument, "write_model_file: kernels of one layer differ in size");
      c.update(reinterpret_cast<const uint8_t*>(k.data()), k.size() * sizeof(uint32_t));
    }
    rec.checksum = c.digest();
    kernels_bytes = align_up(kernels_bytes + layer_bytes(rec), kPage);
  }
  WireWriter meta;
  const std::vector<uint8_t> described = describe_public(graph, model.policy(), true);
  meta.u64(described.size());
  for (uint8_t b : described) meta.u8(b);
  for (const QOp& op : graph.ops) write_private(meta, op.op);
  meta.string(model.card());
  write_policy(meta, model.model_policy());
  write_flooding(meta, model.flooding());
  meta.u32(static_cast<uint32_t>(records.size()));
  for (const LayerRecord& rec : records) {
    meta.u32(rec.count);
    meta.u32(rec.words);
    meta.u64(rec.offset);
    meta.u8(rec.on_demand ? 1 : 0);
    write_digest(meta, rec.checksum);
  }
  const std::vector<uint8_t> meta_bytes = meta.take();
  Header header;
  header.ring_bits = static_cast<uint32_t>(graph.ring_bits);
  header.params_id = model.context()->id();
  header.meta_offset = kPage;
  header.meta_bytes = meta_bytes.size();
  header.kernels_offset = align_up(kPage + meta_bytes.size(), kPage);
  header.kernels_bytes = kernels_bytes;
  header.meta_checksum = checksum(meta_bytes.data(), meta_bytes.size());

  const std::filesystem::path temporary = file.string() + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw InvalidArgument("cannot write the model file " + temporary.string());
    const std::vector<uint8_t> head = encode_header(header);
    out.write(reinterpret_cast<const char*>(head.data()), static_cast<std::streamsize>(head.size()));
    out.write(reinterpret_cast<const char*>(meta_bytes.data()), static_cast<std::streamsize>(meta_bytes.size()));
    const std::vector<char> zeros(kPage, 0);
    auto pad_to = [&](uint64_t position) {
      const auto at = static_cast<uint64_t>(out.tellp());
      if (position > at) out.write(zeros.data(), static_cast<std::streamsize>(position - at));
    };
    for (std::size_t i = 0; i < layers.size(); ++i) {
      for (std::size_t k = 0; k < layers[i].size(); ++k) {
        pad_to(header.kernels_offset + records[i].offset +
               k * align_up(records[i].words * sizeof(uint32_t), kKernelAlignment));
        out.write(reinterpret_cast<const char*>(layers[i][k].data()),
                  static_cast<std::streamsize>(layers[i][k].size() * sizeof(uint32_t)));
      }
    }
    pad_to(header.kernels_offset + header.kernels_bytes);
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary);
      throw InvalidArgument("cannot write the model file " + temporary.string() + " (disk full?)");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    std::filesystem::remove(temporary);
    throw InvalidArgument("cannot move the model file into place as " + file.string() + ": " + error.message());
  }
}

ServerModel load_model_file(const std::filesystem::path& file, const ModelFileServing& serving) {
  auto mapping = std::make_shared<const Mapping>(file);
  const std::span<const uint8_t> bytes = mapping->bytes();
  const std::string name = "model file " + file.string();
  const auto refuse = [&](const std::string& why) -> void {
    throw FormatError(name + ": " + why + "; " + rebuild_hint(file));
  };
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw FormatError(name + ": not a twain model file (no TWAINMF magic); `twain prepare` makes one from an ONNX model");
  if (bytes.size() < kPage) refuse("truncated (" + std::to_string(bytes.size()) + " bytes, shorter than its header)");
  WireReader head(bytes.subspan(sizeof kMagic, kPage - sizeof kMagic), name + " header");
  Header h;
  h.version = head.u32("format version");
  if (h.version != kModelFileVersion)
    refuse("out of date: format version " + std::to_string(h.version) + ", this build reads version " +
           std::to_string(kModelFileVersion));
  h.ring_bits = head.u32("ring bits");
  h.params_id = head.u64("HE parameter id");
  h.meta_offset = head.u64("meta offset");
  h.meta_bytes = head.u64("meta size");
  h.kernels_offset = head.u64("kernel offset");
  h.kernels_bytes = head.u64("kernel size");
  h.meta_checksum = read_digest(head);
  if (h.ring_bits < 2 || h.ring_bits > 64) refuse("corrupted header (ring bits " + std::to_string(h.ring_bits) + ")");
  he::ContextPtr context;
  try {
    context = he::Context::create(he::Parameters::standard(static_cast<int>(h.ring_bits)));
  } catch (const Error& e) {
    refuse("out of date: no HE parameters in this build for l = " + std::to_string(h.ring_bits) + " (" + e.what() + ")");
  }
  if (h.params_id != context->id())
    refuse("out of date: made for other HE parameters than this build's for l = " + std::to_string(h.ring_bits));
  if (h.meta_offset != kPage || h.meta_bytes > kMaxMetaBytes || h.kernels_offset % kPage != 0 ||
      h.kernels_offset < h.meta_offset + h.meta_bytes)
    refuse("corrupted header (section offsets)");
  if (bytes.size() < h.kernels_offset || bytes.size() - h.kernels_offset < h.kernels_bytes)
    refuse("truncated: " + std::to_string(bytes.size()) + " bytes, the header says " +
           std::to_string(h.kernels_offset + h.kernels_bytes));
  const std::span<const uint8_t> meta = bytes.subspan(h.meta_offset, h.meta_bytes);
  if (checksum(meta.data(), meta.size()) != h.meta_checksum) refuse("corrupted: the graph section fails its checksum");

  WireReader r(meta, name);
  const uint64_t described_bytes = r.u64("description size");
  if (described_bytes > kMaxDescriptionBytes || described_bytes > r.remaining()) refuse("corrupted (description size)");
  std::vector<uint8_t> described(described_bytes);
  for (uint8_t& b : described) b = r.u8("description");
  PublicModel pub = parse_public(described);
  QuantizedGraph graph = std::move(pub.graph);
  for (QOp& op : graph.ops) read_private(r, op.op);
  const std::string card = r.string("card", kMaxCardBytes);
  const ModelPolicy made = read_policy(r);
  SessionFlooding flooding = read_flooding(r);
  if (flooding.layers.size() != graph.ops.size()) refuse("corrupted (flooding of " + std::to_string(flooding.layers.size()) + " ops)");
  // Every layer is flooded for the session's target, which the policy accepts.
  if (flooding.budget.statistical_bits < made.min_statistical_bits ||
      std::any_of(flooding.layers.begin(), flooding.layers.end(),
                  [&](const he::FloodBudget& b) { return b.statistical_bits != flooding.budget.statistical_bits; }))
    refuse("corrupted (its flooding does not hold the session's target)");
  const auto layer_count = r.integer("layer count", 0, static_cast<int64_t>(kMaxGraphTensors));
  if (static_cast<std::size_t>(layer_count) != graph.ops.size()) refuse("corrupted (layer count)");
  std::vector<LayerRecord> records(graph.ops.size());
  for (LayerRecord& rec : records) {
    rec.count = r.u32("kernel count");
    rec.words = r.u32("kernel words");
    rec.offset = r.u64("kernel offset");
    rec.on_demand = r.small("on demand", 1) != 0;
    rec.checksum = read_digest(r);
    if (rec.on_demand && (rec.count != 1 || rec.words % 2 != 0)) refuse("corrupted (the weights of a layer on demand)");
    // Checked by division: hostile counts must not wrap the product around.
    if ((rec.count == 0) != (rec.words == 0) || rec.offset % kPage != 0 || rec.offset > h.kernels_bytes)
      refuse("corrupted (a layer's kernel record)");
    const uint64_t room = h.kernels_bytes - rec.offset, last = uint64_t{rec.words} * sizeof(uint32_t);
    if (rec.count > 0 && (last > room || rec.count - 1 > (room - last) / align_up(last, kKernelAlignment)))
      refuse("corrupted (a layer's kernels lie outside the kernel section)");
  }
  r.finish();

  if ((serving.max_inferences && *serving.max_inferences != made.max_inferences) ||
      (serving.min_statistical_bits && *serving.min_statistical_bits != made.min_statistical_bits))
    throw PolicyError(name + " was made for sessions of " + std::to_string(made.max_inferences) +
                      " inference(s) at a target of " + std::to_string(made.statistical_bits) + " bits (at least " +
                      std::to_string(made.min_statistical_bits) +
                      "), which fix its flooding and kernels: serve it with those, or rebuild it with the "
                      "options wanted (twain prepare --max-images N --min-statistical-bits S)");

  // Every layer's words against its checksum, the layers spread over the machine's cores.
  const std::span<const uint8_t> kernels = bytes.subspan(h.kernels_offset, h.kernels_bytes);
  ::madvise(const_cast<uint8_t*>(kernels.data()), kernels.size(), MADV_WILLNEED);
  const std::size_t stride_of = kKernelAlignment;
  std::vector<char> bad(records.size(), 0);
  {
    const unsigned workers = std::max(1U, std::min(8U, std::thread::hardware_concurrency()));
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    const auto join_all = [&] {
      for (auto& t : threads) t.join();
    };
    try {
      for (unsigned t = 0; t < workers; ++t)
        threads.emplace_back([&] {
        for (std::size_t i = next++; i < records.size(); i = next++) {
          const LayerRecord& rec = records[i];
          const std::size_t stride = align_up(rec.words * sizeof(uint32_t), stride_of);
          net::TranscriptChecksum c;
          for (uint32_t k = 0; k < rec.count; ++k)
            c.update(kernels.data() + rec.offset + k * stride, rec.words * sizeof(uint32_t));
          bad[i] = c.digest() != rec.checksum;
        }
      });
    } catch (...) {
      join_all();  // the workers started share this frame
      throw;
    }
    join_all();
  }
  PreparedKernels prepared;
  prepared.layers.resize(records.size());
  std::vector<std::vector<std::span<const uint32_t>>> words(records.size());  // what the kernel views cover
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (bad[i])
      refuse("corrupted: the kernels of op " + std::to_string(i) + " (" + graph.ops[i].name + ") fail their checksum");
    const LayerRecord& rec = records[i];
    const uint8_t* first = kernels.data() + rec.offset;
    if (rec.on_demand) {
      prepared.layers[i] = linear::PreparedWeights{
          std::shared_ptr<const int64_t>(mapping, reinterpret_cast<const int64_t*>(first)), rec.words / 2};
      continue;
    }
    if (rec.count == 0) continue;
    const std::size_t stride = align_up(rec.words * sizeof(uint32_t), stride_of);
    for (uint32_t k = 0; k < rec.count; ++k)
      words[i].emplace_back(reinterpret_cast<const uint32_t*>(first + k * stride), rec.words);
    prepared.layers[i] = linear::PreparedKernels(words[i]);
  }
  prepared.storage = mapping;
  prepared.flooding = std::move(flooding);
  ModelPolicy policy = made;
  policy.max_top_k = serving.max_top_k;
  policy.allow_logits = serving.allow_logits;
  policy.send_names = serving.send_names;
  try {
    graph.validate();
    check_kernel_layout(graph, prepared, name, file);
    return ServerModel(std::move(graph), card, policy, std::move(prepared));
  } catch (const InvalidArgument& e) {
    throw FormatError(name + ": out of date or corrupted: " + e.what() + "; " + rebuild_hint(file));
  } catch (const CapacityError& e) {
    throw FormatError(name + ": out of date or corrupted: " + e.what() + "; " + rebuild_hint(file));
  }
}

}  // namespace twain::engine
