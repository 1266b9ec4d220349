#include "session_report.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>

#include "core/errors.hpp"

namespace twain::apps {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

double score(int64_t value, int frac_bits) { return std::ldexp(static_cast<double>(value), -frac_bits); }

nlohmann::json traffic_json(const net::ChannelCounters& t, double seconds) {
  return {{"seconds", seconds},
          {"bytes_sent", t.bytes_sent},
          {"bytes_received", t.bytes_received},
          {"bytes_total", t.bytes_sent + t.bytes_received},
          {"rounds", t.rounds}};
}

}  // namespace

void print_phases(std::ostream& out, const engine::SessionReport& report) {
  const auto line = [&](const char* name, const engine::PhaseReport& p) {
    out << "  " << std::left << std::setw(8) << name << std::right << std::fixed << std::setprecision(3)
        << std::setw(9) << p.seconds << " s  " << std::setw(10) << std::setprecision(2)
        << (p.traffic.bytes_sent + p.traffic.bytes_received) / kMiB << " MiB (sent " << p.traffic.bytes_sent / kMiB
        << ", received " << p.traffic.bytes_received / kMiB << ")  " << p.traffic.rounds << " rounds\n";
  };
  line("setup", report.setup);
  line("offline", report.offline);
  line("online", report.online);
}

void print_steps(std::ostream& out, const engine::SessionReport& report) {
  out << "  " << std::left << std::setw(4) << "#" << std::setw(34) << "op" << std::setw(14) << "kind" << std::right
      << std::setw(10) << "ms" << std::setw(12) << "sent KiB" << std::setw(12) << "recv KiB" << std::setw(8)
      << "rounds\n";
  for (std::size_t i = 0; i < report.steps.size(); ++i) {
    const engine::StepReport& s = report.steps[i];
    out << "  " << std::left << std::setw(4) << i << std::setw(34) << s.name.substr(0, 33) << std::setw(14) << s.op
        << std::right << std::fixed << std::setprecision(1) << std::setw(10) << s.seconds * 1e3 << std::setw(12)
        << s.traffic.bytes_sent / 1024.0 << std::setw(12) << s.traffic.bytes_received / 1024.0 << std::setw(7)
        << s.traffic.rounds << "\n";
  }
}

void print_top(std::ostream& out, const engine::InferenceResult& result, const ModelCard& card) {
  for (std::size_t k = 0; k < result.top.size(); ++k)
    out << "  " << k + 1 << ". " << std::left << std::setw(24) << class_name(card, result.top[k].index) << std::right
        << " (index " << result.top[k].index << ")  score " << std::fixed << std::setprecision(4)
        << score(result.top[k].value, result.frac_bits) << "\n";
}

nlohmann::json phases_json(const engine::SessionReport& report) {
  return {{"setup", traffic_json(report.setup.traffic, report.setup.seconds)},
          {"offline", traffic_json(report.offline.traffic, report.offline.seconds)},
          {"online", traffic_json(report.online.traffic, report.online.seconds)}};
}

nlohmann::json steps_json(const engine::SessionReport& report) {
  nlohmann::json steps = nlohmann::json::array();
  for (const engine::StepReport& s : report.steps) {
    nlohmann::json step = traffic_json(s.traffic, s.seconds);
    step["name"] = s.name;
    step["op"] = s.op;
    steps.push_back(step);
  }
  return steps;
}

nlohmann::json top_json(const engine::InferenceResult& result, const ModelCard& card) {
  nlohmann::json top = nlohmann::json::array();
  for (const engine::ClassScore& c : result.top)
    top.push_back({{"index", c.index}, {"label", class_name(card, c.index)}, {"score", score(c.value, result.frac_bits)}});
  return top;
}

void write_json(const std::string& file, const nlohmann::json& json) {
  std::ofstream out(file);
  if (!out) throw InvalidArgument("cannot write the JSON report " + file);
  out << json.dump(2) << "\n";
  if (!out) throw InvalidArgument("cannot write the JSON report " + file);
}

}  // namespace twain::apps
