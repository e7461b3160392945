// Kernel registry keyed by (domain, op type, opset range).
//
// Each kernel file registers itself; nothing central lists the ops:
//
//   class ReluKernel final : public OpKernel { ... };
//   PX_REGISTER_KERNEL("", "Relu", 1, kMaxOpset, ReluKernel::create);
//
// `create` receives the node (attributes, constant inputs) and returns the
// kernel or an error naming what is unsupported.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/op_kernel.h"

namespace parallax {

inline constexpr int kMaxOpset = 1000;

using KernelFactory = Result<std::unique_ptr<OpKernel>> (*)(const KernelCreateContext& ctx);

struct KernelDef {
  std::string domain;
  std::string op_type;
  int since_version = 1;
  int until_version = kMaxOpset;  // inclusive
  KernelFactory create = nullptr;
};

class KernelRegistry {
 public:
  static KernelRegistry& global();
  void add(KernelDef def);
  // The kernel for `op_type` in `domain` at `opset`, or null.
  const KernelDef* find(std::string_view domain, std::string_view op_type, int opset) const;
  // True if any opset of the op has a kernel (to tell "unsupported opset" from "unknown op").
  bool knows(std::string_view domain, std::string_view op_type) const;
  const std::vector<KernelDef>& all() const { return defs_; }

 private:
  std::vector<KernelDef> defs_;
};

struct KernelRegistrar {
  explicit KernelRegistrar(KernelDef def) { KernelRegistry::global().add(std::move(def)); }
};

// Helper for the common factory: construct T from the create context,
// where T has `static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext&)`.
}  // namespace parallax

#define PX_REGISTER_KERNEL(domain, op, since, until, factory)                          \
  static const ::parallax::KernelRegistrar PX_CONCAT(px_kernel_registrar_, __COUNTER__)( \
      ::parallax::KernelDef{domain, op, since, until, factory})
