// Random OT of 128-bit messages and random bit OT, derived from correlated OT by hashing.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/bit_vector.hpp"
#include "core/block.hpp"
#include "ot/base_ot.hpp"
#include "ot/cot.hpp"
#include "ot/ferret.hpp"

namespace twain::ot {

// Random OT: the sender holds m[i] = (m0_i, m1_i); the receiver holds choices[i] and
// m[i] = m_{choices[i]}_i.
struct RotSenderBatch {
  std::vector<BlockPair> m;
};
struct RotReceiverBatch {
  core::BitVector choices;
  std::vector<core::Block> m;
};

// Random bit OT: the sender holds bits (m0_i, m1_i); the receiver holds choices[i] and
// m[i] = m_{choices[i]}_i.
struct BitOtSenderBatch {
  core::BitVector m0;
  core::BitVector m1;
};
struct BitOtReceiverBatch {
  core::BitVector choices;
  core::BitVector m;
};

// Correlated to random OT (Ishai, Kilian, Nissim and Petrank, CRYPTO 2003, section 3, with the
// tweakable correlation-robust hash H of cr_hash.hpp): with i = first_index + k,
//   sender m0 = H(q_k, i), m1 = H(q_k ^ delta, i);   receiver m = H(t_k, i).
// No communication. Each COT batch may be converted once.
RotSenderBatch random_ot(const CotSenderBatch& cot);
RotReceiverBatch random_ot(const CotReceiverBatch& cot);

// As random_ot, keeping the least significant bit of each hash.
BitOtSenderBatch random_bit_ot(const CotSenderBatch& cot);
BitOtReceiverBatch random_bit_ot(const CotReceiverBatch& cot);

// The same conversions of the next n correlations of a Ferret end, hashed straight from its
// buffer (no intermediate COT batch): equal to random_ot(cot.get(n)) and so on.
RotSenderBatch random_ot(FerretCotSender& cot, std::size_t n);
RotReceiverBatch random_ot(FerretCotReceiver& cot, std::size_t n);
BitOtSenderBatch random_bit_ot(FerretCotSender& cot, std::size_t n);
BitOtReceiverBatch random_bit_ot(FerretCotReceiver& cot, std::size_t n);

// The next out.size() random OTs of a Ferret end written into caller-owned storage (the same
// values as the forms above). Reusing the storage across calls spares the page faults of fresh
// memory, which cost more than the hashing on this project's VMs. The receiver form needs
// choices.size() == out.size() (else InvalidArgument) and overwrites every bit.
void random_ot(FerretCotSender& cot, std::span<BlockPair> out);
void random_ot(FerretCotReceiver& cot, core::BitVector& choices, std::span<core::Block> out);

// Providers: any count, drawn from a buffered COT provider that must outlive them (and may
// also serve other consumers; each correlation is handed out once).
class RotSender {
 public:
  explicit RotSender(CotSender& cot) : cot_(cot) {}
  RotSenderBatch get(std::size_t n) { return random_ot(cot_.get(n)); }

 private:
  CotSender& cot_;
};

class RotReceiver {
 public:
  explicit RotReceiver(CotReceiver& cot) : cot_(cot) {}
  RotReceiverBatch get(std::size_t n) { return random_ot(cot_.get(n)); }

 private:
  CotReceiver& cot_;
};

class BitOtSender {
 public:
  explicit BitOtSender(CotSender& cot) : cot_(cot) {}
  BitOtSenderBatch get(std::size_t n) { return random_bit_ot(cot_.get(n)); }

 private:
  CotSender& cot_;
};

class BitOtReceiver {
 public:
  explicit BitOtReceiver(CotReceiver& cot) : cot_(cot) {}
  BitOtReceiverBatch get(std::size_t n) { return random_bit_ot(cot_.get(n)); }

 private:
  CotReceiver& cot_;
};

}  // namespace twain::ot
