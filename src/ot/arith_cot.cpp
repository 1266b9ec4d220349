#include "ot/arith_cot.hpp"

#include <string>

#include "core/bit_packing.hpp"
#include "core/errors.hpp"
#include "ot/cot_hash.hpp"

namespace twain::ot {
namespace {

uint64_t ring_mask(int bits) {
  TWAIN_REQUIRE(bits >= kMinArithBits && bits <= kMaxArithBits, InvalidArgument,
                "arithmetic COT: width " + std::to_string(bits) + " outside [" +
                    std::to_string(kMinArithBits) + ", " + std::to_string(kMaxArithBits) + "]");
  return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
}

}  // namespace

std::vector<uint64_t> arith_cot_send(net::Channel& channel, const CotSenderBatch& cot, int bits,
                                     std::span<const uint64_t> x) {
  const uint64_t mask = ring_mask(bits);
  const std::size_t n = cot.q.size();
  TWAIN_REQUIRE(x.size() == n, InvalidArgument,
                "arithmetic COT: " + std::to_string(x.size()) + " correlations for " +
                    std::to_string(n) + " OTs");
  for (std::size_t k = 0; k < n; ++k) {
    TWAIN_REQUIRE((x[k] & ~mask) == 0, InvalidArgument,
                  "arithmetic COT: correlation " + std::to_string(k) + " does not fit in " +
                      std::to_string(bits) + " bits");
  }
  std::vector<uint64_t> r(n);
  std::vector<uint8_t> message;
  message.reserve(core::packed_size(n, bits));
  {
    core::BitWriter writer(message);
    hash_sender_chunks(cot, [&](std::size_t first, std::size_t count, const core::Block* h0,
                                const core::Block* h1) {
      for (std::size_t k = 0; k < count; ++k) {
        const uint64_t rk = h0[k].lo & mask;
        r[first + k] = rk;
        writer.write((rk + x[first + k] - h1[k].lo) & mask, bits);
      }
    });
  }
  channel.send(message.data(), message.size());
  channel.flush();
  return r;
}

std::vector<uint64_t> arith_cot_receive(net::Channel& channel, const CotReceiverBatch& cot, int bits) {
  const uint64_t mask = ring_mask(bits);
  const std::size_t n = cot.t.size();
  TWAIN_REQUIRE(cot.choices.size() == n, InvalidArgument,
                "arithmetic COT: the batch has " + std::to_string(cot.choices.size()) +
                    " choice bits for " + std::to_string(n) + " OTs");
  std::vector<uint8_t> message(core::packed_size(n, bits));
  channel.recv(message.data(), message.size());
  std::vector<uint64_t> y(n);
  core::BitReader reader(message);
  hash_receiver_chunks(cot, [&](std::size_t first, std::size_t count, const core::Block* h) {
    for (std::size_t k = 0; k < count; ++k) {
      const uint64_t correction = reader.read(bits);
      const uint64_t select = 0 - static_cast<uint64_t>(cot.choices.get(first + k));
      y[first + k] = (h[k].lo + (correction & select)) & mask;
    }
  });
  reader.require_zero_padding();
  return y;
}

}  // namespace twain::ot
