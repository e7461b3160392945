// LogSoftmax (opsets 1-17; "coerce to 2-D" semantics before 13), see softmax.h.
#include "kernels/cpu/softmax.h"

namespace parallax {
namespace {

Result<std::unique_ptr<OpKernel>> create_log_softmax(const KernelCreateContext& ctx) {
  return softmax::SoftmaxKernel::create_mode(ctx, softmax::Mode::kLogSoftmax);
}

}  // namespace

PX_REGISTER_KERNEL("", "LogSoftmax", 1, kMaxOpset, create_log_softmax);

}  // namespace parallax
