// GridSample (opset 16): samples X [N, C, H, W] at the normalised (x, y)
// locations of grid [N, Ho, Wo, 2]; modes bilinear / nearest / bicubic,
// padding zeros / border / reflection, align_corners. Follows the reference
// semantics (those of PyTorch's grid_sample).
#include <cmath>
#include <string>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

enum class Mode { kBilinear, kNearest, kBicubic };
enum class Pad { kZeros, kBorder, kReflection };

// A source coordinate as a finite value in [-2^52, 2^52]: grid values are
// data, and NaN, infinite or huge coordinates would reach int64 conversions
// (undefined). Points that far out sample nothing (zeros) or clamp to the
// border either way; NaN counts as far out.
double bounded_coord(double c) {
  constexpr double kFar = 4503599627370496.0;  // 2^52
  if (std::isnan(c)) return -kFar;
  return std::min(std::max(c, -kFar), kFar);
}

double reflect(double v, double twice_low, double twice_high) {
  if (twice_low == twice_high) return 0;
  double mn = twice_low / 2, span = (twice_high - twice_low) / 2;
  v = std::fabs(v - mn);
  double extra = std::fmod(v, span);
  int64_t flips = static_cast<int64_t>(std::floor(v / span));
  return flips % 2 == 0 ? extra + mn : span - extra + mn;
}

class GridSampleKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<GridSampleKernel>();
    PX_ASSIGN_OR_RETURN(int64_t ac, ctx.attrs().get_int("align_corners", 0));
    k->align_ = ac != 0;
    PX_ASSIGN_OR_RETURN(std::string mode, ctx.attrs().get_string("mode", std::string("bilinear")));
    PX_ASSIGN_OR_RETURN(std::string pad, ctx.attrs().get_string("padding_mode", std::string("zeros")));
    if (mode == "bilinear" || mode == "linear") k->mode_ = Mode::kBilinear;
    else if (mode == "nearest") k->mode_ = Mode::kNearest;
    else if (mode == "bicubic" || mode == "cubic") k->mode_ = Mode::kBicubic;
    else return error(StatusCode::kInvalidArgument, "attribute mode has unknown value '", mode, "'");
    if (pad == "zeros") k->pad_ = Pad::kZeros;
    else if (pad == "border") k->pad_ = Pad::kBorder;
    else if (pad == "reflection") k->pad_ = Pad::kReflection;
    else return error(StatusCode::kInvalidArgument, "attribute padding_mode has unknown value '", pad, "'");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    const Shape& g = ctx.input_shape(1);
    if (x.size() != 4 || g.size() != 4 || g[3] != 2 || g[0] != x[0])
      return error(StatusCode::kInvalidArgument, "GridSample expects X [N,C,H,W] and grid [N,Ho,Wo,2], got ",
                   shape_to_string(x), " and ", shape_to_string(g));
    ctx.set_output(0, ctx.input_dtype(0), {x[0], x[1], g[1], g[2]});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    auto run = [&]<typename T>() -> Status {
      if (grid.dtype() != x.dtype()) return error(StatusCode::kUnsupported, "grid must have X's element type");
      sample<T>(x, grid, ctx.output(0), ctx.num_threads());
      return Status::ok();
    };
    return visit_float(x.dtype(), run);
  }

 private:
  double unnormalize(double c, int64_t size) const {
    return align_ ? (c + 1) / 2 * static_cast<double>(size - 1) : ((c + 1) * static_cast<double>(size) - 1) / 2;
  }
  double apply_padding(double c, int64_t size) const {
    double hi = static_cast<double>(size - 1);
    if (pad_ == Pad::kBorder) return std::min(std::max(c, 0.0), hi);
    if (pad_ == Pad::kReflection) {
      c = align_ ? reflect(c, 0, 2.0 * static_cast<double>(size - 1)) : reflect(c, -1, 2.0 * static_cast<double>(size) - 1);
      return std::min(std::max(c, 0.0), hi);
    }
    return c;
  }

  template <typename T>
  void sample(const Tensor& x, const Tensor& grid, Tensor& y, int threads) const {
    const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), Ho = grid.dim(1), Wo = grid.dim(2);
    const T* xp = x.data<T>();
    const T* gp = grid.data<T>();
    T* yp = y.data<T>();
    parallel_for(threads, N * Ho, 1, [&](int64_t b, int64_t e) {
      for (int64_t nh = b; nh < e; ++nh) {
        int64_t n = nh / Ho, oh = nh % Ho;
        for (int64_t ow = 0; ow < Wo; ++ow) {
          const T* g = gp + ((n * Ho + oh) * Wo + ow) * 2;
          double gx = bounded_coord(unnormalize(static_cast<double>(g[0]), W));
          double gy = bounded_coord(unnormalize(static_cast<double>(g[1]), H));
          for (int64_t c = 0; c < C; ++c) {
            const T* plane = xp + (n * C + c) * H * W;
            auto at = [&](int64_t iy, int64_t ix) -> double {
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) return 0.0;
              return static_cast<double>(plane[iy * W + ix]);
            };
            double v = 0;
            if (mode_ == Mode::kBicubic) {
              // Taps are padded individually (PyTorch's get_value_bounded).
              double fx = std::floor(gx), fy = std::floor(gy), tx = gx - fx, ty = gy - fy;
              double cx[4], cy[4];
              coeffs(tx, cx);
              coeffs(ty, cy);
              for (int i = 0; i < 4; ++i) {
                double row = 0;
                double py = apply_padding(fy - 1 + i, H);
                for (int j = 0; j < 4; ++j) {
                  double px = apply_padding(fx - 1 + j, W);
                  row += cx[j] * at(static_cast<int64_t>(py), static_cast<int64_t>(px));
                }
                v += cy[i] * row;
              }
            } else {
              double px = apply_padding(gx, W), py = apply_padding(gy, H);
              if (mode_ == Mode::kNearest) {
                v = at(static_cast<int64_t>(std::nearbyint(py)), static_cast<int64_t>(std::nearbyint(px)));
              } else {
                double fx = std::floor(px), fy = std::floor(py), tx = px - fx, ty = py - fy;
                int64_t x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
                v = at(y0, x0) * (1 - tx) * (1 - ty) + at(y0, x0 + 1) * tx * (1 - ty) + at(y0 + 1, x0) * (1 - tx) * ty +
                    at(y0 + 1, x0 + 1) * tx * ty;
              }
            }
            yp[((n * C + c) * Ho + oh) * Wo + ow] = static_cast<T>(v);
          }
        }
      }
    });
  }

  static void coeffs(double t, double* c) {
    const double a = -0.75;
    double t1 = t + 1, t2 = 1 - t, t3 = 2 - t;
    c[0] = ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a;
    c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
    c[2] = ((a + 2) * t2 - (a + 3)) * t2 * t2 + 1;
    c[3] = ((a * t3 - 5 * a) * t3 + 8 * a) * t3 - 4 * a;
  }

  bool align_ = false;
  Mode mode_ = Mode::kBilinear;
  Pad pad_ = Pad::kZeros;
};

}  // namespace

PX_REGISTER_KERNEL("", "GridSample", 16, kMaxOpset, make_kernel<GridSampleKernel>);

}  // namespace parallax
