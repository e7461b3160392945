// LpPool (opsets 1-17): windowed pooling, see pool.h.
#include "kernels/cpu/pool.h"

namespace parallax {
namespace {

Result<std::unique_ptr<OpKernel>> create_lp_pool(const KernelCreateContext& ctx) {
  return pool::PoolKernel::create_kind(ctx, pool::Kind::kLp);
}

}  // namespace

PX_REGISTER_KERNEL("", "LpPool", 1, kMaxOpset, create_lp_pool);

}  // namespace parallax
