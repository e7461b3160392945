#include "format/tensor_proto.h"

#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <memory>

#include "core/shape_arith.h"
#include "core/status_macros.h"

namespace parallax {

namespace fs = std::filesystem;

namespace {

template <typename Dst, typename Field>
void copy_field(const Field& field, Tensor& t) {
  Dst* out = t.data<Dst>();
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<Dst>(field.Get(i));
}

// A non-negative decimal integer, all of `s` (the file's text, never trusted).
bool parse_size(const std::string& s, int64_t& value) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  return ec == std::errc() && ptr == end && value >= 0;
}

// The bytes of an external-data tensor. Mapped from the file when its
// offset keeps the data 64-byte aligned: pages are then loaded on first use
// and shared with every other process that runs the model (MAP_PRIVATE, so a
// pass that rewrites a weight in place gets its own copy of that page).
// Otherwise, or if mapping fails, read into memory.
Result<Tensor> read_external(const onnx::TensorProto& proto, const TensorReadOptions& options, DataType type,
                             const Shape& shape, size_t want) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      if (!parse_size(kv.value(), kv.key() == "offset" ? offset : length))
        return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' external data ", kv.key(), " '",
                     kv.value(), "' is not a non-negative integer");
    }
  }
  if (options.base_dir.empty())
    return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' uses external data but the model has no folder");
  if (location.empty()) return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' external data has no location");
  fs::path rel(location);
  if (rel.is_absolute())
    return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' external data path '", location, "' is absolute");
  // Refuse paths that climb out of the model's folder.
  fs::path base = fs::weakly_canonical(options.base_dir);
  fs::path full = fs::weakly_canonical(base / rel);
  auto [b, f] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  if (b != base.end())
    return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' external data path '", location,
                 "' escapes the model's folder");
  int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(StatusCode::kNotFound, "external data file '", full.string(), "' cannot be opened");
  std::shared_ptr<void> close_fd(nullptr, [fd](void*) { ::close(fd); });
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return error(StatusCode::kInvalidModel, "external data file '", full.string(), "' is not a regular file");
  const int64_t file_size = st.st_size;
  if (length < 0) length = static_cast<int64_t>(want);
  if (offset > file_size || length > file_size - offset || static_cast<size_t>(length) != want)
    return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' external data of ", length,
                 " bytes at offset ", offset, " does not fit its shape (", want, " bytes) or file '", location, "' (",
                 file_size, " bytes)");
  if (want == 0) return Tensor::allocate(type, shape);
  if (offset % 64 == 0) {
    const int64_t page = ::sysconf(_SC_PAGESIZE);
    const int64_t start = offset / page * page;
    const size_t span = static_cast<size_t>(offset - start + length);
    void* map = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, start);
    if (map != MAP_FAILED) {
      std::shared_ptr<const void> owner(map, [span](const void* p) { ::munmap(const_cast<void*>(p), span); });
      return Tensor::adopt(type, shape, std::move(owner), static_cast<const char*>(map) + (offset - start));
    }
  }
  Tensor t = Tensor::allocate(type, shape);
  size_t done = 0;
  while (done < want) {
    ssize_t got = ::pread(fd, static_cast<char*>(t.raw()) + done, want - done, offset + static_cast<int64_t>(done));
    if (got <= 0)
      return error(StatusCode::kInvalidModel, "external data file '", full.string(), "' could not be read");
    done += static_cast<size_t>(got);
  }
  return t;
}

}  // namespace

Result<Tensor> tensor_from_proto(onnx::TensorProto& proto, const TensorReadOptions& options) {
  auto type = static_cast<DataType>(proto.data_type());
  if (!is_storable(type))
    return error(StatusCode::kUnsupported, "tensor '", proto.name(), "' has element type ",
                 data_type_name(type), ", which Parallax does not support");
  Shape shape(proto.dims().begin(), proto.dims().end());
  size_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' has a negative dimension");
    if (d > 0 && count > options.max_bytes / static_cast<size_t>(d))
      return error(StatusCode::kResourceExhausted, "tensor '", proto.name(), "' of shape ", shape_to_string(shape),
                   " exceeds the size limit");
    count *= static_cast<size_t>(d);
  }
  const size_t bytes = count * element_size(type);
  if (bytes > options.max_bytes)
    return error(StatusCode::kResourceExhausted, "tensor '", proto.name(), "' needs ", bytes,
                 " bytes, over the limit of ", options.max_bytes);
  if (Status extent_ok = check_shape_extent(shape); !extent_ok.is_ok())
    return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "': ", extent_ok.message());

  auto adopt_string = [&](std::string&& s) -> Result<Tensor> {
    if (s.size() != bytes)
      return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' has ", s.size(), " bytes of data but shape ",
                   shape_to_string(shape), " needs ", bytes);
    if (bytes == 0) return Tensor::allocate(type, shape);
    // The string's heap block is 16-byte aligned; kernels that need more prepack.
    auto holder = std::make_shared<std::string>(std::move(s));
    const void* data = holder->data();
    return Tensor::adopt(type, shape, std::shared_ptr<const void>(holder, data), data);
  };

  if (proto.data_location() == onnx::TensorProto::EXTERNAL) return read_external(proto, options, type, shape, bytes);
  if (proto.has_raw_data()) return adopt_string(std::move(*proto.mutable_raw_data()));

  Tensor t = Tensor::allocate(type, shape);
  auto check = [&](int n) -> Status {
    if (static_cast<size_t>(n) != count)
      return error(StatusCode::kInvalidModel, "tensor '", proto.name(), "' has ", n, " elements but shape ",
                   shape_to_string(shape), " needs ", count);
    return Status::ok();
  };
  switch (type) {
    case DataType::kFloat32: PX_RETURN_IF_ERROR(check(proto.float_data_size())); copy_field<float>(proto.float_data(), t); break;
    case DataType::kFloat64: PX_RETURN_IF_ERROR(check(proto.double_data_size())); copy_field<double>(proto.double_data(), t); break;
    case DataType::kInt64: PX_RETURN_IF_ERROR(check(proto.int64_data_size())); copy_field<int64_t>(proto.int64_data(), t); break;
    case DataType::kUInt64: PX_RETURN_IF_ERROR(check(proto.uint64_data_size())); copy_field<uint64_t>(proto.uint64_data(), t); break;
    case DataType::kUInt32: PX_RETURN_IF_ERROR(check(proto.uint64_data_size())); copy_field<uint32_t>(proto.uint64_data(), t); break;
    case DataType::kInt32: PX_RETURN_IF_ERROR(check(proto.int32_data_size())); copy_field<int32_t>(proto.int32_data(), t); break;
    case DataType::kInt16: PX_RETURN_IF_ERROR(check(proto.int32_data_size())); copy_field<int16_t>(proto.int32_data(), t); break;
    case DataType::kUInt16: PX_RETURN_IF_ERROR(check(proto.int32_data_size())); copy_field<uint16_t>(proto.int32_data(), t); break;
    case DataType::kInt8: PX_RETURN_IF_ERROR(check(proto.int32_data_size())); copy_field<int8_t>(proto.int32_data(), t); break;
    case DataType::kUInt8: PX_RETURN_IF_ERROR(check(proto.int32_data_size())); copy_field<uint8_t>(proto.int32_data(), t); break;
    case DataType::kBool: PX_RETURN_IF_ERROR(check(proto.int32_data_size())); copy_field<bool>(proto.int32_data(), t); break;
    // ONNX keeps each float16/bfloat16 as its 16 bits in an int32_data entry.
    case DataType::kFloat16:
    case DataType::kBFloat16:
      PX_RETURN_IF_ERROR(check(proto.int32_data_size()));
      copy_field<uint16_t>(proto.int32_data(), t);
      break;
    default:
      return error(StatusCode::kUnsupported, "tensor '", proto.name(), "' element type ", data_type_name(type));
  }
  return t;
}

void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(static_cast<int32_t>(tensor.dtype()));
  for (int64_t d : tensor.shape()) proto->add_dims(d);
  proto->set_raw_data(std::string(static_cast<const char*>(tensor.raw()), tensor.nbytes()));
}

namespace {

Result<Tensor> sequence_from_proto(onnx::SequenceProto& proto, DataType element_type,
                                   const TensorReadOptions& options) {
  if (proto.elem_type() != onnx::SequenceProto::TENSOR && proto.elem_type() != onnx::SequenceProto::UNDEFINED)
    return error(StatusCode::kUnsupported, "sequence '", proto.name(), "' holds non-tensors");
  std::vector<Tensor> items;
  for (auto& item : *proto.mutable_tensor_values()) {
    PX_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(item, options));
    if (element_type == DataType::kUndefined) element_type = t.dtype();
    if (t.dtype() != element_type)
      return error(StatusCode::kInvalidArgument, "sequence '", proto.name(), "' mixes ", data_type_name(element_type),
                   " and ", data_type_name(t.dtype()), " tensors");
    items.push_back(std::move(t));
  }
  return Tensor::sequence(element_type, std::move(items));
}

template <typename Proto>
Result<Proto> parse_file(const fs::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(StatusCode::kNotFound, "cannot open ", what, " file '", path.string(), "'");
  Proto proto;
  if (!proto.ParseFromIstream(&in))
    return error(StatusCode::kInvalidArgument, "'", path.string(), "' is not a valid ", what, " file");
  return proto;
}

}  // namespace

Result<Tensor> read_tensor_file(const fs::path& path, std::string* name) {
  PX_ASSIGN_OR_RETURN(onnx::TensorProto proto, parse_file<onnx::TensorProto>(path, "TensorProto"));
  if (name) *name = proto.name();
  TensorReadOptions options;
  options.base_dir = path.parent_path();
  return tensor_from_proto(proto, options);
}

Result<Tensor> read_value_file(const fs::path& path, bool sequence, bool optional, DataType element_type) {
  TensorReadOptions options;
  options.base_dir = path.parent_path();
  if (optional) {
    PX_ASSIGN_OR_RETURN(onnx::OptionalProto proto, parse_file<onnx::OptionalProto>(path, "OptionalProto"));
    if (proto.has_tensor_value()) return tensor_from_proto(*proto.mutable_tensor_value(), options);
    if (proto.has_sequence_value()) return sequence_from_proto(*proto.mutable_sequence_value(), element_type, options);
    if (proto.elem_type() != onnx::OptionalProto::UNDEFINED && proto.elem_type() != onnx::OptionalProto::TENSOR &&
        proto.elem_type() != onnx::OptionalProto::SEQUENCE)
      return error(StatusCode::kUnsupported, "'", path.string(), "' is an optional of neither a tensor nor a sequence");
    return Tensor::none();
  }
  if (sequence) {
    PX_ASSIGN_OR_RETURN(onnx::SequenceProto proto, parse_file<onnx::SequenceProto>(path, "SequenceProto"));
    return sequence_from_proto(proto, element_type, options);
  }
  return read_tensor_file(path);
}

Status write_tensor_file(const fs::path& path, const Tensor& tensor, const std::string& name) {
  std::string bytes;
  if (tensor.is_none()) {
    onnx::OptionalProto proto;
    proto.set_name(name);
    bytes = proto.SerializeAsString();
  } else if (tensor.is_sequence()) {
    onnx::SequenceProto proto;
    proto.set_name(name);
    proto.set_elem_type(onnx::SequenceProto::TENSOR);
    for (const Tensor& item : tensor.items()) tensor_to_proto(item, "", proto.add_tensor_values());
    bytes = proto.SerializeAsString();
  } else {
    onnx::TensorProto proto;
    tensor_to_proto(tensor, name, &proto);
    bytes = proto.SerializeAsString();
  }
  std::ofstream out(path, std::ios::binary);
  if (!out || !out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    return error(StatusCode::kInvalidArgument, "cannot write tensor file '", path.string(), "'");
  return Status::ok();
}

}  // namespace parallax
