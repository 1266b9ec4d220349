// The client's input: an image file decoded (PNG, JPEG, ... through stb_image), resized and
// normalised as a model's preprocessing spec declares, in CHW order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace twain::apps {

// The JSON file next to a model (models/fashion_mnist/preprocess.json):
//   {"input": [C, H, W], "color": "gray" | "rgb", "resize": [H, W], "scale": 0.00392156862745098,
//    "mean": [...], "std": [...], "labels": "labels.txt"}
// pixel value p in [0, 255] becomes (p * scale - mean[c]) / std[c].
struct PreprocessSpec {
  int channels = 3, height = 224, width = 224;
  bool gray = false;
  float scale = 1.0f / 255.0f;
  std::vector<float> mean{0.485f, 0.456f, 0.406f};
  std::vector<float> std{0.229f, 0.224f, 0.225f};
  std::filesystem::path labels;  // empty when the spec names none; otherwise absolute

  // ImageNet defaults for an input of C x H x W (C = 3).
  static PreprocessSpec imagenet(int height, int width);
  // Throws FormatError naming the file and the field when the spec is malformed.
  static PreprocessSpec load(const std::filesystem::path& file);
  // The same from JSON text; `where` names its origin in errors, relative label paths resolve
  // against `base`.
  static PreprocessSpec parse(const std::string& text, const std::string& where,
                              const std::filesystem::path& base = {});
};

// What an image may be before anything is decoded: its file, each side, its pixels (stb allocates
// width x height x channels for the decoded image).
inline constexpr uint64_t kMaxImageFileBytes = uint64_t{64} << 20;
inline constexpr int kMaxImageSide = 1 << 14;
inline constexpr uint64_t kMaxImagePixels = uint64_t{1} << 25;

// Decodes (PNG or JPEG only, by signature), converts to gray or RGB, resizes (bilinear) to the
// spec's size and normalises. Returns C*H*W floats. Throws InvalidArgument naming the file when it
// cannot be read, is neither PNG nor JPEG, is over the limits above or does not decode.
std::vector<float> load_image(const std::filesystem::path& file, const PreprocessSpec& spec);
// The same on the bytes of an image; `name` names it in errors.
// max_decoded_bytes bounds width x height x channels of the decoded image (stb allocates that
// much, and as much again to convert channels) and must not exceed kMaxImagePixels * 4.
std::vector<float> decode_image(std::span<const uint8_t> bytes, const PreprocessSpec& spec, const std::string& name,
                                uint64_t max_decoded_bytes = kMaxImagePixels * 3);

// One label per line; throws InvalidArgument when the file cannot be read.
std::vector<std::string> load_labels(const std::filesystem::path& file);

}  // namespace twain::apps
