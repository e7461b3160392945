#include "capi/data_types.h"

namespace parallax::capi {

Result<DataType> to_data_type(const char* function, PxDataType type) {
  switch (type) {
    case PX_FLOAT32:
    case PX_UINT8:
    case PX_INT8:
    case PX_UINT16:
    case PX_INT16:
    case PX_INT32:
    case PX_INT64:
    case PX_BOOL:
    case PX_FLOAT16:
    case PX_FLOAT64:
    case PX_UINT32:
    case PX_UINT64:
    case PX_BFLOAT16: return static_cast<DataType>(type);
    case PX_UNDEFINED:
    case PX_STRING: break;
  }
  return error(StatusCode::kInvalidArgument, function, ": element type ", static_cast<int>(type),
               " has no flat layout or is unknown; use one of PX_FLOAT32 .. PX_BFLOAT16 except PX_STRING");
}

}  // namespace parallax::capi
