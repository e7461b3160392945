// Sum: elementwise sum of all inputs with broadcasting (integers wrap).
#include "kernels/cpu/variadic_ops.h"

namespace parallax {
namespace {

struct SumOp {
  static constexpr const char* kName = "Sum";
  static constexpr bool kMean = false;
  template <class T> static constexpr bool accepts = kIsNumeric<T>;
  template <class T> T operator()(T a, T b) const { return wrap_add(a, b); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Sum", 1, kMaxOpset, make_kernel<VariadicKernel<SumOp>>);

}  // namespace parallax
