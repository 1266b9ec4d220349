// Base OT points from the peer: the sender's A as the receiver reads it and the receiver's B_i as
// the sender reads them (ristretto255 encodings; non-canonical or identity points are FormatError).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bit_vector.hpp"
#include "core/errors.hpp"
#include "core/prg.hpp"
#include "net/memory_channel.hpp"
#include "ot/base_ot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  constexpr std::size_t kCount = 4, kPointBytes = 32;
  const bool sender = data[0] & 1;
  // Exactly the bytes the side reads (the receiver: the count and A; the sender: B_0 .. B_3), so
  // that no read waits for more; the peer stays open, since a closed peer fails this side's send.
  std::vector<uint8_t> message(sender ? kCount * kPointBytes : 8 + kPointBytes, 0);
  for (std::size_t i = 0; i + 1 < size && i < message.size(); ++i) message[i] = data[i + 1];
  auto [peer, self] = twain::net::make_memory_channel_pair();
  peer->send(message.data(), message.size());
  peer->flush();
  twain::core::Prg prg(twain::core::Seed{7});
  try {
    if (sender) {
      twain::ot::base_ot_send(*self, prg, kCount);
    } else {
      twain::core::BitVector choices(kCount);
      twain::ot::base_ot_receive(*self, prg, choices);
    }
  } catch (const twain::FormatError&) {
  } catch (const twain::NetworkError&) {
  }
  return 0;
}
