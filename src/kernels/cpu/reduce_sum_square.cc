// ReduceSumSquare: sum of squares over the given axes (attribute before opset 18, input 1 from it).
#include "kernels/cpu/reduce.h"

namespace parallax {

namespace {
using Kernel = reduce_detail::ReduceKernel<reduce_detail::SumSquareOp, reduce_detail::Kind::kPolicy, 18>;
}  // namespace

PX_REGISTER_KERNEL("", "ReduceSumSquare", 1, kMaxOpset, make_kernel<Kernel>);

}  // namespace parallax
