// Conv (or ConvTranspose) followed by an elementwise activation becomes one
// Conv with the activation applied as a oneDNN post-op: one pass over the
// output instead of two. The fused node carries attributes the Conv kernels
// read (see kernels/cpu/dnnl_util.h): px_activation, px_activation_params.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

size_t fuse_conv_activation(Graph& g) {  // and BatchNormalization
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& conv = g.nodes[i];
    if (conv.removed) continue;
    // NhwcConv: after fuse_conv_residual, the activation behind the skip connection's Add.
    const bool nhwc_conv = conv.domain == "com.parallax" && conv.op_type == "NhwcConv";
    if (!conv.domain.empty() && !nhwc_conv) continue;
    // Inference BatchNormalization that could not fold into a Conv (after a
    // Concat, DenseNet) takes the activation in its own loop.
    const bool batch_norm = conv.op_type == "BatchNormalization" && conv.attrs.get_int("training_mode", 0).is_ok() &&
                            conv.attrs.get_int("training_mode", 0).value() == 0;
    if (conv.op_type != "Conv" && conv.op_type != "ConvTranspose" && !batch_norm && !nhwc_conv) continue;
    if (conv.attrs.has("px_activation") || conv.outputs.empty() || !conv.outputs[0].valid()) continue;
    bool extra_outputs = false;
    for (size_t o = 1; o < conv.outputs.size(); ++o) extra_outputs |= conv.outputs[o].valid();
    if (extra_outputs) continue;
    // Only float convolutions run through oneDNN with post-ops.
    if (conv.inputs.size() > 1 && conv.inputs[1].valid()) {
      const Tensor* w = constant_of(g, conv.inputs[1]);
      if (w && w->dtype() != DataType::kFloat32) continue;
    }
    auto next = sole_consumer(g, conv.outputs[0]);
    if (!next) continue;
    Node& act = g.node(*next);
    auto kind = fusable_activation(g, act);
    if (!kind) continue;
    absorb_activation(g, conv, act, *kind);
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
