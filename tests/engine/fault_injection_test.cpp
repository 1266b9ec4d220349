// Transport faults in every phase of a session, on either party's channel and in either direction
// (net::FaultChannel): a cut, a stall, a duplicated or a corrupted byte ends each party with a typed
// error within its timeouts (the last two at the latest at the transcript check); a pause shorter
// than them changes nothing. No fault may hang a party, crash, or give the client a prediction
// other than the fault-free one.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/errors.hpp"
#include "core/prg.hpp"
#include "engine/model_loader.hpp"
#include "engine_test_support.hpp"
#include "model/quantize.hpp"
#include "model/ring.hpp"
#include "net/fault_channel.hpp"

namespace twain::engine {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kFashionModel = std::filesystem::path(TWAIN_SOURCE_DIR) / "models/fashion_mnist/model.onnx";

// Short timeouts keep the stalls short; every bound below derives from them.
net::MemoryChannelOptions short_timeouts() {
  net::MemoryChannelOptions options;
  options.timeout = 1s;
  options.message_timeout = 4s;
  return options;
}
constexpr auto kPause = 200ms;
// A party facing a broken link gives up within its inactivity timeout per wait; it may wait twice
// (its own recv, then the close of the other side), plus the session's own work.
constexpr auto kBound = 8s;

struct Fixture {
  ServerModel model{load_quantized_model(kFashionModel)};
  std::vector<float> image;
  SessionOptions options;
  testing::PairOutcome clean;

  Fixture() {
    const auto& input = model.graph().tensors[static_cast<std::size_t>(model.graph().input)].shape;
    image.resize(static_cast<std::size_t>(model::element_count(input)));
    core::Prg prg(core::Seed{7});
    for (float& v : image) v = static_cast<float>(prg.next_u64() % 2048) / 1024.0f - 0.5f;
    options.backend = nonlinear::Backend::kIknp;
    options.choose_backend = false;
    clean = testing::run_pair(model, image, options, short_timeouts());
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

std::string error_text(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool typed(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error&) {
    return true;
  } catch (...) {
    return false;
  }
}

void expect_same_prediction(const InferenceResult& got, const InferenceResult& want, const std::string& what) {
  ASSERT_EQ(got.top.size(), want.top.size()) << what;
  for (std::size_t i = 0; i < want.top.size(); ++i) {
    EXPECT_EQ(got.top[i].index, want.top[i].index) << what << ", rank " << i;
    EXPECT_EQ(got.top[i].value, want.top[i].value) << what << ", rank " << i;
  }
}

// Runs one fault on the server's channel (server = true) or the client's, and checks the outcome.
void check_fault(const net::FaultPlan& plan, bool server) {
  const Fixture& f = fixture();
  const std::string what = std::string(server ? "server" : "client") + ": " + plan.describe();
  const testing::ChannelWrap wrap = [&](net::Channel& inner) {
    auto channel = std::make_unique<net::FaultChannel>(inner, plan);
    return std::unique_ptr<net::Channel>(std::move(channel));
  };
  const auto out = server ? testing::run_pair(f.model, f.image, f.options, short_timeouts(), wrap, {})
                          : testing::run_pair(f.model, f.image, f.options, short_timeouts(), {}, wrap);
  EXPECT_LT(out.client_elapsed, kBound) << what;
  EXPECT_LT(out.server_elapsed, kBound) << what;
  if (out.client_error) {
    EXPECT_TRUE(typed(out.client_error)) << what << ": " << error_text(out.client_error);
  }
  if (out.server_error) {
    EXPECT_TRUE(typed(out.server_error)) << what << ": " << error_text(out.server_error);
  }
  if (out.client) expect_same_prediction(*out.client, *f.clean.client, what);
  // A copy of the very last byte of a direction arrives after the reader has everything it reads:
  // like a pause, it must change nothing.
  const net::ChannelCounters& total = server ? f.clean.server_total : f.clean.client_total;
  const bool last_byte = plan.at_byte + 1 == (plan.on_send ? total.bytes_sent : total.bytes_received);
  if (plan.kind == net::FaultKind::kPause || (plan.kind == net::FaultKind::kDuplicate && last_byte)) {
    EXPECT_FALSE(out.client_error) << what << ": " << error_text(out.client_error);
    EXPECT_FALSE(out.server_error) << what << ": " << error_text(out.server_error);
  } else {
    // Every byte of the session is read by the other party, so a cut or a stall at a byte inside
    // it leaves at least one party without what it waits for, and a changed byte changes the
    // checksums the parties compare at the end.
    EXPECT_TRUE(out.client_error || out.server_error) << what << ": both parties finished";
  }
}

// The byte ranges of each phase as one party saw them, in the order they happened (a command
// counts in the phase it opens), then the end of the session.
struct Range {
  const char* phase;
  uint64_t begin, end;
};
std::vector<Range> phases(const SessionReport& r, const net::ChannelCounters& total, bool sent) {
  const auto bytes = [&](const PhaseReport& p) { return sent ? p.traffic.bytes_sent : p.traffic.bytes_received; };
  const uint64_t a = bytes(r.setup), b = a + bytes(r.offline), c = b + bytes(r.online);
  return {{"setup", 0, a}, {"offline", a, b}, {"online", b, c}, {"end", c, sent ? total.bytes_sent : total.bytes_received}};
}

TEST(FaultInjection, CleanRunSucceeds) {
  const Fixture& f = fixture();
  ASSERT_FALSE(f.clean.client_error) << error_text(f.clean.client_error);
  ASSERT_FALSE(f.clean.server_error) << error_text(f.clean.server_error);
  ASSERT_TRUE(f.clean.client && f.clean.server);
  EXPECT_EQ(f.clean.client->top.size(), 5u);
}

// Every kind, at the start, the middle and the last byte of every phase, in both directions of one
// party's channel (the first bytes of the setup are the description and the request).
void every_kind_in_every_phase(bool server) {
  const Fixture& f = fixture();
  ASSERT_TRUE(f.clean.client && f.clean.server);
  const SessionReport& report = server ? *f.clean.server : f.clean.client->report;
  const net::ChannelCounters& total = server ? f.clean.server_total : f.clean.client_total;
  for (const bool on_send : {true, false}) {
    for (const Range& range : phases(report, total, on_send)) {
      if (range.end == range.begin) continue;
      for (const uint64_t at : {range.begin, (range.begin + range.end) / 2, range.end - 1}) {
        for (const auto kind : {net::FaultKind::kCut, net::FaultKind::kStall, net::FaultKind::kPause,
                                net::FaultKind::kDuplicate, net::FaultKind::kCorrupt}) {
          if (kind == net::FaultKind::kPause && at != (range.begin + range.end) / 2) continue;
          SCOPED_TRACE(std::string(range.phase) + " phase");
          check_fault({kind, on_send, at, kPause}, server);
        }
      }
    }
  }
}

TEST(FaultInjection, EveryKindInEveryPhaseOnTheServersChannel) { every_kind_in_every_phase(true); }
TEST(FaultInjection, EveryKindInEveryPhaseOnTheClientsChannel) { every_kind_in_every_phase(false); }

// A flipped bit inside the online phase's traffic parses as well as the right one (a share is any
// ring element): only the transcript check can tell, and it must, on both sides.
TEST(FaultInjection, AFlippedShareBitIsCaughtByTheTranscriptCheck) {
  const Fixture& f = fixture();
  ASSERT_TRUE(f.clean.client && f.clean.server);
  for (const bool server : {true, false}) {
    const SessionReport& report = server ? *f.clean.server : f.clean.client->report;
    const Range online = phases(report, server ? f.clean.server_total : f.clean.client_total, true)[2];
    const net::FaultPlan plan{net::FaultKind::kCorrupt, true, (online.begin + online.end) / 2, {}};
    const std::string what = std::string(server ? "server" : "client") + ": " + plan.describe();
    const testing::ChannelWrap wrap = [&](net::Channel& inner) {
      return std::unique_ptr<net::Channel>(std::make_unique<net::FaultChannel>(inner, plan));
    };
    const auto out = server ? testing::run_pair(f.model, f.image, f.options, short_timeouts(), wrap, {})
                            : testing::run_pair(f.model, f.image, f.options, short_timeouts(), {}, wrap);
    EXPECT_FALSE(out.client) << what;
    EXPECT_FALSE(out.server) << what;
    for (const auto& error : {out.client_error, out.server_error}) {
      ASSERT_TRUE(error) << what;
      try {
        std::rethrow_exception(error);
      } catch (const IntegrityError&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << what << ": " << e.what();
      }
    }
  }
}

// Seeded random points anywhere in the session.
TEST(FaultInjection, SeededRandomFaults) {
  const Fixture& f = fixture();
  ASSERT_TRUE(f.clean.client && f.clean.server);
  core::Prg prg(core::Seed{26});
  for (int i = 0; i < 12; ++i) {
    const bool server = i % 2 == 0;
    const net::ChannelCounters& total = server ? f.clean.server_total : f.clean.client_total;
    check_fault(net::FaultPlan::random(prg, total.bytes_sent, total.bytes_received, kPause), server);
  }
}

}  // namespace
}  // namespace twain::engine
