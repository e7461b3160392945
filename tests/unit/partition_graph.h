// Hand-built graphs for the partition tests: values are made on first use,
// every node gets `macs` MACs of work.
//
//   TestGraph t;
//   t.op("A", "Conv", {"x"}, {"a"});
//   t.op("B", "Relu", {"a"}, {"y"});
//   auto p = partition(t.g, t.work(), {});
#pragma once

#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "partition/branches.h"

namespace parallax::testing {

struct TestGraph {
  Graph g;
  std::map<std::string, double> macs;  // by node name; default 1

  ValueId val(const std::string& name) {
    if (auto id = g.find_value(name)) return *id;
    Value v;
    v.name = name;
    v.dtype = DataType::kFloat32;
    return g.add_value(v);
  }
  NodeId op(const std::string& name, const std::string& type, const std::vector<std::string>& ins,
            const std::vector<std::string>& outs, double work = 1) {
    Node n;
    n.name = name;
    n.op_type = type;
    for (const auto& i : ins) n.inputs.push_back(val(i));
    n.num_explicit_inputs = n.inputs.size();
    for (const auto& o : outs) n.outputs.push_back(val(o));
    macs[name] = work;
    return g.add_node(n);
  }
  void output(const std::string& name) {
    g.value(val(name)).is_graph_output = true;
    g.outputs.push_back(val(name));
  }
  std::vector<NodeWork> work() const {
    std::vector<NodeWork> w(g.nodes.size());
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      w[i].macs = macs.at(g.nodes[i].name);
      w[i].input_bytes.assign(g.nodes[i].inputs.size(), 400);
      w[i].output_bytes.assign(g.nodes[i].outputs.size(), 400);
    }
    return w;
  }
  // Branches as node names, in branch id order: {{"A", "B"}, {"C"}}.
  std::vector<std::vector<std::string>> branches(const Partition& p) const {
    std::vector<std::vector<std::string>> out;
    for (const Branch& b : p.branches) {
      out.emplace_back();
      for (NodeId n : b.nodes) out.back().push_back(g.node(n).name);
    }
    return out;
  }
  // Layers as lists of branch ids.
  static std::vector<std::vector<uint32_t>> layers(const Partition& p) {
    std::vector<std::vector<uint32_t>> out;
    for (const Layer& l : p.layers) {
      out.emplace_back();
      for (BranchId b : l.branches) out.back().push_back(b.index());
    }
    return out;
  }
  NodeClass cls(const Partition& p, const std::string& node) const {
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (g.nodes[i].name == node) return p.nodes[i].cls;
    return NodeClass::kSequential;
  }
};

}  // namespace parallax::testing
