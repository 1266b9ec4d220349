// _twain: the C++ half of the `twain` Python package (python/twain/ is the other half, with the
// public names, their documentation and the conversions of images and progress).
#include <pybind11/pybind11.h>

#include "client_core.hpp"
#include "errors.hpp"
#include "model_core.hpp"
#include "server_core.hpp"

PYBIND11_MODULE(_twain, module) {
  module.doc() = "twain's engine for the twain package; use `import twain`, not this module.";
  twain::python::register_errors(module);
  twain::python::register_model(module);
  twain::python::register_server(module);
  twain::python::register_client(module);
}
