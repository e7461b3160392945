// Det: determinant of each square matrix in the trailing two dims [*, M, M],
// by LU decomposition with partial pivoting.
#include <cmath>
#include <utility>
#include <vector>

#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class DetKernel final : public OpKernel {
 public:
  Status infer(InferContext& ctx) const override {
    const Shape& s = ctx.input_shape(0);
    if (s.size() < 2 || s[s.size() - 1] != s[s.size() - 2])
      return error(StatusCode::kInvalidArgument, "Det: input must be [*, M, M], got ", shape_to_string(s));
    ctx.set_output(0, ctx.input_dtype(0), Shape(s.begin(), s.end() - 2));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const int64_t M = x.dim(x.rank() - 1);
    const int64_t batch = M == 0 ? ctx.output(0).numel() : x.numel() / (M * M);
    auto run = [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      parallel_for(ctx.num_threads(), batch, std::max<int64_t>(1, 4096 / std::max<int64_t>(M * M * M, 1)),
                   [&](int64_t b0, int64_t b1) {
        std::vector<double> a(static_cast<size_t>(M * M));
        for (int64_t b = b0; b < b1; ++b) {
          for (int64_t i = 0; i < M * M; ++i) a[i] = static_cast<double>(in[b * M * M + i]);
          double det = 1.0;
          for (int64_t k = 0; k < M && det != 0.0; ++k) {
            int64_t piv = k;
            for (int64_t i = k + 1; i < M; ++i)
              if (std::abs(a[i * M + k]) > std::abs(a[piv * M + k])) piv = i;
            if (a[piv * M + k] == 0.0) { det = 0.0; break; }
            if (piv != k) {
              for (int64_t j = 0; j < M; ++j) std::swap(a[k * M + j], a[piv * M + j]);
              det = -det;
            }
            const double p = a[k * M + k];
            det *= p;
            for (int64_t i = k + 1; i < M; ++i) {
              const double f = a[i * M + k] / p;
              if (f == 0.0) continue;
              for (int64_t j = k + 1; j < M; ++j) a[i * M + j] -= f * a[k * M + j];
            }
          }
          out[b] = static_cast<T>(det);
        }
      });
      return Status::ok();
    };
    if (x.dtype() == DataType::kFloat32) return run.template operator()<float>();
    if (x.dtype() == DataType::kFloat64) return run.template operator()<double>();
    return error(StatusCode::kUnsupported, "Det: element type ", data_type_name(x.dtype()), " is not supported");
  }
};

}  // namespace

PX_REGISTER_KERNEL("", "Det", 11, kMaxOpset, make_kernel<DetKernel>);

}  // namespace parallax
