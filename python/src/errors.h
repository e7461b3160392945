// Python exceptions for the runtime's Status codes: parallax.Fail (a
// RuntimeError) and one subclass per code, e.g. parallax.InvalidArgument.
// The message is the runtime's own.
#pragma once

#include <pybind11/pybind11.h>

#include "parallax/status.h"

namespace parallax::python {

// Makes the exception types and adds them to the module.
void register_errors(pybind11::module_& m);

// Thrown by the bindings; pybind11 turns it into the Python exception of its code.
struct StatusError {
  Status status;
};

// Throws StatusError for an error Status (does nothing for ok).
inline void throw_if_error(const Status& status) {
  if (!status.is_ok()) throw StatusError{status};
}

}  // namespace parallax::python
