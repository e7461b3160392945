// PxDataType <-> parallax::DataType: the numbers are ONNX's in both, but a C
// caller can pass any int, so a value is checked before it becomes a DataType.
#pragma once

#include <string>

#include "parallax/c_api.h"
#include "parallax/data_type.h"
#include "parallax/status.h"

namespace parallax::capi {

// A type a tensor can be made of (a flat element layout): not undefined, not
// string, not a number outside the enum.
Result<DataType> to_data_type(const char* function, PxDataType type);

// The PxDataType of a model's or tensor's element type. A model may declare a
// number PxDataType has no enumerator for (a loaded file can say anything);
// casting it would be undefined behaviour in C++ and a value a C switch
// cannot match, so it is an error naming `what`.
Result<PxDataType> to_px_data_type(const char* function, const std::string& what, DataType type);

}  // namespace parallax::capi
