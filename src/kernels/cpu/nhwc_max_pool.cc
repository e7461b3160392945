// com.parallax.NhwcMaxPool: MaxPool on channels-last data (see nhwc_pool.h).
#include "kernels/cpu/nhwc_pool.h"
#include "kernels/registry.h"

namespace parallax {
PX_REGISTER_KERNEL("com.parallax", "NhwcMaxPool", 1, kMaxOpset, make_kernel<NhwcPoolKernel<true>>);
}  // namespace parallax
