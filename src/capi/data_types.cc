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

Result<PxDataType> to_px_data_type(const char* function, const std::string& what, DataType type) {
  // Cast only after the number matched an enumerator.
  switch (const int n = static_cast<int>(type); n) {
    case PX_UNDEFINED:
    case PX_FLOAT32:
    case PX_UINT8:
    case PX_INT8:
    case PX_UINT16:
    case PX_INT16:
    case PX_INT32:
    case PX_INT64:
    case PX_STRING:
    case PX_BOOL:
    case PX_FLOAT16:
    case PX_FLOAT64:
    case PX_UINT32:
    case PX_UINT64:
    case PX_BFLOAT16: return static_cast<PxDataType>(n);
    default: break;
  }
  return error(StatusCode::kUnsupported, function, ": ", what, " has element type ", static_cast<int>(type),
               ", which the C API has no PxDataType for");
}

}  // namespace parallax::capi
