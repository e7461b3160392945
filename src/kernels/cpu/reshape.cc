// Reshape: same bytes, new shape. Shape from the `shape` attribute (opset < 5)
// or the `shape` input (value needed; deferred until known). 0 copies the
// input dimension (unless allowzero=1, opset 14), -1 is inferred.
#include <algorithm>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ReshapeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ReshapeKernel>();
    k->from_attr_ = ctx.opset() < 5;
    if (k->from_attr_) {
      PX_ASSIGN_OR_RETURN(k->shape_attr_, ctx.attrs().get_ints("shape"));
    } else if (!ctx.has_input(1)) {
      return error(StatusCode::kInvalidModel, "Reshape needs its 'shape' input");
    }
    if (ctx.opset() >= 14) {
      PX_ASSIGN_OR_RETURN(int64_t az, ctx.attrs().get_int("allowzero", 0));
      k->allowzero_ = az != 0;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    std::vector<int64_t> spec;
    if (from_attr_) {
      spec = shape_attr_;
    } else {
      const Tensor* t = ctx.input_value(1);
      if (t == nullptr) return ctx.defer();
      PX_ASSIGN_OR_RETURN(spec, move::int_list_of(*t, "Reshape 'shape'"));
    }
    PX_ASSIGN_OR_RETURN(Shape out, resolve(ctx.input_shape(0), spec));
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override { return move::copy_input_to_output(ctx); }
  bool output_views_input() const override { return true; }

 private:
  Result<Shape> resolve(const Shape& in, const std::vector<int64_t>& spec) const {
    Shape out(spec.size());
    int64_t infer_at = -1, known = 1;
    bool has_zero = false;
    for (size_t i = 0; i < spec.size(); ++i) {
      int64_t v = spec[i];
      if (v == -1) {
        if (infer_at >= 0) return error(StatusCode::kInvalidArgument, "Reshape 'shape' has more than one -1");
        infer_at = static_cast<int64_t>(i);
        continue;
      }
      if (v < -1) return error(StatusCode::kInvalidArgument, "Reshape 'shape' has invalid dimension ", v);
      if (v == 0) {
        if (allowzero_) {
          has_zero = true;
        } else {
          if (i >= in.size())
            return error(StatusCode::kInvalidArgument, "Reshape 'shape' copies dimension ", i,
                         " (0) but the input has rank ", in.size());
          v = in[i];
        }
      }
      out[i] = v;
      // The input exists, so its element count fits in int64; a target whose
      // product does not cannot match it (and would overflow `known`).
      // (With allowzero a 0 elsewhere in the target makes it empty, which is fine.)
      if (__builtin_mul_overflow(known, v, &known)) {
        if (allowzero_ && std::find(spec.begin(), spec.end(), int64_t{0}) != spec.end()) {
          known = 0;
          continue;
        }
        return error(StatusCode::kInvalidArgument, "Reshape 'shape' ", shape_to_string(out), " has too many elements");
      }
    }
    const int64_t total = shape_numel(in);
    if (infer_at >= 0) {
      if (has_zero) return error(StatusCode::kInvalidArgument, "Reshape with allowzero=1 cannot mix 0 and -1");
      if (known == 0) {
        if (total != 0)
          return error(StatusCode::kInvalidArgument, "Reshape cannot infer -1 for ", shape_to_string(in),
                       " with a zero-sized target dimension");
        out[static_cast<size_t>(infer_at)] = 0;
      } else {
        if (total % known != 0)
          return error(StatusCode::kInvalidArgument, "Reshape cannot reshape ", shape_to_string(in), " (", total,
                       " elements) to a multiple of ", known);
        out[static_cast<size_t>(infer_at)] = total / known;
      }
    }
    if (shape_numel(out) != total)
      return error(StatusCode::kInvalidArgument, "Reshape cannot reshape ", shape_to_string(in), " to ",
                   shape_to_string(out));
    return out;
  }

  bool from_attr_ = false;
  bool allowzero_ = false;
  std::vector<int64_t> shape_attr_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Reshape", 1, kMaxOpset, make_kernel<ReshapeKernel>);

}  // namespace parallax
