// RoiAlign: average (or max) of bilinearly sampled points in each output bin
// of each region of interest. Opset 16 adds coordinate_transformation_mode
// (default half_pixel); opset 10 behaves as output_half_pixel.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

// Sampling points of one roi (all bins), precomputed as 48-byte Samples: 200 MB at most.
constexpr double kMaxSamplesPerRoi = double{1 << 22};

struct Sample {
  int64_t o1, o2, o3, o4;
  float w1, w2, w3, w4;
};

class RoiAlignKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<RoiAlignKernel>();
    PX_ASSIGN_OR_RETURN(std::string mode, ctx.attrs().get_string("mode", "avg"));
    if (mode != "avg" && mode != "max")
      return error(StatusCode::kInvalidArgument, "RoiAlign: mode must be 'avg' or 'max', got '", mode, "'");
    k->max_ = mode == "max";
    PX_ASSIGN_OR_RETURN(std::string ctm, ctx.attrs().get_string("coordinate_transformation_mode",
                                                                 ctx.opset() >= 16 ? "half_pixel" : "output_half_pixel"));
    if (ctm != "half_pixel" && ctm != "output_half_pixel")
      return error(StatusCode::kInvalidArgument, "RoiAlign: unknown coordinate_transformation_mode '", ctm, "'");
    k->half_pixel_ = ctm == "half_pixel";
    PX_ASSIGN_OR_RETURN(k->out_h_, ctx.attrs().get_int("output_height", 1));
    PX_ASSIGN_OR_RETURN(k->out_w_, ctx.attrs().get_int("output_width", 1));
    PX_ASSIGN_OR_RETURN(k->sampling_, ctx.attrs().get_int("sampling_ratio", 0));
    PX_ASSIGN_OR_RETURN(k->scale_, ctx.attrs().get_float("spatial_scale", 1.0f));
    if (k->out_h_ <= 0 || k->out_w_ <= 0)
      return error(StatusCode::kInvalidArgument, "RoiAlign: output_height/output_width must be positive");
    if (k->sampling_ < 0) return error(StatusCode::kInvalidArgument, "RoiAlign: sampling_ratio must be >= 0");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    const Shape& rois = ctx.input_shape(1);
    if (x.size() != 4) return error(StatusCode::kInvalidArgument, "RoiAlign: X must be 4-D, got ", shape_to_string(x));
    if (rois.size() != 2 || rois[1] != 4)
      return error(StatusCode::kInvalidArgument, "RoiAlign: rois must be [num_rois, 4], got ", shape_to_string(rois));
    ctx.set_output(0, ctx.input_dtype(0), {rois[0], x[1], out_h_, out_w_});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& bidx_t = ctx.input(2);
    PX_ASSIGN_OR_RETURN(auto bidx, read_int_list(bidx_t));
    const int64_t nroi = rois.dim(0);
    if (static_cast<int64_t>(bidx.size()) != nroi)
      return error(StatusCode::kInvalidArgument, "RoiAlign: batch_indices has ", bidx.size(), " entries for ", nroi, " rois");
    if (rois.dtype() != x.dtype()) return error(StatusCode::kInvalidArgument, "RoiAlign: rois dtype differs from X");
    for (int64_t b : bidx)
      if (b < 0 || b >= x.dim(0))
        return error(StatusCode::kInvalidArgument, "RoiAlign: batch index ", b, " out of range [0, ", x.dim(0), ")");
    // Samples are clamped into [0, H-1] x [0, W-1]: an empty plane has no such point.
    if (nroi > 0 && x.dim(1) > 0 && (x.dim(2) == 0 || x.dim(3) == 0))
      return error(StatusCode::kInvalidArgument, "RoiAlign: X ", shape_to_string(x.shape()), " has empty spatial dims");
    auto run = [&]<typename T>() -> Status {
      const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3);
      const T* xd = x.data<T>();
      const T* rd = rois.data<T>();
      T* yd = ctx.output(0).data<T>();
      const int64_t PH = out_h_, PW = out_w_;
      // Checked before the parallel loop, which cannot fail: a NaN or infinite
      // roi (or spatial_scale) made the sampling grid's size a NaN converted
      // to int64 (undefined behaviour), and a huge roi or sampling_ratio a
      // grid of billions of samples.
      for (int64_t r = 0; r < nroi; ++r) {
        const T* rr = rd + r * 4;
        for (int k = 0; k < 4; ++k)
          if (!std::isfinite(rr[k] * scale_))
            return error(StatusCode::kInvalidArgument, "RoiAlign: roi ", r, " has a non-finite coordinate");
        const double rh = std::max(double{(rr[3] - rr[1]) * scale_}, 1.0);
        const double rw = std::max(double{(rr[2] - rr[0]) * scale_}, 1.0);
        const double gh = sampling_ > 0 ? double(sampling_) : std::ceil(rh / double(PH));
        const double gw = sampling_ > 0 ? double(sampling_) : std::ceil(rw / double(PW));
        if (gh * gw * double(PH) * double(PW) > kMaxSamplesPerRoi)
          return error(StatusCode::kResourceExhausted, "RoiAlign: roi ", r, " needs ", gh * gw * double(PH) * double(PW),
                       " samples, over the limit of ", kMaxSamplesPerRoi);
      }
      parallel_for(ctx.num_threads(), nroi, 1, [&](int64_t rb, int64_t re) {
        std::vector<Sample> samples;
        for (int64_t r = rb; r < re; ++r) {
          const T* rr = rd + r * 4;
          const T off = half_pixel_ ? T(0.5) : T(0);
          T x1 = rr[0] * scale_ - off, y1 = rr[1] * scale_ - off;
          T x2 = rr[2] * scale_ - off, y2 = rr[3] * scale_ - off;
          T rw = x2 - x1, rh = y2 - y1;
          if (!half_pixel_) { rw = std::max(rw, T(1)); rh = std::max(rh, T(1)); }
          T bh = rh / static_cast<T>(PH), bw = rw / static_cast<T>(PW);
          // Clamped before the conversion: rounding may leave these past the
          // sizes checked above (even infinite), which int64 cannot hold.
          const T grid_max = static_cast<T>(kMaxSamplesPerRoi);
          int64_t gh = sampling_ > 0
                           ? sampling_
                           : static_cast<int64_t>(std::clamp(std::ceil(rh / static_cast<T>(PH)), T(0), grid_max));
          int64_t gw = sampling_ > 0
                           ? sampling_
                           : static_cast<int64_t>(std::clamp(std::ceil(rw / static_cast<T>(PW)), T(0), grid_max));
          const T count = static_cast<T>(std::max<int64_t>(gh * gw, 1));
          // Precompute sample offsets and weights (shared by all channels).
          samples.clear();
          for (int64_t ph = 0; ph < PH; ++ph)
            for (int64_t pw = 0; pw < PW; ++pw)
              for (int64_t iy = 0; iy < gh; ++iy) {
                T yy = y1 + ph * bh + (iy + T(0.5)) * bh / static_cast<T>(gh);
                for (int64_t ix = 0; ix < gw; ++ix) {
                  T xx = x1 + pw * bw + (ix + T(0.5)) * bw / static_cast<T>(gw);
                  Sample s{0, 0, 0, 0, 0, 0, 0, 0};
                  if (!(yy < T(-1) || yy > static_cast<T>(H) || xx < T(-1) || xx > static_cast<T>(W))) {
                    T y = std::max(yy, T(0)), xv = std::max(xx, T(0));
                    int64_t yl = static_cast<int64_t>(y), xl = static_cast<int64_t>(xv), yh, xh;
                    if (yl >= H - 1) { yh = yl = H - 1; y = static_cast<T>(yl); } else { yh = yl + 1; }
                    if (xl >= W - 1) { xh = xl = W - 1; xv = static_cast<T>(xl); } else { xh = xl + 1; }
                    T ly = y - static_cast<T>(yl), lx = xv - static_cast<T>(xl), hy = T(1) - ly, hx = T(1) - lx;
                    s = Sample{yl * W + xl, yl * W + xh, yh * W + xl, yh * W + xh,
                               static_cast<float>(hy * hx), static_cast<float>(hy * lx),
                               static_cast<float>(ly * hx), static_cast<float>(ly * lx)};
                  }
                  samples.push_back(s);
                }
              }
          const int64_t per_bin = gh * gw;
          for (int64_t c = 0; c < C; ++c) {
            const T* plane = xd + (bidx[r] * C + c) * H * W;
            T* out = yd + ((r * C + c) * PH) * PW;
            for (int64_t bin = 0; bin < PH * PW; ++bin) {
              const Sample* sp = samples.data() + bin * per_bin;
              T acc = T(0);
              bool first = true;
              for (int64_t q = 0; q < per_bin; ++q) {
                const Sample& s = sp[q];
                if (!max_) {
                  acc += s.w1 * plane[s.o1] + s.w2 * plane[s.o2] + s.w3 * plane[s.o3] + s.w4 * plane[s.o4];
                } else {
                  T v = std::max(std::max(s.w1 * plane[s.o1], s.w2 * plane[s.o2]),
                                 std::max(s.w3 * plane[s.o3], s.w4 * plane[s.o4]));
                  acc = first ? v : std::max(acc, v);
                  first = false;
                }
              }
              out[bin] = max_ ? acc : acc / count;
            }
          }
        }
      });
      return Status::ok();
    };
    if (x.dtype() == DataType::kFloat32) return run.template operator()<float>();
    if (x.dtype() == DataType::kFloat64) return run.template operator()<double>();
    return error(StatusCode::kUnsupported, "RoiAlign: element type ", data_type_name(x.dtype()), " is not supported");
  }

 private:
  bool max_ = false;
  bool half_pixel_ = true;
  int64_t out_h_ = 1, out_w_ = 1, sampling_ = 0;
  float scale_ = 1.0f;
};

}  // namespace

PX_REGISTER_KERNEL("", "RoiAlign", 10, kMaxOpset, make_kernel<RoiAlignKernel>);

}  // namespace parallax
