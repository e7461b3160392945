// HammingWindow: the Hamming window (see window_util.h).
#include "kernels/cpu/window_util.h"

namespace parallax {
namespace {

window_detail::Coeffs coeffs() { return {25.0 / 46.0, 21.0 / 46.0, 0.0}; }
using Kernel = window_detail::WindowKernel<&coeffs>;

}  // namespace

PX_REGISTER_KERNEL("", "HammingWindow", 17, kMaxOpset, make_kernel<Kernel>);

}  // namespace parallax
