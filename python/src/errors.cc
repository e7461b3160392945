#include "errors.h"

#include <array>

namespace py = pybind11;

namespace parallax::python {

namespace {

// One Python type per StatusCode, indexed by the code; [0] (kOk) is Fail,
// the base, which no error gets.
std::array<PyObject*, 7> g_types{};

PyObject* make_type(py::module_& m, const char* name, PyObject* base, const char* doc) {
  const std::string qualified = std::string("parallax.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));  // the module keeps the type (and its reference) alive
  return type;
}

}  // namespace

void register_errors(py::module_& m) {
  PyObject* fail = make_type(m, "Fail", PyExc_RuntimeError, "An error of the Parallax runtime; base of the others.");
  g_types[0] = fail;
  g_types[static_cast<int>(StatusCode::kInvalidArgument)] =
      make_type(m, "InvalidArgument", fail, "A wrong input: dtype, shape, missing feed, option, closed session.");
  g_types[static_cast<int>(StatusCode::kInvalidModel)] =
      make_type(m, "InvalidModel", fail, "The model file or graph is malformed.");
  g_types[static_cast<int>(StatusCode::kUnsupported)] =
      make_type(m, "Unsupported", fail, "Valid ONNX that Parallax does not implement (op, opset, dtype).");
  g_types[static_cast<int>(StatusCode::kNotFound)] =
      make_type(m, "NotFound", fail, "A named thing does not exist: a file, an input, an output.");
  g_types[static_cast<int>(StatusCode::kResourceExhausted)] =
      make_type(m, "ResourceExhausted", fail, "A memory limit or budget would be exceeded.");
  g_types[static_cast<int>(StatusCode::kInternal)] =
      make_type(m, "Internal", fail, "A broken invariant inside Parallax.");

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      const int code = static_cast<int>(e.status.code());
      PyObject* type = code > 0 && code < static_cast<int>(g_types.size()) ? g_types[code] : g_types[0];
      PyErr_SetString(type, e.status.message().c_str());
    }
  });
}

}  // namespace parallax::python
