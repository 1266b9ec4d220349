// Ferret silent OT extension: correlated OTs from regular-noise LPN, bootstrapped once by IKNP.
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "core/block.hpp"
#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "net/channel.hpp"
#include "ot/block_buffer.hpp"
#include "ot/cot.hpp"
#include "ot/lpn.hpp"
#include "ot/spcot.hpp"

namespace twain::ot {

// One Ferret iteration turns k + t * depth base COTs into n = t * 2^depth COTs: the LPN code
// has n rows and k columns, the noise has one nonzero entry in each of t blocks of 2^depth.
struct FerretParams {
  std::size_t k = 0;
  GgmShape noise;

  std::size_t n() const { return noise.outputs(); }
  // Base COTs consumed per iteration; each iteration keeps that many of its outputs for the next.
  std::size_t reserve() const { return k + noise.base_cots(); }
  // COTs handed out per iteration.
  std::size_t usable() const { return n() - reserve(); }
  // Throws InvalidArgument unless the shape is valid, k in [128, 2^32) and reserve() < n().
  void validate() const;
};

// 128-bit security, regular noise: the extension parameters n = 10,805,248, k = 589,760,
// t = 1,319 (2^13 leaves per tree) of Weng, Yang, Katz and Wang, "Wolverine", IEEE S&P 2021
// (eprint 2020/925), Table 2 (128-bit LPN security; Galois' swanky uses the same set).
// Ferret's own regular set n = 10,168,320, k = 452,000, t = 1,280 has 7,944 leaves per tree,
// not a power of two, which the punctured index (taken from the base COTs' random choice
// bits, spcot.hpp) needs. 10,198,341 COTs per iteration. Re-estimated with the estimator of Liu,
// Wang, Yang and Yu (EUROCRYPT 2024, eprint 2022/712), including the algebraic attack of Briaud
// and Oygarden (EUROCRYPT 2023): 151.8 bits, BJMM-ISD the cheapest attack
// (tools/lpn_estimate.py --ferret).
inline constexpr FerretParams kFerretRegular128{589'760, GgmShape{1'319, 13}};
// 128-bit security, regular noise, for bootstrapping only: n = 870,400, k = 65,536, t = 850 (2^10
// leaves per tree), emp-ot's set ferret_b10 (emp-ot/tuning.h, PrimalLPNParameter(850, 16, 10): the
// instance with which its Ferret, FerretCOT in older releases, bootstraps its larger sets). One
// iteration of it, from 74,036 IKNP COTs, makes the 606,907 base COTs of kFerretRegular128: about
// 1.33 MB of setup traffic instead of 9.7 MB. The same estimator: 128.6 bits, BJMM-ISD the
// cheapest. Not counted there: the later hybrid attack of eprint 2025/1284, which its authors'
// public program (hybrid_2_quick, github.com/1234wangtr/Code_estimators) puts at 138.8 bits for
// this set (about 150 for kFerretRegular128, and 122.1 for Ferret's own setup set n = 649,728,
// k = 36,288, t = 1,269, which this one replaces).
inline constexpr FerretParams kFerretSetup128{65'536, GgmShape{850, 10}};
// Small and insecure: for tests only (122,176 COTs per iteration; about 25 bits, SD 2.0).
inline constexpr FerretParams kFerretInsecureForTests{8'192, GgmShape{64, 11}};

// Ferret: Yang, Weng, Lan, Zhang and Wang, "Ferret: Fast Extension for coRRElated oT with small
// communication", CCS 2020, the semi-honest COT extension from primal LPN with regular noise:
//
//   From base COTs (q; u, t) of length k and (q'; b', t') of length t * depth, the parties run
//   t single-point COTs (spcot.hpp) to get v (sender) and w, e (receiver) with
//   w = v ^ e delta, then apply the public local linear code A (lpn.hpp):
//     sender   y = v ^ A q,    receiver  x = e ^ A u,  z = w ^ A t,    so y = z ^ x delta.
//   The first reserve() outputs become the next iteration's base COTs; the rest are handed out.
//   The choice bits x are LPN samples: pseudorandom to the sender.
//
// Bootstrapping, inside the constructor: 128 base OTs and one IKNP extension (cot.hpp); Ferret
// keeps the IKNP delta as its own. When params need more base COTs than kFerretSetup128 does
// and one iteration of it makes enough (kFerretRegular128: yes), IKNP makes the setup set's
// base COTs and one setup iteration makes params' (fewer bytes: IKNP costs 128 bits per COT);
// otherwise IKNP makes reserve() COTs directly.
//
// LSB form (as in emp-ot's Ferret): the IKNP delta has least significant bit 1; the sender
// clears the low bit of its base COTs and the receiver sets its own to the choice bit, which
// keeps q = t ^ b delta. SPCOT and the (linear) code preserve the form, so every COT carries its
// choice bit as lsb(t) and lsb(q) = 0: the LPN step encodes blocks only. Hashing to random OTs
// is unaffected (the hash input keeps 127 unknown bits, as with emp-ot).
// Per iteration, from sender to receiver only: an 8-byte shape header and t * depth blocks
// (Half-Tree SPCOT, spcot.hpp; kFerretRegular128: 0.215 bits per usable COT), sent a segment's
// trees at a time (detail::FerretOutput): each end keeps a segment of 2^20 rows (16 MiB) and
// 2 * reserve() base COTs, not the iteration's n outputs (173 MB for kFerretRegular128).
//
// Both ends must use the same parameters and ask for the same counts in the same order. The
// channel, and the thread pool if one is given (it splits the GGM trees and the LPN rows among
// its threads; the outputs do not depend on it), must outlive the provider.

// Whether the constructors bootstrap params through one iteration of kFerretSetup128.
bool bootstraps_through_setup(const FerretParams& params);

namespace detail {

// Where a Ferret end stands in its iterations. An iteration is produced a segment (the rows of
// some trees) at a time, so that an end holds one segment instead of the whole iteration; the
// iteration's first reserve() rows are kept as the next iteration's base COTs and the others
// are handed out.
class FerretOutput {
 public:
  // Segments of about 2^20 rows per thread of the pool (one thread without one), at most the
  // whole iteration.
  FerretOutput(const FerretParams& params, const core::ThreadPool* pool);

  // This iteration's base COTs (the bootstrap writes the first ones).
  std::span<core::Block> base() { return base_.span(); }
  // The next segment: rows [first_row(), first_row() + rows().size()) of the iteration, whose
  // first tree is first_tree(); a new iteration begins with it when first_tree() == 0.
  std::size_t first_tree() const { return next_tree_; }
  std::size_t first_row() const { return next_tree_ << params_.noise.depth; }
  std::span<core::Block> rows();
  // Called once the segment's rows are final: keeps its reserved rows, makes the others
  // available, and moves on (to the next iteration after its last segment).
  void finish_segment();

  // Hands the next n outputs to visit(first_index, piece), calling produce() (which fills
  // rows() and calls finish_segment()) whenever none is available.
  template <class Produce, class Visit>
  void consume(std::size_t n, Produce&& produce, Visit&& visit);
  uint64_t produced() const { return produced_; }

 private:
  FerretParams params_;
  std::size_t segment_trees_;
  BlockBuffer base_;
  BlockBuffer next_base_;
  BlockBuffer segment_;
  std::size_t next_tree_ = 0;
  std::size_t used_ = 0;   // rows of segment_ handed out or reserved
  std::size_t ready_ = 0;  // rows of segment_ produced
  uint64_t produced_ = 0;
};

template <class Produce, class Visit>
void FerretOutput::consume(std::size_t n, Produce&& produce, Visit&& visit) {
  for (std::size_t done = 0; done < n;) {
    if (used_ == ready_) {
      produce();
      continue;
    }
    const std::size_t take = std::min(n - done, ready_ - used_);
    visit(produced_, std::span<const core::Block>(segment_.data() + used_, take));
    used_ += take;
    done += take;
    produced_ += take;
  }
}

}  // namespace detail

class FerretCotSender {
 public:
  FerretCotSender(net::Channel& channel, core::Prg& prg,
                  const FerretParams& params = kFerretRegular128, core::ThreadPool* pool = nullptr);

  core::Block delta() const { return delta_; }
  // The next n correlations q[i] = t[i] ^ choices[i] * delta (random choice bits).
  CotSenderBatch get(std::size_t n);
  // The same stream without a copy: calls visit(first_index, q) for consecutive pieces of the
  // next n correlations, q a view of the internal buffer valid during the call only. get and
  // consume may be mixed; each correlation is handed out once.
  template <class Visit>
  void consume(std::size_t n, Visit&& visit);
  uint64_t produced() const { return out_.produced(); }

 private:
  void bootstrap(core::Prg& prg);
  // The next segment of outputs: its trees, then the LPN product on top.
  void produce_segment();

  net::Channel& channel_;
  FerretParams params_;
  core::ThreadPool* pool_;
  core::Prg prg_;
  core::Block delta_;
  SpcotSender spcot_;
  LpnEncoder code_;
  detail::FerretOutput out_;
};

class FerretCotReceiver {
 public:
  FerretCotReceiver(net::Channel& channel, core::Prg& prg,
                    const FerretParams& params = kFerretRegular128,
                    core::ThreadPool* pool = nullptr);

  // The next n correlations with their (pseudorandom) choice bits.
  CotReceiverBatch get(std::size_t n);
  // As FerretCotSender::consume: visit(first_index, t), the choice bit of t[i] being
  // lsb(t[i]) (LSB form).
  template <class Visit>
  void consume(std::size_t n, Visit&& visit);
  uint64_t produced() const { return out_.produced(); }

 private:
  void bootstrap(core::Prg& prg);
  // The next segment of outputs: the LPN product (while the sender expands its trees), then the
  // trees on top.
  void produce_segment();

  net::Channel& channel_;
  FerretParams params_;
  core::ThreadPool* pool_;
  SpcotReceiver spcot_;
  LpnEncoder code_;
  detail::FerretOutput out_;
};

template <class Visit>
void FerretCotSender::consume(std::size_t n, Visit&& visit) {
  out_.consume(n, [this] { produce_segment(); }, visit);
}

template <class Visit>
void FerretCotReceiver::consume(std::size_t n, Visit&& visit) {
  out_.consume(n, [this] { produce_segment(); }, visit);
}

}  // namespace twain::ot
