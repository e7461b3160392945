// Channels-last pooling (com.parallax.NhwcMaxPool / NhwcAveragePool) on
// oneDNN: X and Y are [N, H, W, C]. Produced by the channels-last graph pass
// from 2-D MaxPool (without the Indices output) and AveragePool.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <mutex>

#include "core/status_macros.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/pool_util.h"
#include "kernels/kernel_util.h"

namespace parallax {

template <bool kMax>
class NhwcPoolKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<NhwcPoolKernel>();
    PX_ASSIGN_OR_RETURN(k->window_, WindowAttrs::parse(ctx.attrs(), true));
    if (k->window_.kernel.size() != 2) return error(StatusCode::kInvalidArgument, "NHWC pooling is 2-D only");
    if (!kMax) {
      PX_ASSIGN_OR_RETURN(int64_t cip, ctx.attrs().get_int("count_include_pad", 0));
      k->include_pad_ = cip != 0;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x));
    ctx.set_output(0, ctx.input_dtype(0), {x[0], g.out[0], g.out[1], x[3]});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    // Bytes: a QDQ MaxPool that graph/passes/fuse_qdq_max_pool.cc runs on its
    // quantized input (averages would need requantisation).
    const bool bytes = kMax && (x.dtype() == DataType::kUInt8 || x.dtype() == DataType::kInt8);
    if (x.dtype() != DataType::kFloat32 && !bytes)
      return error(StatusCode::kUnsupported, "NHWC pooling takes float32", kMax ? ", uint8 or int8" : "", ", got ",
                   data_type_name(x.dtype()));
    if (y.numel() == 0) return Status::ok();
    try {
      std::lock_guard<std::mutex> lock(mu_);
      Shape key = dnnl_util::with_thread_count(x.shape());
      key.push_back(static_cast<int64_t>(x.dtype()));
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x.shape()));
        PX_ASSIGN_OR_RETURN(Entry e, build(x.shape(), x.dtype(), g));
        dnnl_util::make_room(cache_);
        it = cache_.emplace(key, std::move(e)).first;
      }
      auto& [pd, prim] = it->second;
      auto& eng = dnnl_util::cpu_engine();
      dnnl::memory src(pd.src_desc(), eng, const_cast<void*>(x.raw()));
      dnnl::memory dst(pd.dst_desc(), eng, y.raw());
      prim.execute(dnnl_util::cpu_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
      dnnl_util::cpu_stream().wait();
      return Status::ok();
    } catch (const std::exception& ex) {
      return dnnl_util::from_exception(ex, "NHWC pooling");
    }
  }

 private:
  using Entry = std::pair<dnnl::pooling_v2_forward::primitive_desc, dnnl::pooling_v2_forward>;

  Result<WindowGeometry> geometry(const Shape& x) const {
    if (x.size() != 4) return error(StatusCode::kInvalidArgument, "X must be [N,H,W,C], got ", shape_to_string(x));
    return resolve_window(window_, {x[1], x[2]}, window_.kernel);
  }

  Result<Entry> build(const Shape& x, DataType type, const WindowGeometry& g) const {
    using dnnl::memory;
    memory::dims src = {x[0], x[3], x[1], x[2]}, dst = {x[0], x[3], g.out[0], g.out[1]};
    memory::dims strides(g.s.begin(), g.s.end()), kernel(g.k.begin(), g.k.end()), dil(2), pl(g.pb.begin(), g.pb.end()),
        pr(2);
    for (size_t i = 0; i < 2; ++i) {
      dil[i] = g.d[i] - 1;
      // Right padding that makes oneDNN's output size match (covers ceil_mode).
      PX_ASSIGN_OR_RETURN(pr[i], dnnl_util::right_padding(g.in[i], g.out[i], g.k[i], g.s[i], g.d[i], g.pb[i]));
    }
    const auto dt = type == DataType::kUInt8  ? memory::data_type::u8
                    : type == DataType::kInt8 ? memory::data_type::s8
                                              : memory::data_type::f32;
    auto alg = kMax ? dnnl::algorithm::pooling_max
                    : include_pad_ ? dnnl::algorithm::pooling_avg_include_padding
                                   : dnnl::algorithm::pooling_avg_exclude_padding;
    dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, alg,
                                        memory::desc(src, dt, memory::format_tag::nhwc),
                                        memory::desc(dst, dt, memory::format_tag::nhwc), strides, kernel, dil, pl, pr);
    dnnl::pooling_v2_forward::primitive_desc pd(desc, dnnl_util::cpu_engine());
    return Entry{pd, dnnl::pooling_v2_forward(pd)};
  }

  WindowAttrs window_;
  bool include_pad_ = false;
  std::mutex mu_;
  std::map<Shape, Entry> cache_;
};

}  // namespace parallax
