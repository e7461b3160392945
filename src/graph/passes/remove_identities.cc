// Identity, and Dropout in inference, copy their input: readers can read the
// input directly.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

bool is_constant_false(const Graph& g, ValueId v) {
  const Tensor* t = constant_of(g, v);
  return t && t->dtype() == DataType::kBool && t->numel() == 1 && !*t->data<bool>();
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
