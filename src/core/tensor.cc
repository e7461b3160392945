#include "parallax/tensor.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <sstream>

#include "core/block_alloc.h"
#include "core/shape_arith.h"

namespace parallax {

namespace {
struct SequenceItems {
  DataType element_type;
  std::vector<Tensor> items;
};
}  // namespace

int64_t shape_numel(const Shape& shape) {
  // An empty tensor may have huge other dims ([0, 2^61, 22] passes every size
  // check): their product would overflow before the 0 is reached.
  if (std::find(shape.begin(), shape.end(), int64_t{0}) != shape.end()) return 0;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << ']';
  return out.str();
}

Tensor Tensor::allocate(DataType type, Shape shape) {
  Tensor t;
  t.type_ = type;
  t.shape_ = std::move(shape);
  // Round up so that zero-sized tensors still get a unique, aligned pointer.
  size_t bytes = (t.nbytes() + 63) / 64 * 64;
  if (bytes == 0) bytes = 64;
  void* p = block_alloc_zeroed(bytes);
  if (p == nullptr) throw std::bad_alloc();
  t.data_ = p;
  t.owner_ = std::shared_ptr<const void>(p, [bytes](const void* q) { block_free(const_cast<void*>(q), bytes); });
  return t;
}

Result<Tensor> Tensor::create(DataType type, Shape shape) {
  if (element_size(type) == 0)
    return error(StatusCode::kInvalidArgument, "cannot allocate a tensor of element type ", data_type_name(type));
  if (Status extent_ok = check_shape_extent(shape); !extent_ok.is_ok())
    return error(StatusCode::kInvalidArgument, "cannot allocate a tensor of shape ", shape_to_string(shape), ": ",
                 extent_ok.message());
  const std::string described = shape_to_string(shape);
  try {
    return allocate(type, std::move(shape));
  } catch (const std::bad_alloc&) {
    return error(StatusCode::kResourceExhausted, "out of memory for a ", data_type_name(type), " tensor of shape ",
                 described);
  }
}

Tensor Tensor::view(DataType type, Shape shape, void* data) {
  Tensor t;
  t.type_ = type;
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

Tensor Tensor::adopt(DataType type, Shape shape, std::shared_ptr<const void> owner, const void* data) {
  Tensor t;
  t.type_ = type;
  t.shape_ = std::move(shape);
  t.data_ = const_cast<void*>(data);
  t.owner_ = std::move(owner);
  return t;
}

Tensor Tensor::sequence(DataType element_type, std::vector<Tensor> items) {
  Tensor t;
  t.type_ = DataType::kSequence;
  t.sequence_ = true;
  t.shape_ = {0};
  t.owner_ = std::make_shared<const SequenceItems>(SequenceItems{element_type, std::move(items)});
  return t;
}

Tensor Tensor::none() {
  Tensor t;
  t.type_ = DataType::kNone;
  t.shape_ = {0};
  return t;
}

std::span<const Tensor> Tensor::items() const {
  if (!sequence_) return {};
  return static_cast<const SequenceItems*>(owner_.get())->items;
}

DataType Tensor::element_type() const {
  return sequence_ ? static_cast<const SequenceItems*>(owner_.get())->element_type : DataType::kUndefined;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

bool Tensor::borrows() const {
  if (sequence_) {
    const std::span<const Tensor> all = items();
    return std::any_of(all.begin(), all.end(), [](const Tensor& item) { return item.borrows(); });
  }
  return owner_ == nullptr && data_ != nullptr;
}

Tensor Tensor::owning() const {
  if (!borrows()) return *this;
  if (!sequence_) return clone();
  std::vector<Tensor> kept;
  kept.reserve(items().size());
  for (const Tensor& item : items()) kept.push_back(item.owning());
  return sequence(element_type(), std::move(kept));
}

Tensor Tensor::clone() const {
  if (is_none()) return none();
  if (sequence_) {
    std::vector<Tensor> copies;
    copies.reserve(items().size());
    for (const Tensor& item : items()) copies.push_back(item.clone());
    return sequence(element_type(), std::move(copies));
  }
  Tensor t = allocate(type_, shape_);
  if (nbytes() > 0) std::memcpy(t.data_, data_, nbytes());
  return t;
}

}  // namespace parallax
