#include "fashion_mnist.hpp"

#include <zlib.h>

#include <memory>

#include "core/errors.hpp"

namespace twain::apps {
namespace {

constexpr uint32_t kImagesMagic = 0x803, kLabelsMagic = 0x801;
constexpr uint32_t kMaxItems = 1 << 20;

class GzFile {
 public:
  explicit GzFile(const std::filesystem::path& path) : path_(path), file_(gzopen(path.c_str(), "rb"), gzclose) {
    if (!file_) throw InvalidArgument("cannot open " + path.string() + " (is dataset-fashion-mnist installed?)");
  }
  void read(void* data, std::size_t bytes) {
    if (gzread(file_.get(), data, static_cast<unsigned>(bytes)) != static_cast<int>(bytes))
      throw FormatError(path_.string() + ": truncated");
  }
  uint32_t u32() {
    uint8_t b[4];
    read(b, 4);
    return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file_;
};

}  // namespace

LabelledImages load_fashion_mnist_test(std::size_t count, const std::filesystem::path& dir) {
  GzFile images(dir / "t10k-images-idx3-ubyte.gz"), labels(dir / "t10k-labels-idx1-ubyte.gz");
  if (images.u32() != kImagesMagic) throw FormatError(images.path().string() + ": not an IDX image file");
  if (labels.u32() != kLabelsMagic) throw FormatError(labels.path().string() + ": not an IDX label file");
  const uint32_t n = images.u32();
  LabelledImages out;
  out.rows = static_cast<int>(images.u32());
  out.cols = static_cast<int>(images.u32());
  if (n > kMaxItems || labels.u32() != n || out.rows < 1 || out.rows > 1024 || out.cols < 1 || out.cols > 1024)
    throw FormatError(images.path().string() + ": inconsistent header");
  const std::size_t take = count == 0 ? n : std::min<std::size_t>(count, n);
  out.labels.resize(take);
  labels.read(out.labels.data(), take);
  for (std::size_t i = 0; i < take; ++i) {
    std::vector<uint8_t> pixels(static_cast<std::size_t>(out.rows) * out.cols);
    images.read(pixels.data(), pixels.size());
    out.images.push_back(std::move(pixels));
  }
  return out;
}

}  // namespace twain::apps
