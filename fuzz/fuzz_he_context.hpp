// The HE context every HE fuzz target parses against: small insecure parameters, so one input
// costs microseconds; the parsers are generic in n and the limb count.
#pragma once

#include "he/params.hpp"

namespace twain::fuzz {

inline const he::Context& he_context() {
  static const he::ContextPtr context = he::Context::create(he::Parameters::insecure_for_tests(256, 28, 2, 20));
  return *context;
}

}  // namespace twain::fuzz
