// DequantizeLinear: y = (x - x_zero_point) * x_scale as float32, per tensor
// or (opset 13) per slice along `axis`.
#include <algorithm>
#include <type_traits>

#include "core/status_macros.h"
#include "kernels/cpu/quant_util.h"

namespace parallax {
namespace {

using namespace quant_detail;

class DequantizeLinearKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<DequantizeLinearKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 1));
    PX_RETURN_IF_ERROR(check_quantize_params(ctx, "DequantizeLinear", k->axis_, 0));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output(0, DataType::kFloat32, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_ASSIGN_OR_RETURN(auto scale, read_f32(ctx.input(1)));
    PX_ASSIGN_OR_RETURN(auto zp, zero_point(ctx, 2));
    int64_t C = 1, inner = 1;
    if (scale.size() != 1) {
      const int64_t rank = static_cast<int64_t>(x.rank());
      if (rank == 0)
        return error(StatusCode::kInvalidArgument, "DequantizeLinear: x_scale has ", scale.size(),
                     " values but x is a scalar");
      PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
      C = x.dim(static_cast<size_t>(axis));
      for (int64_t i = axis + 1; i < rank; ++i) inner *= x.dim(static_cast<size_t>(i));
    }
    if (static_cast<int64_t>(scale.size()) != C || (zp.size() != 1 && static_cast<int64_t>(zp.size()) != C))
      return error(StatusCode::kInvalidArgument,
                   "DequantizeLinear: x_scale/x_zero_point size does not match axis size ", C);
    if (zp.size() == 1 && C > 1) zp.assign(static_cast<size_t>(C), zp[0]);
    if (zp.size() == 1 && C == 1 && scale.size() == 1) inner = x.numel();
    float* out = ctx.output(0).data<float>();
    const int64_t n = x.numel(), outer = C * inner == 0 ? 0 : n / (C * inner);
    // Runs of `inner` elements share one scale and zero point: no index
    // arithmetic per element, and the loop vectorizes.
    auto run = [&]<typename T>() {
      // int32 x minus its zero point can leave int32 (the spec wants that zero
      // point 0; a model may give another): the difference is taken in 64 bits.
      // 8-bit x keeps 32 bits, which vectorize.
      using Diff = std::conditional_t<(sizeof(T) >= 4), int64_t, int32_t>;
      const T* in = x.data<T>();
      parallel_for(ctx.num_threads(), outer * C, std::max<int64_t>(1, 65536 / std::max<int64_t>(inner, 1)),
                   [&](int64_t r0, int64_t r1) {
                     for (int64_t r = r0; r < r1; ++r) {
                       const size_t c = static_cast<size_t>(r % C);
                       const Diff z = zp[c];
                       const float sc = scale[c];
                       const T* src = in + r * inner;
                       float* dst = out + r * inner;
                       for (int64_t i = 0; i < inner; ++i)
                         dst[i] = static_cast<float>(static_cast<Diff>(src[i]) - z) * sc;
                     }
                   });
      return Status::ok();
    };
    switch (x.dtype()) {
      case DataType::kUInt8: return run.template operator()<uint8_t>();
      case DataType::kInt8: return run.template operator()<int8_t>();
      case DataType::kInt32: return run.template operator()<int32_t>();
      default:
        return error(StatusCode::kUnsupported, "DequantizeLinear: element type ", data_type_name(x.dtype()),
                     " is not supported");
    }
  }

 private:
  int64_t axis_ = 1;
};

}  // namespace

PX_REGISTER_KERNEL("", "DequantizeLinear", 10, kMaxOpset, make_kernel<DequantizeLinearKernel>);

}  // namespace parallax
