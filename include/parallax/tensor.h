// Tensor: a typed, shaped view of bytes, owning them or not.
//
//   Tensor t = Tensor::allocate(DataType::kFloat32, {1, 3, 224, 224});   // trusted shape
//   Result<Tensor> u = Tensor::create(DataType::kFloat32, shape);         // checked, never throws
//   float* p = t.data<float>();
//   Tensor v = Tensor::view(DataType::kFloat32, {2, 2}, buffer);   // borrows
//
// Copying a Tensor copies the handle, not the bytes (like a shared_ptr).
// A Tensor may also hold a sequence of tensors (ONNX seq(tensor(T)), what
// PyTorch exports a Python list as): see sequence() and items().
// Planned intermediates are views into an arena; weights hold their bytes
// through `owner` so that a model's raw_data string can be adopted without a copy.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "parallax/data_type.h"
#include "parallax/export.h"
#include "parallax/status.h"

namespace parallax {

using Shape = std::vector<int64_t>;

PARALLAX_API int64_t shape_numel(const Shape& shape);
PARALLAX_API std::string shape_to_string(const Shape& shape);

class PARALLAX_API Tensor {
 public:
  Tensor() = default;

  // Owning, 64-byte aligned, zero-initialised. Checks nothing and throws
  // std::bad_alloc when memory runs out, as `new` does: for shapes the caller
  // already trusts.
  static Tensor allocate(DataType type, Shape shape);
  // The same, checked: an element type without a flat layout (string,
  // undefined), a negative dimension or an element count too large for the
  // runtime gives InvalidArgument, memory that cannot be had gives
  // ResourceExhausted; nothing throws.
  static Result<Tensor> create(DataType type, Shape shape);
  // Non-owning view of `data`; the caller keeps it alive.
  static Tensor view(DataType type, Shape shape, void* data);
  // Keeps `owner` alive as long as any copy of the tensor lives.
  static Tensor adopt(DataType type, Shape shape, std::shared_ptr<const void> owner, const void* data);
  // A sequence of `items`, each of `element_type` (the caller keeps that
  // true). Its dtype() is DataType::kSequence and its shape [0]: code that
  // expects flat data sees an empty tensor. The items are shared, not
  // copied, and nothing changes them afterwards: sequence ops make new ones.
  static Tensor sequence(DataType element_type, std::vector<Tensor> items);
  // An optional with no value (ONNX optional(T) when empty): dtype() is
  // DataType::kNone, shape [0], no bytes. An optional that holds a value is
  // that value.
  static Tensor none();

  bool empty() const { return type_ == DataType::kUndefined; }
  bool is_sequence() const { return sequence_; }
  bool is_none() const { return type_ == DataType::kNone; }
  // A sequence's tensors in order; empty for a tensor.
  std::span<const Tensor> items() const;
  // The element type of a sequence's tensors; kUndefined for a tensor.
  DataType element_type() const;
  DataType dtype() const { return type_; }
  const Shape& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_[i]; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(type_); }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <typename T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }

  // Same bytes, another shape of equal element count.
  Tensor reshaped(Shape shape) const;
  // A deep copy that owns its bytes (a sequence's items copied too).
  Tensor clone() const;
  // A handle that keeps its bytes alive by itself: this tensor when it owns
  // them (a sequence: when every item does), else a copy of what it borrows.
  Tensor owning() const;
  // True when this handle is the only one keeping its bytes alive, so that
  // its holder may release them piece by piece (a view never is).
  bool sole_owner() const { return owner_ && owner_.use_count() == 1; }

 private:
  bool borrows() const;  // a view, or a sequence holding one

  DataType type_ = DataType::kUndefined;
  bool sequence_ = false;  // owner_ then holds the items (tensor.cc)
  Shape shape_;
  void* data_ = nullptr;
  std::shared_ptr<const void> owner_;
};

}  // namespace parallax
