// A PRG stream written straight into the caller's blocks: what OT extension expands seeds with.
#pragma once

#include <cstddef>

#include "core/aes.hpp"
#include "core/block.hpp"

namespace twain::ot {

// AES-128 in counter mode under `key`, counter starting at 0: the same stream as
// core::Prg(seed) with the key in the seed's first 16 bytes and zeros after, without the copy
// through Prg's buffer (OT extension expands 128 such streams per OT batch).
class CtrStream {
 public:
  explicit CtrStream(const core::Block& key) : aes_(key) {}

  // The next `blocks` blocks of the stream.
  void next(core::Block* out, std::size_t blocks) {
    aes_.keystream(counter_, out, blocks);
    counter_ = counter_.plus(blocks);
  }

 private:
  core::Aes128 aes_;
  core::Block counter_{};
};

}  // namespace twain::ot
