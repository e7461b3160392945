// _parallax: the compiled half of the `parallax` Python package. The package
// (python/parallax/) gives it onnxruntime's spelling; this module holds the
// session, the numpy conversions and the exception types.
#include <pybind11/pybind11.h>

#include "errors.h"
#include "parallax/c_api.h"
#include "session.h"

PYBIND11_MODULE(_parallax, m) {
  m.doc() = "Parallax ONNX runtime: compiled bindings (use the parallax package)";
  m.attr("__version__") = PxGetVersionString();
  parallax::python::register_errors(m);
  parallax::python::register_session(m);
}
