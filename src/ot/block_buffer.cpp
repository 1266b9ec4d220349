#include "ot/block_buffer.hpp"

#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace twain::ot {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

BlockBuffer::BlockBuffer(std::size_t size) : size_(size) {
  if (size == 0) return;
  if (size > (static_cast<std::size_t>(-1) - kHugePage) / sizeof(core::Block)) throw std::bad_alloc();
  const std::size_t bytes = (size * sizeof(core::Block) + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__)
  // Advice only: a kernel without transparent huge pages refuses, and the pages stay small.
  (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
  std::memset(p, 0, bytes);
  data_.reset(static_cast<core::Block*>(p));
}

}  // namespace twain::ot
