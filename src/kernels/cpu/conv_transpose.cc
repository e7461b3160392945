// ConvTranspose (opsets 1-17): strides, dilations, pads / auto_pad,
// output_padding, output_shape, groups, optional bias; fused activation hook
// as for Conv (px_activation / px_residual).
//
// float32 runs on oneDNN's deconvolution (primitive cached per input shape,
// constant weights prepacked); shapes it refuses (e.g. negative effective
// padding from output_shape) and float64 use a portable scatter loop.
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <set>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/dnnl_matmul.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/pool_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

using dnnl::memory;
using dnnl_util::FusedActivation;

// On plain NCHW, oneDNN 2.x runs deconvolution as a GEMM (x64:gemm:jit):
// maskrcnn's mask head (100 regions, 256 -> 256 channels, 14x14 -> 28x28)
// took 960 ms that way. Left to choose its layouts it takes its direct JIT
// kernel; the images then pass through in chunks whose blocked copies
// (source and result) take at most this many bytes of a thread's scratch.
constexpr size_t kChunkBytes = size_t{8} << 20;

// floor(a / 2), for any int64 a.
int64_t floor_half(int64_t a) {
  return a / 2 - (a % 2 < 0 ? 1 : 0);
}

struct TGeo {
  int64_t channels = 0;  // output channels, W[1] * group
  std::vector<int64_t> in, out, k, s, d, pb;
  size_t rank() const { return in.size(); }
};

class ConvTransposeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ConvTransposeKernel>();
    PX_ASSIGN_OR_RETURN(k->w_, WindowAttrs::parse(ctx.attrs(), false));
    PX_ASSIGN_OR_RETURN(k->group_, ctx.attrs().get_int("group", 1));
    if (k->group_ <= 0) return error(StatusCode::kInvalidArgument, "attribute group must be positive");
    PX_ASSIGN_OR_RETURN(k->output_padding_, ctx.attrs().get_ints("output_padding", std::vector<int64_t>{}));
    PX_ASSIGN_OR_RETURN(k->output_shape_, ctx.attrs().get_ints("output_shape", std::vector<int64_t>{}));
    PX_ASSIGN_OR_RETURN(k->act_, FusedActivation::parse(ctx));
    size_t n = ctx.num_inputs();
    if (n < 2) return error(StatusCode::kInvalidArgument, "ConvTranspose needs inputs X and W");
    if (k->act_.residual) {
      if (n < 3) return error(StatusCode::kInvalidArgument, "px_residual set but no residual input");
      k->residual_index_ = static_cast<int>(n - 1);
      k->has_bias_ = n >= 4 && ctx.has_input(2);
    } else {
      k->has_bias_ = n >= 3 && ctx.has_input(2);
    }
    if (const Tensor* w = ctx.constant_input(1)) k->const_w_ = *w;
    if (k->has_bias_)
      if (const Tensor* b = ctx.constant_input(2)) k->const_b_ = *b;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Result<TGeo> geometry(const Shape& x, const Shape& w) const {
    if (x.size() < 3) return error(StatusCode::kInvalidArgument, "X must have rank >= 3, got ", shape_to_string(x));
    if (w.size() != x.size())
      return error(StatusCode::kInvalidArgument, "W rank ", w.size(), " does not match X rank ", x.size());
    if (x[1] != w[0])
      return error(StatusCode::kInvalidArgument, "X has ", x[1], " channels but W ", shape_to_string(w), " expects ",
                   w[0]);
    if (w[0] % group_ != 0)
      return error(StatusCode::kInvalidArgument, "W's ", w[0], " input channels are not divisible by group ", group_);
    size_t n = x.size() - 2;
    TGeo g;
    auto channels = checked_mul(w[1], group_);
    if (!channels.is_ok())
      return error(StatusCode::kInvalidArgument, "attribute group ", group_, " overflows W ", shape_to_string(w));
    g.channels = channels.value();
    g.in.assign(x.begin() + 2, x.end());
    g.k.assign(w.begin() + 2, w.end());
    if (!w_.kernel.empty() && w_.kernel != g.k)
      return error(StatusCode::kInvalidArgument, "attribute kernel_shape does not match W ", shape_to_string(w));
    g.s = w_.strides.empty() ? std::vector<int64_t>(n, 1) : w_.strides;
    g.d = w_.dilations.empty() ? std::vector<int64_t>(n, 1) : w_.dilations;
    std::vector<int64_t> op = output_padding_.empty() ? std::vector<int64_t>(n, 0) : output_padding_;
    if (g.s.size() != n || g.d.size() != n || op.size() != n)
      return error(StatusCode::kInvalidArgument, "strides / dilations / output_padding must have ", n, " values");
    std::vector<int64_t> os = output_shape_;
    if (os.size() == n + 2) os.erase(os.begin(), os.begin() + 2);
    if (!os.empty() && os.size() != n)
      return error(StatusCode::kInvalidArgument, "attribute output_shape must have ", n, " values");
    bool same = w_.auto_pad == "SAME_UPPER" || w_.auto_pad == "SAME_LOWER";
    g.out.assign(n, 0);
    g.pb.assign(n, 0);
    if (!w_.pads.empty() && w_.pads.size() != 2 * n)
      return error(StatusCode::kInvalidArgument, "attribute pads must have ", 2 * n, " values");
    // The attributes are unbounded values from the model: check their signs,
    // bound output_shape by the admission limit and check the arithmetic.
    for (int64_t p : w_.pads)
      if (p < 0) return error(StatusCode::kInvalidArgument, "attribute pads must be >= 0, got ", p);
    for (int64_t p : op)
      if (p < 0) return error(StatusCode::kInvalidArgument, "attribute output_padding must be >= 0, got ", p);
    for (int64_t o : os)
      if (o < 0 || o > kMaxShapeExtent)
        return error(StatusCode::kInvalidArgument, "attribute output_shape value ", o, " is out of range");
    for (size_t i = 0; i < n; ++i) {
      PX_ASSIGN_OR_RETURN(int64_t ek, checked_mul(g.k[i] - 1, g.d[i]));
      PX_ASSIGN_OR_RETURN(ek, checked_add(ek, 1));
      PX_ASSIGN_OR_RETURN(int64_t full, checked_mul(g.s[i], g.in[i] - 1));
      PX_ASSIGN_OR_RETURN(full, checked_add(full, op[i]));
      PX_ASSIGN_OR_RETURN(full, checked_add(full, ek));
      if (!os.empty() || same) {
        if (!os.empty()) {
          g.out[i] = os[i];
        } else {
          PX_ASSIGN_OR_RETURN(g.out[i], checked_mul(g.in[i], g.s[i]));
        }
        PX_ASSIGN_OR_RETURN(int64_t total, checked_add(full, -g.out[i]));
        g.pb[i] = w_.auto_pad == "SAME_UPPER" ? floor_half(total) : total - floor_half(total);
      } else {
        int64_t pb = w_.pads.empty() || w_.auto_pad == "VALID" ? 0 : w_.pads[i];
        int64_t pe = w_.pads.empty() || w_.auto_pad == "VALID" ? 0 : w_.pads[i + n];
        g.pb[i] = pb;
        PX_ASSIGN_OR_RETURN(int64_t pads, checked_add(pb, pe));
        PX_ASSIGN_OR_RETURN(g.out[i], checked_add(full, -pads));
      }
      if (g.out[i] < 0) return error(StatusCode::kInvalidArgument, "ConvTranspose output size would be negative");
    }
    return g;
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    const Shape& w = ctx.input_shape(1);
    PX_ASSIGN_OR_RETURN(TGeo g, geometry(x, w));
    Shape y = {x[0], g.channels};
    y.insert(y.end(), g.out.begin(), g.out.end());
    ctx.set_output(0, ctx.input_dtype(0), y);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    Tensor& y = ctx.output(0);
    const Tensor* b = has_bias_ ? &ctx.input(2) : nullptr;
    const Tensor* r = residual_index_ >= 0 ? &ctx.input(static_cast<size_t>(residual_index_)) : nullptr;
    PX_ASSIGN_OR_RETURN(TGeo g, geometry(x.shape(), w.shape()));
    int64_t M = g.channels;
    if (b && (b->rank() != 1 || b->dim(0) != M))
      return error(StatusCode::kInvalidArgument, "B must have shape [", M, "], got ", shape_to_string(b->shape()));
    if (r && r->shape() != y.shape())
      return error(StatusCode::kInvalidArgument, "residual input shape ", shape_to_string(r->shape()),
                   " does not match the output ", shape_to_string(y.shape()));
    if (x.dtype() != w.dtype() || (b && b->dtype() != x.dtype()) || (r && r->dtype() != x.dtype()))
      return error(StatusCode::kInvalidArgument, "X, W, B (and the residual) must share one element type");
    if (y.numel() == 0) return Status::ok();
    if (x.dtype() == DataType::kFloat32 && tiles_output(x, g) && x.numel() > 0) {
      Status s = compute_tiles(x, w, b, r, y, g, ctx.num_threads());
      if (s.is_ok()) return s;
    }
    if (x.dtype() == DataType::kFloat32 && g.rank() <= 3 && x.numel() > 0) {
      Status s = compute_dnnl(x, w, b, r, y, g);
      if (s.is_ok()) return s;
    }
    switch (x.dtype()) {
      case DataType::kFloat32: return compute_ref<float>(x, w, b, r, y, g);
      case DataType::kFloat64: return compute_ref<double>(x, w, b, r, y, g);
      default:
        return error(StatusCode::kUnsupported, "ConvTranspose element type ", data_type_name(x.dtype()),
                     " is not supported");
    }
  }

 private:
  struct Entry {
    dnnl::deconvolution_forward prim;
    dnnl::deconvolution_forward::primitive_desc pd;
    memory packed_w, bias;
    bool w_reorder = false;
    memory::desc user_src, user_dst, user_w;
  };

  // `xs`: the shape of the images one execution takes (a chunk of x's batch).
  void build(const Shape& xs, const Tensor& w, const Tensor* b, const TGeo& g, Entry& e) {
    auto& eng = dnnl_util::cpu_engine();
    int64_t G = group_, IC = xs[1], OC = w.dim(1) * G, icg = IC / G, ocg = w.dim(1);
    int64_t kvol = 1;
    for (int64_t k : g.k) kvol *= k;
    memory::dims src = dnnl_util::to_dims(xs);
    memory::dims dst = {xs[0], OC};
    dst.insert(dst.end(), g.out.begin(), g.out.end());
    // ONNX W is [G, IC/G, OC/G, k...]; oneDNN's logical order is (g, oc, ic, k...).
    memory::dims wd, ws;
    if (G > 1) {
      wd = {G, ocg, icg};
      ws = {icg * ocg * kvol, kvol, ocg * kvol};
    } else {
      wd = {ocg, icg};
      ws = {kvol, ocg * kvol};
    }
    std::vector<int64_t> ks = strides_of(g.k);
    wd.insert(wd.end(), g.k.begin(), g.k.end());
    ws.insert(ws.end(), ks.begin(), ks.end());
    memory::dims strides(g.s.begin(), g.s.end()), dil(g.rank()), pl(g.pb.begin(), g.pb.end()), pr(g.rank());
    for (size_t i = 0; i < g.rank(); ++i) {
      dil[i] = g.d[i] - 1;
      // The transposed window: input and output sizes trade places (in range: compute_dnnl checked it).
      pr[i] = dnnl_util::right_padding(g.out[i], g.in[i], g.k[i], g.s[i], g.d[i], g.pb[i]).value();
    }
    e.user_src = dnnl_util::plain_f32(src);
    e.user_dst = dnnl_util::plain_f32(dst);
    e.user_w = memory::desc(wd, memory::data_type::f32, ws);
    memory::desc w_md(wd, memory::data_type::f32, memory::format_tag::any);
    memory::desc src_md(src, memory::data_type::f32, memory::format_tag::any);
    memory::desc dst_md(dst, memory::data_type::f32, memory::format_tag::any);
    memory::desc b_md = b ? dnnl_util::plain_f32({OC}) : memory::desc();
    dnnl::primitive_attr attr;
    dnnl::post_ops ops;
    act_.append_to(ops);
    attr.set_post_ops(ops);
    dnnl_util::share_scratchpad(attr);
    auto desc =
        b ? dnnl::deconvolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                              src_md, w_md, b_md, dst_md, strides, dil, pl, pr)
          : dnnl::deconvolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                              src_md, w_md, dst_md, strides, dil, pl, pr);
    e.pd = dnnl::deconvolution_forward::primitive_desc(desc, attr, eng);
    e.prim = dnnl::deconvolution_forward(e.pd);
    e.w_reorder = e.pd.weights_desc() != e.user_w;
    if (!const_w_.empty()) {
      memory user(e.user_w, eng, const_cast<void*>(const_w_.raw()));
      if (e.w_reorder) {
        e.packed_w = memory(e.pd.weights_desc(), eng);
        dnnl::reorder(user, e.packed_w).execute(dnnl_util::cpu_stream(), user, e.packed_w);
        dnnl_util::cpu_stream().wait();
      } else {
        e.packed_w = user;
      }
    }
    if (b && !const_b_.empty()) e.bias = memory(b_md, eng, const_cast<void*>(const_b_.raw()));
  }

  // Kernel equal to stride, no padding or dilation, one group (the 2x2,
  // stride 2 upsampling of mask heads, U-Nets and text detectors): each input
  // pixel writes its own kh x kw tile of the output, so the whole operator is
  // one matrix product, tiles[OC*kh*kw, HW] = W^T[OC*kh*kw, IC] x X[IC, HW]
  // per image, and a copy that puts each tile in place. oneDNN's deconvolution
  // took 5-8x longer than this on those shapes (see kChunkBytes).
  bool tiles_output(const Tensor& x, const TGeo& g) const {
    if (group_ != 1 || g.rank() != 2 || x.rank() != 4) return false;
    for (size_t i = 0; i < 2; ++i)
      if (g.k[i] != g.s[i] || g.d[i] != 1 || g.pb[i] != 0 || g.out[i] != g.in[i] * g.s[i]) return false;
    return true;
  }

  Status compute_tiles(const Tensor& x, const Tensor& w, const Tensor* b, const Tensor* r, Tensor& y, const TGeo& g,
                       int threads) {
    const int64_t N = x.dim(0), IC = x.dim(1), H = g.in[0], W = g.in[1], kh = g.k[0], kw = g.k[1];
    const int64_t OC = g.channels, M = OC * kh * kw, HW = H * W, OW = W * kw;
    const size_t tiles_image = static_cast<size_t>(M * HW) * sizeof(float);
    const int64_t chunk = std::clamp<int64_t>(static_cast<int64_t>(kChunkBytes / tiles_image), 1, N);
    const float* wp = (const_w_.empty() ? w : const_w_).data<float>();
    const float* bp = b ? b->data<float>() : nullptr;
    for (int64_t n0 = 0; n0 < N; n0 += chunk) {
      const int64_t nb = std::min(chunk, N - n0);
      float* tiles = static_cast<float*>(dnnl_util::thread_scratch(0, tiles_image * static_cast<size_t>(nb)));
      dnnl_util::MatmulProblem p;
      p.a = {1, M, IC};  // W [IC, OC*kh*kw] read transposed
      p.a_strides = {M * IC, 1, M};
      p.b = {nb, IC, HW};
      p.b_strides = {IC * HW, HW, 1};
      p.dst = {nb, M, HW};
      PX_RETURN_IF_ERROR(tiles_mm_.run(p, wp, x.data<float>() + n0 * IC * HW, nullptr, tiles, nullptr));
      // Row (n, oc, h, i) of the output interleaves the kw tile rows (oc, i, j) of image n.
      const int64_t rows = nb * OC * H * kh;
      float* yp = y.data<float>() + n0 * OC * H * kh * OW;
      const float* rp = r ? r->data<float>() + n0 * OC * H * kh * OW : nullptr;
      parallel_for(threads, rows, 16, [&](int64_t lo, int64_t hi) {
        for (int64_t row = lo; row < hi; ++row) {
          const int64_t i = row % kh, h = row / kh % H, oc = row / (kh * H) % OC, n = row / (kh * H * OC);
          const float* t = tiles + (n * M + oc * kh * kw + i * kw) * HW + h * W;
          float* out = yp + row * OW;
          const float bias = bp ? bp[oc] : 0.0f;
          for (int64_t j = 0; j < kw; ++j, t += HW)
            for (int64_t c = 0; c < W; ++c) out[c * kw + j] = t[c] + bias;
          if (rp)
            for (int64_t c = 0; c < OW; ++c) out[c] += rp[row * OW + c];
          act_.apply(out, OW);
        }
      });
    }
    return Status::ok();
  }

  // The cached primitive for images of shape `xs` (mu_ held).
  Result<Entry*> entry(const Shape& xs, const Tensor& w, const Tensor* b, const TGeo& g) {
    Shape key = xs;
    if (const_w_.empty()) key.insert(key.end(), w.shape().begin(), w.shape().end());
    key = dnnl_util::with_thread_count(std::move(key));
    if (failed_.count(key)) return error(StatusCode::kUnsupported, "oneDNN refused this shape");
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      Entry e;
      failed_.insert(key);  // erased once the primitive exists
      build(xs, w, b, g, e);
      failed_.erase(key);
      dnnl_util::make_room(cache_);
      it = cache_.emplace(key, std::move(e)).first;
    }
    return &it->second;
  }

  Status compute_dnnl(const Tensor& x, const Tensor& w, const Tensor* b, const Tensor* r, Tensor& y, const TGeo& g) {
    for (size_t i = 0; i < g.rank(); ++i) {
      auto pr = dnnl_util::right_padding(g.out[i], g.in[i], g.k[i], g.s[i], g.d[i], g.pb[i]);
      if (g.pb[i] < 0 || !pr.is_ok() || pr.value() < 0) return error(StatusCode::kUnsupported, "negative padding");
    }
    try {
      std::lock_guard<std::mutex> lock(mu_);
      auto& eng = dnnl_util::cpu_engine();
      auto& s = dnnl_util::cpu_stream();
      const int64_t N = x.dim(0);
      const size_t x_image = x.nbytes() / static_cast<size_t>(N), y_image = y.nbytes() / static_cast<size_t>(N);
      const int64_t chunk = std::clamp<int64_t>(static_cast<int64_t>(kChunkBytes / (x_image + y_image)), 1, N);
      if (r && r->raw() != y.raw()) std::memcpy(y.raw(), r->raw(), y.nbytes());
      for (int64_t n0 = 0; n0 < N; n0 += chunk) {
        Shape xs = x.shape();
        xs[0] = std::min(chunk, N - n0);
        PX_ASSIGN_OR_RETURN(Entry * found, entry(xs, w, b, g));
        Entry& e = *found;
        memory src(e.user_src, eng, const_cast<char*>(static_cast<const char*>(x.raw()) + n0 * x_image));
        memory dst(e.user_dst, eng, static_cast<char*>(y.raw()) + n0 * y_image);
        // The primitive's own layouts live in the thread's scratch for this call only.
        if (e.pd.src_desc() != e.user_src) {
          memory blocked(e.pd.src_desc(), eng, dnnl_util::thread_scratch(0, e.pd.src_desc().get_size()));
          dnnl::reorder(src, blocked).execute(s, src, blocked);
          src = blocked;
        }
        memory out = dst;
        if (e.pd.dst_desc() != e.user_dst) {
          out = memory(e.pd.dst_desc(), eng, dnnl_util::thread_scratch(1, e.pd.dst_desc().get_size()));
          if (r) dnnl::reorder(dst, out).execute(s, dst, out);  // the residual, which the sum post-op adds to
        }
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
        std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, out}};
        if (b) args[DNNL_ARG_BIAS] = e.bias ? e.bias : memory(e.pd.bias_desc(), eng, const_cast<void*>(b->raw()));
        dnnl_util::add_scratchpad(e.pd, args);
        e.prim.execute(s, args);
        if (out != dst) dnnl::reorder(out, dst).execute(s, out, dst);
        s.wait();
      }
      return Status::ok();
    } catch (const std::exception& ex) {
      return dnnl_util::from_exception(ex, "deconvolution");
    }
  }

  template <typename T>
  Status compute_ref(const Tensor& x, const Tensor& w, const Tensor* b, const Tensor* r, Tensor& y,
                     const TGeo& g0) const {
    if (g0.rank() > 3) return error(StatusCode::kUnsupported, "ConvTranspose supports 1 to 3 spatial dims");
    int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1},
            p[3] = {0, 0, 0};
    size_t off = 3 - g0.rank();
    for (size_t i = 0; i < g0.rank(); ++i) {
      in[off + i] = g0.in[i];
      out[off + i] = g0.out[i];
      k[off + i] = g0.k[i];
      s[off + i] = g0.s[i];
      d[off + i] = g0.d[i];
      p[off + i] = g0.pb[i];
    }
    const int64_t N = x.dim(0), C = x.dim(1), G = group_, Cg = C / G, Mg = w.dim(1), M = Mg * G;
    const int64_t in_plane = in[0] * in[1] * in[2], out_plane = out[0] * out[1] * out[2], kvol = k[0] * k[1] * k[2];
    const T* xp = x.data<T>();
    const T* wp = w.data<T>();
    const T* bp = b ? b->data<T>() : nullptr;
    T* yp = y.data<T>();
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m) {
        int64_t gi = m / Mg, mm = m % Mg;
        T* yo = yp + (n * M + m) * out_plane;
        for (int64_t o = 0; o < out_plane; ++o) yo[o] = bp ? bp[m] : T(0);
        for (int64_t c = 0; c < Cg; ++c) {
          const T* xi = xp + (n * C + gi * Cg + c) * in_plane;
          const T* wk = wp + ((gi * Cg + c) * Mg + mm) * kvol;
          for (int64_t id = 0; id < in[0]; ++id)
            for (int64_t ih = 0; ih < in[1]; ++ih)
              for (int64_t iw = 0; iw < in[2]; ++iw) {
                T v = xi[(id * in[1] + ih) * in[2] + iw];
                for (int64_t kd = 0; kd < k[0]; ++kd) {
                  int64_t od = id * s[0] + kd * d[0] - p[0];
                  if (od < 0 || od >= out[0]) continue;
                  for (int64_t kh = 0; kh < k[1]; ++kh) {
                    int64_t oh = ih * s[1] + kh * d[1] - p[1];
                    if (oh < 0 || oh >= out[1]) continue;
                    for (int64_t kw = 0; kw < k[2]; ++kw) {
                      int64_t ow = iw * s[2] + kw * d[2] - p[2];
                      if (ow < 0 || ow >= out[2]) continue;
                      yo[(od * out[1] + oh) * out[2] + ow] += v * wk[(kd * k[1] + kh) * k[2] + kw];
                    }
                  }
                }
              }
        }
        if (r) {
          const T* rp = r->data<T>() + (n * M + m) * out_plane;
          for (int64_t o = 0; o < out_plane; ++o) yo[o] += rp[o];
        }
        act_.apply(yo, out_plane);
      }
    return Status::ok();
  }

  WindowAttrs w_;
  int64_t group_ = 1;
  std::vector<int64_t> output_padding_, output_shape_;
  FusedActivation act_;
  dnnl_util::CachedMatmul tiles_mm_;  // compute_tiles' product, no post-ops
  bool has_bias_ = false;
  int residual_index_ = -1;
  Tensor const_w_, const_b_;
  std::mutex mu_;
  std::map<Shape, Entry> cache_;
  std::set<Shape> failed_;  // shapes oneDNN refused (use the portable path)
};

}  // namespace

PX_REGISTER_KERNEL("", "ConvTranspose", 1, kMaxOpset, make_kernel<ConvTransposeKernel>);
// The fused form (graph/fused_ops.h): the same op with the epilogue its px_ attributes name.
PX_REGISTER_KERNEL("com.parallax", "ConvTranspose", 1, kMaxOpset, make_kernel<ConvTransposeKernel>);

}  // namespace parallax
