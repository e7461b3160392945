// numpy arrays <-> parallax::Tensor without copies where possible.
//
//   py::object keep;                                   // holds what the view points into
//   Tensor t = to_tensor(feed_value, info, keep);      // a view of a C-contiguous array of the right dtype
//   py::object a = to_numpy(std::move(output));        // an array that owns the tensor's bytes
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "parallax/session.h"
#include "parallax/tensor.h"

namespace parallax::python {

// The feed for graph input `info`. A C-contiguous numpy array in native byte
// order is viewed, not copied; another array is made contiguous first (a
// copy), and a non-array (a list, a scalar) is converted to the input's
// declared dtype. The dtype is not changed for arrays: a float64 array fed
// to a float input is an error from the runtime, as in onnxruntime. `keep`
// receives the array the tensor views; hold it until the run is over. A
// sequence input (info.dtype kSequence) takes a list of arrays, an optional
// one None for an empty optional.
Tensor to_tensor(pybind11::handle value, const TensorInfo& info, pybind11::object& keep);

// A numpy array that owns the tensor (no copy), a list of them for a
// sequence, None for an empty optional. bfloat16, which numpy lacks, comes back as its raw uint16 bits.
pybind11::object to_numpy(Tensor tensor);

// numpy's dtype for a runtime element type; throws StatusError for one
// numpy cannot hold (string).
pybind11::dtype numpy_dtype(DataType type);

// "tensor(float)", "seq(tensor(float))" or "optional(...)", as onnxruntime's NodeArg.type spells it.
const char* ort_type_name(DataType type);
std::string ort_type_name(const TensorInfo& info);

}  // namespace parallax::python
