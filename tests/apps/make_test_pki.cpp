// Writes the TLS test certificates (tests/net/test_pki.hpp) into a folder for the shell tests:
//   twain_test_pki DIR   prints "server_pin sha256:..." and "self_signed_pin sha256:...".
#include <iostream>

#include "net/test_pki.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: twain_test_pki DIR\n";
    return 2;
  }
  try {
    const twain::net::testing::TestPki pki(argv[1]);
    std::cout << "server_pin " << pki.server.pin << "\n"
              << "self_signed_pin " << pki.self_signed.pin << "\n";
  } catch (const std::exception& e) {
    std::cerr << "twain_test_pki: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
