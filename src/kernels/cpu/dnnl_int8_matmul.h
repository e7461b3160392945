// An int8 GEMM with a float result, shared by the dynamically quantized
// MatMuls (DynamicQuantizeMatMul, MatMulIntegerToFloat):
//
//   y[M, N] = (a[M, K] - a_zp) x b[K, N] * (a_scale * b_scale[n]) + bias[n]
//
// a is uint8 (activations, quantized per tensor), b a constant int8 weight
// with zero point 0, packed once for oneDNN's VNNI kernels and kept int8.
// oneDNN runs u8 x s8 -> s32 and scales to f32; the activation's zero point
// is taken out through the column sums of b, folded with the bias into one
// per-column vector added after the per-column scale (two binary post-ops):
//
//   (a - zp) . b = a . b - zp * colsum(b)
//
// so the primitive needs no zero-point support (which would make it
// recompute the compensation on every call).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/packed_weights.h"

namespace parallax::dnnl_util {

class Int8Matmul {
 public:
  // `b`: constant int8 [K, N]; `b_scale`: 1 or N floats; `bias`: empty or N floats.
  // `act`: applied after the bias (no residual).
  void hold(const Tensor& b, std::vector<float> b_scale, std::vector<float> bias, FusedActivation act,
            WeightCache* cache);
  bool held() const { return weights_.held(); }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  // y[rows, N] from a[rows, K].
  Status run(const uint8_t* a, int64_t rows, float a_scale, int32_t a_zp, float* y);
  // Bytes of the packed weights (int8) this GEMM keeps alive.
  size_t weight_bytes() const { return weights_.bytes(); }

 private:
  struct Entry {
    dnnl::matmul::primitive_desc pd;
    dnnl::matmul prim;
    dnnl::memory packed;
  };
  int64_t k_ = 0, n_ = 0;
  std::vector<float> b_scale_, bias_;
  FusedActivation act_;
  std::vector<int32_t> colsum_;  // sum over k of b[k, n]
  PackedWeights weights_;
  std::mutex mu_;
  std::map<std::vector<int64_t>, Entry> cache_;
};

}  // namespace parallax::dnnl_util
