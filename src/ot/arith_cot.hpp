// Correlated OT over Z_{2^l}: additive shares of choice_bit * x, the building block of
// arithmetic share conversion and of bit-times-value products.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "net/channel.hpp"
#include "ot/cot.hpp"

namespace twain::ot {

// Widths l accepted by the functions below.
inline constexpr int kMinArithBits = 1;
inline constexpr int kMaxArithBits = 64;

// l-bit correlated OT from correlated OT (the "COT with chosen correlation" of Asharov,
// Lindell, Schneider and Zohner, CCS 2013, over the ring Z_{2^l}), with the tweakable hash H of
// cr_hash.hpp truncated to l bits. For OT k with tweak i = first_index + k:
//   sender:   r_k = H(q_k, i),  sends c_k = r_k + x_k - H(q_k ^ delta, i)   (mod 2^l)
//   receiver: y_k = H(t_k, i) + b_k c_k = r_k + b_k x_k                      (mod 2^l)
// One message of l bits per OT, sender to receiver. The choice bits b_k are those of the COT
// batch: random from CotReceiver::get(n), or the caller's from CotReceiver::get(choices).

// Returns r_k (each below 2^bits). Throws InvalidArgument unless bits is in
// [kMinArithBits, kMaxArithBits], x.size() == cot.q.size() and every x_k < 2^bits.
std::vector<uint64_t> arith_cot_send(net::Channel& channel, const CotSenderBatch& cot, int bits,
                                     std::span<const uint64_t> x);

// Returns y_k = r_k + b_k x_k mod 2^bits. The choice bit selects through a mask, not a branch.
// Throws FormatError if the message's padding bits are not zero, NetworkError if it is cut short.
std::vector<uint64_t> arith_cot_receive(net::Channel& channel, const CotReceiverBatch& cot, int bits);

}  // namespace twain::ot
