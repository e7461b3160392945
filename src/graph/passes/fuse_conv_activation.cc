// Conv (or ConvTranspose) followed by an elementwise activation becomes one
// Conv with the activation applied as a oneDNN post-op: one pass over the
// output instead of two. The fused node carries attributes the Conv kernels
// read (see kernels/cpu/dnnl_util.h): px_activation, px_activation_params.
#include <limits>

#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// The activation's name and parameters, if `act` can be fused.
std::optional<std::pair<std::string, std::vector<float>>> fusable(const Graph& g, const Node& act) {
  if (act.outputs.size() != 1) return std::nullopt;
  const std::string& op = act.op_type;
  if (act.domain == "com.parallax" && op == "Swish") return {{op, {}}};
  if (!act.domain.empty()) return std::nullopt;
  if (op == "HardSigmoid") {
    auto alpha = act.attrs.get_float("alpha", 0.2f), beta = act.attrs.get_float("beta", 0.5f);
    if (!alpha.is_ok() || !beta.is_ok()) return std::nullopt;
    return {{op, {*alpha, *beta}}};
  }
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") return {{op, {}}};
  if (op == "LeakyRelu") {
    auto alpha = act.attrs.get_float("alpha", 0.01f);
    if (!alpha.is_ok()) return std::nullopt;
    return {{op, {*alpha}}};
  }
  if (op == "Clip") {
    float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
    if (act.opset < 11) {
      auto a = act.attrs.get_float("min", lo), b = act.attrs.get_float("max", hi);
      if (!a.is_ok() || !b.is_ok()) return std::nullopt;
      lo = *a;
      hi = *b;
    } else {
      for (size_t k = 1; k < act.num_explicit_inputs && k < 3; ++k) {
        if (!act.inputs[k].valid()) continue;
        const Tensor* t = constant_of(g, act.inputs[k]);
        if (!t || t->dtype() != DataType::kFloat32 || t->numel() != 1) return std::nullopt;
        (k == 1 ? lo : hi) = *t->data<float>();
      }
    }
    return {{op, {lo, hi}}};
  }
  return std::nullopt;
}

}  // namespace

size_t fuse_conv_activation(Graph& g) {  // and BatchNormalization
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& conv = g.nodes[i];
    if (conv.removed || !conv.domain.empty()) continue;
    // Inference BatchNormalization that could not fold into a Conv (after a
    // Concat, DenseNet) takes the activation in its own loop.
    const bool batch_norm = conv.op_type == "BatchNormalization" && conv.attrs.get_int("training_mode", 0).is_ok() &&
                            conv.attrs.get_int("training_mode", 0).value() == 0;
    if (conv.op_type != "Conv" && conv.op_type != "ConvTranspose" && !batch_norm) continue;
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
    auto kind = fusable(g, act);
    if (!kind) continue;
    Attribute name;
    name.kind = Attribute::Kind::kString;
    name.s = kind->first;
    conv.attrs.set("px_activation", name);
    if (!kind->second.empty()) {
      Attribute params;
      params.kind = Attribute::Kind::kFloats;
      params.floats = kind->second;
      conv.attrs.set("px_activation_params", params);
    }
    conv.outputs[0] = act.outputs[0];
    act.removed = true;
    g.rebuild_links();
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
