// Parallax's own op domain, and the fused forms of standard ops in it.
//
// A graph pass that gives a standard op an epilogue (graph/passes: an
// activation as a post-op, px_activation; a residual or bias input,
// px_residual / px_bias) moves the node into com.parallax under the same op
// type: com.parallax.Conv is ONNX Conv plus the epilogue its px_ attributes
// describe (kernels/cpu/dnnl_util.h). The px_ attributes exist only there:
// the loader refuses them on every other node, so a model file cannot reach
// a kernel's fused path, and a pass that matches the standard op by its
// domain never mistakes a fused node for a plain one.
//
//   make_fused(conv);                  // conv.domain: "" -> "com.parallax"
//   is_op_or_fused(conv, "Conv");      // true before and after
#pragma once

#include <string_view>

#include "graph/graph.h"

namespace parallax {

inline constexpr std::string_view kParallaxDomain = "com.parallax";

// The standard op `n` names, plain or fused.
inline bool is_op_or_fused(const Node& n, std::string_view op) {
  return !n.removed && (n.domain.empty() || n.domain == kParallaxDomain) && n.op_type == op;
}

// Marks `n`, which a pass has just given px_ attributes, as its op's fused
// form. Nodes already outside the standard domain (com.microsoft's
// QLinearAdd, Parallax's own ops) move too: the attributes are Parallax's.
inline void make_fused(Node& n) {
  n.domain = std::string(kParallaxDomain);
}

}  // namespace parallax
