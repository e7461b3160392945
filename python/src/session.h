// The extension's Session: parallax::Session for Python. The package's
// InferenceSession (parallax/_session.py) wraps it in onnxruntime's spelling.
#pragma once

#include <pybind11/pybind11.h>

namespace parallax::python {

void register_session(pybind11::module_& m);

}  // namespace parallax::python
