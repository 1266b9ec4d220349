// Bit (AND) multiplication triples over XOR shares, for Boolean GMW.
#pragma once

#include <cstddef>
#include <optional>

#include "core/bit_vector.hpp"
#include "core/prg.hpp"
#include "net/channel.hpp"
#include "ot/cot.hpp"
#include "ot/ferret.hpp"
#include "ot/party.hpp"
#include "ot/random_ot.hpp"

namespace twain::ot {

// One party's XOR shares of n triples: with the peer's shares a', b', c',
// (a ^ a') & (b ^ b') == c ^ c' bit by bit. Bits are packed 64 per word.
struct BitTriples {
  core::BitVector a;
  core::BitVector b;
  core::BitVector c;
};

// Beaver triples (Beaver, "Efficient multiparty protocols using circuit randomization",
// CRYPTO 1991) from two random bit OTs, one in each direction, as in Asharov, Lindell,
// Schneider and Zohner, "More efficient oblivious transfer and extensions for faster secure
// computation", CCS 2013. With this party's sender bit OT (s0, s1) and receiver bit OT (choice u, s_u):
//   a = u,   b = s0 ^ s1,   c = (a & b) ^ s0 ^ s_u.
// The peer's receiver bit OT pairs with ours as sender, so s_u' ^ s0 = a' & b and
// s_u ^ s0' = a & b'; the cross terms of (a ^ a') & (b ^ b') cancel into c ^ c'.
// Cost: two correlated OTs per triple (IKNP: 2 x 128 bits on the wire; Ferret: about 2 x 0.46).
//
// Buffered: both ends must use the same batch size and ask for the same counts in the same
// order. The constructor runs the base OTs of both directions on `channel` (which must outlive
// the provider); kFirst and kSecond must be on opposite ends.
class BitTripleProvider {
 public:
  // Correlated OTs from IKNP extension.
  BitTripleProvider(Party party, net::Channel& channel, core::Prg& prg,
                    std::size_t batch = kDefaultCotBatch);
  // Correlated OTs from Ferret silent OT with `params` (both ends the same).
  BitTripleProvider(Party party, net::Channel& channel, core::Prg& prg, const FerretParams& params,
                    std::size_t batch = kDefaultCotBatch);

  // The next n triples.
  BitTriples get(std::size_t n);

 private:
  BitTriples generate(std::size_t n);
  // Random bit OTs of this party's sender and receiver directions.
  BitOtSenderBatch send_bits(std::size_t n);
  BitOtReceiverBatch receive_bits(std::size_t n);

  Party party_;
  std::size_t batch_;
  // Built in the order of `party_` (the first direction's base OTs first), hence optional.
  // One backend's pair is set.
  std::optional<CotSender> sender_;
  std::optional<CotReceiver> receiver_;
  std::optional<FerretCotSender> ferret_sender_;
  std::optional<FerretCotReceiver> ferret_receiver_;
  BitTriples buffer_;
  std::size_t used_ = 0;
};

}  // namespace twain::ot
