// HannWindow: the Hann window (see window_util.h).
#include "kernels/cpu/window_util.h"

namespace parallax {
namespace {

window_detail::Coeffs coeffs() { return {0.5, 0.5, 0.0}; }
using Kernel = window_detail::WindowKernel<&coeffs>;

}  // namespace

PX_REGISTER_KERNEL("", "HannWindow", 17, kMaxOpset, make_kernel<Kernel>);

}  // namespace parallax
