// ReduceL1: sum of absolute values over the given axes (attribute before opset 18, input 1 from it).
#include "kernels/cpu/reduce.h"

namespace parallax {

namespace {
using Kernel = reduce_detail::ReduceKernel<reduce_detail::L1Op, reduce_detail::Kind::kPolicy, 18>;
}  // namespace

PX_REGISTER_KERNEL("", "ReduceL1", 1, kMaxOpset, make_kernel<Kernel>);

}  // namespace parallax
