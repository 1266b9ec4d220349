#include "image_input.hpp"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"

namespace twain::apps {
namespace {


// nlohmann's get<int>() and get<float>() convert out-of-range numbers with undefined behaviour, so
// every number is range-checked as it is read.
int int_of(const nlohmann::json& value, const std::string& field, const std::filesystem::path& file) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() ? value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max())
                                   : (value.get<int64_t>() >= std::numeric_limits<int>::min() &&
                                      value.get<int64_t>() <= std::numeric_limits<int>::max()))
      return static_cast<int>(value.get<int64_t>());
  }
  throw FormatError(file.string() + ": field '" + field + "' must be an integer in the range of int");
}

float float_of(const nlohmann::json& value, const std::string& field, const std::filesystem::path& file) {
  if (value.is_number()) {
    const double x = value.get<double>();
    if (std::isfinite(x) && std::fabs(x) <= static_cast<double>(std::numeric_limits<float>::max()))
      return static_cast<float>(x);
  }
  throw FormatError(file.string() + ": field '" + field + "' must be a finite number in the range of float");
}

// Debian's stb_image (2.27) trusts a JPEG's Huffman tables: a DHT table whose 16 code-length
// counts sum past 256 writes past the table's 257-byte size list and 256-byte value array. Every
// DHT segment of the file (before and between scans) is checked here before stb sees the bytes.
// A scan may use only tables defined before it: stb decodes with an undefined table's zeroed
// limits and reads past them.
bool jpeg_huffman_tables_fit(std::span<const uint8_t> b) {
  bool defined[2][4] = {};
  bool progressive = false;
  std::size_t pos = 2;  // after SOI
  while (pos + 1 < b.size()) {
    if (b[pos] != 0xff) {  // entropy-coded data between markers
      ++pos;
      continue;
    }
    const uint8_t marker = b[pos + 1];
    if (marker == 0xff) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x00 || marker == 0x01 || marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;  // stuffed 0xff, TEM, SOI, RST: no length field
      continue;
    }
    if (marker == 0xd9) return true;  // EOI
    if (pos + 3 >= b.size()) return true;  // truncated: stb refuses it on its own
    const std::size_t length = (std::size_t{b[pos + 2]} << 8) | b[pos + 3];
    if (marker == 0xc4) {
      // stb reads tables while the declared length lasts, even past the segment's real end.
      long remaining = static_cast<long>(length) - 2;
      std::size_t t = pos + 4;
      while (remaining > 0) {
        if (t >= b.size()) return true;  // stb reads zeros past the end: no codes
        std::size_t count = 0;
        for (std::size_t i = 1; i <= 16 && t + i < b.size(); ++i) count += b[t + i];
        if (count > 256) return false;
        if ((b[t] >> 4) <= 1 && (b[t] & 15) <= 3) defined[b[t] >> 4][b[t] & 15] = true;
        remaining -= 17 + static_cast<long>(count);
        t += 17 + count;
      }
    }
    if (marker == 0xc2) progressive = true;
    if (marker == 0xda && pos + 4 < b.size()) {
      // Baseline scans use both tables; a progressive scan only the DC table (first DC pass,
      // spectral start 0 and Ah 0) or only the AC table (spectral start above 0).
      const std::size_t components = b[pos + 4];
      const std::size_t tail = pos + 5 + 2 * components;
      const bool dc_only = progressive && tail < b.size() && b[tail] == 0;
      const bool dc_refine = dc_only && tail + 2 < b.size() && (b[tail + 2] >> 4) != 0;
      const bool need_dc = !progressive || (dc_only && !dc_refine), need_ac = !progressive || !dc_only;
      for (std::size_t c = 0; c < components && pos + 6 + 2 * c < b.size(); ++c) {
        const uint8_t tables = b[pos + 6 + 2 * c];
        if ((tables >> 4) > 3 || (tables & 15) > 3) return false;
        if ((need_dc && !defined[0][tables >> 4]) || (need_ac && !defined[1][tables & 15])) return false;
      }
    }
    pos += 2 + length;
  }
  return true;
}

// stb_image grows its IDAT buffer to a chunk's declared length (up to 2^31 bytes) before it
// reads the chunk, so a few bytes could make it allocate gigabytes: every chunk's declared length
// must fit in the bytes that follow it.
bool png_chunks_fit(std::span<const uint8_t> b) {
  std::size_t pos = 8;  // after the signature
  while (pos + 8 <= b.size()) {
    const uint64_t length = (uint64_t{b[pos]} << 24) | (uint64_t{b[pos + 1]} << 16) | (uint64_t{b[pos + 2]} << 8) |
                            b[pos + 3];
    if (length + 12 > b.size() - pos) return false;  // length, type, data, CRC
    if (b[pos + 4] == 'I' && b[pos + 5] == 'E' && b[pos + 6] == 'N' && b[pos + 7] == 'D') return true;
    pos += 12 + static_cast<std::size_t>(length);
  }
  return true;
}

std::vector<float> floats_of(const nlohmann::json& spec, const char* field, std::size_t count,
                             const std::filesystem::path& file) {
  const auto& values = spec.at(field);
  if (!values.is_array() || values.size() != count)
    throw FormatError(file.string() + ": field '" + field + "' must be an array of " + std::to_string(count) +
                      " numbers");
  std::vector<float> out;
  for (const auto& v : values) out.push_back(float_of(v, field, file));
  return out;
}

}  // namespace

PreprocessSpec PreprocessSpec::imagenet(int height, int width) {
  PreprocessSpec spec;
  spec.height = height;
  spec.width = width;
  return spec;
}

PreprocessSpec PreprocessSpec::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw FormatError("cannot open the preprocessing spec " + file.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text, file.string(), file.parent_path());
}

PreprocessSpec PreprocessSpec::parse(const std::string& text, const std::string& where,
                                     const std::filesystem::path& base) {
  const std::filesystem::path file = where;
  PreprocessSpec spec;
  try {
    const nlohmann::json json = nlohmann::json::parse(text);
    const auto& input = json.at("input");
    if (!input.is_array() || input.size() != 3)
      throw FormatError(file.string() + ": field 'input' must be [C, H, W]");
    spec.channels = int_of(input[0], "input", file);
    spec.height = int_of(input[1], "input", file);
    spec.width = int_of(input[2], "input", file);
    if (json.contains("resize")) {
      const auto& resize = json.at("resize");
      if (!resize.is_array() || resize.size() != 2 || int_of(resize[0], "resize", file) != spec.height ||
          int_of(resize[1], "resize", file) != spec.width)
        throw FormatError(file.string() + ": field 'resize' must equal the input's [H, W]");
    }
    const std::string color = json.value("color", spec.channels == 1 ? "gray" : "rgb");
    if (color != "gray" && color != "rgb") throw FormatError(file.string() + ": field 'color' must be gray or rgb");
    spec.gray = color == "gray";
    if ((spec.gray ? 1 : 3) != spec.channels)
      throw FormatError(file.string() + ": color " + color + " does not match " + std::to_string(spec.channels) +
                        " input channels");
    if (spec.height < 1 || spec.width < 1 || spec.height > kMaxImageSide || spec.width > kMaxImageSide)
      throw FormatError(file.string() + ": input size out of range");
    if (json.contains("scale")) spec.scale = float_of(json.at("scale"), "scale", file);
    spec.mean = floats_of(json, "mean", static_cast<std::size_t>(spec.channels), file);
    spec.std = floats_of(json, "std", static_cast<std::size_t>(spec.channels), file);
    for (float s : spec.std)
      if (!(s > 0.0f)) throw FormatError(file.string() + ": every 'std' must be positive");
    if (json.contains("labels") && !base.empty()) spec.labels = base / json.at("labels").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(file.string() + ": " + e.what());
  }
  return spec;
}

std::vector<float> load_image(const std::filesystem::path& file, const PreprocessSpec& spec) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open the image " + file.string());
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  if (size < 0 || static_cast<uint64_t>(size) > kMaxImageFileBytes)
    throw InvalidArgument("the image " + file.string() + " is " + std::to_string(size) + " bytes, over the limit of " +
                          std::to_string(kMaxImageFileBytes));
  in.seekg(0);
  std::vector<uint8_t> bytes(static_cast<std::size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
    throw InvalidArgument("cannot read the image " + file.string());
  return decode_image(bytes, spec, file.string());
}

std::vector<float> decode_image(std::span<const uint8_t> bytes, const PreprocessSpec& spec, const std::string& name,
                                uint64_t max_decoded_bytes) {
  if (max_decoded_bytes > kMaxImagePixels * 4)
    throw InvalidArgument("decode_image: max_decoded_bytes over kMaxImagePixels * 4");
  // Only PNG and JPEG reach stb (it would also try GIF, BMP, PSD, HDR, PIC, PNM, TGA).
  static constexpr uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  static constexpr uint8_t kJpeg[] = {0xff, 0xd8, 0xff};
  const auto starts_with = [&](std::span<const uint8_t> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
  };
  if (!starts_with(kPng) && !starts_with(kJpeg))
    throw InvalidArgument("the image " + name + " is neither PNG nor JPEG (no PNG or JPEG signature in its first bytes)");
  if (bytes.size() > kMaxImageFileBytes)
    throw InvalidArgument("the image " + name + " is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                          std::to_string(kMaxImageFileBytes));
  if (starts_with(kPng) && !png_chunks_fit(bytes))
    throw InvalidArgument("cannot decode the image " + name + ": a PNG chunk declares more bytes than the file holds");
  if (starts_with(kJpeg) && !jpeg_huffman_tables_fit(bytes))
    throw InvalidArgument("cannot decode the image " + name + ": a JPEG Huffman table declares more than 256 codes");
  const int length = static_cast<int>(bytes.size());
  int width = 0, height = 0, source_channels = 0;
  const int channels = spec.gray ? 1 : 3;
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &source_channels))
    throw InvalidArgument("cannot decode the image " + name + ": " + stbi_failure_reason());
  // The decoded size is capped, not only each side: stb allocates width x height x channels.
  // stb decodes at the source's channel count (up to 4), then converts to `channels`.
  const uint64_t decoded_channels = static_cast<uint64_t>(std::max({source_channels, channels, 1}));
  if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide ||
      static_cast<uint64_t>(width) * static_cast<uint64_t>(height) > kMaxImagePixels ||
      static_cast<uint64_t>(width) * static_cast<uint64_t>(height) * decoded_channels > max_decoded_bytes)
    throw InvalidArgument("the image " + name + " is " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                          std::to_string(decoded_channels) + ", over the limit of " + std::to_string(kMaxImageSide) +
                          " per side, " + std::to_string(kMaxImagePixels) + " pixels and " +
                          std::to_string(max_decoded_bytes) + " decoded bytes");
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), length, &width, &height, &source_channels, channels), stbi_image_free);
  if (!pixels)
    throw InvalidArgument("cannot decode the image " + name + ": " + stbi_failure_reason());
  std::vector<float> interleaved(static_cast<std::size_t>(width) * height * channels);
  for (std::size_t i = 0; i < interleaved.size(); ++i) interleaved[i] = pixels.get()[i];
  std::vector<float> resized(static_cast<std::size_t>(spec.width) * spec.height * channels);
  if (width == spec.width && height == spec.height) {
    resized = interleaved;
  } else if (!stbir_resize_float(interleaved.data(), width, height, 0, resized.data(), spec.width, spec.height, 0,
                                 channels)) {
    throw InvalidArgument("cannot resize the image " + name);
  }
  std::vector<float> chw(resized.size());
  const std::size_t plane = static_cast<std::size_t>(spec.width) * spec.height;
  for (int c = 0; c < channels; ++c)
    for (std::size_t p = 0; p < plane; ++p)
      chw[c * plane + p] = (resized[p * channels + c] * spec.scale - spec.mean[c]) / spec.std[c];
  return chw;
}

std::vector<std::string> load_labels(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw InvalidArgument("cannot open the labels file " + file.string());
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) labels.push_back(line);
  return labels;
}

}  // namespace twain::apps
