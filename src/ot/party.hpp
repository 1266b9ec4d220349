// Which end of a symmetric two-party OT protocol a caller runs.
#pragma once

#include <cstdint>

namespace twain::ot {

// The two ends of a protocol in which both parties play both OT roles. The ends must differ:
// kFirst is the correlated-OT sender of the first direction, kSecond its receiver.
enum class Party : uint8_t { kFirst, kSecond };

}  // namespace twain::ot
