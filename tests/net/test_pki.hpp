// Test certificates made with the OpenSSL C API, nothing downloaded or committed: Ed25519 keys
// from fixed seeds, X.509 v3 certificates valid from an hour ago for a day, written as PEM files
// into a fresh temporary folder that is removed with the object.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace twain::net::testing {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

// The same key for the same seed tag: the 32-byte Ed25519 seed is the tag repeated.
inline KeyPtr ed25519_key(uint8_t tag) {
  std::array<uint8_t, 32> seed{};
  seed.fill(tag);
  KeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()), EVP_PKEY_free);
  if (!key) throw std::runtime_error("test_pki: cannot make an Ed25519 key");
  return key;
}

// "sha256:" + hex SHA-256 of the key's DER SubjectPublicKeyInfo (computed here from the key, not
// from a certificate, so it checks the library's own computation).
inline std::string spki_pin(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw std::runtime_error("test_pki: cannot encode a public key");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  const int ok = EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) throw std::runtime_error("test_pki: SHA-256 failed");
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string pin = "sha256:";
  for (unsigned int i = 0; i < digest_length; ++i) {
    pin.push_back(kDigits[digest[i] >> 4]);
    pin.push_back(kDigits[digest[i] & 15]);
  }
  return pin;
}

inline void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) throw std::runtime_error("test_pki: bad extension " + value);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `common_name`, signed by issuer_key (self-signed when issuer is
// null). san: subjectAltName entries ("IP:127.0.0.1,DNS:localhost"), empty for none.
inline CertPtr make_certificate(const std::string& common_name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                                bool is_ca, const std::string& san, long serial) {
  CertPtr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("twain tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_extension(cert.get(), signer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(cert.get(), signer, NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!san.empty()) add_extension(cert.get(), signer, NID_subject_alt_name, san);
  // Ed25519 signs the whole message: no separate digest.
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, nullptr) <= 0) {
    throw std::runtime_error("test_pki: cannot sign " + common_name);
  }
  return cert;
}

inline void write_pem(const std::string& path, EVP_PKEY* key, X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "w"), BIO_free);
  const bool ok = bio && (key == nullptr || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                                                      nullptr) == 1) &&
                  (cert == nullptr || PEM_write_bio_X509(bio.get(), cert) == 1);
  if (!ok) throw std::runtime_error("test_pki: cannot write " + path);
}

// One certificate with its key, as files.
struct Identity {
  std::string cert_file;
  std::string key_file;
  std::string pin;  // spki_pin of the key
};

// Two CAs and the servers the TLS tests need, in a temporary folder:
//   ca / other_ca        self-signed CAs (ca.pem, other_ca.pem: certificate only, the trust files)
//   server               issued by ca for IP 127.0.0.1 and DNS localhost: the real server
//   self_signed          a self-signed leaf for IP 127.0.0.1 (a relay's own certificate)
//   other_ca_server      issued by other_ca for IP 127.0.0.1 (a relay's certificate from another CA)
//   wrong_host           issued by ca, but for IP 127.0.0.2 only
class TestPki {
 public:
  explicit TestPki(std::string dir = {}) {
    if (dir.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "twain-tls-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("test_pki: mkdtemp failed");
      dir_ = pattern;
      owned_ = true;
    } else {
      dir_ = dir;
      std::filesystem::create_directories(dir_);
    }
    const KeyPtr ca_key = ed25519_key(0xC1), other_ca_key = ed25519_key(0xC2);
    const CertPtr ca_cert = make_certificate("twain test CA", ca_key.get(), nullptr, nullptr, true, "", 1);
    const CertPtr other_cert = make_certificate("twain other CA", other_ca_key.get(), nullptr, nullptr, true, "", 2);
    ca_file = file("ca.pem");
    other_ca_file = file("other_ca.pem");
    write_pem(ca_file, nullptr, ca_cert.get());
    write_pem(other_ca_file, nullptr, other_cert.get());
    server = issue("server", 0x51, ca_cert.get(), ca_key.get(), "IP:127.0.0.1,DNS:localhost", 10);
    self_signed = issue("self_signed", 0x52, nullptr, nullptr, "IP:127.0.0.1,DNS:localhost", 11);
    other_ca_server = issue("other_ca_server", 0x53, other_cert.get(), other_ca_key.get(), "IP:127.0.0.1", 12);
    wrong_host = issue("wrong_host", 0x54, ca_cert.get(), ca_key.get(), "IP:127.0.0.2", 13);
  }
  ~TestPki() {
    std::error_code ignored;
    if (owned_) std::filesystem::remove_all(dir_, ignored);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }

  std::string ca_file, other_ca_file;
  Identity server, self_signed, other_ca_server, wrong_host;

 private:
  std::string file(const std::string& name) const { return (std::filesystem::path(dir_) / name).string(); }

  Identity issue(const std::string& name, uint8_t seed, X509* issuer, EVP_PKEY* issuer_key, const std::string& san,
                 long serial) {
    const KeyPtr key = ed25519_key(seed);
    const CertPtr cert = make_certificate(name, key.get(), issuer, issuer_key, false, san, serial);
    Identity id{file(name + ".pem"), file(name + ".key"), spki_pin(key.get())};
    write_pem(id.cert_file, nullptr, cert.get());
    write_pem(id.key_file, key.get(), nullptr);
    return id;
  }

  std::string dir_;
  bool owned_ = false;
};

}  // namespace twain::net::testing
