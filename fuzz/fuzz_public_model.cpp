// The public model description a client receives from the server (engine::parse_public).
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/errors.hpp"
#include "engine/model_description.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  try {
    twain::engine::parse_public(std::span<const uint8_t>(data, size));
  } catch (const twain::FormatError&) {
  }
  return 0;
}
