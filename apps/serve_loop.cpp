#include "serve_loop.hpp"

#include <condition_variable>
#include <iomanip>
#include <memory>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>

#include "core/errors.hpp"
#include "serve_admission.hpp"
#include "server_load.hpp"

namespace twain::apps {
namespace {

// How long a connection with a valid request waits for a session slot before it is told the
// server is busy: below the client's default inactivity timeout, so the client sees a closed
// connection rather than timing out itself.
constexpr std::chrono::seconds kSlotWait{20};

// What the connection threads share with the accept loop. Held by a shared_ptr in every thread:
// the loop may return (and its frame go) as soon as the last thread has counted itself out, while
// that thread is still notifying.
struct ServeState {
  ServeState(Admission* shared, std::size_t slots, std::size_t per_peer, const ServeLogSink& sink)
      : own(shared == nullptr ? std::make_unique<Admission>(slots, per_peer) : nullptr),
        admission(shared == nullptr ? *own : *shared),
        sink(sink) {}

  std::unique_ptr<Admission> own;
  Admission& admission;
  std::atomic<std::size_t> handshaking{0};
  std::mutex mutex;  // guards open, and serialises the log
  std::condition_variable ended;
  std::size_t open = 0;
  const ServeLogSink& sink;

  void report(const ConnectionEnd& end) {
    std::lock_guard lock(mutex);
    sink(end);
  }
};

// The end of a connection that never ran a session: refused, or no valid request.
ConnectionEnd early_end(std::size_t number, const std::string& peer, ConnectionEnd::Outcome outcome,
                        const std::string& reason) {
  ConnectionEnd end;
  end.number = number;
  end.peer = peer;
  end.outcome = outcome;
  end.reason = reason;
  end.text = std::string(outcome_name(outcome)) + ": " + reason;
  return end;
}

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << seconds << " s";
  return out.str();
}

// One connection on its own thread: the TLS handshake (when `tls` is given) and the request under
// the handshake deadline, before any session slot is taken; then the session under its budget.
// Every error ends this connection only.
void serve_connection(const engine::ServerModel& model, std::unique_ptr<net::TcpChannel> tcp,
                      const net::TlsServerContext* tls, const engine::ServerPolicy& policy, const ServeLimits& limits,
                      ServeState& state, std::size_t number) {
  const std::string peer = tcp->peer();
  const std::string host = tcp->peer_host();
  const auto accepted = std::chrono::steady_clock::now();
  std::unique_ptr<net::Channel> channel;
  const net::TlsChannel* secure = nullptr;
  std::optional<engine::SessionRequest> request;
  // Everything the connection's channel measured (the plain one until TLS takes it over).
  const auto finish = [&](ConnectionEnd end) {
    end.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - accepted).count();
    if (channel) end.traffic = channel->counters();
    if (secure != nullptr) {
      end.tls_cipher = secure->cipher();
      const auto records = secure->record_bytes();
      end.tls_record_bytes = records.sent + records.received;
    }
    state.report(end);
  };
  try {
    tcp->set_deadline(accepted + limits.handshake_timeout);
    if (tls != nullptr) {
      auto tls_channel = net::TlsChannel::server(std::move(tcp), *tls);
      secure = tls_channel.get();
      channel = std::move(tls_channel);
    } else {
      channel = std::move(tcp);
    }
    request.emplace(engine::receive_request(model, *channel, policy));
  } catch (const PolicyError& e) {
    --state.handshaking;
    finish(early_end(number, peer, ConnectionEnd::Outcome::kRefused, e.what()));
    return;
  } catch (const std::exception& e) {
    --state.handshaking;
    finish(early_end(number, peer, ConnectionEnd::Outcome::kNoValidRequest, e.what()));
    return;
  }
  --state.handshaking;
  const auto set_deadline = [&](std::chrono::steady_clock::time_point deadline) {
    if (secure != nullptr) {
      static_cast<net::TlsChannel&>(*channel).set_deadline(deadline);
    } else {
      static_cast<net::TcpChannel&>(*channel).set_deadline(deadline);
    }
  };
  Admission& admission = state.admission;
  const auto verdict = admission.admit(host, std::chrono::steady_clock::now() + kSlotWait);
  if (verdict == Admission::Verdict::kPeerLimit) {
    finish(early_end(number, peer, ConnectionEnd::Outcome::kRefused,
                     host + " already has " + std::to_string(admission.per_peer()) + " sessions (--max-per-peer)"));
    return;
  }
  if (verdict == Admission::Verdict::kBusy) {
    finish(early_end(number, peer, ConnectionEnd::Outcome::kRefused,
                     "all " + std::to_string(admission.slots()) + " session slots stayed busy for " +
                         std::to_string(kSlotWait.count()) + " s (--max-concurrent)"));
    return;
  }
  const AdmissionTicket ticket(admission, host);
  try {
    const auto budget = limits.session_timeout.value_or(engine::session_time_budget(model, request->options));
    set_deadline(std::chrono::steady_clock::now() + budget);
    ConnectionEnd end;
    end.number = number;
    end.peer = peer;
    end.outcome = ConnectionEnd::Outcome::kDone;
    end.report = engine::serve_session(model, *channel, std::move(*request), policy);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - accepted).count();
    std::ostringstream text;
    text << "done in " << seconds_text(seconds) << " of its " << seconds_text(std::chrono::duration<double>(budget).count())
         << " (online " << seconds_text(end.report->online.seconds) << "), "
         << (channel->counters().bytes_sent + channel->counters().bytes_received) << " bytes";
    if (secure != nullptr) {
      const auto records = secure->record_bytes();
      text << " (" << (records.sent + records.received) << " bytes of TLS records, " << secure->cipher() << ")";
    }
    text << "; server resident memory " << (resident_bytes() >> 20) << " MiB, peak " << (peak_rss_bytes() >> 20)
         << " MiB";
    end.text = text.str();
    finish(std::move(end));
  } catch (const std::exception& e) {
    ConnectionEnd end;
    end.number = number;
    end.peer = peer;
    end.outcome = ConnectionEnd::Outcome::kError;
    end.reason = e.what();
    end.text = std::string("ended with an error: ") + e.what();
    finish(std::move(end));
  }
}

}  // namespace

const char* outcome_name(ConnectionEnd::Outcome outcome) noexcept {
  switch (outcome) {
    case ConnectionEnd::Outcome::kDone:
      return "done";
    case ConnectionEnd::Outcome::kRefused:
      return "refused";
    case ConnectionEnd::Outcome::kNoValidRequest:
      return "no valid request";
    case ConnectionEnd::Outcome::kError:
      break;
  }
  return "error";
}

void serve_connections(const engine::ServerModel& model, net::TcpListener& listener,
                       const net::TlsServerContext* tls, const engine::ServerPolicy& policy,
                       const ServeLimits& limits, const ServeLogSink& log, const std::atomic<bool>* stop,
                       std::chrono::milliseconds stop_poll, Admission* admission) {
  const auto state = std::make_shared<ServeState>(admission, limits.max_concurrent, limits.max_per_peer, log);
  const auto stopped = [&] { return stop != nullptr && stop->load(); };
  const auto accept_wait = stop != nullptr ? stop_poll : net::kMaxChannelTimeout;
  for (int64_t number = 1; (limits.max_sessions == 0 || number <= limits.max_sessions) && !stopped(); ++number) {
    std::unique_ptr<net::TcpChannel> channel;
    while (!channel && !stopped()) {
      try {
        channel = listener.accept(accept_wait);
      } catch (const TimeoutError&) {
        // An idle server stays quiet.
      } catch (const std::exception& e) {
        // Out of descriptors, most likely: say so, and give sessions time to end.
        auto end = early_end(static_cast<std::size_t>(number), "(not accepted)", ConnectionEnd::Outcome::kError,
                             std::string("accept failed: ") + e.what());
        end.text = end.reason;
        state->report(end);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    if (!channel) break;
    // Connections that have not sent a request yet are bounded too (each holds a thread and a
    // descriptor until its handshake deadline).
    if (state->handshaking.load() >= limits.max_handshakes) {
      state->report(early_end(static_cast<std::size_t>(number), channel->peer(), ConnectionEnd::Outcome::kRefused,
                              std::to_string(limits.max_handshakes) +
                                  " connections are already waiting for their request (--max-handshakes)"));
      continue;
    }
    ++state->handshaking;
    {
      std::lock_guard lock(state->mutex);
      ++state->open;
    }
    const std::string peer = channel->peer();
    try {
      std::thread([&model, tls, &policy, &limits, state, number, channel = std::move(channel)]() mutable {
        serve_connection(model, std::move(channel), tls, policy, limits, *state, static_cast<std::size_t>(number));
        std::lock_guard lock(state->mutex);
        --state->open;
        state->ended.notify_all();
      }).detach();
    } catch (const std::system_error& e) {
      // No thread to be had (the connection closed with the lambda that held it).
      --state->handshaking;
      {
        std::lock_guard lock(state->mutex);
        --state->open;
      }
      state->report(early_end(static_cast<std::size_t>(number), peer, ConnectionEnd::Outcome::kRefused,
                              std::string("no thread for it: ") + e.what()));
    }
  }
  std::unique_lock lock(state->mutex);
  state->ended.wait(lock, [&] { return state->open == 0; });
}

}  // namespace twain::apps
