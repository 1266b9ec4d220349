// The client's image as Python handed it over, copied out of Python objects while the GIL is
// held, and turned into the model's normalised input once the server's model card is known
// (the card's preprocessing applies to files, encoded bytes and pixel arrays alike).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <pybind11/pybind11.h>

#include "image_input.hpp"
#include "model/quantized_graph.hpp"

namespace twain::python {

struct ImageFile {
  std::string path;
};
// PNG or JPEG bytes (what a PIL image is saved as).
struct EncodedImage {
  std::vector<uint8_t> bytes;
  std::string name;
};
// Height x width x channels (1, 2, 3 or 4) bytes, row-major.
struct PixelImage {
  int height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
};
// C x H x W floats, normalised already: used as they are.
struct NormalisedImage {
  std::vector<int64_t> shape;
  std::vector<float> values;
};
using ImageSource = std::variant<ImageFile, EncodedImage, PixelImage, NormalisedImage>;

// From what twain/_image.py passes: ("path", str), ("encoded", bytes), ("pixels", uint8 array
// H x W or H x W x C) or ("normalised", float array C x H x W or 1 x C x H x W). Needs the GIL.
// Throws InvalidArgument for anything else.
ImageSource image_source(const pybind11::tuple& image);

// The model's input for `graph` under `spec`. Throws InvalidArgument when the image does not
// decode or a normalised array has another shape than the model's input.
std::vector<float> model_input(const ImageSource& image, const apps::PreprocessSpec& spec,
                               const model::QuantizedGraph& graph);

}  // namespace twain::python
