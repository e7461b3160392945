// Conv followed by BatchNormalization (inference) becomes one Conv with
// scaled weights and a shifted bias:
//   s = gamma / sqrt(var + eps);  W' = W * s (per output channel);  b' = (b - mean) * s + beta
#include <cmath>

#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {
bool float_constant(const Tensor* t, int64_t n) {
  return t && t->dtype() == DataType::kFloat32 && t->numel() == n;
}
}  // namespace

size_t fold_batch_norm_into_conv(Graph& g) {
  size_t folded = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& conv = g.nodes[i];
    if (conv.removed || conv.op_type != "Conv" || !conv.domain.empty() || conv.outputs.size() != 1) continue;
    if (conv.attrs.has("px_activation") || conv.attrs.has("px_residual")) continue;
    const Tensor* w = conv.inputs.size() > 1 ? constant_of(g, conv.inputs[1]) : nullptr;
    if (!w || w->dtype() != DataType::kFloat32 || w->rank() < 3) continue;
    const int64_t cout = w->dim(0);
    const Tensor* b = conv.num_explicit_inputs > 2 ? constant_of(g, conv.inputs[2]) : nullptr;
    if (conv.num_explicit_inputs > 2 && conv.inputs[2].valid() && !float_constant(b, cout)) continue;
    auto next = sole_consumer(g, conv.outputs[0]);
    if (!next) continue;
    Node& bn = g.node(*next);
    if (bn.op_type != "BatchNormalization" || !bn.domain.empty() || bn.num_explicit_inputs != 5 || bn.inputs[0] != conv.outputs[0])
      continue;
    // Training-mode outputs (running mean/var) keep the node.
    bool extra_outputs = false;
    for (size_t o = 1; o < bn.outputs.size(); ++o) extra_outputs |= bn.outputs[o].valid();
    if (extra_outputs) continue;
    const Tensor *gamma = constant_of(g, bn.inputs[1]), *beta = constant_of(g, bn.inputs[2]),
                 *mean = constant_of(g, bn.inputs[3]), *var = constant_of(g, bn.inputs[4]);
    if (!float_constant(gamma, cout) || !float_constant(beta, cout) || !float_constant(mean, cout) ||
        !float_constant(var, cout))
      continue;
    auto eps = bn.attrs.get_float("epsilon", 1e-5f);
    if (!eps.is_ok()) continue;

    Tensor w2 = Tensor::allocate(DataType::kFloat32, w->shape());
    Tensor b2 = Tensor::allocate(DataType::kFloat32, {cout});
    const int64_t per_channel = w->numel() / cout;
    for (int64_t c = 0; c < cout; ++c) {
      float s = gamma->data<float>()[c] / std::sqrt(var->data<float>()[c] + *eps);
      const float* src = w->data<float>() + c * per_channel;
      float* dst = w2.data<float>() + c * per_channel;
      for (int64_t k = 0; k < per_channel; ++k) dst[k] = src[k] * s;
      float bias = b ? b->data<float>()[c] : 0.0f;
      b2.data<float>()[c] = (bias - mean->data<float>()[c]) * s + beta->data<float>()[c];
    }
    const std::string base = g.value(conv.inputs[1]).name;
    ValueId wid = add_constant(g, base + "_bnfolded", std::move(w2));
    ValueId bid = add_constant(g, base + "_bnfolded_bias", std::move(b2));
    Node& c2 = g.nodes[i];  // add_constant may not move nodes, but re-fetch for clarity
    c2.inputs.resize(3);
    c2.inputs[1] = wid;
    c2.inputs[2] = bid;
    c2.num_explicit_inputs = 3;
    c2.outputs[0] = g.node(*next).outputs[0];
    g.node(*next).removed = true;
    g.rebuild_links();
    ++folded;
  }
  return folded;
}

}  // namespace parallax::passes
