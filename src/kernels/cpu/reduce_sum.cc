// ReduceSum: sum over the given axes (attribute before opset 13, input 1 from it).
#include "kernels/cpu/reduce.h"

namespace parallax {

namespace {
using Kernel = reduce_detail::ReduceKernel<reduce_detail::SumOp, reduce_detail::Kind::kPolicy, 13>;
}  // namespace

PX_REGISTER_KERNEL("", "ReduceSum", 1, kMaxOpset, make_kernel<Kernel>);

}  // namespace parallax
