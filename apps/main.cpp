// twain command-line entry point. Today: the encrypted-convolution demonstration.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "conv_demo.hpp"
#include "core/errors.hpp"
#include "net/tcp_channel.hpp"

namespace {

using namespace twain;

constexpr const char* kUsage = R"(usage: twain <command> [options]

commands:
  he-demo                     server and client in two processes over loopback TCP: the client
                              encrypts a 64x16x16 input, the server convolves it with its 3x3
                              64->64 weights under encryption, the client decrypts its share and
                              checks the reconstructed output against the plaintext convolution
  he-serve --port P           the server role alone, on 127.0.0.1:P (answers one client)
  he-query --server HOST:P    the client role alone (HOST may be a name, an IPv4 address or
                              a bracketed IPv6 address such as [::1])
  --help                      this text
)";

void print_report(const apps::ConvDemoReport& r) {
  const double mib = 1024.0 * 1024.0;
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "client -> server: " << r.traffic.bytes_sent << " bytes (" << r.traffic.bytes_sent / mib << " MiB)\n"
            << "server -> client: " << r.traffic.bytes_received << " bytes (" << r.traffic.bytes_received / mib
            << " MiB), responses at 2^" << r.response_bits << "\n"
            << "time (client view, keys + encrypt + server work + decrypt): " << r.seconds << " s\n"
            << "rounds (client's changes of direction): " << r.traffic.rounds << "\n"
            << "result equals the plaintext convolution mod 2^37: "
            << (r.mismatches == 0 ? "yes" : "NO") << " (" << r.outputs - r.mismatches << " of " << r.outputs
            << " outputs)\n";
}

int run_client(const std::string& host, uint16_t port) {
  auto channel = net::TcpChannel::connect(host, port);
  const apps::ConvDemoReport report = apps::run_conv_demo_client(*channel, std::cout);
  print_report(report);
  return report.mismatches == 0 ? 0 : 1;
}

int run_demo() {
  net::TcpListener listener(0, "127.0.0.1");
  const uint16_t port = listener.port();
  std::cout << "twain he-demo: server and client processes over 127.0.0.1:" << port << "\n" << std::flush;
  const pid_t child = fork();
  if (child < 0) throw SystemError(std::string("fork failed: ") + std::strerror(errno));
  if (child == 0) {
    // The server process.
    int status = 0;
    try {
      auto channel = listener.accept();
      apps::run_conv_demo_server(*channel, std::cout);
    } catch (const std::exception& e) {
      std::cerr << "[server] error: " << e.what() << "\n";
      status = 1;
    }
    std::cout.flush();
    _exit(status);
  }
  int result = 0;
  try {
    result = run_client("127.0.0.1", port);
  } catch (...) {
    waitpid(child, nullptr, 0);
    throw;
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "twain he-demo: the server process failed\n";
    return 1;
  }
  return result;
}

// The value of `name` in args[1..]; every option there must be in `known` and carry a value.
std::string option(const std::vector<std::string>& args, const std::string& name, const std::vector<std::string>& known) {
  std::string value;
  for (std::size_t i = 1; i < args.size(); i += 2) {
    if (std::find(known.begin(), known.end(), args[i]) == known.end()) {
      throw InvalidArgument("unknown option '" + args[i] + "' for " + args[0] + " (see twain --help)");
    }
    if (i + 1 >= args.size()) throw InvalidArgument("option " + args[i] + " needs a value");
    if (args[i] == name) value = args[i + 1];
  }
  if (value.empty()) throw InvalidArgument("missing option " + name + " (see twain --help)");
  return value;
}

uint16_t parse_port(const std::string& text) {
  char* end = nullptr;
  const long port = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || port < 1 || port > 65535) {
    throw InvalidArgument("invalid port '" + text + "': expected 1..65535");
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kUsage;
      return args.empty() ? 2 : 0;
    }
    const std::string& command = args[0];
    for (const auto& a : args)
      if (a == "--help") {
        std::cout << kUsage;
        return 0;
      }
    if (command == "he-demo") {
      if (args.size() > 1) throw InvalidArgument("he-demo takes no options, got '" + args[1] + "'");
      return run_demo();
    }
    if (command == "he-serve") {
      net::TcpListener listener(parse_port(option(args, "--port", {"--port"})), "127.0.0.1");
      std::cout << "twain he-serve: waiting on 127.0.0.1:" << listener.port() << "\n" << std::flush;
      auto channel = listener.accept(std::chrono::hours(24));
      apps::run_conv_demo_server(*channel, std::cout);
      return 0;
    }
    if (command == "he-query") {
      const std::string server = option(args, "--server", {"--server"});
      const auto colon = server.rfind(':');
      if (colon == std::string::npos || colon == 0) {
        throw InvalidArgument("--server expects HOST:PORT, got '" + server + "'");
      }
      std::string host = server.substr(0, colon);
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
      return run_client(host, parse_port(server.substr(colon + 1)));
    }
    std::cerr << "twain: unknown command '" << command << "'\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "twain: error: " << e.what() << "\n";
    return 1;
  }
}
