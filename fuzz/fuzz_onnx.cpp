// ONNX import from the bytes of a model file (onnx::load_model_bytes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errors.hpp"
#include "onnx/importer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  try {
    twain::onnx::load_model_bytes(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const twain::Error&) {
  }
  return 0;
}
