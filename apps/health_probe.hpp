// `twain serve --health-port`: a second listener that a load balancer polls (HTTP/1.0 GET, as
// HAProxy's `option httpchk` sends). It answers from the session counters alone and closes; it
// never starts a session and never touches the serving listener. One thread serves every probe
// with non-blocking sockets, so a prober that is slow, silent or sends garbage delays no other:
// each request is read under a short deadline and a byte cap, and when too many probes are open
// at once the oldest is dropped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "serve_admission.hpp"

namespace twain::apps {

struct HealthProbeOptions {
  std::chrono::milliseconds request_timeout{1'000};  // from accept to the end of the request's headers
  std::size_t max_request_bytes = 4096;              // a longer request is answered 400
  std::size_t max_open = 64;                         // probes being read at once
};

// 200 "twain ok ..." while a valid request would get a slot without waiting; 503 "twain busy
// ..." once every slot is taken and requests already wait for one (the load balancer should send
// the next client elsewhere). The body names the model's fingerprint and the counts.
class HealthProbe {
 public:
  // Binds host:port (0: a free port, see port()) and starts serving. Throws NetworkError if the
  // address cannot be bound. `admission` must outlive the probe.
  HealthProbe(const std::string& host, uint16_t port, std::string model_fingerprint, const Admission& admission,
              HealthProbeOptions options = {});
  ~HealthProbe();  // stops, closes every socket, joins the thread
  HealthProbe(const HealthProbe&) = delete;
  HealthProbe& operator=(const HealthProbe&) = delete;

  uint16_t port() const noexcept { return port_; }

 private:
  void run();

  int listener_ = -1;
  uint16_t port_ = 0;
  std::string fingerprint_;
  const Admission& admission_;
  HealthProbeOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The probe's answer to one request (the bytes up to the end of its headers): the whole HTTP
// response. Exposed for the tests.
std::string health_response(const std::string& request, const std::string& fingerprint, std::size_t running,
                            std::size_t waiting, std::size_t slots);

}  // namespace twain::apps
