// The session request: every field survives the round trip, a decoded request encodes to its own
// bytes, and a client's link model that does not survive it is planned as the server decodes it.
#include "engine/request_codec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/prg.hpp"

namespace twain::engine {
namespace {

SessionOptions random_options(core::Prg& prg) {
  SessionOptions o;
  o.mode = static_cast<nonlinear::TruncMode>(prg.next_u64() % 2);
  o.backend = static_cast<nonlinear::Backend>(prg.next_u64() % 3);
  o.compare = static_cast<nonlinear::CompareMode>(prg.next_u64() % 3);
  o.top_k = static_cast<int>(1 + prg.next_u64() % kMaxTopK);
  o.reveal_logits = prg.next_u64() % 2 == 1;
  o.link.bits_per_second = 1000 + static_cast<double>(prg.next_u64() % ((uint64_t{1} << 50) - 1000));
  // Any double in [0, 10] s, most of them not a whole number of nanoseconds.
  o.link.one_way_latency_s = static_cast<double>(prg.next_u64() >> 11) * 0x1p-53 * 10.0;
  return o;
}

TEST(RequestCodec, EveryFieldRoundTripsAndADecodedRequestEncodesToItsOwnBytes) {
  core::Prg prg(core::Seed{91});
  for (int i = 0; i < 20000; ++i) {
    const SessionOptions o = random_options(prg);
    const std::vector<uint8_t> bytes = encode_request(o);
    ASSERT_LE(bytes.size(), kMaxRequestBytes);
    const SessionOptions d = decode_request(bytes);
    EXPECT_EQ(d.mode, o.mode);
    EXPECT_EQ(d.backend, o.backend);
    EXPECT_EQ(d.compare, o.compare);
    EXPECT_EQ(d.top_k, o.top_k);
    EXPECT_EQ(d.reveal_logits, o.reveal_logits);
    EXPECT_EQ(d.link.bits_per_second, std::round(o.link.bits_per_second));
    EXPECT_NEAR(d.link.one_way_latency_s, o.link.one_way_latency_s, 0.6e-9);
    ASSERT_EQ(encode_request(d), bytes) << "latency " << o.link.one_way_latency_s;
  }
}

TEST(RequestCodec, TheClientPlansFromTheValuesTheServerDecodes) {
  SessionOptions o;
  o.link.one_way_latency_s = 0.0123456789123;  // not a whole number of nanoseconds
  o.link.bits_per_second = 399.9999e6 + 0.3;
  o.choose_backend = false;
  const SessionOptions sent = as_sent(o);
  EXPECT_NE(sent.link, o.link);
  const SessionOptions server_view = decode_request(encode_request(o));
  EXPECT_EQ(sent.link, server_view.link);  // bit for bit: both plan from these doubles
  EXPECT_EQ(as_sent(sent).link, sent.link);
  EXPECT_EQ(encode_request(sent), encode_request(o));
  EXPECT_FALSE(sent.choose_backend);  // the client-only choice is kept
  o.choose_backend = true;
  EXPECT_TRUE(as_sent(o).choose_backend);
}

TEST(RequestCodec, RefusesWhatItCannotCarry) {
  for (const double latency : {-1e-9, 10.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    SessionOptions o;
    o.link.one_way_latency_s = latency;
    EXPECT_THROW(encode_request(o), InvalidArgument) << latency;
  }
  for (const double bandwidth : {999.0, 0x1p51, std::nan("")}) {
    SessionOptions o;
    o.link.bits_per_second = bandwidth;
    EXPECT_THROW(encode_request(o), InvalidArgument) << bandwidth;
  }
  std::vector<uint8_t> bytes = encode_request({});
  EXPECT_THROW(decode_request(std::span(bytes).first(bytes.size() - 1)), FormatError);
  bytes.push_back(0);
  EXPECT_THROW(decode_request(bytes), FormatError);
  bytes.pop_back();
  bytes[0] ^= 1;
  EXPECT_THROW(decode_request(bytes), FormatError);
}

// The commands within a session: each kind round-trips; a count out of its range, an unknown
// kind, a truncated or an overlong command is refused.
TEST(SessionCommandCodec, RoundTripsAndRefusesWhatIsNotACommand) {
  using Kind = SessionCommand::Kind;
  for (const SessionCommand c : {SessionCommand{Kind::kPrepare, 1}, SessionCommand{Kind::kPrepare, kMaxInferences},
                                 SessionCommand{Kind::kInfer, 0}, SessionCommand{Kind::kEnd, 0}}) {
    const std::vector<uint8_t> bytes = encode_command(c);
    EXPECT_LE(bytes.size(), kMaxCommandBytes);
    EXPECT_EQ(decode_command(bytes), c);
  }
  EXPECT_THROW(encode_command({Kind::kPrepare, 0}), InvalidArgument);
  EXPECT_THROW(encode_command({Kind::kPrepare, kMaxInferences + 1}), InvalidArgument);
  EXPECT_THROW(encode_command({Kind::kInfer, 1}), InvalidArgument);
  std::vector<uint8_t> bytes = encode_command({Kind::kPrepare, 3});
  EXPECT_THROW(decode_command(std::span(bytes).first(bytes.size() - 1)), FormatError);
  bytes.push_back(0);
  EXPECT_THROW(decode_command(bytes), FormatError);
  bytes.pop_back();
  for (const uint8_t kind : {0, 4, 255}) {
    bytes[0] = kind;
    EXPECT_THROW(decode_command(bytes), FormatError) << int{kind};
  }
  bytes = encode_command({Kind::kPrepare, 3});
  bytes[1] = 0;  // count 0 (little-endian u32 3 -> 0)
  EXPECT_THROW(decode_command(bytes), FormatError);
  bytes = encode_command({Kind::kEnd, 0});
  bytes[1] = 1;
  EXPECT_THROW(decode_command(bytes), FormatError);
}

}  // namespace
}  // namespace twain::engine
