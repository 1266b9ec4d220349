// Typed exceptions thrown at the public boundaries of every twain layer.
#pragma once

#include <stdexcept>
#include <string>

namespace twain {

// Root of every exception twain throws on purpose.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A caller passed an argument outside the documented domain.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// Parameters that do not reach the required security level, or objects made under other parameters.
class ParameterError : public Error {
 public:
  using Error::Error;
};

// Bytes that do not parse: a truncated, oversized or corrupted message or file.
class FormatError : public Error {
 public:
  using Error::Error;
};

// The transport failed: connection refused, peer closed, timeout.
class NetworkError : public Error {
 public:
  using Error::Error;
};

// The peer stayed silent longer than the configured timeout.
class TimeoutError : public NetworkError {
 public:
  using NetworkError::NetworkError;
};

// The bytes one party received are not the bytes the other sent (a corrupted, duplicated or
// lost byte on the link), found by the end-of-session transcript check before any result is used.
class IntegrityError : public NetworkError {
 public:
  using NetworkError::NetworkError;
};

// A request that parses but that the server's policy (or the client's own limits on what it
// accepts from a server) does not allow: more classes than the server reveals, logits where they
// are not allowed, another model than the one expected.
class PolicyError : public Error {
 public:
  using Error::Error;
};

// A correctness bound could not be met (for example noise beyond what decrypts exactly).
class CapacityError : public Error {
 public:
  using Error::Error;
};

// The operating system refused a request (randomness, memory, threads).
class SystemError : public Error {
 public:
  using Error::Error;
};

// Throws `Ex` with `message` unless `condition` holds. For public-boundary checks, always on.
#define TWAIN_REQUIRE(condition, Ex, message) \
  do {                                        \
    if (!(condition)) throw Ex(message);      \
  } while (0)

// Hot-loop invariant: checked in debug builds only.
#ifdef NDEBUG
#define TWAIN_DEBUG_CHECK(condition, message) \
  do {                                        \
  } while (0)
#else
#define TWAIN_DEBUG_CHECK(condition, message) TWAIN_REQUIRE(condition, ::twain::Error, message)
#endif

}  // namespace twain
