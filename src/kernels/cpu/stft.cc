// STFT (opset 17): DFT of successive (optionally windowed) frames of a real
// or complex signal [batch, length, 1|2]. frame_step is input 1, window
// input 2, frame_length input 3 (one of window / frame_length needed).
// Output [batch, frames, bins, 2], bins = frame_length/2+1 when onesided.
#include <algorithm>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/dft_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

struct StftDims {
  int64_t batch, length, step, frame, frames, bins;
};

// frame_step / frame_length as an int64 in [1, max]. They are read as numbers
// of any type, so NaN, infinite and out-of-range values are refused before the
// conversion (undefined otherwise).
Result<int64_t> positive_length(const Tensor& t, const char* what, double max) {
  PX_ASSIGN_OR_RETURN(double v, read_scalar(t));
  if (!(v >= 1 && v <= max))
    return error(StatusCode::kInvalidArgument, "STFT: ", what, " must be in [1, ", max, "], got ", v);
  return static_cast<int64_t>(v);
}

class StftKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<StftKernel>();
    PX_ASSIGN_OR_RETURN(int64_t one, ctx.attrs().get_int("onesided", 1));
    k->onesided_ = one != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* step = ctx.input_value(1);
    const Tensor* fl = ctx.has_input(3) ? ctx.input_value(3) : nullptr;
    if (step == nullptr || (ctx.has_input(3) && fl == nullptr)) return ctx.defer();
    const Shape* win = ctx.has_input(2) ? &ctx.input_shape(2) : nullptr;
    PX_ASSIGN_OR_RETURN(StftDims d, dims(ctx.input_shape(0), *step, win, fl));
    ctx.set_output(0, ctx.input_dtype(0), {d.batch, d.frames, d.bins, 2});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor* win = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const Tensor* fl = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    PX_ASSIGN_OR_RETURN(StftDims d, dims(x.shape(), ctx.input(1), win ? &win->shape() : nullptr, fl));
    const int64_t cin = x.dim(2);
    auto run = [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      std::vector<double> w(static_cast<size_t>(d.frame), 1.0);
      if (win) {
        if (win->dtype() != x.dtype()) return error(StatusCode::kInvalidArgument, "STFT: window dtype differs from signal");
        for (int64_t i = 0; i < d.frame; ++i) w[static_cast<size_t>(i)] = static_cast<double>(win->data<T>()[i]);
      }
      dft_detail::Dft dft(d.frame, false);
      std::vector<std::complex<double>> line(static_cast<size_t>(d.frame)), res;
      for (int64_t b = 0; b < d.batch; ++b)
        for (int64_t f = 0; f < d.frames; ++f) {
          for (int64_t i = 0; i < d.frame; ++i) {
            const T* p = in + (b * d.length + f * d.step + i) * cin;
            const double wi = w[static_cast<size_t>(i)];
            line[static_cast<size_t>(i)] = {static_cast<double>(p[0]) * wi, cin == 2 ? static_cast<double>(p[1]) * wi : 0.0};
          }
          dft.run(line, res, d.bins, d.frame);
          T* q = out + (b * d.frames + f) * d.bins * 2;
          for (int64_t k = 0; k < d.bins; ++k) {
            q[2 * k] = static_cast<T>(res[static_cast<size_t>(k)].real());
            q[2 * k + 1] = static_cast<T>(res[static_cast<size_t>(k)].imag());
          }
        }
      return Status::ok();
    };
    if (x.dtype() == DataType::kFloat32) return run.template operator()<float>();
    if (x.dtype() == DataType::kFloat64) return run.template operator()<double>();
    return error(StatusCode::kUnsupported, "STFT: element type ", data_type_name(x.dtype()), " is not supported");
  }

 private:
  Result<StftDims> dims(const Shape& s, const Tensor& step_t, const Shape* win, const Tensor* fl) const {
    if (s.size() != 3 || (s[2] != 1 && s[2] != 2))
      return error(StatusCode::kInvalidArgument, "STFT: signal must be [batch, length, 1 or 2], got ", shape_to_string(s));
    StftDims d{};
    d.batch = s[0];
    d.length = s[1];
    PX_ASSIGN_OR_RETURN(d.step, positive_length(step_t, "frame_step", 9.0e18));
    if (fl) {
      PX_ASSIGN_OR_RETURN(d.frame, positive_length(*fl, "frame_length", static_cast<double>(kMaxShapeExtent)));
    } else if (win) {
      if (win->size() != 1) return error(StatusCode::kInvalidArgument, "STFT: window must be 1-D");
      d.frame = (*win)[0];
    } else {
      return error(StatusCode::kInvalidArgument, "STFT: either window or frame_length is required");
    }
    if (win && (win->size() != 1 || (*win)[0] != d.frame))
      return error(StatusCode::kInvalidArgument, "STFT: window length does not match frame_length ", d.frame);
    if (d.frame <= 0 || d.frame > d.length)
      return error(StatusCode::kInvalidArgument, "STFT: frame_length ", d.frame, " must be in [1, ", d.length, "]");
    d.frames = (d.length - d.frame) / d.step + 1;
    d.bins = onesided_ ? d.frame / 2 + 1 : d.frame;
    return d;
  }

  bool onesided_ = true;
};

}  // namespace

PX_REGISTER_KERNEL("", "STFT", 17, kMaxOpset, make_kernel<StftKernel>);

}  // namespace parallax
