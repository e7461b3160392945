// MaxUnpool (opsets 9-17): scatters X into a zero tensor at the flat indices
// I produced by MaxPool. Output spatial size is (in - 1) * stride + kernel -
// pads, or the optional output_shape input (whose value is needed at infer).
#include <cstring>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/pool_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class MaxUnpoolKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<MaxUnpoolKernel>();
    PX_ASSIGN_OR_RETURN(k->w_, WindowAttrs::parse(ctx.attrs(), true));
    if (ctx.num_inputs() < 2) return error(StatusCode::kInvalidArgument, "MaxUnpool needs X and I");
    const size_t n = k->w_.kernel.size();
    if (!k->w_.strides.empty() && k->w_.strides.size() != n)
      return error(StatusCode::kInvalidArgument, "attribute strides has ", k->w_.strides.size(),
                   " values, kernel_shape ", n);
    if (!k->w_.pads.empty() && k->w_.pads.size() != 2 * n)
      return error(StatusCode::kInvalidArgument, "attribute pads has ", k->w_.pads.size(), " values, expected ", 2 * n);
    for (int64_t p : k->w_.pads)
      if (p < 0) return error(StatusCode::kInvalidArgument, "attribute pads must be >= 0");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    size_t n = w_.kernel.size();
    if (x.size() != n + 2) return error(StatusCode::kInvalidArgument, "X rank does not match kernel_shape");
    if (ctx.input_shape(1) != x) return error(StatusCode::kInvalidArgument, "I must have the shape of X");
    Shape y;
    if (ctx.has_input(2)) {
      const Tensor* os = ctx.input_value(2);
      if (!os) return ctx.defer();
      PX_ASSIGN_OR_RETURN(y, read_int_list(*os));
      if (y.size() != x.size())
        return error(StatusCode::kInvalidArgument, "output_shape must have ", x.size(), " values");
    } else {
      PX_ASSIGN_OR_RETURN(y, unpooled_shape(x));
    }
    ctx.set_output(0, ctx.input_dtype(0), y);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    Tensor& y = ctx.output(0);
    if (idx.dtype() != DataType::kInt64) return error(StatusCode::kInvalidArgument, "I must be int64");
    std::memset(y.raw(), 0, y.nbytes());
    const int64_t* ip = idx.data<int64_t>();
    // Indices address the default unpooled shape ((in - 1) * stride + kernel
    // - pads); a larger output_shape keeps each element's coordinates.
    if (x.rank() != w_.kernel.size() + 2 || idx.shape() != x.shape())
      return error(StatusCode::kInvalidArgument, "X and I must have the same shape, of rank ", w_.kernel.size() + 2);
    PX_ASSIGN_OR_RETURN(Shape def, unpooled_shape(x.shape()));
    PX_RETURN_IF_ERROR(check_shape_extent(def));
    bool same = def == y.shape();
    int64_t total = shape_numel(def), n = x.numel();
    std::vector<int64_t> dst = strides_of(def), yst = strides_of(y.shape());
    return visit_by_size(x.dtype(), [&]<typename T>() -> Status {
      const T* xp = x.data<T>();
      T* yp = y.data<T>();
      for (int64_t i = 0; i < n; ++i) {
        int64_t v = ip[i];
        if (v < 0 || v >= (same ? y.numel() : total))
          return error(StatusCode::kInvalidArgument, "index ", v, " is out of range for an output of ", total,
                       " elements");
        int64_t off = v;
        if (!same) {
          off = 0;
          for (size_t d = 0; d < def.size(); ++d) {
            int64_t c = v / dst[d];
            v %= dst[d];
            if (c >= y.dim(d))
              return error(StatusCode::kInvalidArgument, "index ", ip[i], " falls outside output_shape");
            off += c * yst[d];
          }
        }
        yp[off] = xp[i];
      }
      return Status::ok();
    });
  }

 private:
  // (in - 1) * stride + kernel - pads per spatial dim: the shape the indices
  // address. Attributes are unbounded, so the arithmetic is checked.
  Result<Shape> unpooled_shape(const Shape& x) const {
    const size_t n = w_.kernel.size();
    Shape y = {x[0], x[1]};
    for (size_t i = 0; i < n; ++i) {
      int64_t s = w_.strides.empty() ? 1 : w_.strides[i];
      PX_ASSIGN_OR_RETURN(int64_t pads, w_.pads.empty() ? Result<int64_t>(0) : checked_add(w_.pads[i], w_.pads[i + n]));
      PX_ASSIGN_OR_RETURN(int64_t scaled, checked_mul(x[i + 2] - 1, s));
      PX_ASSIGN_OR_RETURN(int64_t len, checked_add(scaled, w_.kernel[i] - pads));
      if (len < 0) return error(StatusCode::kInvalidArgument, "pads exceed the unpooled size of spatial dim ", i);
      y.push_back(len);
    }
    return y;
  }

  WindowAttrs w_;
};

}  // namespace

PX_REGISTER_KERNEL("", "MaxUnpool", 9, kMaxOpset, make_kernel<MaxUnpoolKernel>);

}  // namespace parallax
