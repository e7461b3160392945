// ArgMin: index of the minimum along an axis.
#include "kernels/cpu/arg_reduce.h"

namespace parallax {

PX_REGISTER_KERNEL("", "ArgMin", 1, kMaxOpset, make_kernel<arg_detail::ArgReduceKernel<false>>);

}  // namespace parallax
