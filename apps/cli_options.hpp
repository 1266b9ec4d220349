// Command-line options of one subcommand: "--name value" pairs and "--flag" switches, every
// name checked against the subcommand's list so a typo is an error, not a silent default.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twain::apps {

struct OptionSpec {
  std::string name;  // "--port"
  bool takes_value = true;
  bool repeatable = false;  // may be given more than once (all() has every value, in order)
};

class CliOptions {
 public:
  // args: the words after the subcommand. Throws InvalidArgument for an unknown option, a
  // missing value or an option given twice.
  CliOptions(const std::string& command, const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // Throws InvalidArgument when a required option is missing.
  std::string required(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback) const;
  // Every value of a repeatable option, in the order given (empty when absent).
  std::vector<std::string> all(const std::string& name) const;
  // Integers in [min, max]; throws InvalidArgument naming the option otherwise.
  int64_t integer(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  // A time in seconds ("5", "0.25"), in [min, max], to the millisecond; InvalidArgument otherwise.
  std::chrono::milliseconds seconds(const std::string& name, std::chrono::milliseconds fallback,
                                    std::chrono::milliseconds min, std::chrono::milliseconds max) const;

 private:
  std::string command_;
  std::map<std::string, std::string> values_;  // the first value of each option
  std::map<std::string, std::vector<std::string>> repeated_;
};

// "HOST:PORT" (HOST may be a name, an IPv4 address or a bracketed IPv6 address).
struct Endpoint {
  std::string host;
  uint16_t port = 0;
};
Endpoint parse_endpoint(const std::string& text);
uint16_t parse_port(const std::string& text);

}  // namespace twain::apps
