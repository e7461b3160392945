// Element types, numbered exactly as ONNX TensorProto.DataType so that no
// translation table is needed at the format boundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parallax/export.h"

namespace parallax {

enum class DataType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
  // Not an element type: the dtype of a Tensor that holds a sequence of
  // tensors (ONNX seq(tensor(T)), see Tensor::sequence). The loader refuses
  // this number as a tensor's element type.
  kSequence = -1,
  // Not an element type either: the dtype of an optional that holds no value
  // (ONNX optional(T) when empty, see Tensor::none). Refused by the loader too.
  kNone = -2,
};

// Bytes per element; 0 for types Parallax cannot hold in a flat buffer (string, sequence, none).
PARALLAX_API size_t element_size(DataType type);
PARALLAX_API std::string_view data_type_name(DataType type);
// True for the types the CPU kernels compute with.
PARALLAX_API bool is_supported(DataType type);
// float16 and bfloat16. Models may hold them (initializers, graph inputs and
// outputs, Cast) but kernels compute them in float32: the graph pass
// widen_half_floats rewrites every model before it runs.
PARALLAX_API bool is_half_float(DataType type);
// True for the types tensors may have in a model file and at the API
// boundary: is_supported() plus the half floats.
PARALLAX_API bool is_storable(DataType type);

template <typename T>
constexpr DataType data_type_of();
template <> constexpr DataType data_type_of<float>() { return DataType::kFloat32; }
template <> constexpr DataType data_type_of<double>() { return DataType::kFloat64; }
template <> constexpr DataType data_type_of<int64_t>() { return DataType::kInt64; }
template <> constexpr DataType data_type_of<int32_t>() { return DataType::kInt32; }
template <> constexpr DataType data_type_of<int16_t>() { return DataType::kInt16; }
template <> constexpr DataType data_type_of<int8_t>() { return DataType::kInt8; }
template <> constexpr DataType data_type_of<uint8_t>() { return DataType::kUInt8; }
template <> constexpr DataType data_type_of<uint16_t>() { return DataType::kUInt16; }
template <> constexpr DataType data_type_of<uint32_t>() { return DataType::kUInt32; }
template <> constexpr DataType data_type_of<uint64_t>() { return DataType::kUInt64; }
template <> constexpr DataType data_type_of<bool>() { return DataType::kBool; }

}  // namespace parallax
