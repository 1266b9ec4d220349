// twain command-line entry point: dispatches to the subcommands of commands.hpp.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli_options.hpp"
#include "commands.hpp"
#include "conv_demo.hpp"
#include "core/errors.hpp"
#include "net/tcp_channel.hpp"

namespace {

using namespace twain;

constexpr const char* kUsage = R"(usage: twain <command> [options]    (twain <command> --help for its options)

commands:
  serve     serve a model to any number of clients (concurrently)
  query     run a secure inference against a server on an image
  local     both parties in one command over loopback TCP
  plain     the float and fixed-point references on an image (no cryptography)
  describe  the exact public description a client would receive, and its SHA-256
  prepare   preprocess a model once into a model file that serve maps (m.twain)
  bench     both parties over loopback TCP, every phase timed, JSON report
  demo      the embedded Fashion-MNIST model on its shipped real test images (./run.sh demo)
  he-demo   one encrypted convolution between two processes (the RLWE layer alone)
  he-serve / he-query   the two halves of he-demo
)";

constexpr const char* kClientOptions = R"(  --image FILE      PNG or JPEG (decoded with stb), resized and normalised as the model's card says;
                    repeat it for several images: all of them run in one session (one setup),
                    one line each (and one record each in --json's "images")
  --image-dir DIR   every PNG and JPEG file of DIR, by name, after the --image files
  --prepare N       make the offline material of N inferences (at most 4) before the first image
                    and keep it N ahead (default 1: each image's right after the one before)
  --topk K          the client learns the K best classes and their scores (default 5)
  --logits          the client learns every logit instead
  --labels FILE     class names, one per line (default: the server's)
  --spec FILE       preprocessing spec (default: the server's, else ImageNet's)
  --mode M          exact (default: every truncation is the floor shift) or fast (at most 1 off)
  --ot B            auto (default: iknp for small models, ferret for large), ferret (silent OT,
                    about 0.22 bit per OT after a 1.33 MB setup) or iknp (128 bits per OT)
  --threads N       threads of this party's linear layers (default 1)
  --json FILE       write the measurements and the prediction as JSON
)";

constexpr const char* kServerModelOptions = R"(  --kernel-cache-mib M  memory for convolution kernels kept in NTT form (default 4096); layers
                    beyond it keep their weights and transform kernels on use (less memory, more
                    server time); constant kernels (1x1 layers on large images) cost nothing
  --weight-bits B   public bound 2^B on every quantised weight and BatchNorm scale (default f + 1,
                    |w| <= 2): the description reveals B, never the weights; a larger weight is refused
  --max-topk K      the client may learn at most the K best classes (default 5)
  --allow-logits    the client may learn every logit (default: refused)
  --send-names      send tensor and op names in the description (default: none)
  --max-images N    a session may run N inferences (default 1; local and bench: the images given):
                    one key exchange and setup for all, and every HE response flooded for all of
                    them together (wider flooding, or weight digits where it would not decrypt)
  --min-statistical-bits S  refuse the model unless a whole session reaches S bits of statistical
                    security (default 40, the target; every session reports the bits it reached)
)";

const std::map<std::string, std::string> kHelp = {
    {"serve", R"(twain serve --model m.onnx --port P [--host A] [--threads N] [--bits L] [--frac F]
            [--kernel-cache-mib M] [--max-concurrent C] [--max-per-peer N] [--max-sessions S]
            [--handshake-timeout T] [--session-timeout T] [--max-handshakes H]
            [--tls-cert C --tls-key K] [--health-port HP [--health-host HA]] [--log-json]
  Loads, quantises (l = L, default 37; f = F, default 12) and preprocesses the model once, then
  serves clients on A:P (default 127.0.0.1), each connection on its own thread; a client that
  disconnects or misbehaves ends its own session only. preprocess.json and the labels next to the
  model are sent to clients as the model card. Prints the model's fingerprint (what clients pass
  to --expect-model), then one line per connection when it ends (an idle server prints nothing).
  A connection takes a session slot only once it sent a valid request:
  --handshake-timeout T  seconds a connection has for its TLS handshake and its request (default 5)
  --max-handshakes H     connections at most waiting for their request (default 512; more are closed)
  --max-concurrent C     sessions at once (default 4); a valid request waits up to 20 s for a slot
  --max-per-peer N       sessions at once, running or waiting, from one address (default C)
  --session-timeout T    seconds a session may last (default: derived from its plan, at least 60)
  --max-sessions S       exit after S connections
  --tls-cert C --tls-key K   speak TLS 1.3 only, with the certificate chain C and private key K
                    (PEM files); prints the certificate's key pin (what clients pass to --tls-pin)
  --health-port HP       answer load-balancer health checks (HTTP/1.0 GET) on HA:HP (HA default A):
                    200 "twain ok FINGERPRINT sessions R/C waiting W", or 503 "twain busy ..." while
                    every slot is taken and requests wait; never starts a session
  --log-json        also write one JSON object per connection to stdout as it ends (session id,
                    peer, model fingerprint, outcome and reason, seconds, bytes, rounds, phases)
)" + std::string(kServerModelOptions)},
    {"query", std::string(R"(twain query --server HOST:P --image x.png [options]
  The client: learns the top-k classes (or the logits); the server learns nothing.
  --tls-ca FILE     TLS 1.3: the server's certificate must chain to a CA in FILE (PEM) and name
                    HOST (a DNS name, or an IP address as an IP subjectAltName)
  --tls-pin sha256:HEX  TLS 1.3: the SHA-256 of the server certificate's SubjectPublicKeyInfo
                    must be HEX (no CA needed); with --tls-ca, both must hold
  --expect-model HEX    refuse, before sending anything, a server whose model fingerprint is not
                    HEX (the 64 hex digits twain serve prints)
)") + kClientOptions},
    {"local", std::string(R"(twain local --model m.onnx --image x.png [--bits L] [--frac F] [options]
  serve and query in one command over loopback TCP.
)") + kServerModelOptions + kClientOptions},
    {"demo", R"(twain demo [--model m.onnx] [--images DIR] [--mode fast|exact] [--ot B] [--threads N]
  Secure inference (both parties over loopback TCP) of every PNG in DIR (default: the images
  folder next to the model, default models/fashion_mnist/model.onnx), predictions next to the
  true labels (from the file names, NNNN_label.png), each checked against the fixed-point
  evaluator; exits non-zero unless every one is equal.
)"},
    {"describe", std::string(R"(twain describe --model m.onnx [--out FILE] [--bits L] [--frac F] [server options]
  Writes the exact public description a client of `twain serve` with the same options receives
  (architecture, fixed-point parameters, weight bounds, output policy; no weight), prints its
  SHA-256 and the model fingerprint (description and card) that `query --expect-model` pins.
)") + kServerModelOptions},
    {"prepare", std::string(R"(twain prepare --model m.onnx --out m.twain [--bits L] [--frac F] [--weight-bits B] [server options]
  Quantises and preprocesses the model as serve does (kernels in NTT form up to --kernel-cache-mib,
  the rest transformed on use), and writes it all (graph, description and card, kernels) to a
  versioned, checksummed model file. `serve`, `local`
  and `bench` take --model m.twain and map it read-only instead of preprocessing: several server
  processes on one machine then share its kernel pages. --bits, --frac, --weight-bits,
  --max-images and --min-statistical-bits are fixed when the file is made; the output policy
  (--max-topk, --allow-logits, --send-names) is chosen when it is served. A truncated, corrupted,
  foreign or out-of-date file is refused with what is wrong and how to rebuild it.
)") + kServerModelOptions},
    {"plain", R"(twain plain --model m.onnx --image x.png [--topk K] [--spec FILE] [--bits L] [--frac F]
  The float evaluator and the fixed-point evaluator (the exact-mode oracle) on the image.
)"},
    {"bench", std::string(R"(twain bench --model m.onnx [--image x.png] [--net lan|wan] [--check] [--accuracy N] [options]
  Both parties over loopback TCP (shaped as a LAN or WAN link with --net), every phase and op
  timed; without --image a seeded random input. --check compares with the fixed-point evaluator.
  --accuracy N: secure top-1 accuracy on N Fashion-MNIST test images (one session each; from
  image K with --accuracy-from K), next to float and fixed-point accuracy on all 10,000.
)") + kServerModelOptions + kClientOptions},
};

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
      if (a == "--help" || a == "-h") {
        const auto help = kHelp.find(command);
        std::cout << (help != kHelp.end() ? help->second : kUsage);
        return 0;
      }
    if (command == "he-demo") {
      if (args.size() > 1) throw InvalidArgument("he-demo takes no options, got '" + args[1] + "'");
      return run_demo();
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "serve") return apps::command_serve(rest);
    if (command == "query") return apps::command_query(rest);
    if (command == "local") return apps::command_local(rest);
    if (command == "plain") return apps::command_plain(rest);
    if (command == "describe") return apps::command_describe(rest);
    if (command == "prepare") return apps::command_prepare(rest);
    if (command == "bench") return apps::command_bench(rest);
    if (command == "demo") return apps::command_demo(rest);
    if (command == "he-serve") {
      const apps::CliOptions options("he-serve", rest, {{"--port"}});
      net::TcpListener listener(apps::parse_port(options.required("--port")), "127.0.0.1");
      std::cout << "twain he-serve: waiting on 127.0.0.1:" << listener.port() << "\n" << std::flush;
      auto channel = listener.accept(std::chrono::hours(24));
      apps::run_conv_demo_server(*channel, std::cout);
      return 0;
    }
    if (command == "he-query") {
      const apps::CliOptions options("he-query", rest, {{"--server"}});
      const apps::Endpoint server = apps::parse_endpoint(options.required("--server"));
      return run_client(server.host, server.port);
    }
    std::cerr << "twain: unknown command '" << command << "'\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "twain: error: " << e.what() << "\n";
    return 1;
  }
}
