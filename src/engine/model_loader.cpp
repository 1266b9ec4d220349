#include "engine/model_loader.hpp"

#include "model/passes.hpp"
#include "model/quantize.hpp"
#include "model/sibling_fusion.hpp"
#include "onnx/importer.hpp"

namespace twain::engine {

model::QuantizedGraph load_quantized_model(const std::filesystem::path& onnx_file, int ring_bits, int frac_bits,
                                          std::optional<int> weight_bits) {
  return model::quantize(model::fuse_sibling_convolutions(model::optimize(onnx::load_model(onnx_file))), ring_bits,
                         frac_bits, weight_bits);
}

}  // namespace twain::engine
