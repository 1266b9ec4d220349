// The session request a server reads from every connection before it admits it
// (engine::decode_request). Any request it accepts must hold options in their documented ranges,
// and encoding them again must give a request it accepts with the same choices.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

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
  const SessionOptions again = decode_request(encode_request(options));
  check(again.mode == options.mode && again.backend == options.backend && again.compare == options.compare &&
        again.top_k == options.top_k && again.reveal_logits == options.reveal_logits &&
        again.link.bits_per_second == options.link.bits_per_second);
  return 0;
}
