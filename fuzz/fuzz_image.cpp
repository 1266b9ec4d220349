// Image decoding (apps::decode_image) with a small pixel limit, so a header announcing a large
// image is refused before stb allocates.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/errors.hpp"
#include "image_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const twain::apps::PreprocessSpec gray = [] {
    twain::apps::PreprocessSpec s;
    s.channels = 1;
    s.height = s.width = 28;
    s.gray = true;
    s.mean = {0.5f};
    s.std = {0.5f};
    return s;
  }();
  static const twain::apps::PreprocessSpec rgb = twain::apps::PreprocessSpec::imagenet(16, 16);
  try {
    twain::apps::decode_image(std::span<const uint8_t>(data + 1, size - 1), data[0] & 1 ? rgb : gray, "fuzz input",
                              uint64_t{1} << 16);
  } catch (const twain::InvalidArgument&) {
  }
  return 0;
}
