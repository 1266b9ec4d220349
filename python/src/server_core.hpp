// twain.Server's C++ side: the model preprocessed under the server's policy, a bound listener,
// and apps::serve_connections (what `twain serve` runs) on a background thread until stopped.
#pragma once

#include <pybind11/pybind11.h>

namespace twain::python {

// Binds _twain.Server.
void register_server(pybind11::module_& module);

}  // namespace twain::python
