#include "kernels/cpu/dnnl_util.h"

#include <omp.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "core/shape_arith.h"
#include "core/status_macros.h"

namespace parallax::dnnl_util {

void* thread_scratch(int slot, size_t bytes) {
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  struct Buffer {
    std::unique_ptr<void, Free> data;
    size_t size = 0;
  };
  thread_local Buffer buffers[4];
  Buffer& b = buffers[slot];
  if (bytes > b.size) {
    b.data.reset(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
    if (!b.data) throw std::bad_alloc();
    b.size = bytes;
  }
  return b.data.get();
}

void share_scratchpad(dnnl::primitive_attr& attr) {
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
}

void skip_amx_implementations(dnnl::primitive_desc& pd) {
  const auto is_amx = [](const dnnl::primitive_desc& d) {
    return std::string(d.impl_info_str()).find("amx") != std::string::npos;
  };
  if (!is_amx(pd)) return;
  dnnl::primitive_desc probe = pd;
  while (probe.next_impl()) {
    if (!is_amx(probe)) {
      pd = probe;
      return;
    }
  }
}

void add_scratchpad(const dnnl::primitive_desc_base& pd, std::unordered_map<int, dnnl::memory>& args) {
  const dnnl::memory::desc desc = pd.scratchpad_desc();
  const size_t bytes = desc.get_size();
  if (bytes > 0) args[DNNL_ARG_SCRATCHPAD] = dnnl::memory(desc, cpu_engine(), thread_scratch(2, bytes));
}

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

dnnl::memory::desc plain_f32(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<int64_t>(dims[i], 1);
  }
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

Status from_exception(const std::exception& e, const char* what) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr)
    return error(StatusCode::kResourceExhausted, "oneDNN ", what, ": out of memory");
  return error(StatusCode::kInternal, "oneDNN ", what, " failed: ", e.what());
}

Result<int64_t> right_padding(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation,
                              int64_t pad_begin) {
  PX_ASSIGN_OR_RETURN(int64_t reach, checked_mul(out - 1, stride));
  PX_ASSIGN_OR_RETURN(int64_t extent, checked_mul(kernel - 1, dilation));
  PX_ASSIGN_OR_RETURN(reach, checked_add(reach, extent));
  PX_ASSIGN_OR_RETURN(reach, checked_add(reach, 1 - in));
  int64_t pad_end = 0;
  if (__builtin_sub_overflow(reach, pad_begin, &pad_end))
    return error(StatusCode::kInvalidArgument, "size arithmetic overflows: ", reach, " - ", pad_begin);
  return pad_end;
}

Result<FusedActivation> FusedActivation::parse(const KernelCreateContext& ctx) {
  FusedActivation a;
  const Attributes& attrs = ctx.attrs();
  PX_ASSIGN_OR_RETURN(int64_t residual, attrs.get_int("px_residual", 0));
  a.residual = residual != 0;
  if (!attrs.has("px_activation")) return a;
  PX_ASSIGN_OR_RETURN(std::string name, attrs.get_string("px_activation"));
  PX_ASSIGN_OR_RETURN(std::vector<float> params, attrs.get_floats("px_activation_params", std::vector<float>{}));
  if (name == "Relu") {
    a.kind = Kind::kRelu;
  } else if (name == "Clip") {
    a.kind = Kind::kClip;
    a.alpha = params.size() > 0 ? params[0] : -INFINITY;
    a.beta = params.size() > 1 ? params[1] : INFINITY;
  } else if (name == "LeakyRelu") {
    a.kind = Kind::kLeakyRelu;
    a.alpha = params.size() > 0 ? params[0] : 0.01f;
  } else if (name == "Sigmoid") {
    a.kind = Kind::kSigmoid;
  } else if (name == "HardSwish") {
    a.kind = Kind::kHardSwish;
  } else if (name == "Tanh") {
    a.kind = Kind::kTanh;
  } else if (name == "Swish") {
    a.kind = Kind::kSwish;
  } else if (name == "Gelu") {
    a.kind = Kind::kGelu;
  } else if (name == "HardSigmoid") {
    a.kind = Kind::kHardSigmoid;
    a.alpha = params.size() > 0 ? params[0] : 0.2f;
    a.beta = params.size() > 1 ? params[1] : 0.5f;
  } else if (!name.empty()) {
    return error(StatusCode::kUnsupported, "attribute px_activation: unknown fused activation '", name, "'");
  }
  return a;
}

void FusedActivation::append_to(dnnl::post_ops& ops) const {
  using dnnl::algorithm;
  if (residual) ops.append_sum(1.0f);
  switch (kind) {
    case Kind::kNone: break;
    case Kind::kRelu: ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f); break;
    case Kind::kClip: ops.append_eltwise(1.0f, algorithm::eltwise_clip, alpha, beta); break;
    case Kind::kLeakyRelu: ops.append_eltwise(1.0f, algorithm::eltwise_relu, alpha, 0.0f); break;
    case Kind::kSigmoid: ops.append_eltwise(1.0f, algorithm::eltwise_logistic, 0.0f, 0.0f); break;
    case Kind::kHardSwish: ops.append_eltwise(1.0f, algorithm::eltwise_hardswish, 0.0f, 0.0f); break;
    case Kind::kTanh: ops.append_eltwise(1.0f, algorithm::eltwise_tanh, 0.0f, 0.0f); break;
    case Kind::kSwish: ops.append_eltwise(1.0f, algorithm::eltwise_swish, 1.0f, 0.0f); break;
    case Kind::kGelu: ops.append_eltwise(1.0f, algorithm::eltwise_gelu_erf, 0.0f, 0.0f); break;
    case Kind::kHardSigmoid:  // oneDNN 2.6 has no hardsigmoid: alpha x + beta, then clip to [0, 1]
      ops.append_eltwise(1.0f, algorithm::eltwise_linear, alpha, beta);
      ops.append_eltwise(1.0f, algorithm::eltwise_clip, 0.0f, 1.0f);
      break;
  }
}

std::vector<int64_t> with_thread_count(std::vector<int64_t> key) {
  key.push_back(omp_get_max_threads());
  return key;
}

}  // namespace parallax::dnnl_util
