// ScatterND: output = data, then each index tuple (last dim of `indices`)
// addresses a slice of output that receives the matching slice of `updates`,
// combined by `reduction` (opset 16: add/mul, 18: max/min).
#include "core/status_macros.h"
#include "kernels/cpu/elements_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ScatterNDKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ScatterNDKernel>();
    PX_ASSIGN_OR_RETURN(k->reduction_, move::parse_reduction(ctx, "ScatterND"));
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_RETURN_IF_ERROR(check(ctx.input_shape(0), ctx.input_shape(1), ctx.input_shape(2)));
    ctx.set_output(0, ctx.input_dtype(0), ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    const Tensor& upd = ctx.input(2);
    Tensor& y = ctx.output(0);
    PX_RETURN_IF_ERROR(check(data.shape(), ind.shape(), upd.shape()));
    if (upd.dtype() != data.dtype())
      return error(StatusCode::kInvalidArgument, "ScatterND updates must have the data's element type");
    move::copy_bytes(y.raw(), data.raw(), data.nbytes());
    const Shape& ds = data.shape();
    const size_t m = static_cast<size_t>(ind.shape().back());
    const int64_t tuples = move::prod(ind.shape(), 0, ind.rank() - 1);
    const int64_t slice = move::prod(ds, m, ds.size());
    if (tuples == 0 || slice == 0) return Status::ok();
    std::vector<int64_t> dim(m), stride(m);
    for (size_t k = 0; k < m; ++k) {
      dim[k] = ds[k];
      stride[k] = move::prod(ds, k + 1, ds.size());
    }
    int64_t bad = 0;
    bool ok = true;
    PX_RETURN_IF_ERROR(move::visit_index(ind.dtype(), [&]<typename I>() {
      return move::visit_reduction(reduction_, [&]<move::Reduction R>() {
        auto run = [&]<typename T>() {
          const I* idx = ind.data<I>();
          const T* u = upd.data<T>();
          T* out = y.data<T>();
          for (int64_t t = 0; t < tuples && ok; ++t) {
            const I* tup = idx + t * static_cast<int64_t>(m);
            int64_t off = 0;
            for (size_t k = 0; k < m; ++k) {
              int64_t v = static_cast<int64_t>(tup[k]);
              if (v < 0) v += dim[k];
              if (v < 0 || v >= dim[k]) {
                bad = static_cast<int64_t>(tup[k]);
                ok = false;
                break;
              }
              off += v * stride[k];
            }
            if (!ok) break;
            T* d = out + off;
            const T* s = u + t * slice;
            for (int64_t i = 0; i < slice; ++i) move::reduce_into<R, T>(d[i], s[i]);
          }
          return Status::ok();
        };
        if constexpr (R == move::Reduction::kNone) {
          PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(data.dtype()));
          return visit_by_size(move::bytes_type(esize), run);
        } else {
          return visit_numeric(data.dtype(), run);
        }
      });
    }));
    if (!ok) return error(StatusCode::kInvalidArgument, "ScatterND index ", bad, " is out of range");
    return Status::ok();
  }

 private:
  static Status check(const Shape& data, const Shape& ind, const Shape& upd) {
    if (ind.empty()) return error(StatusCode::kInvalidArgument, "ScatterND indices must have rank >= 1");
    const int64_t m = ind.back();
    if (m < 0 || static_cast<size_t>(m) > data.size())
      return error(StatusCode::kInvalidArgument, "ScatterND index tuples of length ", m, " do not fit data ",
                   shape_to_string(data));
    Shape expect(ind.begin(), ind.end() - 1);
    expect.insert(expect.end(), data.begin() + m, data.end());
    if (upd != expect)
      return error(StatusCode::kInvalidArgument, "ScatterND updates have shape ", shape_to_string(upd), ", expected ",
                   shape_to_string(expect));
    return Status::ok();
  }

  move::Reduction reduction_ = move::Reduction::kNone;
};

}  // namespace

PX_REGISTER_KERNEL("", "ScatterND", 11, kMaxOpset, make_kernel<ScatterNDKernel>);

}  // namespace parallax
