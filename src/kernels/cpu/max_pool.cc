// MaxPool (opsets 1-17): windowed pooling, see pool.h.
#include "kernels/cpu/pool.h"

namespace parallax {
namespace {

Result<std::unique_ptr<OpKernel>> create_max_pool(const KernelCreateContext& ctx) {
  return pool::PoolKernel::create_kind(ctx, pool::Kind::kMax);
}

}  // namespace

PX_REGISTER_KERNEL("", "MaxPool", 1, kMaxOpset, create_max_pool);

}  // namespace parallax
