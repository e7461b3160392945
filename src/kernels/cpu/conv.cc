// Conv (opsets 1-17): 1-D/2-D/3-D, groups (incl. depthwise), dilations,
// strides, explicit pads or auto_pad, optional bias, and the fused-activation
// hook (px_activation / px_residual, see dnnl_util.h).
//
// float32 runs on oneDNN: one primitive per input shape, cached in the
// kernel; constant weights are reordered once into the primitive's preferred
// (blocked) format; bias and the fused activation are folded in. Other types
// (float64) take a portable direct loop.
//
// Layout choice. Activations arrive in plain NCHW; oneDNN can either run on
// that layout directly or pick its own (format_tag::any, usually nChw16c on
// AVX-512) with reorders in and out. Measured on the build machine (Xeon with
// AVX-512, oneDNN 2.6, 1 thread because the 2 shared cores were loaded; ms per
// run through the kernel, N=1, min of 40 runs; fp32, bias fused):
//   shape                                   plain nchw   any + reorders
//   3x3   64->64  56x56 pad 1                  2.38          1.46
//   3x3  128->128 56x56 stride 2 pad 1         2.30          1.49
//   7x7    3->64 224x224 stride 2 pad 3        3.34          1.68
//   1x1  256->64  56x56                        0.63          1.03
//   1x1   64->256 56x56                        0.71          1.06
//   dw3x3 32      112x112 pad 1                2.14          0.40
//   dw3x3 96      112x112 stride 2 pad 1       2.75          1.03
// So pointwise (1x1, stride 1, no pad, group 1) convs stay plain (oneDNN runs
// them as one GEMM, and reorders would cost more than they save); all others
// use the blocked layout picked by oneDNN.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/packed_weights.h"
#include "kernels/cpu/pool_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {


using dnnl::memory;
using dnnl_util::FusedActivation;

bool use_blocked_layout(const WindowGeometry& g, int64_t group) {
  if (group != 1) return true;
  for (size_t i = 0; i < g.rank(); ++i)
    if (g.k[i] != 1 || g.s[i] != 1 || g.pb[i] != 0 || g.pe[i] != 0) return true;
  return false;  // pointwise
}

class ConvKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ConvKernel>();
    PX_ASSIGN_OR_RETURN(k->w_, WindowAttrs::parse(ctx.attrs(), false));
    PX_ASSIGN_OR_RETURN(k->group_, ctx.attrs().get_int("group", 1));
    if (k->group_ <= 0) return error(StatusCode::kInvalidArgument, "attribute group must be positive");
    PX_ASSIGN_OR_RETURN(k->act_, FusedActivation::parse(ctx));
    size_t n = ctx.num_inputs();
    if (n < 2) return error(StatusCode::kInvalidArgument, "Conv needs inputs X and W");
    if (k->act_.residual) {
      if (n < 3) return error(StatusCode::kInvalidArgument, "px_residual set but no residual input");
      k->residual_index_ = static_cast<int>(n - 1);
      k->has_bias_ = n >= 4 && ctx.has_input(2);
    } else {
      k->has_bias_ = n >= 3 && ctx.has_input(2);
    }
    // Constant float weights (1-3 spatial dims, the oneDNN path) are kept
    // packed, in oneDNN's grouped dims when group > 1.
    const Tensor* w = ctx.constant_input(1);
    if (w && w->dtype() == DataType::kFloat32 && w->rank() >= 3 && w->rank() <= 5 && w->dim(0) % k->group_ == 0)
      k->weights_.hold(*w, dnnl_util::plain_f32(k->oihw_dims(w->shape())), ctx.weight_cache());
    if (k->has_bias_)
      if (const Tensor* b = ctx.constant_input(2)) k->const_b_ = *b;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  // W's dims as oneDNN reads them: [G, O/G, I/G, k...] when grouped.
  memory::dims oihw_dims(const Shape& w) const {
    memory::dims wd;
    if (group_ > 1) {
      wd = {group_, w[0] / group_, w[1]};
    } else {
      wd = {w[0], w[1]};
    }
    wd.insert(wd.end(), w.begin() + 2, w.end());
    return wd;
  }

  Result<WindowGeometry> geometry(const Shape& x, const Shape& w) const {
    if (x.size() < 3) return error(StatusCode::kInvalidArgument, "X must have rank >= 3, got ", shape_to_string(x));
    if (w.size() != x.size())
      return error(StatusCode::kInvalidArgument, "W rank ", w.size(), " does not match X rank ", x.size());
    // group is an unbounded attribute: W's channels times group is checked.
    auto channels = checked_mul(w[1], group_);
    if (!channels.is_ok())
      return error(StatusCode::kInvalidArgument, "attribute group ", group_, " overflows W ", shape_to_string(w));
    if (x[1] != channels.value())
      return error(StatusCode::kInvalidArgument, "X has ", x[1], " channels but W ", shape_to_string(w), " with group ",
                   group_, " expects ", channels.value());
    if (w[0] % group_ != 0)
      return error(StatusCode::kInvalidArgument, "W's ", w[0], " output channels are not divisible by group ", group_);
    std::vector<int64_t> in(x.begin() + 2, x.end()), k(w.begin() + 2, w.end());
    // An empty kernel dim would make the window extent (k - 1) * dilation + 1
    // negative, and the output size arithmetic unbounded.
    for (int64_t kd : k)
      if (kd < 1) return error(StatusCode::kInvalidArgument, "W ", shape_to_string(w), " has an empty kernel dim");
    if (!w_.kernel.empty() && w_.kernel != k)
      return error(StatusCode::kInvalidArgument, "attribute kernel_shape does not match W ", shape_to_string(w));
    return resolve_window(w_, in, k);
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    const Shape& w = ctx.input_shape(1);
    PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x, w));
    Shape y = {x[0], w[0]};
    y.insert(y.end(), g.out.begin(), g.out.end());
    ctx.set_output(0, ctx.input_dtype(0), y);
    return Status::ok();
  }

  bool holds_constant(size_t input) const override { return input == 1 && weights_.held(); }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    Tensor& y = ctx.output(0);
    const Tensor* b = has_bias_ ? &ctx.input(2) : nullptr;
    const Tensor* r = residual_index_ >= 0 ? &ctx.input(static_cast<size_t>(residual_index_)) : nullptr;
    PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x.shape(), w.shape()));
    if (b && (b->rank() != 1 || b->dim(0) != w.dim(0)))
      return error(StatusCode::kInvalidArgument, "B must have shape [", w.dim(0), "], got ", shape_to_string(b->shape()));
    if (r && r->shape() != y.shape())
      return error(StatusCode::kInvalidArgument, "residual input shape ", shape_to_string(r->shape()),
                   " does not match the output ", shape_to_string(y.shape()));
    if (x.dtype() != w.dtype() || (b && b->dtype() != x.dtype()) || (r && r->dtype() != x.dtype()))
      return error(StatusCode::kInvalidArgument, "X, W, B (and the residual) must share one element type");
    if (y.numel() == 0) return Status::ok();
    if (x.dtype() == DataType::kFloat32 && g.rank() <= 3 && x.numel() > 0) {
      Status s = compute_dnnl(ctx, x, w, b, r, y, g);
      if (s.is_ok()) return s;
      // Unusual geometry oneDNN refuses: the portable loop handles it.
    }
    if (weights_.held()) {
      PX_ASSIGN_OR_RETURN(Tensor plain, weights_.plain());
      return compute_ref<float>(x, plain, b, r, y, g);
    }
    switch (x.dtype()) {
      case DataType::kFloat32: return compute_ref<float>(x, w, b, r, y, g);
      case DataType::kFloat64: return compute_ref<double>(x, w, b, r, y, g);
      default:
        return error(StatusCode::kUnsupported, "Conv element type ", data_type_name(x.dtype()), " is not supported");
    }
  }

 private:
  struct Entry {
    dnnl::convolution_forward prim;
    dnnl::convolution_forward::primitive_desc pd;
    memory packed_w;  // prepacked constant weights (empty when W is not constant)
    memory bias;      // bias in plain layout
    bool src_reorder = false, dst_reorder = false, w_reorder = false;
    memory::desc user_src, user_dst, user_w;
  };

  Status build(const Tensor& x, const Tensor& w, const Tensor* b, const WindowGeometry& g, Entry& e) {
    auto& eng = dnnl_util::cpu_engine();
    memory::dims src = dnnl_util::to_dims(x.shape());
    memory::dims dst = {x.dim(0), w.dim(0)};
    dst.insert(dst.end(), g.out.begin(), g.out.end());
    memory::dims wd = oihw_dims(w.shape());
    memory::dims strides(g.s.begin(), g.s.end()), dil(g.rank()), pl(g.pb.begin(), g.pb.end()),
        pr(g.pe.begin(), g.pe.end());
    for (size_t i = 0; i < g.rank(); ++i) {
      dil[i] = g.d[i] - 1;
      // oneDNN wants the right padding that makes its output formula exact.
      PX_ASSIGN_OR_RETURN(pr[i], dnnl_util::right_padding(g.in[i], g.out[i], g.k[i], g.s[i], g.d[i], g.pb[i]));
    }
    e.user_src = dnnl_util::plain_f32(src);
    e.user_dst = dnnl_util::plain_f32(dst);
    e.user_w = dnnl_util::plain_f32(wd);
    bool blocked = use_blocked_layout(g, group_);
    memory::desc src_md = blocked ? memory::desc(src, memory::data_type::f32, memory::format_tag::any) : e.user_src;
    memory::desc dst_md = blocked ? memory::desc(dst, memory::data_type::f32, memory::format_tag::any) : e.user_dst;
    memory::desc w_md(wd, memory::data_type::f32, memory::format_tag::any);
    memory::desc b_md = b ? dnnl_util::plain_f32({w.dim(0)}) : memory::desc();
    dnnl::primitive_attr attr;
    dnnl::post_ops ops;
    act_.append_to(ops);
    attr.set_post_ops(ops);
    dnnl_util::share_scratchpad(attr);
    auto desc = b ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                    dnnl::algorithm::convolution_direct, src_md, w_md, b_md, dst_md,
                                                    strides, dil, pl, pr)
                  : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                    dnnl::algorithm::convolution_direct, src_md, w_md, dst_md,
                                                    strides, dil, pl, pr);
    e.pd = dnnl::convolution_forward::primitive_desc(desc, attr, eng);
    e.prim = dnnl::convolution_forward(e.pd);
    e.src_reorder = e.pd.src_desc() != e.user_src;
    e.dst_reorder = e.pd.dst_desc() != e.user_dst;
    e.w_reorder = e.pd.weights_desc() != e.user_w;
    if (weights_.held()) e.packed_w = weights_.in_layout(e.pd.weights_desc());
    if (b && !const_b_.empty()) e.bias = memory(b_md, eng, const_cast<void*>(const_b_.raw()));
    return Status::ok();
  }

  Status compute_dnnl(ComputeContext& ctx, const Tensor& x, const Tensor& w, const Tensor* b, const Tensor* r,
                      Tensor& y, const WindowGeometry& g) {
    try {
      std::lock_guard<std::mutex> lock(mu_);
      Shape key = x.shape();
      if (!weights_.held()) key.insert(key.end(), w.shape().begin(), w.shape().end());
      key = dnnl_util::with_thread_count(std::move(key));
      if (failed_.count(key)) return error(StatusCode::kUnsupported, "oneDNN refused this shape");
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        Entry e;
        failed_.insert(key);  // erased once the primitive exists
        PX_RETURN_IF_ERROR(build(x, w, b, g, e));
        failed_.erase(key);
        dnnl_util::make_room(cache_);
        it = cache_.emplace(key, std::move(e)).first;
      }
      Entry& e = it->second;
      auto& eng = dnnl_util::cpu_engine();
      auto& s = dnnl_util::cpu_stream();
      memory src(e.user_src, eng, const_cast<void*>(x.raw()));
      memory dst(e.user_dst, eng, y.raw());
      memory wm = e.packed_w;
      if (!wm) {
        memory user(e.user_w, eng, const_cast<void*>(w.raw()));
        if (e.w_reorder) {
          wm = memory(e.pd.weights_desc(), eng);
          dnnl::reorder(user, wm).execute(s, user, wm);
        } else {
          wm = user;
        }
      }
      memory src_use = src, dst_use = dst;
      // Blocked copies live for this call only: per-thread scratch, not per
      // cached shape (which held hundreds of MB of them in a 3-D CNN).
      if (e.src_reorder) {
        src_use = memory(e.pd.src_desc(), eng, dnnl_util::thread_scratch(0, e.pd.src_desc().get_size()));
        dnnl::reorder(src, src_use).execute(s, src, src_use);
      }
      if (e.dst_reorder) dst_use = memory(e.pd.dst_desc(), eng, dnnl_util::thread_scratch(1, e.pd.dst_desc().get_size()));
      if (r) {
        memory rm(e.user_dst, eng, const_cast<void*>(r->raw()));
        if (e.dst_reorder) dnnl::reorder(rm, dst_use).execute(s, rm, dst_use);
        else if (r->raw() != y.raw()) std::memcpy(y.raw(), r->raw(), y.nbytes());
      }
      std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src_use}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, dst_use}};
      if (b) args[DNNL_ARG_BIAS] = e.bias ? e.bias : memory(e.pd.bias_desc(), eng, const_cast<void*>(b->raw()));
      dnnl_util::add_scratchpad(e.pd, args);
      e.prim.execute(s, args);
      if (e.dst_reorder) dnnl::reorder(dst_use, dst).execute(s, dst_use, dst);
      s.wait();
      (void)ctx;
      return Status::ok();
    } catch (const std::exception& ex) {
      return dnnl_util::from_exception(ex, "convolution");
    }
  }

  template <typename T>
  Status compute_ref(const Tensor& x, const Tensor& w, const Tensor* b, const Tensor* r, Tensor& y,
                     const WindowGeometry& g0) const {
    // Pad geometry to 3-D.
    int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1},
            p[3] = {0, 0, 0};
    size_t off = 3 - g0.rank();
    if (g0.rank() > 3) return error(StatusCode::kUnsupported, "Conv supports 1 to 3 spatial dims");
    for (size_t i = 0; i < g0.rank(); ++i) {
      in[off + i] = g0.in[i];
      out[off + i] = g0.out[i];
      k[off + i] = g0.k[i];
      s[off + i] = g0.s[i];
      d[off + i] = g0.d[i];
      p[off + i] = g0.pb[i];
    }
    const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = group_, Cg = C / G, Mg = M / G;
    const int64_t in_plane = in[0] * in[1] * in[2], out_plane = out[0] * out[1] * out[2], kvol = k[0] * k[1] * k[2];
    const T* xp = x.data<T>();
    const T* wp = w.data<T>();
    const T* bp = b ? b->data<T>() : nullptr;
    const T* rp = r ? r->data<T>() : nullptr;
    T* yp = y.data<T>();
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m) {
        int64_t gi = m / Mg;
        T* yo = yp + (n * M + m) * out_plane;
        for (int64_t o = 0; o < out_plane; ++o) yo[o] = bp ? bp[m] : T(0);
        for (int64_t c = 0; c < Cg; ++c) {
          const T* xi = xp + (n * C + gi * Cg + c) * in_plane;
          const T* wk = wp + (m * Cg + c) * kvol;
          for (int64_t od = 0; od < out[0]; ++od)
            for (int64_t oh = 0; oh < out[1]; ++oh)
              for (int64_t ow = 0; ow < out[2]; ++ow) {
                T acc = 0;
                for (int64_t kd = 0; kd < k[0]; ++kd) {
                  int64_t id = od * s[0] - p[0] + kd * d[0];
                  if (id < 0 || id >= in[0]) continue;
                  for (int64_t kh = 0; kh < k[1]; ++kh) {
                    int64_t ih = oh * s[1] - p[1] + kh * d[1];
                    if (ih < 0 || ih >= in[1]) continue;
                    for (int64_t kw = 0; kw < k[2]; ++kw) {
                      int64_t iw = ow * s[2] - p[2] + kw * d[2];
                      if (iw < 0 || iw >= in[2]) continue;
                      acc += xi[(id * in[1] + ih) * in[2] + iw] * wk[(kd * k[1] + kh) * k[2] + kw];
                    }
                  }
                }
                yo[(od * out[1] + oh) * out[2] + ow] += acc;
              }
        }
        if (rp)
          for (int64_t o = 0; o < out_plane; ++o) yo[o] += rp[(n * M + m) * out_plane + o];
        act_.apply(yo, out_plane);
      }
    return Status::ok();
  }

  WindowAttrs w_;
  int64_t group_ = 1;
  FusedActivation act_;
  bool has_bias_ = false;
  int residual_index_ = -1;
  dnnl_util::PackedWeights weights_;
  Tensor const_b_;
  std::mutex mu_;
  std::map<Shape, Entry> cache_;
  std::set<Shape> failed_;  // shapes oneDNN refused (use the portable path)
};

}  // namespace

PX_REGISTER_KERNEL("", "Conv", 1, kMaxOpset, make_kernel<ConvKernel>);
// The fused form (graph/fused_ops.h): the same op with the epilogue its px_ attributes name.
PX_REGISTER_KERNEL("com.parallax", "Conv", 1, kMaxOpset, make_kernel<ConvKernel>);

}  // namespace parallax
