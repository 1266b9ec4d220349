#include "image_source.hpp"

#include <pybind11/numpy.h>
#include <stb_image_write.h>

#include "core/errors.hpp"

namespace py = pybind11;

namespace twain::python {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Pixels go through the same decoder as files (stb, then the card's resize and normalisation):
// written as a PNG, which is lossless, so an array and the PNG file of it give the same input.
std::vector<uint8_t> as_png(const PixelImage& image) {
  std::vector<uint8_t> png;
  const auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  if (stbi_write_png_to_func(append, &png, image.width, image.height, image.channels, image.pixels.data(),
                             image.width * image.channels) == 0)
    throw InvalidArgument("cannot encode the pixel array as PNG");
  return png;
}

}  // namespace

ImageSource image_source(const py::tuple& image) {
  TWAIN_REQUIRE(image.size() == 2, InvalidArgument, "image: expected a (kind, value) pair");
  const std::string kind = image[0].cast<std::string>();
  if (kind == "path") return ImageFile{image[1].cast<std::string>()};
  if (kind == "encoded") {
    const std::string bytes = image[1].cast<py::bytes>();
    return EncodedImage{{bytes.begin(), bytes.end()}, "(encoded image)"};
  }
  if (kind == "pixels") {
    const auto array = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>::ensure(image[1]);
    TWAIN_REQUIRE(array && (array.ndim() == 2 || array.ndim() == 3), InvalidArgument,
                  "image: a uint8 array must be H x W or H x W x C");
    PixelImage pixels;
    pixels.height = static_cast<int>(array.shape(0));
    pixels.width = static_cast<int>(array.shape(1));
    pixels.channels = array.ndim() == 3 ? static_cast<int>(array.shape(2)) : 1;
    TWAIN_REQUIRE(pixels.channels >= 1 && pixels.channels <= 4, InvalidArgument,
                  "image: a uint8 array H x W x C needs C in 1..4, got " + std::to_string(pixels.channels));
    TWAIN_REQUIRE(pixels.height >= 1 && pixels.width >= 1 && pixels.height <= apps::kMaxImageSide &&
                      pixels.width <= apps::kMaxImageSide,
                  InvalidArgument, "image: each side of a pixel array must lie in 1.." + std::to_string(apps::kMaxImageSide));
    pixels.pixels.assign(array.data(), array.data() + array.size());
    return pixels;
  }
  if (kind == "normalised") {
    const auto array = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(image[1]);
    TWAIN_REQUIRE(array, InvalidArgument, "image: a float array was expected");
    NormalisedImage normalised;
    for (py::ssize_t d = 0; d < array.ndim(); ++d) normalised.shape.push_back(array.shape(d));
    normalised.values.assign(array.data(), array.data() + array.size());
    return normalised;
  }
  throw InvalidArgument("image: unknown kind '" + kind + "'");
}

std::vector<float> model_input(const ImageSource& image, const apps::PreprocessSpec& spec,
                               const model::QuantizedGraph& graph) {
  if (const auto* file = std::get_if<ImageFile>(&image)) return apps::load_image(file->path, spec);
  if (const auto* encoded = std::get_if<EncodedImage>(&image))
    return apps::decode_image(encoded->bytes, spec, encoded->name);
  if (const auto* pixels = std::get_if<PixelImage>(&image))
    return apps::decode_image(as_png(*pixels), spec, "(pixel array)");
  const auto& normalised = std::get<NormalisedImage>(image);
  const model::Shape& input = graph.tensors[static_cast<std::size_t>(graph.input)].shape;
  std::vector<int64_t> expected(input.begin(), input.end());
  std::vector<int64_t> shape = normalised.shape;
  if (shape.size() + 1 == expected.size()) shape.insert(shape.begin(), 1);  // C x H x W for batch 1
  if (shape != expected)
    throw InvalidArgument("image: a normalised array of shape " + shape_text(normalised.shape) +
                          " does not fit the model's input " + shape_text(expected));
  return normalised.values;
}

}  // namespace twain::python
