#include "kernels/cpu/dnnl_int8_conv.h"

namespace parallax::dnnl_util {

namespace {

dnnl::memory::data_type dnnl_type(DataType t) {
  return t == DataType::kUInt8 ? dnnl::memory::data_type::u8 : dnnl::memory::data_type::s8;
}

}  // namespace

void Int8Conv::hold(const Tensor& w, const quant_detail::ConvAttrs& attrs, Int8ConvParams params, WeightCache* cache) {
  attrs_ = attrs;
  p_ = std::move(params);
  const int64_t grp = attrs.group, m = w.dim(0);
  using tag = dnnl::memory::format_tag;
  dnnl::memory::desc plain;
  if (grp == 1) {
    w_dims_ = {m, w.dim(1), w.dim(2), w.dim(3)};
    plain = dnnl::memory::desc(w_dims_, dnnl::memory::data_type::s8, tag::oihw);
  } else {
    w_dims_ = {grp, m / grp, w.dim(1), w.dim(2), w.dim(3)};
    plain = dnnl::memory::desc(w_dims_, dnnl::memory::data_type::s8, tag::goihw);
  }
  weights_.hold(w, plain, cache);
}

Status Int8Conv::run(const quant_detail::ConvGeom& g, const void* x, void* y) {
  using dnnl::memory;
  using tag = memory::format_tag;
  try {
    std::lock_guard<std::mutex> lock(mu_);
    auto& eng = cpu_engine();
    auto& s = cpu_stream();
    std::vector<int64_t> key = with_thread_count({g.N, g.C, g.in[0], g.in[1]});
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      Entry e;
      const memory::dims xd = {g.N, g.C, g.in[0], g.in[1]}, yd = {g.N, g.M, g.out[0], g.out[1]};
      const tag layout = p_.nhwc ? tag::nhwc : tag::nchw;
      e.x_plain = memory::desc(xd, dnnl_type(p_.x_type), layout);
      e.y_plain = memory::desc(yd, dnnl_type(p_.y_type), layout);
      memory::dims strides, dil, pad_l, pad_r;
      for (size_t i = 0; i < 2; ++i) {
        strides.push_back(g.stride[i]);
        dil.push_back(g.dil[i] - 1);
        pad_l.push_back(g.pad_begin[i]);
        PX_ASSIGN_OR_RETURN(int64_t pr,
                            right_padding(g.in[i], g.out[i], g.k[i], g.stride[i], g.dil[i], g.pad_begin[i]));
        pad_r.push_back(pr);
      }
      dnnl::primitive_attr attr;
      attr.set_output_scales(p_.scales.size() == 1 ? 0 : 1 << 1, p_.scales);
      if (p_.x_zp != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {p_.x_zp});
      if (p_.y_zp != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {p_.y_zp});
      dnnl::post_ops ops;
      p_.act.append_to(ops);
      attr.set_post_ops(ops);
      share_scratchpad(attr);
      const memory::desc x_any(xd, dnnl_type(p_.x_type), tag::any), y_any(yd, dnnl_type(p_.y_type), tag::any);
      const memory::desc w_any(w_dims_, memory::data_type::s8, tag::any);
      auto desc =
          p_.bias.empty()
              ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                                x_any, w_any, y_any, strides, dil, pad_l, pad_r)
              : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                                x_any, w_any, memory::desc({g.M}, memory::data_type::f32, tag::a),
                                                y_any, strides, dil, pad_l, pad_r);
      e.pd = dnnl::convolution_forward::primitive_desc(desc, attr, eng);
      if (g.k[0] == 1 && g.k[1] == 1) skip_amx_implementations(e.pd);
      e.prim = dnnl::convolution_forward(e.pd);
      e.packed = weights_.in_layout(e.pd.weights_desc());
      if (e.pd.src_desc() != e.x_plain)
        e.to_blocked = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e.x_plain, eng, e.pd.src_desc()));
      if (e.pd.dst_desc() != e.y_plain)
        e.to_plain = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e.pd.dst_desc(), eng, e.y_plain));
      make_room(cache_);
      it = cache_.emplace(std::move(key), std::move(e)).first;
    }
    Entry& e = it->second;
    // Activations in the primitive's layout, through this thread's scratch.
    memory xm(e.x_plain, eng, const_cast<void*>(x)), ym(e.y_plain, eng, y);
    memory xb = xm, yb = ym;
    if (e.to_blocked) {
      xb = memory(e.pd.src_desc(), eng, thread_scratch(0, e.pd.src_desc().get_size()));
      e.to_blocked.execute(s, xm, xb);
    }
    if (e.to_plain) yb = memory(e.pd.dst_desc(), eng, thread_scratch(1, e.pd.dst_desc().get_size()));
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, xb}, {DNNL_ARG_WEIGHTS, e.packed}, {DNNL_ARG_DST, yb}};
    if (!p_.bias.empty()) args[DNNL_ARG_BIAS] = memory({{g.M}, memory::data_type::f32, tag::a}, eng, p_.bias.data());
    add_scratchpad(e.pd, args);
    e.prim.execute(s, args);
    if (e.to_plain) e.to_plain.execute(s, yb, ym);
    s.wait();
    return Status::ok();
  } catch (const std::exception& ex) {
    return from_exception(ex, "int8 convolution");
  }
}

}  // namespace parallax::dnnl_util
