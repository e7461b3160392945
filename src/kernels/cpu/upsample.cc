// Upsample (deprecated; opsets 7-9): nearest / linear with asymmetric
// coordinates. Opset 7 takes `scales` as an attribute, opset 9 as input 1.
#include <cstring>

#include "core/status_macros.h"
#include "kernels/cpu/resize.h"

namespace parallax {
namespace {

class UpsampleKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<UpsampleKernel>();
    PX_ASSIGN_OR_RETURN(k->opts_, resize::Options::parse(ctx.attrs(), true));
    if (ctx.opset() < 9) {
      PX_ASSIGN_OR_RETURN(std::vector<float> s, ctx.attrs().get_floats("scales"));
      k->attr_scales_.assign(s.begin(), s.end());
    } else if (ctx.num_inputs() < 2) {
      return error(StatusCode::kInvalidArgument, "Upsample-9 needs the scales input");
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Result<std::vector<double>> scales(const Tensor* t) const {
    if (!t) return attr_scales_;
    return resize::read_floats(*t);
  }

  Result<Shape> out_shape(const Shape& xs, const std::vector<double>& s) const {
    if (s.size() != xs.size()) return error(StatusCode::kInvalidArgument, "scales must have ", xs.size(), " values");
    Shape out;
    for (size_t d = 0; d < xs.size(); ++d) {
      if (!(s[d] > 0)) return error(StatusCode::kInvalidArgument, "scales must be positive");
      PX_ASSIGN_OR_RETURN(int64_t size, resize::scaled_size(xs[d], s[d]));
      out.push_back(size);
    }
    return out;
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* t = nullptr;
    if (attr_scales_.empty()) {
      t = ctx.input_value(1);
      if (!t) return ctx.defer();
    }
    PX_ASSIGN_OR_RETURN(std::vector<double> s, scales(t));
    PX_ASSIGN_OR_RETURN(Shape out, out_shape(ctx.input_shape(0), s));
    ctx.set_output(0, ctx.input_dtype(0), out);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(std::vector<double> s, scales(attr_scales_.empty() ? &ctx.input(1) : nullptr));
    return resize::run(opts_, ctx.input(0), ctx.output(0), s, {}, ctx.num_threads());
  }

 private:
  resize::Options opts_;
  std::vector<double> attr_scales_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Upsample", 7, 9, make_kernel<UpsampleKernel>);

}  // namespace parallax
