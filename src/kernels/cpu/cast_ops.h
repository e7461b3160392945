// Element type conversion shared by Cast and CastLike.
//
// Numeric and bool types only (float16, bfloat16 and string are
// unsupported). Rules, following ONNX / numpy:
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
