// A channels-last Conv whose only reader is an Add of a second tensor (the
// skip connection of residual networks) takes that tensor as a fourth input
// and adds it inside the convolution, as a oneDNN post-op, before its fused
// activation: the separate Add pass over the output and the Relu pass after
// it (fuse_conv_activation runs again after this pass) disappear.
//
// Shapes are not known here, so the Add may broadcast; the kernel handles a
// residual of another shape apart (kernels/cpu/nhwc_conv.cc).
#include "graph/passes/pass_util.h"

namespace parallax::passes {

size_t fuse_conv_residual(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& conv = g.nodes[i];
    if (conv.removed || conv.domain != "com.parallax" || conv.op_type != "NhwcConv") continue;
    // An activation already fused runs before the Add, not after it.
    if (conv.attrs.has("px_activation") || conv.attrs.has("px_residual")) continue;
    if (conv.num_explicit_inputs > 3 || conv.outputs.size() != 1 || !conv.outputs[0].valid()) continue;
    auto next = sole_consumer(g, conv.outputs[0]);
    if (!next) continue;
    Node& add = g.node(*next);
    if (add.removed || !add.domain.empty() || add.op_type != "Add" || add.num_explicit_inputs != 2 ||
        add.outputs.size() != 1 || !add.outputs[0].valid())
      continue;
    const bool conv_first = add.inputs[0] == conv.outputs[0];
    const ValueId residual = conv_first ? add.inputs[1] : add.inputs[0];
    // x + x, and constants (fold_conv_affine's business), stay as they are.
    if (!residual.valid() || residual == conv.outputs[0] || constant_of(g, residual)) continue;
    const DataType type = g.value(residual).dtype;
    if (type != DataType::kFloat32 && type != DataType::kUndefined) continue;  // the kernel checks the undeclared

    absorb_operand(g, conv, add, residual, 3, "px_residual");  // X, W, B (maybe absent), R
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
