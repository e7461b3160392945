// DFT (opset 17): discrete Fourier transform along `axis` of a real
// ([..., 1]) or complex ([..., 2]) signal; optional dft_length (input 1)
// zero-pads or truncates; inverse scales by 1/length; onesided keeps the
// first length/2 + 1 bins.
#include <algorithm>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/dft_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

// dft_length (input 1) as an int64. It is read as a number of any type, so
// NaN, infinite and out-of-range values are refused before the conversion
// (undefined otherwise); lengths past the admission limit cannot be planned.
Result<int64_t> dft_length(const Tensor& t) {
  PX_ASSIGN_OR_RETURN(double v, read_scalar(t));
  if (!(v >= 1 && v <= static_cast<double>(kMaxShapeExtent)))
    return error(StatusCode::kInvalidArgument, "DFT: dft_length must be in [1, 2^31], got ", v);
  return static_cast<int64_t>(v);
}

class DftKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<DftKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 1));
    PX_ASSIGN_OR_RETURN(int64_t inv, ctx.attrs().get_int("inverse", 0));
    PX_ASSIGN_OR_RETURN(int64_t one, ctx.attrs().get_int("onesided", 0));
    k->inverse_ = inv != 0;
    k->onesided_ = one != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& s = ctx.input_shape(0);
    if (s.size() < 3 || (s.back() != 1 && s.back() != 2))
      return error(StatusCode::kInvalidArgument, "DFT: input must be [batch, ..., 1 or 2], got ", shape_to_string(s));
    PX_ASSIGN_OR_RETURN(int64_t axis, signal_axis(static_cast<int64_t>(s.size())));
    int64_t L = s[static_cast<size_t>(axis)];
    if (ctx.has_input(1)) {
      const Tensor* t = ctx.input_value(1);
      if (t == nullptr) return ctx.defer();
      PX_ASSIGN_OR_RETURN(L, dft_length(*t));
    }
    Shape out = s;
    out[static_cast<size_t>(axis)] = onesided_ ? L / 2 + 1 : L;
    out.back() = 2;
    ctx.set_output(0, ctx.input_dtype(0), out);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    PX_ASSIGN_OR_RETURN(int64_t axis, signal_axis(rank));
    const int64_t n = x.dim(static_cast<size_t>(axis));
    const int64_t K = y.dim(static_cast<size_t>(axis));
    int64_t L = n;
    if (ctx.has_input(1)) {
      PX_ASSIGN_OR_RETURN(L, dft_length(ctx.input(1)));
    }
    const int64_t cin = x.dim(static_cast<size_t>(rank - 1));
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.dim(static_cast<size_t>(i));
    for (int64_t i = axis + 1; i < rank - 1; ++i) inner *= x.dim(static_cast<size_t>(i));
    auto run = [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      dft_detail::Dft dft(L, inverse_);
      const double scale = inverse_ ? 1.0 / static_cast<double>(L) : 1.0;
      std::vector<std::complex<double>> line(static_cast<size_t>(L)), res;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < inner; ++j) {
          std::fill(line.begin(), line.end(), std::complex<double>(0));
          for (int64_t i = 0; i < std::min(n, L); ++i) {
            const T* p = in + ((o * n + i) * inner + j) * cin;
            line[static_cast<size_t>(i)] = {static_cast<double>(p[0]), cin == 2 ? static_cast<double>(p[1]) : 0.0};
          }
          dft.run(line, res, K, std::min(n, L));
          for (int64_t k = 0; k < K; ++k) {
            T* q = out + ((o * K + k) * inner + j) * 2;
            q[0] = static_cast<T>(res[static_cast<size_t>(k)].real() * scale);
            q[1] = static_cast<T>(res[static_cast<size_t>(k)].imag() * scale);
          }
        }
      return Status::ok();
    };
    if (x.dtype() == DataType::kFloat32) return run.template operator()<float>();
    if (x.dtype() == DataType::kFloat64) return run.template operator()<double>();
    return error(StatusCode::kUnsupported, "DFT: element type ", data_type_name(x.dtype()), " is not supported");
  }

 private:
  // The signal axis among dims [0, rank - 1) (the last dim holds re/im).
  Result<int64_t> signal_axis(int64_t rank) const {
    int64_t a = axis_ < 0 ? axis_ + rank - 1 : axis_;
    if (a < 0 || a >= rank - 1) return error(StatusCode::kInvalidArgument, "DFT: axis ", axis_, " is out of range");
    return a;
  }

  int64_t axis_ = 1;
  bool inverse_ = false;
  bool onesided_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "DFT", 17, kMaxOpset, make_kernel<DftKernel>);

}  // namespace parallax
