#include "kernels/cpu/dnnl_int8_qmatmul.h"

namespace parallax::dnnl_util {

namespace {

dnnl::memory::data_type dnnl_type(DataType t) {
  return t == DataType::kUInt8 ? dnnl::memory::data_type::u8 : dnnl::memory::data_type::s8;
}

}  // namespace

void Int8QMatmul::hold(const Tensor& b, Int8QMatmulParams params, WeightCache* cache) {
  p_ = std::move(params);
  k_ = b.dim(0);
  n_ = b.dim(1);
  // The folded bias in int64 then float: exact while below 2^24, which a
  // K of a few thousand keeps it; past that it rounds like the accumulator.
  std::vector<int64_t> folded(static_cast<size_t>(n_), 0);
  const int8_t* w = b.data<int8_t>();
  for (int64_t kk = 0; kk < k_; ++kk)
    for (int64_t j = 0; j < n_; ++j) folded[static_cast<size_t>(j)] += w[kk * n_ + j];
  bias_.resize(folded.size());
  for (size_t j = 0; j < folded.size(); ++j)
    bias_[j] = static_cast<float>((p_.bias.empty() ? 0 : int64_t{p_.bias[j]}) - int64_t{p_.a_zp} * folded[j]);
  dnnl::memory::desc plain({k_, n_}, dnnl::memory::data_type::s8, dnnl::memory::format_tag::ab);
  weights_.hold(b, plain, cache);
}

Status Int8QMatmul::run(const void* a, int64_t rows, void* y) {
  using dnnl::memory;
  if (rows == 0 || n_ == 0) return Status::ok();
  try {
    std::lock_guard<std::mutex> lock(mu_);
    auto& eng = cpu_engine();
    auto& s = cpu_stream();
    std::vector<int64_t> key = with_thread_count({rows});
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      Entry e;
      memory::desc a_md({rows, k_}, dnnl_type(p_.a_type), memory::format_tag::ab);
      memory::desc w_md({k_, n_}, memory::data_type::s8, memory::format_tag::any);
      memory::desc b_md({1, n_}, memory::data_type::f32, memory::format_tag::ab);
      memory::desc y_md({rows, n_}, dnnl_type(p_.y_type), memory::format_tag::ab);
      dnnl::primitive_attr attr;
      // oneDNN 2.x adds the bias to the accumulator before the output scales.
      attr.set_output_scales(p_.scales.size() == 1 ? 0 : 1 << 1, p_.scales);
      dnnl::post_ops ops;
      p_.act.append_to(ops);
      if (p_.y_zp != 0) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f, static_cast<float>(p_.y_zp));
      attr.set_post_ops(ops);
      share_scratchpad(attr);
      e.pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_md, w_md, b_md, y_md), attr, eng);
      e.prim = dnnl::matmul(e.pd);
      e.packed = weights_.in_layout(e.pd.weights_desc());
      make_room(cache_);
      it = cache_.emplace(std::move(key), std::move(e)).first;
    }
    Entry& e = it->second;
    memory am(e.pd.src_desc(), eng, const_cast<void*>(a));
    memory ym(e.pd.dst_desc(), eng, y);
    memory bm(e.pd.bias_desc(), eng, bias_.data());
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, e.packed}, {DNNL_ARG_BIAS, bm}, {DNNL_ARG_DST, ym}};
    add_scratchpad(e.pd, args);
    e.prim.execute(s, args);
    s.wait();
    return Status::ok();
  } catch (const std::exception& ex) {
    return from_exception(ex, "int8 quantized matmul");
  }
}

}  // namespace parallax::dnnl_util
