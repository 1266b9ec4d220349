// Little-endian fields of the engine's own messages (the public model description), read with a
// bound on every count so a hostile peer cannot make the reader allocate without limit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace twain::engine {

class WireWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void string(const std::string& s);
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

// Every read throws FormatError "<what>: truncated at byte N reading <field>".
class WireReader {
 public:
  WireReader(std::span<const uint8_t> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  uint8_t u8(const char* field);
  uint32_t u32(const char* field);
  uint64_t u64(const char* field);
  int64_t i64(const char* field) { return static_cast<int64_t>(u64(field)); }
  // A u8 that must be at most max.
  uint8_t small(const char* field, uint8_t max);
  // A u32 that must lie in [min, max].
  int64_t integer(const char* field, int64_t min, int64_t max);
  std::string string(const char* field, std::size_t max_length);
  // Bytes not read yet.
  std::size_t remaining() const { return bytes_.size() - at_; }
  // Throws FormatError unless every byte was read.
  void finish() const;
  [[noreturn]] void fail(const std::string& message) const;

 private:
  void need(std::size_t n, const char* field) const;
  std::span<const uint8_t> bytes_;
  std::size_t at_ = 0;
  std::string what_;
};

}  // namespace twain::engine
