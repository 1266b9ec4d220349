#include "session_log_json.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <iomanip>
#include <random>
#include <sstream>

namespace twain::apps {
namespace {

nlohmann::ordered_json phase_json(const engine::PhaseReport& phase) {
  return {{"seconds", phase.seconds},
          {"bytes_sent", phase.traffic.bytes_sent},
          {"bytes_received", phase.traffic.bytes_received},
          {"rounds", phase.traffic.rounds}};
}

// ISO 8601 in UTC to the millisecond, what log tools parse without a format string.
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::ostringstream out;
  out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(3) << std::setfill('0') << millis << 'Z';
  return out.str();
}

}  // namespace

std::string process_instance_id() {
  // A process id alone repeats across machines and restarts; 64 random bits do not in practice.
  std::random_device device;
  const uint64_t bits = (static_cast<uint64_t>(device()) << 32) ^ device();
  std::ostringstream out;
  out << std::hex << std::setw(16) << std::setfill('0') << bits;
  return out.str();
}

nlohmann::ordered_json session_log_json(const ConnectionEnd& end, const std::string& instance,
                                const std::string& model_fingerprint) {
  nlohmann::ordered_json line;
  line["session"] = instance + "-" + std::to_string(end.number);
  line["number"] = end.number;
  line["peer"] = end.peer;
  line["model"] = model_fingerprint;
  line["outcome"] = outcome_name(end.outcome);
  line["reason"] = end.reason;
  line["time"] = utc_now();
  line["seconds"] = end.seconds;
  line["bytes_sent"] = end.traffic.bytes_sent;
  line["bytes_received"] = end.traffic.bytes_received;
  line["bytes"] = end.traffic.bytes_sent + end.traffic.bytes_received;
  line["rounds"] = end.traffic.rounds;
  if (end.report) {
    line["inferences"] = end.report->inferences;
    line["phases"] = {{"setup", phase_json(end.report->setup)},
                      {"offline", phase_json(end.report->offline)},
                      {"online", phase_json(end.report->online)}};
    line["statistical_bits"] = end.report->statistical_bits_session;
  }
  if (end.tls_cipher) line["tls"] = {{"cipher", *end.tls_cipher}, {"record_bytes", end.tls_record_bytes}};
  return line;
}

}  // namespace twain::apps
