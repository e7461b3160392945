// One constant weight tensor as a kernel's oneDNN primitives want it.
//
//   PackedWeights w;
//   w.hold(*ctx.constant_input(1), plain_f32({k, n}));        // at kernel creation
//   dnnl::memory m = w.in_layout(pd.weights_desc());            // per new primitive
//   PX_ASSIGN_OR_RETURN(Tensor plain, w.plain());               // portable fallback only
//
// Primitives are cached per input shape and thread count, but most of them
// ask for the same packed layout: keeping one copy per layout, not per
// primitive, is what stops a model's packed weights from multiplying with
// every shape and schedule the tuner tries. Once a packed copy exists the
// plain bytes are let go (the session drops its own handle too, see
// OpKernel::holds_constant), so a weight lives once in memory; a later
// layout, or a fallback that needs the plain one, is reordered from the
// packed copy.
//
// Not thread-safe: the owning kernel serialises calls (it already locks its
// primitive cache).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax::dnnl_util {

class PackedWeights {
 public:
  // `plain_desc` reads `plain`'s bytes (it may carry strides: a transposed B).
  void hold(Tensor plain, dnnl::memory::desc plain_desc);
  bool held() const { return held_; }

  // The weights in `layout` (same logical dims as the plain desc), made on
  // first request. May throw dnnl::error like any oneDNN call.
  dnnl::memory in_layout(const dnnl::memory::desc& layout);

  // The plain bytes: the held tensor, or a new tensor unpacked from a packed copy.
  Result<Tensor> plain();

  // Bytes this object keeps alive (plain and packed, each buffer once).
  size_t bytes() const;

 private:
  bool held_ = false;
  Tensor plain_;  // empty once let go
  DataType plain_type_ = DataType::kUndefined;
  Shape plain_shape_;
  dnnl::memory::desc plain_desc_;
  bool plain_shared_ = false;         // a returned memory reads plain_'s bytes: keep them
  std::vector<dnnl::memory> packed_;  // one per layout
};

}  // namespace parallax::dnnl_util
