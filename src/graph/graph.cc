#include "graph/graph.h"

#include <algorithm>
#include <queue>

namespace parallax {

std::string Node::describe() const {
  std::string d = "node '" + name + "' (" + op_type;
  if (!domain.empty()) d += ", domain '" + domain + "'";
  return d + ")";
}

std::optional<ValueId> Graph::find_value(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

ValueId Graph::add_value(Value v) {
  ValueId id(values.size());
  if (!v.name.empty()) by_name_[v.name] = id;
  values.push_back(std::move(v));
  return id;
}

NodeId Graph::add_node(Node n) {
  NodeId id(nodes.size());
  for (ValueId in : n.inputs)
    if (in.valid()) value(in).consumers.push_back(id);
  for (ValueId out : n.outputs)
    if (out.valid()) value(out).producer = id;
  nodes.push_back(std::move(n));
  return id;
}

void Graph::rebuild_links() {
  for (Value& v : values) {
    v.producer = NodeId();
    v.consumers.clear();
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].removed) continue;
    for (ValueId in : nodes[i].inputs)
      if (in.valid()) {
        auto& c = value(in).consumers;
        if (c.empty() || c.back() != NodeId(i)) c.push_back(NodeId(i));
      }
    for (ValueId out : nodes[i].outputs)
      if (out.valid()) value(out).producer = NodeId(i);
  }
}

void Graph::compact() {
  std::vector<Node> kept;
  kept.reserve(nodes.size());
  for (Node& n : nodes)
    if (!n.removed) kept.push_back(std::move(n));
  nodes = std::move(kept);

  // Values stay referenced if a node, a graph input/output or an outer read uses them.
  std::vector<char> used(values.size(), 0);
  for (const Node& n : nodes) {
    for (ValueId v : n.inputs) if (v.valid()) used[v.index()] = 1;
    for (ValueId v : n.outputs) if (v.valid()) used[v.index()] = 1;
  }
  for (ValueId v : inputs) used[v.index()] = 1;
  for (ValueId v : outputs) used[v.index()] = 1;
  for (ValueId v : outer_values) used[v.index()] = 1;

  std::vector<ValueId> remap(values.size());
  std::vector<Value> kept_values;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = ValueId(kept_values.size());
    kept_values.push_back(std::move(values[i]));
  }
  auto fix = [&](ValueId& v) { if (v.valid()) v = remap[v.index()]; };
  for (Node& n : nodes) {
    for (ValueId& v : n.inputs) fix(v);
    for (ValueId& v : n.outputs) fix(v);
  }
  for (ValueId& v : inputs) fix(v);
  for (ValueId& v : outputs) fix(v);
  for (ValueId& v : outer_values) fix(v);
  values = std::move(kept_values);
  by_name_.clear();
  for (size_t i = 0; i < values.size(); ++i)
    if (!values[i].name.empty()) by_name_[values[i].name] = ValueId(i);
  rebuild_links();
}

Status Graph::topological_sort() {
  rebuild_links();
  const size_t n = nodes.size();
  std::vector<size_t> pending(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (ValueId in : nodes[i].inputs)
      if (in.valid() && value(in).producer.valid()) ++pending[i];
  // Kahn's algorithm with a min-heap on the original index keeps the model's order where it is valid.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (ValueId out : nodes[i].outputs) {
      if (!out.valid()) continue;
      for (NodeId c : value(out).consumers) {
        // A consumer reading the same value twice was counted twice.
        for (ValueId in : nodes[c.index()].inputs)
          if (in == out && --pending[c.index()] == 0) ready.push(c.index());
      }
    }
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] != 0)
        return error(StatusCode::kInvalidModel, "graph '", name, "' has a cycle through ", nodes[i].describe());
  }
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(nodes[i]));
  nodes = std::move(sorted);
  rebuild_links();
  return Status::ok();
}

}  // namespace parallax
