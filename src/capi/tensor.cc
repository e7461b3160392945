// PxTensor: parallax::Tensor behind a C handle. Shapes and element types come
// from C callers and are checked (the runtime's admission rule, a known
// element type, a buffer as large as the shape says) before a tensor exists.
#include <vector>

#include "capi/capi_internal.h"
#include "capi/data_types.h"
#include "core/shape_arith.h"

using parallax::Status;
using parallax::StatusCode;

namespace {

parallax::Result<parallax::Shape> read_shape(const char* function, const int64_t* dims, size_t rank) {
  if (rank > 0 && dims == nullptr) return parallax::capi::null_argument(function, "shape");
  parallax::Shape shape(dims, dims + rank);
  if (Status s = parallax::check_shape_extent(shape); !s.is_ok())
    return parallax::error(StatusCode::kInvalidArgument, function, ": shape ", parallax::shape_to_string(shape), ": ",
                           s.message());
  return shape;
}

}  // namespace

extern "C" {

PX_CAPI PxStatus* PxTensorCreate(PxDataType type, const int64_t* shape, size_t rank, PxTensor** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(out);
    *out = nullptr;
    PX_ASSIGN_OR_RETURN(parallax::DataType dtype, parallax::capi::to_data_type(px_fn, type));
    PX_ASSIGN_OR_RETURN(parallax::Shape dims, read_shape(px_fn, shape, rank));
    parallax::Result<parallax::Tensor> tensor = parallax::Tensor::create(dtype, std::move(dims));
    if (!tensor.is_ok()) return tensor.status().with_context(px_fn);
    *out = new PxTensor{std::move(tensor).value()};
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxTensorCreateView(PxDataType type, const int64_t* shape, size_t rank, void* data, size_t data_bytes,
                                     PxTensor** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(out);
    *out = nullptr;
    PX_ASSIGN_OR_RETURN(parallax::DataType dtype, parallax::capi::to_data_type(px_fn, type));
    PX_ASSIGN_OR_RETURN(parallax::Shape dims, read_shape(px_fn, shape, rank));
    // The admission rule bounds numel by 2^31, so this product cannot overflow.
    const size_t needed = static_cast<size_t>(parallax::shape_numel(dims)) * parallax::element_size(dtype);
    if (data_bytes != needed)
      return parallax::error(StatusCode::kInvalidArgument, px_fn, ": data_bytes is ", data_bytes, ", a ",
                             parallax::data_type_name(dtype), " tensor of shape ", parallax::shape_to_string(dims),
                             " needs ", needed);
    if (needed > 0) PX_CAPI_REQUIRE(data);
    *out = new PxTensor{parallax::Tensor::view(dtype, std::move(dims), data)};
    return Status::ok();
  });
}

PX_CAPI void PxTensorRelease(PxTensor* tensor) {
  delete tensor;
}

PX_CAPI PxStatus* PxTensorGetType(const PxTensor* tensor, PxDataType* out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(tensor);
    PX_CAPI_REQUIRE(out);
    PX_ASSIGN_OR_RETURN(*out, parallax::capi::to_px_data_type(px_fn, "the tensor", tensor->tensor.dtype()));
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxTensorGetShape(const PxTensor* tensor, const int64_t** dims, size_t* rank) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(tensor);
    PX_CAPI_REQUIRE(dims);
    PX_CAPI_REQUIRE(rank);
    *dims = tensor->tensor.shape().data();
    *rank = tensor->tensor.rank();
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxTensorGetElementCount(const PxTensor* tensor, size_t* out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(tensor);
    PX_CAPI_REQUIRE(out);
    *out = tensor->tensor.empty() ? 0 : static_cast<size_t>(tensor->tensor.numel());
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxTensorGetByteSize(const PxTensor* tensor, size_t* out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(tensor);
    PX_CAPI_REQUIRE(out);
    *out = tensor->tensor.empty() ? 0 : tensor->tensor.nbytes();
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxTensorGetData(PxTensor* tensor, void** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(tensor);
    PX_CAPI_REQUIRE(out);
    *out = tensor->tensor.raw();
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxTensorGetConstData(const PxTensor* tensor, const void** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(tensor);
    PX_CAPI_REQUIRE(out);
    *out = tensor->tensor.raw();
    return Status::ok();
  });
}

}  // extern "C"
