// The weight side of the int8 MatMuls with a float result
// (DynamicQuantizeMatMul, MatMulIntegerToFloat):
//
//   Y = (A_q - a_zp) x (B - b_zp) * (a_scale * b_scale) + bias
//
// B, b_scale, b_zero_point and bias are checked when the kernel is created.
// A constant int8 B [K, N] with zero point 0 (what ORT's quantizers write)
// runs on oneDNN's int8 GEMM (dnnl_int8_matmul.h) and is kept packed, int8;
// anything else (a B computed at run time, uint8 weights, a non-zero b_zp)
// takes a portable int32 loop with numpy broadcasting.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/cpu/dnnl_int8_matmul.h"
#include "kernels/cpu/quant_util.h"

namespace parallax::quant_detail {

class QuantMatMulToFloat {
 public:
  // Input indices of B, b_scale, b_zero_point and bias (-1: the op has none).
  struct Slots {
    int b, b_scale, b_zero_point, bias;
  };
  Status init(const KernelCreateContext& ctx, const char* op, Slots slots);
  // Y's shape for A's.
  Result<Shape> out_shape(const Shape& a, const Shape& b) const { return matmul_shape(op_, a, b); }
  // Y from the quantized A (uint8 or int8) with its scale and zero point.
  Status run(ComputeContext& ctx, const Tensor& a_q, float a_scale, int32_t a_zp, Tensor& y);
  bool holds_b() const { return gemm_.held(); }
  const char* op() const { return op_; }

 private:
  Status run_portable(ComputeContext& ctx, const Tensor& a_q, float a_scale, int32_t a_zp, Tensor& y);
  const char* op_ = "";
  Slots slots_{};
  dnnl_util::FusedActivation act_;  // px_activation (graph/passes/fuse_matmul_epilogue.cc)
  dnnl_util::Int8Matmul gemm_;
};

}  // namespace parallax::quant_detail
