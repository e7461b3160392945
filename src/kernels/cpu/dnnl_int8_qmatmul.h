// oneDNN's int8 GEMM with a quantized (uint8/int8) result, for QLinearMatMul
// and the QDQ MatMul / Gemm that graph/passes/fuse_qdq_matmul.cc turns into
// one:
//
//   y[M, N] = saturate(round(((a - a_zp) x b + bias[n]) * scale[n]) + y_zp)
//
// with scale[n] = a_scale * b_scale[n] / y_scale, a uint8 or int8, b a
// constant int8 [K, N] with zero point 0 (packed once, kept int8), bias int32
// and every scale and zero point constant. Requantisation happens inside the
// primitive: constant output scales (run-time ones have no VNNI kernel in
// oneDNN 2.6), the activation post-op, then y_zp as a linear post-op before
// oneDNN's saturating round-to-nearest-even store. a's zero point is folded
// into the bias through b's column sums,
//
//   (a - a_zp) . b = a . b - a_zp * colsum(b)
//
// so the primitive needs no source zero point (with one, oneDNN recomputes
// the compensation on every call).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/packed_weights.h"

namespace parallax::dnnl_util {

struct Int8QMatmulParams {
  DataType a_type = DataType::kUInt8, y_type = DataType::kUInt8;
  int32_t a_zp = 0, y_zp = 0;
  std::vector<float> scales;  // a_scale * b_scale[n] / y_scale, 1 or N values
  std::vector<int32_t> bias;  // empty or N values, in units of a_scale * b_scale[n]
  FusedActivation act;
};

class Int8QMatmul {
 public:
  // `b`: constant int8 [K, N].
  void hold(const Tensor& b, Int8QMatmulParams params, WeightCache* cache);
  bool held() const { return weights_.held(); }
  int64_t k() const { return k_; }
  DataType a_type() const { return p_.a_type; }
  // y[rows, N] from a[rows, K].
  Status run(const void* a, int64_t rows, void* y);

 private:
  struct Entry {
    dnnl::matmul::primitive_desc pd;
    dnnl::matmul prim;
    dnnl::memory packed;
  };
  int64_t k_ = 0, n_ = 0;
  Int8QMatmulParams p_;
  std::vector<float> bias_;  // bias - a_zp * colsum(b), as float
  PackedWeights weights_;
  std::mutex mu_;
  std::map<std::vector<int64_t>, Entry> cache_;
};

}  // namespace parallax::dnnl_util
