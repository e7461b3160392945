// Log: elementwise natural logarithm (std::log), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct LogOp {
  static constexpr const char* kName = "Log";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::log(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Log", 1, kMaxOpset, make_kernel<UnaryKernel<LogOp>>);

}  // namespace parallax
