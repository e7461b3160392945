// Resize (opsets 10-17). Opset 10: inputs (X, scales), asymmetric
// coordinates. Opset 11+: (X, roi, scales, sizes), sizes winning when given;
// opset 13 makes roi and scales optional. See resize.h.
#include <cstring>

#include "core/status_macros.h"
#include "kernels/cpu/resize.h"

namespace parallax {
namespace {

class ResizeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ResizeKernel>();
    k->legacy_ = ctx.opset() < 11;
    PX_ASSIGN_OR_RETURN(k->opts_, resize::Options::parse(ctx.attrs(), k->legacy_));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  struct Plan {
    Shape out;
    std::vector<double> scales, roi;
  };

  // Null plan = a needed value is unknown (defer).
  Result<std::optional<Plan>> plan(const Shape& xs, const Tensor* roi_t, const Tensor* scales_t, const Tensor* sizes_t,
                                   bool has_roi, bool has_scales, bool has_sizes) const {
    size_t r = xs.size();
    Plan p;
    if (has_roi && opts_.coord == resize::Coord::kTfCropAndResize) {
      if (!roi_t) return std::optional<Plan>();
      if (roi_t->numel() > 0) {
        PX_ASSIGN_OR_RETURN(p.roi, resize::read_floats(*roi_t));
        if (p.roi.size() != 2 * r) return error(StatusCode::kInvalidArgument, "roi must have ", 2 * r, " values");
      }
    }
    if (has_sizes) {
      if (!sizes_t) return std::optional<Plan>();
      if (sizes_t->numel() > 0) {
        PX_ASSIGN_OR_RETURN(Shape sizes, read_int_list(*sizes_t));
        if (sizes.size() != r) return error(StatusCode::kInvalidArgument, "sizes must have ", r, " values");
        p.out = sizes;
        for (size_t d = 0; d < r; ++d) {
          if (sizes[d] < 0) return error(StatusCode::kInvalidArgument, "sizes must be >= 0");
          p.scales.push_back(xs[d] > 0 ? static_cast<double>(sizes[d]) / static_cast<double>(xs[d]) : 1.0);
        }
        return std::optional<Plan>(std::move(p));
      }
    }
    if (!has_scales) return error(StatusCode::kInvalidArgument, "Resize needs scales or sizes");
    if (!scales_t) return std::optional<Plan>();
    PX_ASSIGN_OR_RETURN(p.scales, resize::read_floats(*scales_t));
    if (p.scales.size() != r)
      return error(StatusCode::kInvalidArgument, "scales must have ", r, " values (or give sizes), got ", p.scales.size());
    for (size_t d = 0; d < r; ++d) {
      if (!(p.scales[d] > 0)) return error(StatusCode::kInvalidArgument, "scales must be positive");
      PX_ASSIGN_OR_RETURN(int64_t size, resize::scaled_size(xs[d], p.scales[d]));
      p.out.push_back(size);
    }
    return std::optional<Plan>(std::move(p));
  }

  template <typename Ctx, typename Get>
  Result<std::optional<Plan>> plan_from(const Ctx& ctx, const Shape& xs, Get get) const {
    if (legacy_) return plan(xs, nullptr, get(1), nullptr, false, ctx.has_input(1), false);
    return plan(xs, get(1), get(2), get(3), ctx.has_input(1), ctx.has_input(2), ctx.has_input(3));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(std::optional<Plan> p,
                        plan_from(ctx, ctx.input_shape(0), [&](size_t i) { return ctx.has_input(i) ? ctx.input_value(i) : nullptr; }));
    if (!p) return ctx.defer();
    ctx.set_output(0, ctx.input_dtype(0), p->out);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_ASSIGN_OR_RETURN(std::optional<Plan> p,
                        plan_from(ctx, x.shape(), [&](size_t i) { return ctx.has_input(i) ? &ctx.input(i) : nullptr; }));
    if (!p) return error(StatusCode::kInternal, "Resize inputs missing at run time");
    if (p->out != ctx.output(0).shape()) return error(StatusCode::kInternal, "Resize output shape changed");
    return resize::run(opts_, x, ctx.output(0), p->scales, p->roi, ctx.num_threads());
  }

 private:
  bool legacy_ = false;
  resize::Options opts_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Resize", 10, kMaxOpset, make_kernel<ResizeKernel>);

}  // namespace parallax
