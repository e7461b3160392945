// Whether oneDNN's int8 kernels compute a weight tensor's products exactly
// on this CPU.
//
// With VNNI (vpdpbusd: AVX512-VNNI, AVX-VNNI) each u8 x s8 product is summed
// in 32 bits. Without it (AVX2, AVX-512 before Cascade Lake, e.g. AMD Zen 3)
// oneDNN multiplies byte pairs with vpmaddubsw, which saturates the sum of
// two products at int16: 255 * 127 * 2 = 64770 does not fit, and the result
// is wrong. Weights within [-64, 64] cannot overflow it (255 * 64 * 2 =
// 32640), which is why ONNX Runtime's quantizer offers reduce_range. ONNX
// Runtime's own U8S8 kernels saturate the same way on such CPUs, and so do
// Parallax's by default; with SessionOptions::exact_int8 weights that could
// overflow take the kernels' exact int32 paths instead (2.5-4x slower) and
// the graph passes leave their Q/DQ nodes unfused.
#pragma once

#include "parallax/tensor.h"

namespace parallax {

// True when oneDNN's int8 kernels on this CPU sum products in 32 bits
// (VNNI or AMX on x86; always outside x86).
bool int8_dot_is_exact();

// True when oneDNN's int8 kernels may saturate on `weights` (an int8
// tensor) on this CPU: never with VNNI, else when some |w| > 64.
bool int8_weights_may_saturate(const Tensor& weights);

}  // namespace parallax
