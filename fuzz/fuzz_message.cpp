// Message framing: the bytes a peer writes, read back as framed messages until the stream ends.
// Only FormatError (a declared length over the limit) and NetworkError (truncation) may end it.
#include <cstddef>
#include <cstdint>

#include "core/errors.hpp"
#include "net/memory_channel.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size > (std::size_t{1} << 16)) return 0;
  auto [peer, self] = twain::net::make_memory_channel_pair();
  peer->send(data, size);
  peer->close();
  try {
    // A small limit so that both branches (over the limit, truncated payload) are reachable.
    for (;;) self->recv_message(4096);
  } catch (const twain::FormatError&) {
  } catch (const twain::NetworkError&) {
  }
  return 0;
}
