// Bit-range copies and bit transport for the packed vectors OT outputs live in.
#pragma once

#include <cstddef>

#include "core/bit_vector.hpp"
#include "core/block.hpp"
#include "net/channel.hpp"

namespace twain::ot {

// dst[dst_first + k] = src[src_first + k] for k < count, a word at a time. Both ranges must lie
// inside their vectors (else InvalidArgument).
void copy_bits(const core::BitVector& src, std::size_t src_first, core::BitVector& dst,
               std::size_t dst_first, std::size_t count);

// dst[first + k] = the least significant bit of blocks[k] for k < n, a word at a time (the
// choice bits of LSB-form COTs, the bits of hashed OTs). The range must lie inside dst (else
// InvalidArgument).
void put_low_bits(const core::Block* blocks, std::size_t n, core::BitVector& dst, std::size_t first);

// Sends the bits packed into ceil(size / 8) bytes (bit k in byte k / 8, bit k % 8).
void send_bits(net::Channel& channel, const core::BitVector& bits);
// Receives `count` bits sent by send_bits; FormatError if the padding bits of the last byte
// are not zero, NetworkError if the peer closes first.
core::BitVector recv_bits(net::Channel& channel, std::size_t count);

}  // namespace twain::ot
