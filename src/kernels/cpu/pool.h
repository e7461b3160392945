// Shared implementation of the windowed pooling ops (MaxPool, AveragePool,
// LpPool) and the global ones. Spatial ranks 1-3 run through one 3-D loop
// nest (lower ranks get leading unit dims). float32 MaxPool (without the
// Indices output) and AveragePool go to oneDNN's pooling on the plain layout
// where its padding semantics match ONNX's; the loop nest covers the rest.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/dnnl_util.h"

#include "kernels/cpu/pool_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax::pool {

enum class Kind { kMax, kAverage, kLp };

// 3-D geometry padded from 1/2/3 spatial dims.
struct Geo3 {
  int64_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
};

inline Geo3 to_geo3(const WindowGeometry& g) {
  Geo3 r;
  size_t n = g.rank(), off = 3 - n;
  for (size_t i = 0; i < 3; ++i) {
    if (i < off) {
      r.in[i] = r.out[i] = r.k[i] = r.s[i] = r.d[i] = 1;
      r.pb[i] = r.pe[i] = 0;
    } else {
      size_t j = i - off;
      r.in[i] = g.in[j];
      r.out[i] = g.out[j];
      r.k[i] = g.k[j];
      r.s[i] = g.s[j];
      r.d[i] = g.d[j];
      r.pb[i] = g.pb[j];
      r.pe[i] = g.pe[j];
    }
  }
  return r;
}

class PoolKernel final : public OpKernel {
 public:
  PoolKernel(Kind kind) : kind_(kind) {}

  static Result<std::unique_ptr<OpKernel>> create_kind(const KernelCreateContext& ctx, Kind kind) {
    auto k = std::make_unique<PoolKernel>(kind);
    PX_ASSIGN_OR_RETURN(k->w_, WindowAttrs::parse(ctx.attrs(), true));
    if (kind == Kind::kMax) {
      if (ctx.opset() < 10 && k->w_.ceil_mode)
        return error(StatusCode::kInvalidArgument, "attribute ceil_mode needs opset 10");
      PX_ASSIGN_OR_RETURN(k->storage_order_, ctx.attrs().get_int("storage_order", 0));
      if (ctx.opset() < 8 && ctx.num_outputs() > 1)
        return error(StatusCode::kInvalidArgument, "MaxPool has an Indices output only from opset 8");
    }
    if (kind == Kind::kAverage) {
      PX_ASSIGN_OR_RETURN(int64_t cip, ctx.attrs().get_int("count_include_pad", 0));
      k->count_include_pad_ = cip != 0;
    }
    if (kind == Kind::kLp) {
      // p is a float attribute before opset 2 and an int after.
      const Attribute* p = ctx.attrs().find("p");
      if (p) k->p_ = p->kind == Attribute::Kind::kFloat ? p->f : static_cast<double>(p->i);
      else k->p_ = 2.0;
    }
    if (k->w_.kernel.size() < 1 || k->w_.kernel.size() > 3)
      return error(StatusCode::kUnsupported, "pooling supports 1 to 3 spatial dims, kernel_shape has ",
                   k->w_.kernel.size());
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Result<WindowGeometry> geometry(const Shape& x) const {
    if (x.size() != w_.kernel.size() + 2)
      return error(StatusCode::kInvalidArgument, "input rank ", x.size(), " does not match kernel_shape of ",
                   w_.kernel.size(), " dims");
    std::vector<int64_t> in(x.begin() + 2, x.end());
    return resolve_window(w_, in, w_.kernel);
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x));
    Shape y = {x[0], x[1]};
    y.insert(y.end(), g.out.begin(), g.out.end());
    ctx.set_output(0, ctx.input_dtype(0), y);
    if (ctx.has_output(1)) ctx.set_output(1, DataType::kInt64, y);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x.shape()));
    Geo3 geo = to_geo3(g);
    int64_t nc = x.dim(0) * x.dim(1);
    int64_t* idx = ctx.has_output(1) ? ctx.output(1).data<int64_t>() : nullptr;
    if (x.dtype() == DataType::kFloat32 && !idx && kind_ != Kind::kLp && y.numel() > 0 && x.numel() > 0 &&
        compute_dnnl(x, y, g).is_ok())
      return Status::ok();
    auto run = [&]<typename T>() -> Status {
      if (kind_ != Kind::kMax && !std::is_floating_point_v<T>)
        return error(StatusCode::kUnsupported, "element type ", data_type_name(x.dtype()), " is not supported here");
      pool_typed<T>(x.data<T>(), y.data<T>(), idx, nc, geo, ctx.num_threads());
      return Status::ok();
    };
    switch (x.dtype()) {
      case DataType::kFloat32: return run.template operator()<float>();
      case DataType::kFloat64: return run.template operator()<double>();
      case DataType::kInt8: return run.template operator()<int8_t>();
      case DataType::kUInt8: return run.template operator()<uint8_t>();
      default:
        return error(StatusCode::kUnsupported, "element type ", data_type_name(x.dtype()), " is not supported here");
    }
  }

 private:
  struct Entry {
    dnnl::pooling_v2_forward prim;
    dnnl::memory::desc src, dst;
  };

  Status compute_dnnl(const Tensor& x, Tensor& y, const WindowGeometry& g) {
    std::lock_guard<std::mutex> lock(mu_);
    const Shape key = dnnl_util::with_thread_count(x.shape());
    if (failed_.count(key)) return error(StatusCode::kUnsupported, "oneDNN pooling refused this shape");
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      failed_.insert(key);
      size_t n = g.rank();
      dnnl::memory::dims strides(n), kernel(n), dil(n), pl(n), pr(n);
      for (size_t i = 0; i < n; ++i) {
        strides[i] = g.s[i];
        kernel[i] = g.k[i];
        dil[i] = g.d[i] - 1;
        pl[i] = g.pb[i];
        auto right = dnnl_util::right_padding(g.in[i], g.out[i], g.k[i], g.s[i], g.d[i], g.pb[i]);
        if (!right.is_ok()) return error(StatusCode::kUnsupported, "right padding out of range");  // the loop nest runs
        pr[i] = right.value();
        if (pr[i] < 0) return error(StatusCode::kUnsupported, "negative right padding");
        // count_include_pad counts only the declared pads; ceil_mode may need more.
        if (kind_ == Kind::kAverage && count_include_pad_ && pr[i] > g.pe[i])
          return error(StatusCode::kUnsupported, "ceil_mode padding beyond pads");
      }
      try {
        Entry e;
        e.src = dnnl_util::plain_f32(dnnl_util::to_dims(x.shape()));
        e.dst = dnnl_util::plain_f32(dnnl_util::to_dims(y.shape()));
        dnnl::algorithm alg = kind_ == Kind::kMax ? dnnl::algorithm::pooling_max
                              : count_include_pad_ ? dnnl::algorithm::pooling_avg_include_padding
                                                   : dnnl::algorithm::pooling_avg_exclude_padding;
        dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, alg, e.src, e.dst, strides, kernel,
                                            dil, pl, pr);
        dnnl::pooling_v2_forward::primitive_desc pd(desc, dnnl_util::cpu_engine());
        e.prim = dnnl::pooling_v2_forward(pd);
        dnnl_util::make_room(cache_);
        it = cache_.emplace(key, std::move(e)).first;
      } catch (const std::exception& ex) {
        return dnnl_util::from_exception(ex, "pooling");
      }
      failed_.erase(key);
    }
    try {
      auto& eng = dnnl_util::cpu_engine();
      auto& s = dnnl_util::cpu_stream();
      dnnl::memory src(it->second.src, eng, const_cast<void*>(x.raw()));
      dnnl::memory dst(it->second.dst, eng, y.raw());
      it->second.prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
      s.wait();
    } catch (const std::exception& ex) {
      return dnnl_util::from_exception(ex, "pooling");
    }
    return Status::ok();
  }

  template <typename T>
  void pool_typed(const T* x, T* y, int64_t* idx, int64_t nc, const Geo3& g, int threads) const {
    const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
    const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
    const int64_t H = g.in[1], W = g.in[2], D = g.in[0];
    const Kind kind = kind_;
    const bool cip = count_include_pad_;
    const double p = p_;
    const bool colmajor = storage_order_ == 1;
    // Spatial rank for column-major index computation.
    parallel_for(threads, nc, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane, 1)), [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        const T* xp = x + c * in_plane;
        T* yp = y + c * out_plane;
        int64_t* ip = idx ? idx + c * out_plane : nullptr;
        int64_t o = 0;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          int64_t d0 = od * g.s[0] - g.pb[0];
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            int64_t h0 = oh * g.s[1] - g.pb[1];
            for (int64_t ow = 0; ow < g.out[2]; ++ow, ++o) {
              int64_t w0 = ow * g.s[2] - g.pb[2];
              if (kind == Kind::kMax) {
                T best = std::numeric_limits<T>::lowest();
                bool any = false;
                int64_t bi = -1;
                for (int64_t kd = 0; kd < g.k[0]; ++kd) {
                  int64_t id = d0 + kd * g.d[0];
                  if (id < 0 || id >= D) continue;
                  for (int64_t kh = 0; kh < g.k[1]; ++kh) {
                    int64_t ih = h0 + kh * g.d[1];
                    if (ih < 0 || ih >= H) continue;
                    const T* row = xp + (id * H + ih) * W;
                    for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                      int64_t iw = w0 + kw * g.d[2];
                      if (iw < 0 || iw >= W) continue;
                      T v = row[iw];
                      if (!any || v > best || (std::is_floating_point_v<T> && std::isnan(static_cast<double>(v)) && !std::isnan(static_cast<double>(best)))) {
                        best = v;
                        any = true;
                        bi = (id * H + ih) * W + iw;
                        if (ip && colmajor) bi = id + D * (ih + H * iw);
                      }
                    }
                  }
                }
                yp[o] = best;
                if (ip) ip[o] = c * in_plane + (bi < 0 ? 0 : bi);
              } else {
                double acc = 0;
                int64_t count = 0, padded_count = 0;
                for (int64_t kd = 0; kd < g.k[0]; ++kd) {
                  int64_t id = d0 + kd * g.d[0];
                  if (id < -g.pb[0] || id >= D + g.pe[0]) continue;
                  for (int64_t kh = 0; kh < g.k[1]; ++kh) {
                    int64_t ih = h0 + kh * g.d[1];
                    if (ih < -g.pb[1] || ih >= H + g.pe[1]) continue;
                    for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                      int64_t iw = w0 + kw * g.d[2];
                      if (iw < -g.pb[2] || iw >= W + g.pe[2]) continue;
                      ++padded_count;
                      if (id < 0 || id >= D || ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                      double v = static_cast<double>(xp[(id * H + ih) * W + iw]);
                      ++count;
                      if (kind == Kind::kAverage) acc += v;
                      else acc += p == 2.0 ? v * v : (p == 1.0 ? std::fabs(v) : std::pow(std::fabs(v), p));
                    }
                  }
                }
                if (kind == Kind::kAverage) {
                  int64_t div = cip ? padded_count : count;
                  yp[o] = static_cast<T>(div > 0 ? acc / static_cast<double>(div) : 0.0);
                } else {
                  yp[o] = static_cast<T>(p == 2.0 ? std::sqrt(acc) : (p == 1.0 ? acc : std::pow(acc, 1.0 / p)));
                }
              }
            }
          }
        }
      }
    });
  }

  Kind kind_;
  std::mutex mu_;
  std::map<Shape, Entry> cache_;
  std::set<Shape> failed_;  // shapes oneDNN refused (use the loop nest)
  WindowAttrs w_;
  int64_t storage_order_ = 0;
  bool count_include_pad_ = false;
  double p_ = 2.0;
};

// GlobalAveragePool / GlobalMaxPool / GlobalLpPool: reduce all spatial dims.
class GlobalPoolKernel final : public OpKernel {
 public:
  GlobalPoolKernel(Kind kind, double p) : kind_(kind), p_(p) {}

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    if (x.size() < 2) return error(StatusCode::kInvalidArgument, "input must have rank >= 2, got ", x.size());
    Shape y(x.size(), 1);
    y[0] = x[0];
    y[1] = x[1];
    ctx.set_output(0, ctx.input_dtype(0), y);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    int64_t nc = x.dim(0) * x.dim(1);
    int64_t plane = nc == 0 ? 0 : x.numel() / nc;
    auto run = [&]<typename T>() -> Status {
      const T* xp = x.data<T>();
      T* yp = ctx.output(0).data<T>();
      parallel_for(ctx.num_threads(), nc, std::max<int64_t>(1, 16384 / std::max<int64_t>(plane, 1)),
                   [&](int64_t b, int64_t e) {
                     for (int64_t c = b; c < e; ++c) {
                       const T* p = xp + c * plane;
                       if (kind_ == Kind::kMax) {
                         T m = plane > 0 ? p[0] : T(0);
                         for (int64_t i = 1; i < plane; ++i) m = p[i] > m ? p[i] : m;
                         yp[c] = m;
                       } else if (kind_ == Kind::kAverage) {
                         T s = 0;
                         for (int64_t i = 0; i < plane; ++i) s += p[i];
                         yp[c] = plane > 0 ? s / static_cast<T>(plane) : T(0);
                       } else {
                         double s = 0;
                         for (int64_t i = 0; i < plane; ++i) s += std::pow(std::fabs(static_cast<double>(p[i])), p_);
                         yp[c] = static_cast<T>(std::pow(s, 1.0 / p_));
                       }
                     }
                   });
      return Status::ok();
    };
    return visit_float(x.dtype(), run);
  }

 private:
  Kind kind_;
  double p_;
};

}  // namespace parallax::pool
