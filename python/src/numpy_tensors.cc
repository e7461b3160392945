#include "numpy_tensors.h"

#include <memory>
#include <string>
#include <vector>

#include "errors.h"

namespace py = pybind11;

namespace parallax::python {

namespace {

// The element type of a numpy dtype, or kUndefined for one the runtime has no
// flat layout for (object, complex, strings, structured).
DataType element_type(const py::dtype& dtype) {
  const auto size = dtype.itemsize();
  switch (dtype.kind()) {
    case 'f':
      return size == 4   ? DataType::kFloat32
             : size == 8 ? DataType::kFloat64
             : size == 2 ? DataType::kFloat16
                         : DataType::kUndefined;
    case 'i':
      return size == 1   ? DataType::kInt8
             : size == 2 ? DataType::kInt16
             : size == 4 ? DataType::kInt32
             : size == 8 ? DataType::kInt64
                         : DataType::kUndefined;
    case 'u':
      return size == 1   ? DataType::kUInt8
             : size == 2 ? DataType::kUInt16
             : size == 4 ? DataType::kUInt32
             : size == 8 ? DataType::kUInt64
                         : DataType::kUndefined;
    case 'b': return size == 1 ? DataType::kBool : DataType::kUndefined;
    default: return DataType::kUndefined;
  }
}

}  // namespace

py::dtype numpy_dtype(DataType type) {
  switch (type) {
    case DataType::kFloat32: return py::dtype::of<float>();
    case DataType::kFloat64: return py::dtype::of<double>();
    case DataType::kFloat16: return py::dtype("float16");
    case DataType::kInt8: return py::dtype::of<int8_t>();
    case DataType::kInt16: return py::dtype::of<int16_t>();
    case DataType::kInt32: return py::dtype::of<int32_t>();
    case DataType::kInt64: return py::dtype::of<int64_t>();
    case DataType::kUInt8: return py::dtype::of<uint8_t>();
    case DataType::kUInt16:
    case DataType::kBFloat16: return py::dtype::of<uint16_t>();
    case DataType::kUInt32: return py::dtype::of<uint32_t>();
    case DataType::kUInt64: return py::dtype::of<uint64_t>();
    case DataType::kBool: return py::dtype::of<bool>();
    default: break;
  }
  throw StatusError{error(StatusCode::kUnsupported, "element type ", data_type_name(type), " has no numpy dtype here")};
}

const char* ort_type_name(DataType type) {
  switch (type) {
    case DataType::kFloat32: return "tensor(float)";
    case DataType::kFloat64: return "tensor(double)";
    case DataType::kFloat16: return "tensor(float16)";
    case DataType::kBFloat16: return "tensor(bfloat16)";
    case DataType::kInt8: return "tensor(int8)";
    case DataType::kInt16: return "tensor(int16)";
    case DataType::kInt32: return "tensor(int32)";
    case DataType::kInt64: return "tensor(int64)";
    case DataType::kUInt8: return "tensor(uint8)";
    case DataType::kUInt16: return "tensor(uint16)";
    case DataType::kUInt32: return "tensor(uint32)";
    case DataType::kUInt64: return "tensor(uint64)";
    case DataType::kBool: return "tensor(bool)";
    case DataType::kString: return "tensor(string)";
    case DataType::kSequence:
    case DataType::kNone:
    case DataType::kUndefined: break;
  }
  return "tensor(undefined)";
}

std::string ort_type_name(const TensorInfo& info) {
  const std::string type = info.dtype == DataType::kSequence
                               ? "seq(" + std::string(ort_type_name(info.element_type)) + ")"
                               : std::string(ort_type_name(info.dtype));
  return info.optional ? "optional(" + type + ")" : type;
}

namespace {

// A list or tuple of arrays for a sequence input, as onnxruntime takes one.
Tensor to_sequence(py::handle value, const TensorInfo& info, py::object& keep) {
  if (!py::isinstance<py::list>(value) && !py::isinstance<py::tuple>(value))
    throw StatusError{error(StatusCode::kInvalidArgument, "input '", info.name,
                            "' is a sequence of tensors: give it as a list of numpy arrays")};
  TensorInfo item_info;
  item_info.name = info.name;
  item_info.dtype = info.element_type;
  py::list kept;
  std::vector<Tensor> items;
  DataType element = info.element_type;
  for (py::handle item : value) {
    py::object item_keep;
    items.push_back(to_tensor(item, item_info, item_keep));
    kept.append(item_keep);
    element = items.back().dtype();
  }
  keep = kept;
  return Tensor::sequence(element, std::move(items));
}

}  // namespace

Tensor to_tensor(py::handle value, const TensorInfo& info, py::object& keep) {
  if (info.optional && value.is_none()) return Tensor::none();
  if (info.dtype == DataType::kSequence) return to_sequence(value, info, keep);
  py::array array;
  if (py::isinstance<py::array>(value)) {
    array = py::reinterpret_borrow<py::array>(value);
  } else {
    // Lists and scalars: numpy picks no dtype of its own, the input's is used.
    array = py::module_::import("numpy").attr("asarray")(value, numpy_dtype(info.dtype));
  }
  const DataType type = element_type(array.dtype());
  if (type == DataType::kUndefined)
    throw StatusError{error(StatusCode::kInvalidArgument, "input '", info.name, "': numpy dtype ",
                            std::string(py::str(array.dtype())), " has no ONNX element type; expected ",
                            ort_type_name(info.dtype))};
  // The runtime reads native byte order, from one contiguous block.
  if (array.dtype().byteorder() == '>') array = array.attr("astype")(array.dtype().attr("newbyteorder")("="));
  if (!(array.flags() & py::array::c_style)) array = py::module_::import("numpy").attr("ascontiguousarray")(array);
  Shape shape(array.shape(), array.shape() + array.ndim());
  keep = array;
  // The runtime never writes its inputs, so read-only arrays are viewed too.
  return Tensor::view(type, std::move(shape), const_cast<void*>(array.data()));
}

py::object to_numpy(Tensor tensor) {
  if (tensor.is_none()) return py::none();
  if (tensor.is_sequence()) {
    py::list items;
    for (const Tensor& item : tensor.items()) items.append(to_numpy(item));
    return items;
  }
  py::dtype dtype = numpy_dtype(tensor.dtype());
  std::vector<py::ssize_t> shape(tensor.shape().begin(), tensor.shape().end());
  void* data = tensor.raw();
  // The capsule owns the tensor (a handle sharing its bytes) and frees it with
  // the array; until the capsule exists, unique_ptr does.
  auto owned = std::make_unique<Tensor>(std::move(tensor));
  py::capsule owner(owned.get(), [](void* p) { delete static_cast<Tensor*>(p); });
  owned.release();
  return py::array(dtype, shape, {}, data, owner);
}

}  // namespace parallax::python
