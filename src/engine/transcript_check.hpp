// The last exchange of every session: each party sends the checksums of the bytes it sent and
// received (net/transcript_checksum.hpp) and compares the peer's with its own, so that a byte
// corrupted, duplicated or lost on the link ends the session with an IntegrityError on both
// sides instead of giving the client a different prediction.
//
// Both parties call it right after the output step, when each has read everything the other
// sent. Both send first, then receive: the client's result waits for no extra round trip (the
// server's digests travel right behind its output), the server waits for the client's.
#pragma once

#include "net/channel.hpp"

namespace twain::engine {

// Throws IntegrityError naming the direction (and, when the counts differ, how many bytes were
// sent and received) if the transcripts differ; NetworkError if the exchange itself fails.
void check_transcript(net::Channel& channel);

}  // namespace twain::engine
