// Asin: elementwise arcsine (std::asin), float and double.
#include <cmath>

#include "kernels/cpu/unary_ops.h"

namespace parallax {
namespace {

struct AsinOp {
  static constexpr const char* kName = "Asin";
  static constexpr int64_t kCost = 4;
  template <class T> static constexpr bool accepts = kIsFloat<T>;
  template <class T> T operator()(T x) const { return std::asin(x); }
};

}  // namespace

PX_REGISTER_KERNEL("", "Asin", 7, kMaxOpset, make_kernel<UnaryKernel<AsinOp>>);

}  // namespace parallax
