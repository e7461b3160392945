// One constant weight tensor as a kernel's oneDNN primitives want it.
//
//   PackedWeights w;
//   w.hold(*ctx.constant_input(1), plain_f32({k, n}), ctx.weight_cache());  // at kernel creation
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
// A PackedWeights is a handle: with a WeightCache, every kernel that holds
// the same bytes through the same plain desc shares one set of copies (a
// weight read by several nodes, or by several sessions of one model). Calls
// are thread-safe, since kernels of concurrent branches may share it.
#pragma once

#include <memory>
#include <oneapi/dnnl/dnnl.hpp>

#include "core/status_macros.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {
class WeightCache;
}

namespace parallax::dnnl_util {

class PackedWeights {
 public:
  // `plain_desc` reads `plain`'s bytes (it may carry strides: a transposed
  // B). `cache` (may be null) shares the copies with other holders.
  void hold(Tensor plain, dnnl::memory::desc plain_desc, WeightCache* cache = nullptr);
  bool held() const { return state_ != nullptr; }

  // The weights in `layout` (same logical dims as the plain desc), made on
  // first request. May throw dnnl::error like any oneDNN call.
  dnnl::memory in_layout(const dnnl::memory::desc& layout);

  // The plain bytes: the held tensor, or a new tensor unpacked from a packed copy.
  Result<Tensor> plain();

  // Bytes the shared copies keep alive (plain and packed, each buffer once).
  size_t bytes() const;

 private:
  struct Copies;
  std::shared_ptr<Copies> state_;
};

}  // namespace parallax::dnnl_util
