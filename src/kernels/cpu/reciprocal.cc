// Reciprocal: 1/x, float and double.
#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct ReciprocalOp {
  static constexpr const char* kName = "Reciprocal";
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return T(1) / x; }
};

}  // namespace

PX_REGISTER_KERNEL("", "Reciprocal", 1, kMaxOpset, make_kernel<UnaryKernel<ReciprocalOp>>);

}  // namespace parallax
