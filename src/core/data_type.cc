#include "parallax/data_type.h"

namespace parallax {

size_t element_size(DataType type) {
  switch (type) {
    case DataType::kFloat32: case DataType::kInt32: case DataType::kUInt32: return 4;
    case DataType::kFloat64: case DataType::kInt64: case DataType::kUInt64: return 8;
    case DataType::kUInt8: case DataType::kInt8: case DataType::kBool: return 1;
    case DataType::kUInt16: case DataType::kInt16: case DataType::kFloat16: case DataType::kBFloat16: return 2;
    case DataType::kString: case DataType::kUndefined: case DataType::kSequence: case DataType::kNone: return 0;
  }
  return 0;
}

std::string_view data_type_name(DataType type) {
  switch (type) {
    case DataType::kUndefined: return "undefined";
    case DataType::kFloat32: return "float32";
    case DataType::kUInt8: return "uint8";
    case DataType::kInt8: return "int8";
    case DataType::kUInt16: return "uint16";
    case DataType::kInt16: return "int16";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kString: return "string";
    case DataType::kBool: return "bool";
    case DataType::kFloat16: return "float16";
    case DataType::kFloat64: return "float64";
    case DataType::kUInt32: return "uint32";
    case DataType::kUInt64: return "uint64";
    case DataType::kBFloat16: return "bfloat16";
    case DataType::kSequence: return "sequence";
    case DataType::kNone: return "none";
  }
  return "unknown";
}

bool is_supported(DataType type) {
  return type != DataType::kUndefined && type != DataType::kString && type != DataType::kFloat16 &&
         type != DataType::kBFloat16 && element_size(type) != 0;
}

bool is_half_float(DataType type) {
  return type == DataType::kFloat16 || type == DataType::kBFloat16;
}

bool is_storable(DataType type) {
  return is_supported(type) || is_half_float(type);
}

}  // namespace parallax
