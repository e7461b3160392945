// Mean: elementwise mean of all inputs with broadcasting, float and double.
#include "kernels/cpu/variadic_ops.h"

namespace parallax {
namespace {

struct MeanOp {
  static constexpr const char* kName = "Mean";
  static constexpr bool kMean = true;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T a, T b) const { return a + b; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Mean", 1, kMaxOpset, make_kernel<VariadicKernel<MeanOp>>);

}  // namespace parallax
