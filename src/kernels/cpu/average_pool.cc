// AveragePool (opsets 1-17): windowed pooling, see pool.h.
#include "kernels/cpu/pool.h"

namespace parallax {
namespace {

Result<std::unique_ptr<OpKernel>> create_average_pool(const KernelCreateContext& ctx) {
  return pool::PoolKernel::create_kind(ctx, pool::Kind::kAverage);
}

}  // namespace

PX_REGISTER_KERNEL("", "AveragePool", 1, kMaxOpset, create_average_pool);

}  // namespace parallax
