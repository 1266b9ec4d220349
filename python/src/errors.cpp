#include "errors.hpp"

#include <string>

#include "core/errors.hpp"
#include "onnx/importer.hpp"

namespace py = pybind11;

namespace twain::python {
namespace {

// Owned by the module (module attributes); these are borrowed pointers for the translator.
struct ErrorTypes {
  PyObject* error = nullptr;
  PyObject* invalid_argument = nullptr;
  PyObject* parameter = nullptr;
  PyObject* format = nullptr;
  PyObject* import = nullptr;
  PyObject* network = nullptr;
  PyObject* timeout = nullptr;
  PyObject* integrity = nullptr;
  PyObject* policy = nullptr;
  PyObject* capacity = nullptr;
  PyObject* system = nullptr;
};
ErrorTypes types;

PyObject* make(py::module_& module, const char* name, const char* doc, py::object bases) {
  const std::string qualified = std::string("twain.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  module.add_object(name, py::reinterpret_steal<py::object>(type));
  return type;
}

py::object base(PyObject* type) { return py::reinterpret_borrow<py::object>(type); }

}  // namespace

void register_errors(py::module_& module) {
  types.error = make(module, "Error", "Root of every error twain raises on purpose.", base(PyExc_Exception));
  types.invalid_argument =
      make(module, "InvalidArgument", "An argument outside the documented domain (also a ValueError).",
           py::make_tuple(base(types.error), base(PyExc_ValueError)));
  types.parameter = make(module, "ParameterError",
                         "Parameters below the required security level, or objects made under other parameters.",
                         base(types.error));
  types.format =
      make(module, "FormatError", "Bytes that do not parse: a truncated, oversized or corrupted message or file.",
           base(types.error));
  types.import = make(module, "ImportError",
                      "An ONNX model twain refuses; the message names the node (index, name) and its operator.",
                      base(types.format));
  types.network =
      make(module, "NetworkError", "The transport failed: connection refused, peer closed, timeout.", base(types.error));
  types.timeout =
      make(module, "TimeoutError", "The peer stayed silent longer than the configured timeout.", base(types.network));
  types.integrity = make(module, "IntegrityError",
                         "The bytes one party received are not those the other sent (end-of-session transcript check).",
                         base(types.network));
  types.policy = make(module, "PolicyError",
                      "A request the server's policy (or the client's expectations) does not allow.", base(types.error));
  types.capacity =
      make(module, "CapacityError", "A correctness bound could not be met (noise, ring size).", base(types.error));
  types.system =
      make(module, "SystemError", "The operating system refused a request (randomness, memory, threads).",
           base(types.error));

  // Most derived first: a handler catches every subclass.
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const onnx::ImportError& e) {
      PyErr_SetString(types.import, e.what());
    } catch (const TimeoutError& e) {
      PyErr_SetString(types.timeout, e.what());
    } catch (const IntegrityError& e) {
      PyErr_SetString(types.integrity, e.what());
    } catch (const NetworkError& e) {
      PyErr_SetString(types.network, e.what());
    } catch (const FormatError& e) {
      PyErr_SetString(types.format, e.what());
    } catch (const InvalidArgument& e) {
      PyErr_SetString(types.invalid_argument, e.what());
    } catch (const ParameterError& e) {
      PyErr_SetString(types.parameter, e.what());
    } catch (const PolicyError& e) {
      PyErr_SetString(types.policy, e.what());
    } catch (const CapacityError& e) {
      PyErr_SetString(types.capacity, e.what());
    } catch (const SystemError& e) {
      PyErr_SetString(types.system, e.what());
    } catch (const Error& e) {
      PyErr_SetString(types.error, e.what());
    }
  });

  // Each C++ type thrown from C++, for the test that every translation lands on its class.
  module.def(
      "_raise_for_tests",
      [](const std::string& name, const std::string& message) {
        if (name == "ImportError") throw onnx::ImportError(message);
        if (name == "TimeoutError") throw TimeoutError(message);
        if (name == "IntegrityError") throw IntegrityError(message);
        if (name == "NetworkError") throw NetworkError(message);
        if (name == "FormatError") throw FormatError(message);
        if (name == "InvalidArgument") throw InvalidArgument(message);
        if (name == "ParameterError") throw ParameterError(message);
        if (name == "PolicyError") throw PolicyError(message);
        if (name == "CapacityError") throw CapacityError(message);
        if (name == "SystemError") throw SystemError(message);
        if (name == "Error") throw Error(message);
        throw std::logic_error("no twain error named " + name);
      },
      py::arg("name"), py::arg("message"), "Throws the C++ exception `name` (tests of the translation only).");
}

}  // namespace twain::python
