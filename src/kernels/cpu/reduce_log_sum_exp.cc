// ReduceLogSumExp: log of the sum of exponentials (max-shifted) over the given axes (attribute before opset 18, input 1 from it).
#include "kernels/cpu/reduce.h"

namespace parallax {

namespace {
using Kernel = reduce_detail::ReduceKernel<reduce_detail::SumOp, reduce_detail::Kind::kLogSumExp, 18>;
}  // namespace

PX_REGISTER_KERNEL("", "ReduceLogSumExp", 1, kMaxOpset, make_kernel<Kernel>);

}  // namespace parallax
