#include "kernels/cpu/dnnl_int8_matmul.h"

#include <cstring>

namespace parallax::dnnl_util {

void Int8Matmul::hold(const Tensor& b, std::vector<float> b_scale, std::vector<float> bias, FusedActivation act,
                      WeightCache* cache) {
  act_ = act;
  k_ = b.dim(0);
  n_ = b.dim(1);
  b_scale_ = std::move(b_scale);
  if (b_scale_.size() == 1) b_scale_.assign(static_cast<size_t>(n_), b_scale_[0]);
  bias_ = std::move(bias);
  colsum_.assign(static_cast<size_t>(n_), 0);
  const int8_t* w = b.data<int8_t>();
  for (int64_t kk = 0; kk < k_; ++kk)
    for (int64_t j = 0; j < n_; ++j) colsum_[static_cast<size_t>(j)] += w[kk * n_ + j];
  dnnl::memory::desc plain({k_, n_}, dnnl::memory::data_type::s8, dnnl::memory::format_tag::ab);
  weights_.hold(b, plain, cache);
}

Status Int8Matmul::run(const uint8_t* a, int64_t rows, float a_scale, int32_t a_zp, float* y) {
  using dnnl::memory;
  if (rows == 0 || n_ == 0) return Status::ok();
  // Per-column scale and offset for this call's activation quantization.
  std::vector<float> scales(static_cast<size_t>(n_)), offset(static_cast<size_t>(n_));
  for (size_t j = 0; j < scales.size(); ++j) {
    scales[j] = a_scale * b_scale_[j];
    offset[j] =
        (bias_.empty() ? 0.0f : bias_[j]) - scales[j] * static_cast<float>(a_zp) * static_cast<float>(colsum_[j]);
  }
  try {
    std::lock_guard<std::mutex> lock(mu_);
    auto& eng = cpu_engine();
    auto& s = cpu_stream();
    std::vector<int64_t> key = with_thread_count({rows});
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      Entry e;
      memory::desc a_md({rows, k_}, memory::data_type::u8, memory::format_tag::ab);
      memory::desc w_md({k_, n_}, memory::data_type::s8, memory::format_tag::any);
      memory::desc y_md({rows, n_}, memory::data_type::f32, memory::format_tag::ab);
      dnnl::primitive_attr attr;
      // Scale and offset are binary post-ops, not output scales: oneDNN 2.6
      // has no VNNI (brgemm) kernel for run-time output scales and falls
      // back to a GEMM 8x slower.
      dnnl::post_ops ops;
      const memory::desc per_column({1, n_}, memory::data_type::f32, memory::format_tag::ab);
      ops.append_binary(dnnl::algorithm::binary_mul, per_column);
      ops.append_binary(dnnl::algorithm::binary_add, per_column);
      act_.append_to(ops);
      attr.set_post_ops(ops);
      share_scratchpad(attr);
      e.pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_md, w_md, y_md), attr, eng);
      e.prim = dnnl::matmul(e.pd);
      e.packed = weights_.in_layout(e.pd.weights_desc());
      make_room(cache_);
      it = cache_.emplace(std::move(key), std::move(e)).first;
    }
    Entry& e = it->second;
    memory am(e.pd.src_desc(), eng, const_cast<uint8_t*>(a));
    memory ym(e.pd.dst_desc(), eng, y);
    memory sm({{1, n_}, memory::data_type::f32, memory::format_tag::ab}, eng, scales.data());
    memory om({{1, n_}, memory::data_type::f32, memory::format_tag::ab}, eng, offset.data());
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, am},
                                            {DNNL_ARG_WEIGHTS, e.packed},
                                            {DNNL_ARG_DST, ym},
                                            {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, sm},
                                            {DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1, om}};
    add_scratchpad(e.pd, args);
    e.prim.execute(s, args);
    s.wait();
    return Status::ok();
  } catch (const std::exception& ex) {
    return from_exception(ex, "int8 matmul");
  }
}

}  // namespace parallax::dnnl_util
