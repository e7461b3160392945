#include "graph/passes/pass_util.h"

namespace parallax::passes {

std::optional<NodeId> sole_consumer(const Graph& g, ValueId v) {
  const Value& value = g.value(v);
  if (value.is_graph_output) return std::nullopt;
  std::optional<NodeId> only;
  for (NodeId c : value.consumers) {
    if (g.node(c).removed) continue;
    if (only && *only != c) return std::nullopt;
    only = c;
  }
  return only;
}

const Tensor* constant_of(const Graph& g, ValueId v) {
  if (!v.valid()) return nullptr;
  const auto& init = g.value(v).initializer;
  return init ? &*init : nullptr;
}

bool replace_uses(Graph& g, ValueId from, ValueId to) {
  if (g.value(from).is_graph_output) return false;
  for (NodeId c : g.value(from).consumers) {
    const Node& n = g.node(c);
    for (size_t i = n.num_explicit_inputs; i < n.inputs.size(); ++i)
      if (n.inputs[i] == from) return false;
  }
  for (NodeId c : g.value(from).consumers) {
    Node& n = g.node(c);
    for (ValueId& in : n.inputs)
      if (in == from) in = to;
  }
  g.rebuild_links();
  return true;
}

ValueId add_constant(Graph& g, const std::string& base, Tensor t) {
  std::string name = base;
  for (int k = 1; g.find_value(name); ++k) name = base + "_" + std::to_string(k);
  Value v;
  v.name = name;
  v.dtype = t.dtype();
  v.initializer = std::move(t);
  return g.add_value(std::move(v));
}

}  // namespace parallax::passes
