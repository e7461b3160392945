// GlobalAveragePool: pooling over all spatial dims, see pool.h.
#include "kernels/cpu/pool.h"

namespace parallax {
namespace {

Result<std::unique_ptr<OpKernel>> create_global_average_pool(const KernelCreateContext& ctx) {
  double p = 2.0;
  if (const Attribute* a = ctx.attrs().find("p")) p = a->kind == Attribute::Kind::kFloat ? a->f : static_cast<double>(a->i);
  return std::unique_ptr<OpKernel>(std::make_unique<pool::GlobalPoolKernel>(pool::Kind::kAverage, p));
}

}  // namespace

PX_REGISTER_KERNEL("", "GlobalAveragePool", 1, kMaxOpset, create_global_average_pool);

}  // namespace parallax
