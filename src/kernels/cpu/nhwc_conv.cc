// com.parallax.NhwcConv: a 2-D float32 Conv whose X and Y are channels-last
// ([N, H, W, C]); W stays in ONNX's [M, C/group, kH, kW]. The channels-last
// graph pass (graph/passes/channels_last.cc) turns Conv into this op so that
// activations stay NHWC between convolutions: oneDNN runs NHWC directly, with
// no reorder of the activations per op (a plain-NCHW Conv pays one in and
// one out, see conv.cc). Attributes are Conv's, plus the fused-activation
// hook of dnnl_util.h. With px_residual (graph/passes/fuse_conv_residual.cc)
// a fourth input R is added to the convolution before the activation.
#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <mutex>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/move_util.h"
#include "kernels/cpu/packed_weights.h"
#include "kernels/cpu/pool_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

using dnnl::memory;

class NhwcConvKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<NhwcConvKernel>();
    PX_ASSIGN_OR_RETURN(k->window_, WindowAttrs::parse(ctx.attrs(), false));
    PX_ASSIGN_OR_RETURN(k->group_, ctx.attrs().get_int("group", 1));
    PX_ASSIGN_OR_RETURN(k->act_, dnnl_util::FusedActivation::parse(ctx));
    if (k->act_.residual != ctx.has_input(kResidual))
      return error(StatusCode::kInvalidArgument, "NhwcConv: input R (", kResidual, ") and px_residual go together");
    const Tensor* w = ctx.constant_input(1);
    if (!w || w->rank() != 4 || w->dtype() != DataType::kFloat32)
      return error(StatusCode::kInvalidArgument, "NhwcConv needs constant float32 4-D weights");
    if (k->group_ <= 0 || w->dim(0) % k->group_ != 0)
      return error(StatusCode::kInvalidArgument, "NhwcConv: group ", k->group_, " does not divide ", w->dim(0));
    k->w_shape_ = w->shape();
    k->weights_.hold(*w, memory::desc(k->oihw_dims(), memory::data_type::f32,
                                      k->group_ > 1 ? memory::format_tag::goihw : memory::format_tag::oihw),
                     ctx.weight_cache());
    if (ctx.has_input(2)) {
      const Tensor* b = ctx.constant_input(2);
      if (!b || b->numel() != w->dim(0) || b->dtype() != DataType::kFloat32)
        return error(StatusCode::kInvalidArgument, "NhwcConv needs a constant float32 bias of ", w->dim(0), " values");
      k->b_ = *b;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    PX_ASSIGN_OR_RETURN(Shape y, conv_output_shape(ctx.input_shape(0)));
    if (act_.residual) {
      if (ctx.input_dtype(kResidual) != DataType::kFloat32)
        return error(StatusCode::kInvalidArgument, "NhwcConv: the residual input must be float32, not ",
                     data_type_name(ctx.input_dtype(kResidual)));
      PX_ASSIGN_OR_RETURN(y, broadcast_shapes(y, ctx.input_shape(kResidual)));
    }
    ctx.set_output(0, DataType::kFloat32, std::move(y));
    return Status::ok();
  }

  bool holds_constant(size_t input) const override { return input == 1; }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return Status::ok();
    const Tensor* r = act_.residual ? &ctx.input(kResidual) : nullptr;
    PX_ASSIGN_OR_RETURN(Shape conv_shape, conv_output_shape(x.shape()));
    // The residual joins as oneDNN's sum post-op, which adds to what the
    // destination holds: R is copied there first. A residual that broadcasts
    // either way (the graph pass cannot see shapes) is added after the
    // convolution.
    const bool residual_post_op = r == nullptr || (r->shape() == conv_shape && y.shape() == conv_shape);
    if (r && residual_post_op && r->raw() != y.raw()) {
      const auto bytes = static_cast<int64_t>(y.nbytes());
      move::copy_rows(y.raw(), bytes, r->raw(), bytes, 1, bytes, ctx.num_threads());
    }
    try {
      PX_ASSIGN_OR_RETURN(Entry * e, entry(x.shape(), residual_post_op));
      void* conv_out = y.raw();
      if (!residual_post_op) conv_out = dnnl_util::thread_scratch(0, e->pd.dst_desc().get_size());
      run(*e, x.raw(), conv_out);
      if (!residual_post_op) return add_broadcast_residual(static_cast<const float*>(conv_out), conv_shape, *r, y);
      return Status::ok();
    } catch (const std::exception& ex) {
      return dnnl_util::from_exception(ex, "NHWC convolution");
    }
  }

 private:
  struct Entry {
    dnnl::convolution_forward::primitive_desc pd;
    dnnl::convolution_forward prim;
    memory weights, bias;
  };

  static constexpr size_t kResidual = 3;

  Result<Shape> conv_output_shape(const Shape& x) const {
    PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x));
    return Shape{x[0], g.out[0], g.out[1], w_shape_[0]};
  }

  // The primitive for input shape `x` and this thread count; `post_ops`:
  // with the residual sum and activation, else a plain convolution.
  Result<Entry*> entry(const Shape& x, bool post_ops) {
    std::lock_guard<std::mutex> lock(mu_);
    Shape key = dnnl_util::with_thread_count(x);
    key.push_back(post_ops ? 1 : 0);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      PX_ASSIGN_OR_RETURN(WindowGeometry g, geometry(x));
      PX_ASSIGN_OR_RETURN(Entry e, build(x, g, post_ops));
      dnnl_util::make_room(cache_);
      it = cache_.emplace(key, std::move(e)).first;
    }
    return &it->second;
  }

  void run(Entry& e, const void* x, void* y) {
    auto& eng = dnnl_util::cpu_engine();
    auto& s = dnnl_util::cpu_stream();
    memory src(e.pd.src_desc(), eng, const_cast<void*>(x));
    memory dst(e.pd.dst_desc(), eng, y);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, e.weights}, {DNNL_ARG_DST, dst}};
    if (e.bias) args[DNNL_ARG_BIAS] = e.bias;
    dnnl_util::add_scratchpad(e.pd, args);
    e.prim.execute(s, args);
    s.wait();
  }

  // y = activation(conv + R) with R broadcast to y, conv of its own shape.
  Status add_broadcast_residual(const float* conv, const Shape& conv_shape, const Tensor& r, Tensor& y) const {
    PX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(y.shape(), {conv_shape, r.shape()}));
    const float* rp = r.data<float>();
    float* out = y.data<float>();
    const int64_t ca = plan.inner_step(0), cb = plan.inner_step(1);
    plan.for_each_segment<2>(0, plan.numel(), [&](int64_t o, const std::array<int64_t, 2>& in, int64_t len) {
      for (int64_t i = 0; i < len; ++i) out[o + i] = conv[in[0] + i * ca] + rp[in[1] + i * cb];
      act_.apply(out + o, len);
    });
    return Status::ok();
  }

  memory::dims oihw_dims() const {
    const int64_t m = w_shape_[0];
    return group_ > 1 ? memory::dims{group_, m / group_, w_shape_[1], w_shape_[2], w_shape_[3]}
                      : memory::dims{m, w_shape_[1], w_shape_[2], w_shape_[3]};
  }

  Result<WindowGeometry> geometry(const Shape& x) const {
    if (x.size() != 4) return error(StatusCode::kInvalidArgument, "NhwcConv: X must be [N,H,W,C], got ", shape_to_string(x));
    // group is an unbounded attribute: W's channels times group is checked.
    auto channels = checked_mul(w_shape_[1], group_);
    if (!channels.is_ok())
      return error(StatusCode::kInvalidArgument, "NhwcConv: group ", group_, " overflows W ",
                   shape_to_string(w_shape_));
    if (x[3] != channels.value())
      return error(StatusCode::kInvalidArgument, "NhwcConv: X has ", x[3], " channels, W ", shape_to_string(w_shape_),
                   " with group ", group_, " expects ", channels.value());
    std::vector<int64_t> kernel = {w_shape_[2], w_shape_[3]};
    if (kernel[0] < 1 || kernel[1] < 1)
      return error(StatusCode::kInvalidArgument, "NhwcConv: W ", shape_to_string(w_shape_),
                   " has an empty kernel dim");
    if (!window_.kernel.empty() && window_.kernel != kernel)
      return error(StatusCode::kInvalidArgument, "NhwcConv: kernel_shape does not match W");
    return resolve_window(window_, {x[1], x[2]}, kernel);
  }

  Result<Entry> build(const Shape& x, const WindowGeometry& g, bool with_post_ops) {
    auto& eng = dnnl_util::cpu_engine();
    const int64_t m = w_shape_[0];
    memory::dims src = {x[0], x[3], x[1], x[2]}, dst = {x[0], m, g.out[0], g.out[1]};
    memory::dims wd = oihw_dims();
    memory::dims strides(g.s.begin(), g.s.end()), dil(2), pl(g.pb.begin(), g.pb.end()), pr(2);
    for (size_t i = 0; i < 2; ++i) {
      dil[i] = g.d[i] - 1;
      PX_ASSIGN_OR_RETURN(pr[i], dnnl_util::right_padding(g.in[i], g.out[i], g.k[i], g.s[i], g.d[i], g.pb[i]));
    }
    const auto f32 = memory::data_type::f32;
    memory::desc src_md(src, f32, memory::format_tag::nhwc), dst_md(dst, f32, memory::format_tag::nhwc);
    memory::desc w_md(wd, f32, memory::format_tag::any);
    dnnl::primitive_attr attr;
    dnnl::post_ops ops;
    if (with_post_ops) act_.append_to(ops);
    attr.set_post_ops(ops);
    dnnl_util::share_scratchpad(attr);
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto alg = dnnl::algorithm::convolution_direct;
    auto desc = b_.empty()
                    ? dnnl::convolution_forward::desc(prop, alg, src_md, w_md, dst_md, strides, dil, pl, pr)
                    : dnnl::convolution_forward::desc(prop, alg, src_md, w_md, memory::desc({m}, f32, memory::format_tag::x),
                                                      dst_md, strides, dil, pl, pr);
    Entry e;
    e.pd = dnnl::convolution_forward::primitive_desc(desc, attr, eng);
    e.prim = dnnl::convolution_forward(e.pd);
    e.weights = weights_.in_layout(e.pd.weights_desc());
    if (!b_.empty()) e.bias = memory(e.pd.bias_desc(), eng, const_cast<void*>(b_.raw()));
    return e;
  }

  WindowAttrs window_;
  int64_t group_ = 1;
  dnnl_util::FusedActivation act_;
  Shape w_shape_;
  dnnl_util::PackedWeights weights_;
  Tensor b_;
  std::mutex mu_;  // one run at a time may build the per-shape cache
  std::map<Shape, Entry> cache_;
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "NhwcConv", 1, kMaxOpset, make_kernel<NhwcConvKernel>);

}  // namespace parallax
