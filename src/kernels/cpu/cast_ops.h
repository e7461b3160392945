// Element type conversion shared by Cast and CastLike.
//
// Numeric and bool types, float16 and bfloat16 included (string is
// unsupported). Rules, following ONNX / numpy:
//   to float16/bfloat16: round to nearest even, once (core/float16.h)
//   to bool:           x != 0 (NaN -> true)
//   from bool:         1 or 0
//   float -> integer:  truncates toward zero; NaN -> 0 and out-of-range
//                      values saturate (C++ leaves those undefined)
//   integer -> integer wraps (two's complement); other pairs are C++ conversions.
#pragma once

#include <optional>

#include "kernels/kernel_util.h"

namespace parallax {

// True when `from` can be cast to `to` by cast_tensor().
bool cast_supported(DataType from, DataType to);

// Writes `in` converted to out.dtype() into `out` (same element count).
Status cast_tensor(const Tensor& in, Tensor& out, int threads);

// Cast's `to` attribute: an int (opset 6+) or a type name string (opsets 1-5).
Result<DataType> read_cast_target(const KernelCreateContext& ctx);

}  // namespace parallax
