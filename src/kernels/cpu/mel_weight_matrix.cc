// MelWeightMatrix (opset 17): [dft_length/2 + 1, num_mel_bins] matrix of
// triangular filters evenly spaced on the mel scale between the lower and
// upper edge frequencies, with bin edges placed as the ONNX reference does.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

// num_mel_bins / dft_length as an int64. They are read as numbers of any type,
// so NaN, infinite and out-of-range values are refused before the conversion
// (undefined otherwise).
Result<int64_t> count_of(const Tensor& t, const char* what) {
  PX_ASSIGN_OR_RETURN(double v, read_scalar(t));
  if (!(v >= 1 && v <= static_cast<double>(kMaxShapeExtent)))
    return error(StatusCode::kInvalidArgument, "MelWeightMatrix: ", what, " must be in [1, 2^31], got ", v);
  return static_cast<int64_t>(v);
}

class MelWeightMatrixKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<MelWeightMatrixKernel>();
    PX_ASSIGN_OR_RETURN(int64_t dt, ctx.attrs().get_int("output_datatype", 1));
    k->dtype_ = static_cast<DataType>(dt);
    if (!is_supported(k->dtype_) || k->dtype_ == DataType::kBool || k->dtype_ == DataType::kString)
      return error(StatusCode::kUnsupported, "MelWeightMatrix: output_datatype ", dt, " is not supported");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* mel = ctx.input_value(0);
    const Tensor* dft = ctx.input_value(1);
    if (mel == nullptr || dft == nullptr) return ctx.defer();
    PX_ASSIGN_OR_RETURN(int64_t m, count_of(*mel, "num_mel_bins"));
    PX_ASSIGN_OR_RETURN(int64_t n, count_of(*dft, "dft_length"));
    ctx.set_output(0, dtype_, {n / 2 + 1, m});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    PX_ASSIGN_OR_RETURN(const int64_t M, count_of(ctx.input(0), "num_mel_bins"));
    PX_ASSIGN_OR_RETURN(const int64_t L, count_of(ctx.input(1), "dft_length"));
    PX_ASSIGN_OR_RETURN(double rate, read_scalar(ctx.input(2)));
    PX_ASSIGN_OR_RETURN(double lo, read_scalar(ctx.input(3)));
    PX_ASSIGN_OR_RETURN(double hi, read_scalar(ctx.input(4)));
    const int64_t bins = L / 2 + 1;
    if (!(rate > 0)) return error(StatusCode::kInvalidArgument, "MelWeightMatrix: sample_rate must be positive");
    auto to_mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
    const double lo_mel = to_mel(lo), hi_mel = to_mel(hi);
    const double step = (hi_mel - lo_mel) / static_cast<double>(M + 2);
    std::vector<int64_t> edge(static_cast<size_t>(M + 2));
    for (int64_t i = 0; i < M + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (static_cast<double>(i) * step + lo_mel) / 2595.0) - 1.0);
      const double e = std::floor(static_cast<double>(L + 1) * hz / rate);
      // The edge frequencies are values from the model: a NaN edge (below
      // -700 Hz, or NaN inputs) is refused, and an edge far outside the bins
      // is clamped to +-2^61 before the conversion (differences stay in int64).
      if (std::isnan(e))
        return error(StatusCode::kInvalidArgument, "MelWeightMatrix: edge ", i, " is not a number (lower_edge_hertz ",
                     lo, ", upper_edge_hertz ", hi, ", sample_rate ", rate, ")");
      constexpr double kFar = 2305843009213693952.0;  // 2^61
      edge[static_cast<size_t>(i)] = static_cast<int64_t>(std::clamp(e, -kFar, kFar));
    }
    std::vector<double> w(static_cast<size_t>(bins * M), 0.0);
    auto at = [&](int64_t j, int64_t i) -> double* {
      return (j >= 0 && j < bins) ? &w[static_cast<size_t>(j * M + i)] : nullptr;
    };
    for (int64_t i = 0; i < M; ++i) {
      const int64_t l = edge[static_cast<size_t>(i)], c = edge[static_cast<size_t>(i + 1)], h = edge[static_cast<size_t>(i + 2)];
      // Only the bins [0, bins) are written: the loops skip the rest of a
      // (possibly huge) edge range.
      if (c == l) {
        if (double* p = at(c, i)) *p = 1.0;
      } else {
        for (int64_t j = std::max<int64_t>(l, 0); j <= std::min<int64_t>(c, bins - 1); ++j)
          if (double* p = at(j, i)) *p = static_cast<double>(j - l) / static_cast<double>(c - l);
      }
      if (h > c)
        for (int64_t j = std::max<int64_t>(c, 0); j < std::min<int64_t>(h, bins); ++j)
          if (double* p = at(j, i)) *p = static_cast<double>(h - j) / static_cast<double>(h - c);
    }
    Tensor& y = ctx.output(0);
    return visit_numeric(y.dtype(), [&]<typename T>() {
      T* out = y.data<T>();
      for (size_t i = 0; i < w.size(); ++i) out[i] = static_cast<T>(w[i]);
      return Status::ok();
    });
  }

 private:
  DataType dtype_ = DataType::kFloat32;
};

}  // namespace

PX_REGISTER_KERNEL("", "MelWeightMatrix", 17, kMaxOpset, make_kernel<MelWeightMatrixKernel>);

}  // namespace parallax
