// The client's input: an image file decoded (PNG, JPEG, ... through stb_image), resized and
// normalised as a model's preprocessing spec declares, in CHW order.
#pragma once

#include <filesystem>
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

// Decodes, converts to gray or RGB, resizes (bilinear) to the spec's size and normalises.
// Returns C*H*W floats. Throws InvalidArgument naming the file when it cannot be read or decoded.
std::vector<float> load_image(const std::filesystem::path& file, const PreprocessSpec& spec);

// One label per line; throws InvalidArgument when the file cannot be read.
std::vector<std::string> load_labels(const std::filesystem::path& file);

}  // namespace twain::apps
