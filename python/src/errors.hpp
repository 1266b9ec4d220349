// twain's C++ exceptions as Python exceptions: one Python class per C++ class, with the same
// parents, rooted at twain.Error, so `except twain.NetworkError` also catches a TimeoutError.
#pragma once

#include <pybind11/pybind11.h>

namespace twain::python {

// Creates the classes in `module` and registers the translator of C++ exceptions to them.
void register_errors(pybind11::module_& module);

}  // namespace twain::python
