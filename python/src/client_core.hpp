// The client's side from Python: one session per inference, against a server (Client.infer) or
// against a server thread in this process (local), as `twain query` and `twain local` run it.
#pragma once

#include <pybind11/pybind11.h>

namespace twain::python {

// Binds _twain.infer and _twain.local.
void register_client(pybind11::module_& module);

}  // namespace twain::python
