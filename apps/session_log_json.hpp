// `twain serve --log-json`: each connection's end as one JSON object, for log collectors (one
// object per line, nothing else on the line).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "serve_loop.hpp"

namespace twain::apps {

// An identifier of this serving process that another process (on this machine or another) is
// unlikely to share: a session's id is it plus the connection's number.
std::string process_instance_id();

// session, number, peer, model, outcome, reason, time (UTC, at the end), seconds, bytes_sent,
// bytes_received, bytes, rounds; for sessions that were done, inferences and phases (setup /
// offline / online: seconds, bytes_sent, bytes_received, rounds); tls (over TLS).
nlohmann::ordered_json session_log_json(const ConnectionEnd& end, const std::string& instance,
                                const std::string& model_fingerprint);

}  // namespace twain::apps
