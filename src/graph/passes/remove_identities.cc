// Identity, and Dropout in inference or with a zero ratio, copy their input:
// readers can read the input directly.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

bool is_constant_false(const Graph& g, ValueId v) {
  const Tensor* t = constant_of(g, v);
  return t && t->dtype() == DataType::kBool && t->numel() == 1 && !*t->data<bool>();
}

// torchvision's Swin exports its attention dropout with training_mode a
// constant true and ratio a constant 0: nothing is dropped and the scale is 1.
bool is_constant_zero_ratio(const Graph& g, ValueId v) {
  const Tensor* t = constant_of(g, v);
  if (!t || t->numel() != 1 || t->raw() == nullptr) return false;
  switch (t->dtype()) {
    case DataType::kFloat32: return *t->data<float>() == 0.0f;
    case DataType::kFloat64: return *t->data<double>() == 0.0;
    default: return false;
  }
}

}  // namespace

size_t remove_identities(Graph& g) {
  size_t removed = 0;
  for (Node& n : g.nodes) {
    if (n.removed || !n.domain.empty() || n.inputs.empty() || !n.inputs[0].valid()) continue;
    bool identity = n.op_type == "Identity";
    if (n.op_type == "Dropout") {
      // A requested mask or a training_mode input keeps the node.
      bool mask_used = n.outputs.size() > 1 && n.outputs[1].valid() && !g.value(n.outputs[1]).consumers.empty();
      // PyTorch exports training_mode as a constant false: that is inference.
      bool training = n.num_explicit_inputs > 2 && n.inputs[2].valid() && !is_constant_false(g, n.inputs[2]);
      if (training && n.inputs[1].valid() && is_constant_zero_ratio(g, n.inputs[1])) training = false;
      identity = !mask_used && !training && !(n.outputs.size() > 1 && n.outputs[1].valid() && g.value(n.outputs[1]).is_graph_output);
    }
    if (!identity || n.outputs.empty() || !n.outputs[0].valid()) continue;
    if (replace_uses(g, n.outputs[0], n.inputs[0])) {
      n.removed = true;
      ++removed;
    }
  }
  g.rebuild_links();
  return removed;
}

}  // namespace parallax::passes
