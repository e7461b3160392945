// A cached oneDNN f32 matmul shared by Gemm and MatMul:
//   dst[..., M, N] = alpha * src[..., M, K] x wei[..., K, N] (+ bias) (+ residual) -> activation
// Operands are described by dims and element strides (so transposed inputs
// need no copy). One primitive per distinct problem, cached; constant
// weights come from a PackedWeights, which keeps one copy per layout.
#pragma once

#include <cstring>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <set>
#include <vector>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/packed_weights.h"

namespace parallax::dnnl_util {

struct MatmulProblem {
  dnnl::memory::dims a, a_strides, b, b_strides, bias, dst;  // bias empty = none
  dnnl::memory::dims dst_strides;                            // empty = plain row-major; strided dst takes no residual
  float alpha = 1.0f;

  std::vector<int64_t> key() const {
    std::vector<int64_t> k;
    for (const auto* v : {&a, &a_strides, &b, &b_strides, &bias, &dst, &dst_strides}) {
      k.push_back(static_cast<int64_t>(v->size()));
      k.insert(k.end(), v->begin(), v->end());
    }
    int32_t bits;
    std::memcpy(&bits, &alpha, sizeof bits);
    k.push_back(bits);
    return k;
  }
};

class CachedMatmul {
 public:
  // `weights`: constant B, packed on first use (null: B is read from `b` on
  // every call). The caller keeps it alive.
  void configure(FusedActivation act, PackedWeights* weights) {
    act_ = act;
    weights_ = weights;
  }

  // `residual` (may be null) has dst's plain layout. With packed weights `b` is not read.
  Status run(const MatmulProblem& p, const float* a, const float* b, const float* bias, float* dst,
             const float* residual) {
    using dnnl::memory;
    try {
      std::lock_guard<std::mutex> lock(mu_);
      auto& eng = cpu_engine();
      auto& s = cpu_stream();
      std::vector<int64_t> key = with_thread_count(p.key());
      if (failed_.count(key)) return error(StatusCode::kUnsupported, "oneDNN matmul refused this problem");
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        failed_.insert(key);  // cleared below once the primitive exists
        Entry e;
        e.a = memory::desc(p.a, memory::data_type::f32, p.a_strides);
        e.b = memory::desc(p.b, memory::data_type::f32, p.b_strides);
        e.dst = p.dst_strides.empty() ? plain_f32(p.dst) : memory::desc(p.dst, memory::data_type::f32, p.dst_strides);
        memory::desc w_md = weights_ ? memory::desc(p.b, memory::data_type::f32, memory::format_tag::any) : e.b;
        if (!p.bias.empty()) e.bias = plain_f32(p.bias);
        dnnl::primitive_attr attr;
        if (p.alpha != 1.0f) attr.set_output_scales(0, {p.alpha});
        dnnl::post_ops ops;
        act_.append_to(ops);
        attr.set_post_ops(ops);
        share_scratchpad(attr);
        auto desc =
            p.bias.empty() ? dnnl::matmul::desc(e.a, w_md, e.dst) : dnnl::matmul::desc(e.a, w_md, e.bias, e.dst);
        e.pd = dnnl::matmul::primitive_desc(desc, attr, eng);
        e.prim = dnnl::matmul(e.pd);
        if (weights_) e.packed = weights_->in_layout(e.pd.weights_desc());
        failed_.erase(key);
        make_room(cache_);
        it = cache_.emplace(std::move(key), std::move(e)).first;
      }
      Entry& e = it->second;
      memory am(e.a, eng, const_cast<float*>(a));
      memory dm(e.dst, eng, dst);
      memory wm = e.packed ? e.packed : memory(e.b, eng, const_cast<float*>(b));
      if (residual && residual != dst) std::memcpy(dst, residual, e.dst.get_size());
      std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, dm}};
      if (bias) args[DNNL_ARG_BIAS] = memory(e.bias, eng, const_cast<float*>(bias));
      add_scratchpad(e.pd, args);
      e.prim.execute(s, args);
      s.wait();
      return Status::ok();
    } catch (const std::exception& ex) {
      return from_exception(ex, "matmul");
    }
  }

 private:
  struct Entry {
    dnnl::memory::desc a, b, bias, dst;
    dnnl::matmul::primitive_desc pd;
    dnnl::matmul prim;
    dnnl::memory packed;
  };
  FusedActivation act_;
  PackedWeights* weights_ = nullptr;
  std::mutex mu_;
  std::map<std::vector<int64_t>, Entry> cache_;
  std::set<std::vector<int64_t>> failed_;  // problems oneDNN refused (use the portable path)
};

}  // namespace parallax::dnnl_util
