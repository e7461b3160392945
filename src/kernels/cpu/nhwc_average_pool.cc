// com.parallax.NhwcAveragePool: AveragePool on channels-last data (see nhwc_pool.h).
#include "kernels/cpu/nhwc_pool.h"
#include "kernels/registry.h"

namespace parallax {
PX_REGISTER_KERNEL("com.parallax", "NhwcAveragePool", 1, kMaxOpset, make_kernel<NhwcPoolKernel<false>>);
}  // namespace parallax
