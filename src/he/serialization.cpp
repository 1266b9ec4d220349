#include "he/serialization.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "core/bit_packing.hpp"
#include "core/errors.hpp"
#include "he/encryptor.hpp"
#include "he/sampling.hpp"

namespace twain::he {
namespace {

enum class Kind : uint8_t { Ciphertext = 1, Switched = 2, PublicKey = 3 };
constexpr uint8_t kFlagSeeded = 1;

void write_header(std::vector<uint8_t>& out, const Context& context, Kind kind, uint8_t flags) {
  const char magic[4] = {'T', 'W', 'H', 'E'};
  out.insert(out.end(), magic, magic + 4);
  out.push_back(kWireVersion);
  out.push_back(static_cast<uint8_t>(kind));
  out.push_back(flags);
  out.push_back(0);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(context.id() >> (8 * i)));
}

// Checks the header and returns its flags; `bytes` is advanced past it.
uint8_t read_header(const Context& context, std::span<const uint8_t>& bytes, Kind kind, const char* what) {
  const std::string where = std::string("deserialize ") + what + ": ";
  TWAIN_REQUIRE(bytes.size() >= kHeaderBytes, FormatError,
                where + "only " + std::to_string(bytes.size()) + " bytes, shorter than the 16-byte header");
  TWAIN_REQUIRE(std::memcmp(bytes.data(), "TWHE", 4) == 0, FormatError, where + "bad magic (not a twain HE object)");
  TWAIN_REQUIRE(bytes[4] == kWireVersion, FormatError,
                where + "wire version " + std::to_string(bytes[4]) + ", this build reads version " +
                    std::to_string(kWireVersion));
  TWAIN_REQUIRE(bytes[5] == static_cast<uint8_t>(kind), FormatError,
                where + "object kind " + std::to_string(bytes[5]) + " where " +
                    std::to_string(static_cast<int>(kind)) + " was expected");
  TWAIN_REQUIRE(bytes[7] == 0, FormatError, where + "reserved header byte is not zero");
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id |= static_cast<uint64_t>(bytes[8 + i]) << (8 * i);
  TWAIN_REQUIRE(id == context.id(), FormatError, where + "made under different HE parameters");
  const uint8_t flags = bytes[6];
  bytes = bytes.subspan(kHeaderBytes);
  return flags;
}

std::size_t packed_poly_bytes(const Context& context) {
  std::size_t bits = 0;
  for (std::size_t i = 0; i < context.rns().size(); ++i) bits += std::bit_width(context.rns().prime(i));
  return core::packed_size(context.n(), static_cast<int>(bits)) + 8;
}

void write_poly(std::vector<uint8_t>& out, const math::RnsPoly& poly) {
  core::BitWriter writer(out);
  for (std::size_t i = 0; i < poly.limbs(); ++i) {
    const int width = std::bit_width(poly.base().prime(i));
    for (uint32_t v : std::span<const uint32_t>(poly.limb(i), poly.n())) writer.write(v, width);
  }
}

void read_poly(core::BitReader& reader, math::RnsPoly& poly, const std::string& where) {
  for (std::size_t i = 0; i < poly.limbs(); ++i) {
    const uint32_t q = poly.base().prime(i);
    const int width = std::bit_width(q);
    uint32_t* limb = poly.limb(i);
    for (std::size_t j = 0; j < poly.n(); ++j) {
      const uint64_t v = reader.read(width);
      TWAIN_REQUIRE(v < q, FormatError,
                    where + "residue " + std::to_string(v) + " at limb " + std::to_string(i) + " index " +
                        std::to_string(j) + " is not below its prime");
      limb[j] = static_cast<uint32_t>(v);
    }
  }
}

void require_consumed(const core::BitReader& reader, std::span<const uint8_t> bytes, const std::string& where) {
  reader.require_zero_padding();
  TWAIN_REQUIRE(reader.bytes_consumed() == bytes.size(), FormatError,
                where + std::to_string(bytes.size() - reader.bytes_consumed()) + " unexpected trailing bytes");
}

core::Seed take_seed(std::span<const uint8_t>& bytes, const std::string& where) {
  core::Seed seed;
  TWAIN_REQUIRE(bytes.size() >= seed.size(), FormatError, where + "truncated inside the seed");
  std::memcpy(seed.data(), bytes.data(), seed.size());
  bytes = bytes.subspan(seed.size());
  return seed;
}

}  // namespace

std::vector<uint8_t> serialize(const Context& context, const Ciphertext& ct) {
  require_same_parameters(context, ct.params_id, "ciphertext");
  TWAIN_REQUIRE(ct.c0.form() == ct.c1.form(), InvalidArgument, "serialize: c0 and c1 are in different forms");
  std::vector<uint8_t> out;
  out.reserve(kHeaderBytes + 1 + 32 + 2 * packed_poly_bytes(context));
  write_header(out, context, Kind::Ciphertext, ct.seed ? kFlagSeeded : 0);
  out.push_back(ct.c0.form() == math::PolyForm::Ntt ? 1 : 0);
  if (ct.seed) out.insert(out.end(), ct.seed->begin(), ct.seed->end());
  write_poly(out, ct.c0);
  if (!ct.seed) write_poly(out, ct.c1);
  return out;
}

Ciphertext deserialize_ciphertext(const Context& context, std::span<const uint8_t> bytes) {
  const std::string where = "deserialize ciphertext: ";
  const uint8_t flags = read_header(context, bytes, Kind::Ciphertext, "ciphertext");
  TWAIN_REQUIRE((flags & ~kFlagSeeded) == 0, FormatError, where + "unknown flags");
  TWAIN_REQUIRE(!bytes.empty() && bytes[0] <= 1, FormatError, where + "missing or invalid form byte");
  const auto form = bytes[0] == 1 ? math::PolyForm::Ntt : math::PolyForm::Coefficient;
  bytes = bytes.subspan(1);
  Ciphertext ct;
  ct.params_id = context.id();
  if (flags & kFlagSeeded) {
    TWAIN_REQUIRE(form == math::PolyForm::Ntt, FormatError, where + "a seeded c1 exists only in NTT form");
    ct.seed = take_seed(bytes, where);
  }
  ct.c0 = math::RnsPoly(context.rns(), form);
  core::BitReader reader(bytes);
  read_poly(reader, ct.c0, where);
  if (ct.seed) {
    ct.c1 = expand_uniform(context.rns(), *ct.seed);
  } else {
    ct.c1 = math::RnsPoly(context.rns(), form);
    read_poly(reader, ct.c1, where);
  }
  require_consumed(reader, bytes, where);
  ct.noise = fresh_encryption_noise();
  return ct;
}

Ciphertext deserialize_client_ciphertext(const Context& context, std::span<const uint8_t> bytes) {
  TWAIN_REQUIRE(bytes.size() > 16 && (bytes[6] & kFlagSeeded) != 0, FormatError,
                "deserialize client ciphertext: a client sends seeded ciphertexts only");
  return deserialize_ciphertext(context, bytes);
}

std::vector<uint8_t> serialize(const Context& context, const SwitchedCiphertext& ct) {
  require_same_parameters(context, ct.params_id, "switched ciphertext");
  TWAIN_REQUIRE(ct.bits > context.plain_bits() && ct.bits <= 62, InvalidArgument,
                "serialize: modulus 2^" + std::to_string(ct.bits) + " is outside (t, 2^62]");
  TWAIN_REQUIRE(ct.c1.size() == context.n(), InvalidArgument, "serialize: c1 must hold n coefficients");
  TWAIN_REQUIRE(ct.c0.size() == (ct.c0_indices.empty() ? context.n() : ct.c0_indices.size()), InvalidArgument,
                "serialize: c0 does not match its index list");
  const uint64_t limit = uint64_t{1} << ct.bits;
  TWAIN_REQUIRE(std::all_of(ct.c0.begin(), ct.c0.end(), [&](uint64_t v) { return v < limit; }) &&
                    std::all_of(ct.c1.begin(), ct.c1.end(), [&](uint64_t v) { return v < limit; }),
                InvalidArgument, "serialize: a coefficient is not below 2^" + std::to_string(ct.bits));
  std::vector<uint8_t> out;
  out.reserve(kHeaderBytes + 5 + core::packed_size(ct.c1.size() + ct.c0.size(), ct.bits) + 8);
  write_header(out, context, Kind::Switched, 0);
  out.push_back(static_cast<uint8_t>(ct.bits));
  const auto kept = static_cast<uint32_t>(ct.c0.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(kept >> (8 * i)));
  core::BitWriter writer(out);
  for (uint64_t v : ct.c1) writer.write(v, ct.bits);
  for (uint64_t v : ct.c0) writer.write(v, ct.bits);
  writer.flush();
  return out;
}

SwitchedCiphertext deserialize_switched(const Context& context, std::span<const uint8_t> bytes,
                                        std::span<const uint32_t> c0_indices) {
  const std::string where = "deserialize switched ciphertext: ";
  TWAIN_REQUIRE(read_header(context, bytes, Kind::Switched, "switched ciphertext") == 0, FormatError,
                where + "unknown flags");
  TWAIN_REQUIRE(bytes.size() >= 5, FormatError, where + "truncated before the modulus and count fields");
  SwitchedCiphertext ct;
  ct.params_id = context.id();
  ct.bits = bytes[0];
  TWAIN_REQUIRE(ct.bits > context.plain_bits() && ct.bits <= 62, FormatError,
                where + "modulus 2^" + std::to_string(ct.bits) + " is outside (t, 2^62]");
  uint32_t kept = 0;
  for (int i = 0; i < 4; ++i) kept |= static_cast<uint32_t>(bytes[1 + i]) << (8 * i);
  const std::size_t expected = c0_indices.empty() ? context.n() : c0_indices.size();
  TWAIN_REQUIRE(kept == expected, FormatError,
                where + "holds " + std::to_string(kept) + " c0 coefficients, the protocol expects " +
                    std::to_string(expected));
  bytes = bytes.subspan(5);
  const std::size_t need = core::packed_size(context.n() + kept, ct.bits);
  TWAIN_REQUIRE(bytes.size() == need, FormatError,
                where + std::to_string(bytes.size()) + " payload bytes where " + std::to_string(need) +
                    " are required");
  ct.c0_indices.assign(c0_indices.begin(), c0_indices.end());
  core::BitReader reader(bytes);
  ct.c1.resize(context.n());
  for (auto& v : ct.c1) v = reader.read(ct.bits);
  ct.c0.resize(kept);
  for (auto& v : ct.c0) v = reader.read(ct.bits);
  require_consumed(reader, bytes, where);
  return ct;
}

std::vector<uint8_t> serialize(const Context& context, const PublicKey& pk) {
  require_same_parameters(context, pk.params_id, "public key");
  std::vector<uint8_t> out;
  out.reserve(kHeaderBytes + 32 + packed_poly_bytes(context));
  write_header(out, context, Kind::PublicKey, kFlagSeeded);
  out.insert(out.end(), pk.seed.begin(), pk.seed.end());
  write_poly(out, pk.p0);
  return out;
}

PublicKey deserialize_public_key(const Context& context, std::span<const uint8_t> bytes) {
  const std::string where = "deserialize public key: ";
  TWAIN_REQUIRE(read_header(context, bytes, Kind::PublicKey, "public key") == kFlagSeeded, FormatError,
                where + "unknown flags");
  PublicKey pk;
  pk.params_id = context.id();
  pk.seed = take_seed(bytes, where);
  pk.p1 = expand_uniform(context.rns(), pk.seed);
  pk.p0 = math::RnsPoly(context.rns(), math::PolyForm::Ntt);
  core::BitReader reader(bytes);
  read_poly(reader, pk.p0, where);
  require_consumed(reader, bytes, where);
  return pk;
}

}  // namespace twain::he
