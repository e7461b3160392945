// ArgMax: index of the maximum along an axis.
#include "kernels/cpu/arg_reduce.h"

namespace parallax {

PX_REGISTER_KERNEL("", "ArgMax", 1, kMaxOpset, make_kernel<arg_detail::ArgReduceKernel<true>>);

}  // namespace parallax
