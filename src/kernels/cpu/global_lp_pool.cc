// GlobalLpPool: pooling over all spatial dims, see pool.h.
#include "kernels/cpu/pool.h"

namespace parallax {
namespace {

Result<std::unique_ptr<OpKernel>> create_global_lp_pool(const KernelCreateContext& ctx) {
  double p = 2.0;
  if (const Attribute* a = ctx.attrs().find("p")) p = a->kind == Attribute::Kind::kFloat ? a->f : static_cast<double>(a->i);
  return std::unique_ptr<OpKernel>(std::make_unique<pool::GlobalPoolKernel>(pool::Kind::kLp, p));
}

}  // namespace

PX_REGISTER_KERNEL("", "GlobalLpPool", 1, kMaxOpset, create_global_lp_pool);

}  // namespace parallax
