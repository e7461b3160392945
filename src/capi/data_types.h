// PxDataType <-> parallax::DataType: the numbers are ONNX's in both, but a C
// caller can pass any int, so a value is checked before it becomes a DataType.
#pragma once

#include "parallax/c_api.h"
#include "parallax/data_type.h"
#include "parallax/status.h"

namespace parallax::capi {

// A type a tensor can be made of (a flat element layout): not undefined, not
// string, not a number outside the enum.
Result<DataType> to_data_type(const char* function, PxDataType type);

}  // namespace parallax::capi
