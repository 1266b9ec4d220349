// A preprocessed model on disk (`twain prepare`): what ServerModel computes from an ONNX file,
// so that a server starts in about the time it takes to map and check the file instead of
// quantising and NTT-transforming every kernel again, and so that several server processes on one
// machine share the kernel pages (the file is mapped read-only and shared; the kernels are used
// where they lie, never copied).
//
// Layout, little-endian throughout:
//   header (one page)  magic "TWAINMF\0", format version, HE parameter id of the graph's ring,
//                      the meta and kernel sections' offsets and sizes, the meta checksum
//   meta               the whole quantised graph (its public description with names, then each
//                      op's private values: weights, biases, BatchNorm scales and shifts,
//                      constants), the model card, the operator's ModelPolicy, and for each op
//                      its kernels' count, size in words, offset and checksum
//   kernels            page-aligned; each layer's kernels one after the other, as
//                      linear::Conv2dServer::kernel_words gives them (none for a layer kept
//                      on demand)
// Checksums are Poly1305 under a fixed public key (net/transcript_checksum.hpp): they catch a
// damaged file, not a forged one; who can write the file can change the model anyway.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "engine/server_model.hpp"

namespace twain::engine {

// What the format version says: a file of another version is refused and must be rebuilt.
inline constexpr uint32_t kModelFileVersion = 2;

// Writes `model` to `file`, through a temporary file renamed into place, so that a server never
// maps a half-written file. The kernels the model keeps precomputed go into the file; a layer that
// transforms its kernels on use (beyond ModelPolicy::kernel_cache_bytes) keeps doing so from its
// weights when served. Throws InvalidArgument when the file cannot be written.
void write_model_file(const ServerModel& model, const std::filesystem::path& file);

// Whether `file` starts with the model file's magic (a .twain file rather than ONNX).
bool is_model_file(const std::filesystem::path& file);

// How a server serves a model file: the output policy may differ from the file's; the fields that
// fix the flooding, and so every kernel, are the file's, and are only checked when given.
struct ModelFileServing {
  int max_top_k = 5;
  bool allow_logits = false;
  bool send_names = false;
  std::optional<uint64_t> max_inferences;
  std::optional<int> min_statistical_bits;
};

// Maps `file` and builds the server's model from it. Throws FormatError saying which when the
// file is not a model file, was written by another format version or for other HE parameters
// (out of date), is truncated or corrupted (a checksum or the kernel check fails), each with how
// to rebuild it; PolicyError when `serving` asks for another flooding than the file was made for;
// InvalidArgument when it cannot be opened.
ServerModel load_model_file(const std::filesystem::path& file, const ModelFileServing& serving);

}  // namespace twain::engine
