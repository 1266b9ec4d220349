// Base oblivious transfer: random 1-out-of-2 OTs of 128-bit messages from public-key operations
// on the ristretto255 group (libsodium). Run once per session to seed OT extension.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "core/bit_vector.hpp"
#include "core/block.hpp"
#include "core/prg.hpp"
#include "net/channel.hpp"

namespace twain::ot {

// Largest number of base OTs one call runs (OT extension needs 128).
inline constexpr std::size_t kMaxBaseOts = std::size_t{1} << 16;

// The two random messages the sender holds for one OT.
using BlockPair = std::array<core::Block, 2>;

// "The Simplest Protocol for Oblivious Transfer", Chou and Orlandi, LATINCRYPT 2015, with the
// key derivation hashing the OT index, both parties' points and the shared point, as in the
// fix of Hauck and Loss (ePrint 2017/1011) for the attacks of Genc, Iovino and Rial (ePrint
// 2017/370). Semi-honest security in the random-oracle model under CDH in ristretto255.
//
//   sender:   a random, A = aG                       --- count, A --->
//   receiver: b_i random, B_i = b_i G + c_i A         <--- B_0 .. B_{n-1} ---
//   sender:   m0_i = H(i, A, B_i, a B_i), m1_i = H(i, A, B_i, a B_i - a A)
//   receiver: m_{c_i} = H(i, A, B_i, b_i A)
//
// Two messages, one in each direction. Received points must be canonical encodings of
// non-identity group elements, else FormatError; a peer announcing another count than this
// side's throws FormatError; transport failures throw NetworkError.

// Sender: returns `count` message pairs (1 <= count <= kMaxBaseOts, else InvalidArgument).
std::vector<BlockPair> base_ot_send(net::Channel& channel, core::Prg& prg, std::size_t count);

// Receiver: returns m_{c_i} for each choice bit c_i (1 <= choices.size() <= kMaxBaseOts).
// The choice bits select data only through masks, never through branches or addresses.
std::vector<core::Block> base_ot_receive(net::Channel& channel, core::Prg& prg,
                                         const core::BitVector& choices);

}  // namespace twain::ot
