#include "kernels/registry.h"

namespace parallax {

KernelRegistry& KernelRegistry::global() {
  static KernelRegistry registry;
  return registry;
}

void KernelRegistry::add(KernelDef def) { defs_.push_back(std::move(def)); }

const KernelDef* KernelRegistry::find(std::string_view domain, std::string_view op_type, int opset) const {
  // "ai.onnx" is an alias of the default domain.
  if (domain == "ai.onnx") domain = "";
  for (const KernelDef& def : defs_) {
    if (def.op_type == op_type && def.domain == domain && opset >= def.since_version && opset <= def.until_version)
      return &def;
  }
  return nullptr;
}

bool KernelRegistry::knows(std::string_view domain, std::string_view op_type) const {
  if (domain == "ai.onnx") domain = "";
  for (const KernelDef& def : defs_)
    if (def.op_type == op_type && def.domain == domain) return true;
  return false;
}

}  // namespace parallax
