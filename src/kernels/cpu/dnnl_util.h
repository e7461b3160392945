// Shared oneDNN plumbing for the neural-network kernels (Conv, ConvTranspose,
// Gemm, MatMul): one CPU engine, a stream per calling thread, memory
// descriptor helpers, and the fused-activation hook the graph optimizer uses.
//
// Fused activation attributes, set by the graph optimizer on the fused forms
// com.parallax.Conv / ConvTranspose / Gemm / MatMul / BatchNormalization and
// the channels-last ops (graph/fused_ops.h; the loader refuses them elsewhere):
//   px_activation        string: "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSwish", "Tanh", "Swish",
//                        "HardSigmoid", "Gelu" (erf form)
//   px_activation_params floats: Clip [min, max], LeakyRelu [alpha]
//   px_residual          int: 1 = the last explicit input is added to the output
//                        (as a residual sum) before the activation.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/op_kernel.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax::dnnl_util {

// The process-wide CPU engine.
dnnl::engine& cpu_engine();
// An in-order stream on the CPU engine (one per thread, created on first use).
dnnl::stream& cpu_stream();

// oneDNN's OpenMP build fixes a primitive's thread partition when the
// primitive is created (from omp_get_max_threads()), and runs it with that
// many threads ever after. The scheduler gives a node 1 thread in one run and
// all of them in another, so primitive caches are keyed by the thread count
// too: `key` + [current OpenMP thread count].
std::vector<int64_t> with_thread_count(std::vector<int64_t> key);

// Kernels cache one primitive per input shape and thread count. A model fed
// ever-new shapes would grow such a cache without end (and a Conv entry keeps
// blocked activation buffers), so a full cache starts over before the next
// insert. Packed weights live apart (PackedWeights) and survive it.
constexpr size_t kMaxCachedPrimitives = 32;
template <typename Cache>
void make_room(Cache& cache) {
  if (cache.size() >= kMaxCachedPrimitives) cache.clear();
}

// `bytes` (64-byte aligned) of scratch owned by the calling thread, one
// buffer per `slot` (0-3; 2 is add_scratchpad's), valid until this thread asks for the same slot
// again. For buffers that live during one kernel call only (blocked copies of
// activations): concurrent nodes run on different threads, and the buffer
// grows to the largest need instead of one buffer per cached primitive.
void* thread_scratch(int slot, size_t bytes);

// Primitives made with share_scratchpad(attr) get their scratchpad at each
// execution from the calling thread's scratch (add_scratchpad), instead of
// each owning one from creation on: a cache of primitives (per shape and
// thread count) otherwise holds the sum of their scratchpads (ppocr_det's
// four ConvTranspose primitives: 23 MiB), where one per thread, as big as
// the largest, serves them all.
void share_scratchpad(dnnl::primitive_attr& attr);
void add_scratchpad(const dnnl::primitive_desc_base& pd, std::unordered_map<int, dnnl::memory>& args);

// Moves `pd` past oneDNN's AMX implementations to the next one that is not,
// where there is one (else `pd` stays as it was). For the int8 1x1
// convolutions of oneDNN 2.6, whose AMX kernels set up tiles for problems too
// small to pay for them: measured on a Sapphire Rapids-class CPU, 2 threads,
// mobilenet_v2 int8's 1x1 convolutions took 1.7x the AVX512-VNNI kernels'
// time in sum (0.044 against 0.007 ms for 384->64 channels at 14x14), and
// yolov8n's most of theirs, while AMX halved resnet18's 3x3 ones.
void skip_amx_implementations(dnnl::primitive_desc& pd);

// Shape -> oneDNN dims.
inline dnnl::memory::dims to_dims(const Shape& s) { return dnnl::memory::dims(s.begin(), s.end()); }

// Plain row-major f32 descriptor for `dims`.
dnnl::memory::desc plain_f32(const dnnl::memory::dims& dims);

// Wraps a dnnl::error (or any std::exception) as a Status naming `what`.
Status from_exception(const std::exception& e, const char* what);

// The right padding oneDNN needs for a window op to give `out`:
// (out - 1) * stride + (kernel - 1) * dilation + 1 - in - pad_begin. Checked:
// with ceil_mode and hostile pads / strides / dilations the terms pass int64.
Result<int64_t> right_padding(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation,
                              int64_t pad_begin);

// The activation fused after a Conv/Gemm/MatMul (see file comment).
struct FusedActivation {
  enum class Kind { kNone, kRelu, kClip, kLeakyRelu, kSigmoid, kHardSwish, kTanh, kSwish, kHardSigmoid, kGelu };
  Kind kind = Kind::kNone;
  float alpha = 0.0f;  // Clip min / LeakyRelu alpha / HardSigmoid alpha
  float beta = 0.0f;   // Clip max / HardSigmoid beta
  bool residual = false;

  // Parses px_activation / px_activation_params / px_residual.
  static Result<FusedActivation> parse(const KernelCreateContext& ctx);
  // Appends (sum if residual, then eltwise) to `ops`.
  void append_to(dnnl::post_ops& ops) const;
  bool any() const { return kind != Kind::kNone || residual; }
  // Portable path: y = act(y) over n floats/doubles (residual handled by the caller).
  template <typename T>
  void apply(T* y, int64_t n) const;
};

}  // namespace parallax::dnnl_util

#include <algorithm>
#include <cmath>

namespace parallax::dnnl_util {

template <typename T>
void FusedActivation::apply(T* y, int64_t n) const {
  switch (kind) {
    case Kind::kNone: return;
    case Kind::kRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] > T(0) ? y[i] : T(0);
      return;
    case Kind::kClip:
      for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(y[i], T(alpha)), T(beta));
      return;
    case Kind::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] >= T(0) ? y[i] : T(alpha) * y[i];
      return;
    case Kind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = T(1) / (T(1) + std::exp(-y[i]));
      return;
    case Kind::kHardSwish:
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] * std::min(std::max(y[i] / T(6) + T(0.5), T(0)), T(1));
      return;
    case Kind::kTanh:
      for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
      return;
    case Kind::kSwish:
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] / (T(1) + std::exp(-y[i]));
      return;
    case Kind::kHardSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(T(alpha) * y[i] + T(beta), T(0)), T(1));
      return;
    case Kind::kGelu:
      for (int64_t i = 0; i < n; ++i) y[i] = T(0.5) * y[i] * (T(1) + std::erf(y[i] * T(0.70710678118654752)));
      return;
  }
}

}  // namespace parallax::dnnl_util
