// Identity, and Dropout in inference, copy their input: readers can read the
// input directly.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

size_t remove_identities(Graph& g) {
  size_t removed = 0;
  for (Node& n : g.nodes) {
    if (n.removed || !n.domain.empty() || n.inputs.empty() || !n.inputs[0].valid()) continue;
    bool identity = n.op_type == "Identity";
    if (n.op_type == "Dropout") {
      // A requested mask or a training_mode input keeps the node.
      bool mask_used = n.outputs.size() > 1 && n.outputs[1].valid() && !g.value(n.outputs[1]).consumers.empty();
      bool training = n.num_explicit_inputs > 2 && n.inputs[2].valid();
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
