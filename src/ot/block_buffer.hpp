// Large block arrays on transparent huge pages: the LPN code's random reads stay in the TLB.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "core/block.hpp"

namespace twain::ot {

// Advises the kernel to back the whole 2 MiB pages inside [data, data + bytes) with transparent
// huge pages when first touched (Linux madvise(MADV_HUGEPAGE); a no-op elsewhere or when the
// kernel declines). Worth it before the first write to a fresh allocation of many megabytes:
// on this project's VMs a 4 KiB page fault costs far more than the bytes it maps.
void advise_huge_pages(void* data, std::size_t bytes);

// An empty vector with room for n elements, its pages advised as huge: fill it with insert or
// push_back (each element written once, no zero-fill pass).
template <class T>
std::vector<T> huge_vector(std::size_t n) {
  std::vector<T> v;
  v.reserve(n);
  advise_huge_pages(v.data(), n * sizeof(T));
  return v;
}

// A fixed-size, zero-initialised array of blocks, 2 MiB aligned and advised to the kernel as a
// candidate for transparent huge pages (Linux madvise(MADV_HUGEPAGE); elsewhere, or when the
// kernel declines, ordinary pages: only speed differs). Throws std::bad_alloc when memory runs
// out. Movable, not copyable.
class BlockBuffer {
 public:
  BlockBuffer() = default;
  explicit BlockBuffer(std::size_t size);

  std::size_t size() const { return size_; }
  core::Block* data() { return data_.get(); }
  const core::Block* data() const { return data_.get(); }
  core::Block& operator[](std::size_t i) { return data_.get()[i]; }
  const core::Block& operator[](std::size_t i) const { return data_.get()[i]; }
  std::span<core::Block> span() { return {data_.get(), size_}; }
  std::span<const core::Block> span() const { return {data_.get(), size_}; }

 private:
  struct Free {
    void operator()(core::Block* p) const { std::free(p); }
  };
  std::unique_ptr<core::Block, Free> data_;
  std::size_t size_ = 0;
};

}  // namespace twain::ot
