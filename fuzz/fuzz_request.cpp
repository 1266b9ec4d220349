// The session request a server reads from every connection before it admits it
// (engine::decode_request). Any request it accepts must hold options in their documented ranges,
// and encoding them again must give back the same bytes (the client plans from the decoded
// values and sends them encoded again).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>
#include <algorithm>

#include "core/errors.hpp"
#include "engine/request_codec.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace twain::engine;
  SessionOptions options;
  try {
    options = decode_request(std::span<const uint8_t>(data, size));
  } catch (const twain::FormatError&) {
    return 0;
  }
  check(size <= kMaxRequestBytes);
  check(options.top_k >= 1 && options.top_k <= kMaxTopK);
  check(options.link.bits_per_second >= 1000 && options.link.one_way_latency_s >= 0 &&
        options.link.one_way_latency_s <= 10.0);
  const std::vector<uint8_t> again = encode_request(options);
  check(again.size() == size && std::equal(again.begin(), again.end(), data));
  return 0;
}
