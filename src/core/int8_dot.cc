#include "core/int8_dot.h"

#include <cstdint>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>

namespace parallax {

bool int8_dot_is_exact() {
#if defined(__x86_64__) || defined(__i386__)
  // oneDNN's own view of the CPU (it honours ONEDNN_MAX_CPU_ISA), read once.
  static const bool exact = [] {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    const auto has = [isa](dnnl::cpu_isa level) {
      const auto bits = static_cast<unsigned>(level);
      return (isa & bits) == bits;
    };
    return has(dnnl::cpu_isa::avx512_core_vnni) || has(dnnl::cpu_isa::avx2_vnni);
  }();
  return exact;
#else
  return true;
#endif
}

bool int8_weights_may_saturate(const Tensor& weights) {
  if (int8_dot_is_exact()) return false;
  if (weights.dtype() != DataType::kInt8) return true;
  const int8_t* w = weights.data<int8_t>();
  for (int64_t i = 0; i < weights.numel(); ++i)
    if (std::abs(int{w[i]}) > 64) return true;
  return false;
}

}  // namespace parallax
