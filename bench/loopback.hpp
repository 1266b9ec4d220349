// Shared by the benchmarks: a connected pair of TCP channels on 127.0.0.1.
#pragma once

#include <future>
#include <memory>

#include "net/tcp_channel.hpp"

namespace twain::bench {

struct Loopback {
  std::unique_ptr<net::TcpChannel> server;  // the accepting end
  std::unique_ptr<net::TcpChannel> client;  // the connecting end
};

inline Loopback connect_loopback() {
  net::TcpListener listener(0, "127.0.0.1");
  auto client = std::async(std::launch::async, [&] { return net::TcpChannel::connect("127.0.0.1", listener.port()); });
  auto server = listener.accept();
  return {std::move(server), client.get()};
}

}  // namespace twain::bench
