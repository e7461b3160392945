// BitShift: a << b or a >> b (attribute direction LEFT / RIGHT) on unsigned integers; shifting by the bit width or more gives 0.
#include <string>

#include "core/status_macros.h"
#include "kernels/cpu/binary_ops.h"

namespace parallax {
namespace {

struct BitShiftOp {
  static constexpr const char* kName = "BitShift";
  template <class T> static constexpr bool accepts = kIsUnsignedInteger<T>;
  static Result<BitShiftOp> make(const KernelCreateContext& ctx) {
    BitShiftOp op;
    PX_ASSIGN_OR_RETURN(std::string dir, ctx.attrs().get_string("direction"));
    if (dir == "LEFT") {
      op.left = true;
    } else if (dir == "RIGHT") {
      op.left = false;
    } else {
      return error(StatusCode::kInvalidArgument, "BitShift: attribute 'direction' must be LEFT or RIGHT, got '", dir, "'");
    }
    return op;
  }
  template <class T> T operator()(T a, T b) const {
    constexpr T bits = T(sizeof(T) * 8);
    if (b >= bits) return T(0);
    return left ? static_cast<T>(a << b) : static_cast<T>(a >> b);
  }
  bool left = true;
};

}  // namespace

PX_REGISTER_KERNEL("", "BitShift", 11, kMaxOpset, make_kernel<BinaryKernel<BitShiftOp>>);

}  // namespace parallax
