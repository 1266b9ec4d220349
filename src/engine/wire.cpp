#include "engine/wire.hpp"

#include "core/errors.hpp"

namespace twain::engine {

void WireWriter::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void WireWriter::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void WireWriter::string(const std::string& s) {
  u32(static_cast<uint32_t>(s.size()));
  bytes_.insert(bytes_.end(), s.begin(), s.end());
}

void WireReader::need(std::size_t n, const char* field) const {
  if (bytes_.size() - at_ < n)
    fail("truncated at byte " + std::to_string(at_) + " of " + std::to_string(bytes_.size()) + " reading " + field);
}

void WireReader::fail(const std::string& message) const { throw FormatError(what_ + ": " + message); }

uint8_t WireReader::u8(const char* field) {
  need(1, field);
  return bytes_[at_++];
}

uint32_t WireReader::u32(const char* field) {
  need(4, field);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{bytes_[at_ + i]} << (8 * i);
  at_ += 4;
  return v;
}

uint64_t WireReader::u64(const char* field) {
  need(8, field);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{bytes_[at_ + i]} << (8 * i);
  at_ += 8;
  return v;
}

uint8_t WireReader::small(const char* field, uint8_t max) {
  const uint8_t v = u8(field);
  if (v > max) fail(std::string(field) + " = " + std::to_string(v) + " is above " + std::to_string(max));
  return v;
}

int64_t WireReader::integer(const char* field, int64_t min, int64_t max) {
  const int64_t v = static_cast<int32_t>(u32(field));
  if (v < min || v > max)
    fail(std::string(field) + " = " + std::to_string(v) + " outside [" + std::to_string(min) + ", " +
         std::to_string(max) + "]");
  return v;
}

std::string WireReader::string(const char* field, std::size_t max_length) {
  const uint32_t length = u32(field);
  if (length > max_length) fail(std::string(field) + " longer than " + std::to_string(max_length) + " bytes");
  need(length, field);
  std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), length);
  at_ += length;
  return s;
}

void WireReader::finish() const {
  if (at_ != bytes_.size())
    fail(std::to_string(bytes_.size() - at_) + " bytes left over after the last field");
}

}  // namespace twain::engine
