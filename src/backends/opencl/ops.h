// The ops the OpenCL backend implements, one file each (binary.cc, unary.cc,
// conv.cc, matmul.cc, pool.cc, concat.cc, softmax.cc, resize.cc). Each file
// gives supports() (exact: every attribute, opset and declared dtype it
// accepts is implemented) and a factory; opencl_backend.cc maps op types to them.
#pragma once

#include <memory>

#include "backends/opencl/device_kernel.h"

namespace parallax::opencl {

using DeviceFactory = Result<std::unique_ptr<DeviceKernel>> (*)(const KernelCreateContext&, const DeviceEnv&);
using DeviceSupports = bool (*)(const KernelCreateContext&);

#define PX_OPENCL_OP(stem)                                   \
  bool supports_##stem(const KernelCreateContext& ctx);       \
  Result<std::unique_ptr<DeviceKernel>> make_##stem(const KernelCreateContext& ctx, const DeviceEnv& env);

PX_OPENCL_OP(binary)   // Add Sub Mul Div
PX_OPENCL_OP(unary)    // Relu Sigmoid Tanh Clip LeakyRelu HardSwish
PX_OPENCL_OP(conv)     // Conv
PX_OPENCL_OP(matmul)   // MatMul Gemm
PX_OPENCL_OP(pool)     // MaxPool AveragePool GlobalAveragePool
PX_OPENCL_OP(concat)   // Concat
PX_OPENCL_OP(softmax)  // Softmax
PX_OPENCL_OP(resize)   // Resize (nearest)

#undef PX_OPENCL_OP

}  // namespace parallax::opencl
