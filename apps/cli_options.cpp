#include "cli_options.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "core/errors.hpp"

namespace twain::apps {

CliOptions::CliOptions(const std::string& command, const std::vector<std::string>& args,
                       const std::vector<OptionSpec>& specs)
    : command_(command) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == args[i]; });
    if (spec == specs.end())
      throw InvalidArgument("unknown option '" + args[i] + "' for twain " + command + " (see twain " + command +
                            " --help)");
    if (values_.count(args[i]) && !spec->repeatable) throw InvalidArgument("option " + args[i] + " given twice");
    if (!spec->takes_value) {
      values_[args[i]] = "1";
      continue;
    }
    if (i + 1 >= args.size()) throw InvalidArgument("option " + args[i] + " of twain " + command + " needs a value");
    values_.emplace(args[i], args[i + 1]);
    repeated_[args[i]].push_back(args[i + 1]);
    ++i;
  }
}

std::string CliOptions::required(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end())
    throw InvalidArgument("twain " + command_ + " needs " + name + " (see twain " + command_ + " --help)");
  return it->second;
}

std::string CliOptions::get(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> CliOptions::all(const std::string& name) const {
  const auto it = repeated_.find(name);
  return it == repeated_.end() ? std::vector<std::string>{} : it->second;
}

int64_t CliOptions::integer(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(it->second.c_str(), &end, 10);
  if (end == it->second.c_str() || *end != '\0' || errno != 0 || value < min || value > max)
    throw InvalidArgument("invalid value '" + it->second + "' for " + name + ": expected an integer in [" +
                          std::to_string(min) + ", " + std::to_string(max) + "]");
  return value;
}

std::chrono::milliseconds CliOptions::seconds(const std::string& name, std::chrono::milliseconds fallback,
                                              std::chrono::milliseconds min, std::chrono::milliseconds max) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(it->second.c_str(), &end);
  const double ms = value * 1000;
  if (end == it->second.c_str() || *end != '\0' || errno != 0 || !(ms >= static_cast<double>(min.count())) ||
      !(ms <= static_cast<double>(max.count())))
    throw InvalidArgument("invalid value '" + it->second + "' for " + name + ": expected seconds in [" +
                          std::to_string(static_cast<double>(min.count()) / 1000) + ", " +
                          std::to_string(static_cast<double>(max.count()) / 1000) + "]");
  return std::chrono::milliseconds(static_cast<int64_t>(ms + 0.5));
}

uint16_t parse_port(const std::string& text) {
  char* end = nullptr;
  const long port = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || port < 1 || port > 65535)
    throw InvalidArgument("invalid port '" + text + "': expected 1..65535");
  return static_cast<uint16_t>(port);
}

Endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw InvalidArgument("expected HOST:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, parse_port(text.substr(colon + 1))};
}

}  // namespace twain::apps
