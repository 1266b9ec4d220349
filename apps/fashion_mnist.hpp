// The Fashion-MNIST test set from Debian's dataset-fashion-mnist (IDX files, gzip-compressed),
// for measuring the accuracy of secure inference on real images.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace twain::apps {

inline const std::filesystem::path kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct LabelledImages {
  int rows = 0, cols = 0;
  std::vector<std::vector<uint8_t>> images;  // rows x cols pixels each
  std::vector<uint8_t> labels;
};

// The first `count` images of the t10k set (all 10,000 when count is 0 or larger). Throws
// InvalidArgument naming the file when it is missing, FormatError when it is malformed.
LabelledImages load_fashion_mnist_test(std::size_t count, const std::filesystem::path& dir = kFashionMnistDir);

}  // namespace twain::apps
