// Nodes whose outputs nobody reads (and that are not graph outputs) do no
// useful work: drop them, repeatedly, so whole dead chains go.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

size_t remove_dead_nodes(Graph& g) {
  size_t removed = 0;
  for (bool changed = true; changed;) {
    changed = false;
    g.rebuild_links();
    for (Node& n : g.nodes) {
      if (n.removed) continue;
      bool used = false;
      for (ValueId out : n.outputs) {
        if (!out.valid()) continue;
        const Value& v = g.value(out);
        if (v.is_graph_output) used = true;
        for (NodeId c : v.consumers)
          if (!g.node(c).removed) used = true;
      }
      if (!used) {
        n.removed = true;
        ++removed;
        changed = true;
      }
    }
  }
  g.rebuild_links();
  return removed;
}

}  // namespace parallax::passes
