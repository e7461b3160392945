// fp32 GEMM and convolution-as-GEMM through CLBlast (Debian libclblast-dev), where the build has it:
// its kernels are tuned per device family and beat our one tiled kernel
// (matmul.cc) by far (PoCL: ~5.5 against ~0.75 GMAC/s for 512^3 on this
// project's 2-core machine, measured side by side). The tiled kernel stays for
// what this entry point declines and for builds without CLBlast.
#pragma once

#include <cstddef>

#include "backends/opencl/cl_runtime.h"

namespace parallax::opencl {

// Y[b] = alpha * op(A[b]) op(B[b]) for b < batches, row-major; a_stride /
// b_stride 0: that operand is shared by every batch. Y is dense [batches, M, N].
struct GemmCall {
  bool trans_a = false, trans_b = false;
  size_t m = 0, n = 0, k = 0, batches = 1;
  float alpha = 1.0f;
  cl_mem a = nullptr, b = nullptr, y = nullptr;
  size_t a_stride = 0, b_stride = 0;
};

// Whether this build has CLBlast. A session uses it as its
// OpenClOptions::gemm says (opencl_backend.cc); the kernels are told when made.
bool clblast_available();

// Enqueues the GEMM on `queue`. false: CLBlast declined it (the caller runs
// its own kernel); an error only for a failed OpenCL call underneath.
Result<bool> clblast_gemm(cl_command_queue queue, const GemmCall& g);

// Y = conv(X, W), cross-correlation as ONNX defines it, NCHW, one group,
// symmetric pads: X [batches, channels, height, width], W [kernels, channels,
// kh, kw], Y [batches, kernels, out_h, out_w]. No bias, no activation.
struct ConvCall {
  size_t batches = 1, channels = 0, height = 0, width = 0, kernels = 0;
  size_t kh = 1, kw = 1, pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  cl_mem x = nullptr, w = nullptr, y = nullptr;
};
// As clblast_gemm: false when CLBlast declines.
Result<bool> clblast_conv(cl_command_queue queue, const ConvCall& c);

}  // namespace parallax::opencl
