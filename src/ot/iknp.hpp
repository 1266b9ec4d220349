// IKNP OT extension: correlated OTs with a global delta from 128 base OTs.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "core/bit_vector.hpp"
#include "core/block.hpp"
#include "core/prg.hpp"
#include "net/channel.hpp"
#include "ot/ctr_stream.hpp"

namespace twain::ot {

// Width of the extension matrix: the number of base OTs and the bits of delta.
inline constexpr std::size_t kIknpWidth = 128;

// "Extending Oblivious Transfers Efficiently", Ishai, Kilian, Nissim and Petrank, CRYPTO 2003,
// in its correlated form (as in Asharov, Lindell, Schneider and Zohner, CCS 2013):
//
//   setup: the extension sender picks delta (least significant bit 1, the rest uniform: the
//   LSB form of ferret.hpp) and, as *receiver* of 128 base OTs with choice
//   bits delta_j, learns k_j^{delta_j}; the extension receiver holds both k_j^0, k_j^1.
//   extend m: the receiver, with choice bits r (m bits), expands t^j = G(k_j^0) and sends
//   u^j = t^j ^ G(k_j^1) ^ r for every column j; the sender computes
//   q^j = G(k_j^{delta_j}) ^ delta_j u^j = t^j ^ delta_j r. Transposing the m x 128 bit
//   matrices gives rows with q_i = t_i ^ r_i delta.
//
// G is AES-128 in counter mode (CtrStream) keyed by the base-OT message; each column's stream
// continues across calls, so the base OTs run once per session. Semi-honest security only:
// the consistency check of Keller, Orsini and Scholl (CRYPTO 2015) against a malicious
// receiver is not implemented (DESIGN.md section 1 assumes semi-honest parties).
//
// Wire: per extend call, the receiver sends the count (8 bytes; the sender throws FormatError
// when it differs from its own) and then 128 bits per OT, padded to whole 128-OT blocks. One
// message, receiver to sender.

// The extension sender: holds delta and gets q_i = t_i ^ r_i delta.
class IknpSender {
 public:
  // Runs the base OTs (as their receiver) on `channel`, which must outlive this object.
  IknpSender(net::Channel& channel, core::Prg& prg);

  core::Block delta() const { return delta_; }
  // Fills q with the next q.size() correlations.
  void extend(std::span<core::Block> q);

 private:
  net::Channel& channel_;
  core::Block delta_;
  std::vector<CtrStream> columns_;  // G(k_j^{delta_j})
  std::vector<core::Block> matrix_;
  std::vector<core::Block> received_;
};

// The extension receiver: chooses r_i and gets t_i.
class IknpReceiver {
 public:
  // Runs the base OTs (as their sender) on `channel`, which must outlive this object.
  IknpReceiver(net::Channel& channel, core::Prg& prg);

  // t.size() must equal choices.size() (else InvalidArgument); fills t with t_i for choice
  // bits r_i = choices[i]. The choice bits enter only through XOR.
  void extend(const core::BitVector& choices, std::span<core::Block> t);

 private:
  net::Channel& channel_;
  std::vector<std::array<CtrStream, 2>> columns_;  // G(k_j^0), G(k_j^1)
  std::vector<core::Block> matrix_;
  std::vector<core::Block> outgoing_;
};

}  // namespace twain::ot
