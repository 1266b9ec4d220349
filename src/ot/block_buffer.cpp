#include "ot/block_buffer.hpp"

#include <cstdint>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace twain::ot {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__)
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHugePage - 1) / kHugePage * kHugePage;
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) / kHugePage * kHugePage;
  // Advice only: a kernel without transparent huge pages refuses, and the pages stay small.
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

BlockBuffer::BlockBuffer(std::size_t size) : size_(size) {
  if (size == 0) return;
  if (size > (static_cast<std::size_t>(-1) - kHugePage) / sizeof(core::Block)) throw std::bad_alloc();
  const std::size_t bytes = (size * sizeof(core::Block) + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (p == nullptr) throw std::bad_alloc();
  advise_huge_pages(p, bytes);
  std::memset(p, 0, bytes);
  data_.reset(static_cast<core::Block*>(p));
}

}  // namespace twain::ot
