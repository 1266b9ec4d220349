// Linear-layer benchmarks: the 26 convolutions of SqueezeNet 1.1 at a 224x224 input (l = 37,
// f = 12, public weight bound 2^12), each as conv_layer/<name>/threads:1, and all 26 in sequence
// as conv_network/squeezenet1_1/threads:{1,2} (threads per party, each party its own
// core::ThreadPool); conv_network/squeezenet1_1_fused and conv_layer/<fire>_expand fuse each fire
// module's two expand layers into one (one upload of the squeeze output). Both parties run over loopback TCP, the server on a helper thread; the time
// covers both. Keys are made once and the weights NTT-preprocessed before timing.
//
// Counters (of the timed runs, per iteration): bytes_up (client to server), bytes_down (server to
// client), bytes_total, rounds (the sum over both ends of ChannelCounters::rounds),
// preprocess_ms (the server's one-off weight preprocessing, not timed), and cpu_ms (processor
// time of both parties' threads together while timed: steadier than the wall time on a shared
// machine).
#include <benchmark/benchmark.h>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/prg.hpp"
#include "core/thread_pool.hpp"
#include "he/keys.hpp"
#include "he/params.hpp"
#include "linear/conv2d_client.hpp"
#include "linear/conv2d_fusion.hpp"
#include "linear/conv2d_server.hpp"
#include "loopback.hpp"
#include "net/tcp_channel.hpp"

namespace {

using twain::bench::connect_loopback;
using twain::bench::Loopback;
using twain::core::Prg;
using twain::core::Seed;
using twain::core::ThreadPool;
using twain::linear::Conv2dClient;
using twain::linear::Conv2dServer;
using twain::core::Conv2dGeometry;
using twain::linear::fuse_shapes;
using twain::net::TcpChannel;

constexpr int kPlainBits = 37;
constexpr uint64_t kWeightBound = uint64_t{1} << 12;

struct NamedConv {
  std::string name;
  Conv2dGeometry shape;
};

// SqueezeNet 1.1 (Iandola et al. 2016, torchvision squeezenet1_1) at 224x224: conv1, fire2..fire9
// (squeeze 1x1, expand 1x1, expand 3x3 with padding 1), conv10; pooling between them is not here.
std::vector<NamedConv> squeezenet_convolutions() {
  std::vector<NamedConv> layers;
  layers.push_back({"conv1", {3, 224, 224, 64, 3, 3, 2, 2, 0, 0, 0, 0, 1}});
  struct Fire {
    int spatial, in, squeeze, expand;
  };
  const Fire fires[] = {{55, 64, 16, 64},   {55, 128, 16, 64},  {27, 128, 32, 128}, {27, 256, 32, 128},
                        {13, 256, 48, 192}, {13, 384, 48, 192}, {13, 384, 64, 256}, {13, 512, 64, 256}};
  for (int i = 0; i < 8; ++i) {
    const Fire& f = fires[i];
    const std::string fire = "fire" + std::to_string(i + 2);
    layers.push_back({fire + "_squeeze", {f.in, f.spatial, f.spatial, f.squeeze, 1, 1, 1, 1, 0, 0, 0, 0, 1}});
    layers.push_back({fire + "_expand1x1", {f.squeeze, f.spatial, f.spatial, f.expand, 1, 1, 1, 1, 0, 0, 0, 0, 1}});
    layers.push_back({fire + "_expand3x3", {f.squeeze, f.spatial, f.spatial, f.expand, 3, 3, 1, 1, 1, 1, 1, 1, 1}});
  }
  layers.push_back({"conv10", {512, 13, 13, 1000, 1, 1, 1, 1, 0, 0, 0, 0, 1}});
  return layers;
}

// The same with each fire module's expand1x1 and expand3x3 fused into one layer that uploads the
// squeeze output once (linear/conv2d_fusion.hpp): 18 convolutions, named <fire>_expand.
std::vector<NamedConv> squeezenet_fused_convolutions() {
  const std::vector<NamedConv> separate = squeezenet_convolutions();
  std::vector<NamedConv> layers;
  for (std::size_t i = 0; i < separate.size(); ++i) {
    const std::string& name = separate[i].name;
    if (name.ends_with("_expand1x1")) {
      layers.push_back({name.substr(0, name.size() - 3), fuse_shapes(separate[i].shape, separate[i + 1].shape)});
      ++i;
    } else {
      layers.push_back(separate[i]);
    }
  }
  return layers;
}

// The parameters and keys, made once for every benchmark of this file.
struct Keys {
  twain::he::ContextPtr context = twain::he::Context::create(twain::he::Parameters::standard(kPlainBits));
  Prg key_prg{Seed{7}};
  twain::he::SecretKey sk = twain::he::generate_secret_key(*context, key_prg);
  twain::he::PublicKey pk = twain::he::generate_public_key(*context, sk, key_prg);
};

const Keys& keys() {
  static const Keys k;
  return k;
}

// One layer, ready to run: preprocessed server, client, and random shares (the first layer's
// input belongs to the client alone).
struct PreparedLayer {
  std::unique_ptr<Conv2dServer> server;
  std::unique_ptr<Conv2dClient> client;
  std::vector<uint64_t> client_share, server_share;
};

PreparedLayer prepare(const Conv2dGeometry& shape, bool first_layer, Prg& prg, double& preprocess_ms) {
  const Keys& k = keys();
  const uint64_t mask = k.context->plain_mask();
  std::vector<int64_t> weights(shape.weight_size());
  const auto bound = static_cast<int64_t>(kWeightBound);
  for (auto& w : weights) w = static_cast<int64_t>(prg.uniform(2 * kWeightBound + 1)) - bound;
  PreparedLayer layer;
  layer.client_share.resize(shape.input_size());
  for (auto& x : layer.client_share) x = (first_layer ? prg.uniform(1 << 13) - (1 << 12) : prg.next_u64()) & mask;
  if (!first_layer) {
    layer.server_share.resize(shape.input_size());
    for (auto& x : layer.server_share) x = prg.next_u64() & mask;
  }
  const auto start = std::chrono::steady_clock::now();
  layer.server = std::make_unique<Conv2dServer>(k.context, shape, weights, kWeightBound);
  preprocess_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  layer.client = std::make_unique<Conv2dClient>(k.context, shape, kWeightBound);
  return layer;
}

// Runs `layers` in sequence with the server on a helper thread, each party with its own pool.
void run_layers(Loopback& link, const std::vector<PreparedLayer>& layers, Prg& server_prg, Prg& client_prg,
                ThreadPool& server_pool, ThreadPool& client_pool) {
  const Keys& k = keys();
  auto server = std::async(std::launch::async, [&] {
    for (const PreparedLayer& layer : layers)
      benchmark::DoNotOptimize(layer.server->run(*link.server, k.pk, layer.server_share, server_prg, &server_pool));
  });
  for (const PreparedLayer& layer : layers)
    benchmark::DoNotOptimize(layer.client->run(*link.client, k.sk, layer.client_share, client_prg, &client_pool));
  server.get();
}

// state.range(0): threads per party (1 runs everything on the party's own thread).
void run_benchmark(benchmark::State& state, const std::vector<NamedConv>& convs) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  ThreadPool server_pool(threads), client_pool(threads);
  Prg prg(Seed{11});
  double preprocess_ms = 0;
  std::vector<PreparedLayer> layers;
  for (const NamedConv& conv : convs) layers.push_back(prepare(conv.shape, conv.name == "conv1", prg, preprocess_ms));
  Loopback link = connect_loopback();
  Prg server_prg(Seed{12}), client_prg(Seed{13});
  link.server->reset_counters();
  link.client->reset_counters();
  const std::clock_t cpu_start = std::clock();
  for (auto _ : state) run_layers(link, layers, server_prg, client_prg, server_pool, client_pool);
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const auto iterations = static_cast<double>(state.iterations());
  const auto up = static_cast<double>(link.client->counters().bytes_sent) / iterations;
  const auto down = static_cast<double>(link.server->counters().bytes_sent) / iterations;
  state.counters["bytes_up"] = up;
  state.counters["bytes_down"] = down;
  state.counters["bytes_total"] = up + down;
  state.counters["rounds"] =
      static_cast<double>(link.client->counters().rounds + link.server->counters().rounds) / iterations;
  state.counters["preprocess_ms"] = preprocess_ms;
  state.counters["cpu_ms"] = cpu_ms / iterations;
}

const bool registered = [] {
  const std::vector<NamedConv> convs = squeezenet_convolutions();
  for (const NamedConv& conv : convs)
    benchmark::RegisterBenchmark(("conv_layer/" + conv.name).c_str(),
                                 [conv](benchmark::State& state) { run_benchmark(state, {conv}); })
        ->ArgName("threads")
        ->Arg(1)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  const std::vector<NamedConv> fused = squeezenet_fused_convolutions();
  for (const NamedConv& conv : fused)
    if (conv.name.ends_with("_expand"))
      benchmark::RegisterBenchmark(("conv_layer/" + conv.name).c_str(),
                                   [conv](benchmark::State& state) { run_benchmark(state, {conv}); })
          ->ArgName("threads")
          ->Arg(1)
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  benchmark::RegisterBenchmark("conv_network/squeezenet1_1_fused",
                               [fused](benchmark::State& state) { run_benchmark(state, fused); })
      ->ArgName("threads")
      ->Arg(1)
      ->Arg(2)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("conv_network/squeezenet1_1",
                               [convs](benchmark::State& state) { run_benchmark(state, convs); })
      ->ArgName("threads")
      ->Arg(1)
      ->Arg(2)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  return true;
}();

}  // namespace
