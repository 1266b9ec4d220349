#include <gtest/gtest.h>

#include "core/bit_packing.hpp"
#include "core/errors.hpp"
#include "he/decryptor.hpp"
#include "he/encryptor.hpp"
#include "he/evaluator.hpp"
#include "he/serialization.hpp"
#include "he_test_support.hpp"

namespace twain::he {
namespace {

using testing::random_message;

class HeSerialization : public ::testing::Test {
 protected:
  void SetUp() override {
    context = Context::create(Parameters::standard(37));
    sk = generate_secret_key(*context, prg);
    message = random_message(context->n(), 37, prg);
    ct = encrypt(*context, sk, message, prg);
    Ciphertext product = ct;
    product.c0.to_coefficients();
    product.c1.to_coefficients();
    for (uint32_t j = 0; j < context->n(); j += 2) kept.push_back(j);
    switched = switch_modulus(*context, product, 50, kept);
  }

  core::Prg prg{core::Seed{21}};
  ContextPtr context;
  SecretKey sk;
  std::vector<uint64_t> message;
  Ciphertext ct;
  std::vector<uint32_t> kept;
  SwitchedCiphertext switched;
};

TEST_F(HeSerialization, SeededCiphertextRoundTripsAtPackedSize) {
  const auto bytes = serialize(*context, ct);
  std::size_t bits = 0;
  for (std::size_t i = 0; i < context->rns().size(); ++i) bits += std::bit_width(context->rns().prime(i));
  EXPECT_EQ(bytes.size(), kHeaderBytes + 1 + 32 + core::packed_size(context->n(), static_cast<int>(bits)));
  const Ciphertext back = deserialize_ciphertext(*context, bytes);
  EXPECT_TRUE(std::equal(back.c0.data().begin(), back.c0.data().end(), ct.c0.data().begin()));
  EXPECT_TRUE(std::equal(back.c1.data().begin(), back.c1.data().end(), ct.c1.data().begin()));
  EXPECT_EQ(decrypt(*context, sk, back), message);
}

TEST_F(HeSerialization, UnseededCiphertextCarriesC1) {
  Ciphertext plain_c1 = ct;
  plain_c1.seed.reset();
  const auto bytes = serialize(*context, plain_c1);
  EXPECT_GT(bytes.size(), serialize(*context, ct).size() * 19 / 10);
  EXPECT_EQ(decrypt(*context, sk, deserialize_ciphertext(*context, bytes)), message);
}

TEST_F(HeSerialization, SwitchedCiphertextRoundTripsAtItsBitWidth) {
  const auto bytes = serialize(*context, switched);
  EXPECT_EQ(bytes.size(), kHeaderBytes + 5 + core::packed_size(context->n() + kept.size(), 50));
  const SwitchedCiphertext back = deserialize_switched(*context, bytes, kept);
  EXPECT_EQ(back.c0, switched.c0);
  EXPECT_EQ(back.c1, switched.c1);
  EXPECT_EQ(back.bits, 50);
  const auto got = decrypt(*context, sk, back);
  for (std::size_t i = 0; i < kept.size(); ++i) ASSERT_EQ(got[i], message[kept[i]]);
  EXPECT_THROW(deserialize_switched(*context, bytes), FormatError);  // the protocol expects all n
}

TEST_F(HeSerialization, PublicKeyRoundTrips) {
  const PublicKey pk = generate_public_key(*context, sk, prg);
  const PublicKey back = deserialize_public_key(*context, serialize(*context, pk));
  EXPECT_EQ(back.seed, pk.seed);
  EXPECT_TRUE(std::equal(back.p0.data().begin(), back.p0.data().end(), pk.p0.data().begin()));
  EXPECT_TRUE(std::equal(back.p1.data().begin(), back.p1.data().end(), pk.p1.data().begin()));
}

TEST_F(HeSerialization, EveryTruncationIsRejected) {
  const auto full = serialize(*context, ct);
  const auto sw = serialize(*context, switched);
  for (std::size_t cut = 0; cut < full.size(); cut += 97) {
    EXPECT_THROW(deserialize_ciphertext(*context, std::span(full).first(cut)), FormatError) << cut;
  }
  for (std::size_t cut = 0; cut < sw.size(); cut += 101) {
    EXPECT_THROW(deserialize_switched(*context, std::span(sw).first(cut), kept), FormatError) << cut;
  }
  EXPECT_THROW(deserialize_ciphertext(*context, std::span(full).first(full.size() - 1)), FormatError);
}

TEST_F(HeSerialization, CorruptedFieldsAreRejected) {
  const auto good = serialize(*context, ct);
  auto corrupt = [&](std::size_t index, uint8_t value) {
    auto b = good;
    b[index] = value;
    return b;
  };
  EXPECT_THROW(deserialize_ciphertext(*context, corrupt(0, 'X')), FormatError);  // magic
  EXPECT_THROW(deserialize_ciphertext(*context, corrupt(4, 9)), FormatError);    // version
  EXPECT_THROW(deserialize_ciphertext(*context, corrupt(5, 2)), FormatError);    // kind
  EXPECT_THROW(deserialize_ciphertext(*context, corrupt(6, 0xff)), FormatError); // flags
  EXPECT_THROW(deserialize_ciphertext(*context, corrupt(8, good[8] ^ 1)), FormatError);  // parameter id
  EXPECT_THROW(deserialize_ciphertext(*context, corrupt(16, 7)), FormatError);   // form
  // A residue of all ones is at least its prime.
  auto b = good;
  for (std::size_t i = 16 + 1 + 32; i < 16 + 1 + 32 + 8; ++i) b[i] = 0xff;
  EXPECT_THROW(deserialize_ciphertext(*context, b), FormatError);
  auto longer = good;
  longer.push_back(0);
  EXPECT_THROW(deserialize_ciphertext(*context, longer), FormatError);
  // Under other parameters the same bytes are refused.
  const auto other = Context::create(Parameters::standard(32));
  EXPECT_THROW(deserialize_ciphertext(*other, good), FormatError);
  auto sw = serialize(*context, switched);
  sw[16] = 63;  // modulus bits beyond 62
  EXPECT_THROW(deserialize_switched(*context, sw, kept), FormatError);
}

TEST_F(HeSerialization, CorruptedPublicKeysAndSwitchedPaddingAreRejected) {
  const auto pk = serialize(*context, generate_public_key(*context, sk, prg));
  auto bad_flags = pk;
  bad_flags[6] = 0;
  EXPECT_THROW(deserialize_public_key(*context, bad_flags), FormatError);
  EXPECT_THROW(deserialize_public_key(*context, std::span(pk).first(pk.size() - 3)), FormatError);
  auto longer = pk;
  longer.push_back(0);
  EXPECT_THROW(deserialize_public_key(*context, longer), FormatError);
  EXPECT_THROW(deserialize_ciphertext(*context, pk), FormatError);  // wrong kind

  // With 2047 kept, (n + 2047) * 50 bits leave padding in the last byte: setting it is refused.
  SwitchedCiphertext odd = switched;
  odd.c0.pop_back();
  odd.c0_indices.pop_back();
  auto sw = serialize(*context, odd);
  ASSERT_NE((context->n() + odd.c0.size()) * 50 % 8, 0U);
  EXPECT_NO_THROW(deserialize_switched(*context, sw, odd.c0_indices));
  sw.back() |= 0x80;
  EXPECT_THROW(deserialize_switched(*context, sw, odd.c0_indices), FormatError);
  auto sw_longer = serialize(*context, switched);
  sw_longer.push_back(0);
  EXPECT_THROW(deserialize_switched(*context, sw_longer, kept), FormatError);
}

TEST_F(HeSerialization, ServersAcceptOnlySeededClientCiphertexts) {
  EXPECT_NO_THROW(deserialize_client_ciphertext(*context, serialize(*context, ct)));
  Ciphertext unseeded = ct;
  unseeded.seed.reset();
  EXPECT_THROW(deserialize_client_ciphertext(*context, serialize(*context, unseeded)), FormatError);
}

TEST_F(HeSerialization, SwitchedValuesOutOfRangeAreNotSerialised) {
  SwitchedCiphertext bad = switched;
  bad.c1[5] = uint64_t{1} << 50;
  EXPECT_THROW(serialize(*context, bad), InvalidArgument);
  bad = switched;
  bad.bits = 63;
  EXPECT_THROW(serialize(*context, bad), InvalidArgument);
}

}  // namespace
}  // namespace twain::he
