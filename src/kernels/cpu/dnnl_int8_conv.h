// oneDNN's int8 convolution (VNNI on x86) for QLinearConv and the QDQ Conv
// that graph/passes/fuse_qdq_conv.cc turns into one:
//
//   y = saturate(round((conv(x - x_zp, w) + bias) * x_scale * w_scale[m] / y_scale) + y_zp)
//
// with x uint8 or int8, w a constant int8 with zero point 0 (per output
// channel scales), bias int32, y uint8 or int8, and every scale and zero point
// constant: requantisation happens inside the primitive (output scales, then
// the activation post-op, then the output zero point), as ONNX Runtime's
// QLinearConv rounds it (bias added before scaling, half to even).
// Activations are NHWC (what the primitive wants: graph/passes/channels_last.cc
// keeps them so between convolutions) or NCHW, reordered per call.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/packed_weights.h"
#include "kernels/cpu/quant_util.h"

namespace parallax::dnnl_util {

struct Int8ConvParams {
  DataType x_type = DataType::kUInt8, y_type = DataType::kUInt8;
  int32_t x_zp = 0, y_zp = 0;
  std::vector<float> scales;  // x_scale * w_scale[m] / y_scale, 1 or M values
  std::vector<float> bias;    // the int32 bias as float (exact below 2^24), or empty
  FusedActivation act;
  bool nhwc = false;  // activations channels-last (NhwcQLinearConv), else NCHW
};

class Int8Conv {
 public:
  // `w`: constant int8 [M, C/group, kH, kW].
  void hold(const Tensor& w, const quant_detail::ConvAttrs& attrs, Int8ConvParams params, WeightCache* cache);
  bool held() const { return weights_.held(); }
  // y from x (NHWC or NCHW as configured), geometry (in NCHW terms) from quant_detail::conv_geometry.
  Status run(const quant_detail::ConvGeom& g, const void* x, void* y);

 private:
  struct Entry {
    dnnl::convolution_forward::primitive_desc pd;
    dnnl::convolution_forward prim;
    dnnl::memory packed;
    dnnl::memory::desc x_plain, y_plain;
    dnnl::reorder to_blocked, to_plain;  // empty where the primitive takes NCHW
  };
  quant_detail::ConvAttrs attrs_;
  Int8ConvParams p_;
  dnnl::memory::dims w_dims_;
  PackedWeights weights_;
  std::mutex mu_;
  std::map<std::vector<int64_t>, Entry> cache_;
};

}  // namespace parallax::dnnl_util
