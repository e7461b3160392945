// The graph IR every later stage reads: values (tensors flowing between
// nodes) and nodes, in the model's order, plus nested subgraphs for
// If / Loop / Scan. Built by format/ from a ModelProto; protobuf never leaks
// past that boundary.
//
// A subgraph may read values of its enclosing graphs ("outer scope"). The
// loader lists those names in Graph::outer_inputs and appends the matching
// outer values to the owning node's inputs (after its explicit inputs), so
// dataflow analysis of the parent sees every dependency explicitly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/attribute.h"
#include "graph/ids.h"
#include "parallax/data_type.h"
#include "parallax/tensor.h"

namespace parallax {

// One dimension of a declared shape: a number, a named symbol ("batch"), or unknown.
struct Dim {
  int64_t value = -1;  // >= 0 when known
  std::string symbol;  // non-empty for symbolic dims
  bool known() const { return value >= 0; }
};

struct Value {
  std::string name;
  DataType dtype = DataType::kUndefined;
  DataType sequence_element = DataType::kUndefined;  // dtype kSequence: its items' type, when declared
  bool optional = false;  // declared optional(T): may also be an empty optional (Tensor::none)
  std::optional<std::vector<Dim>> declared_shape;  // from the model's type info, if any
  NodeId producer;                                 // invalid for inputs and initializers
  std::vector<NodeId> consumers;
  bool is_graph_input = false;
  bool is_graph_output = false;
  std::optional<Tensor> initializer;  // constant data (initializers and folded constants)
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" is the default ONNX domain
  int opset = 0;       // opset version of `domain` imported by the model
  std::vector<ValueId> inputs;  // invalid id = optional input left out
  size_t num_explicit_inputs = 0;  // inputs past this index are implicit outer-scope reads
  std::vector<ValueId> outputs;    // invalid id = optional output not requested
  Attributes attrs;
  bool removed = false;  // set by graph passes; compacted by Graph::compact()

  // "node 'conv_1' (Conv)": how errors name a node.
  std::string describe() const;
};

class Graph {
 public:
  std::string name;
  std::vector<Value> values;
  std::vector<Node> nodes;  // topologically sorted after load
  std::vector<ValueId> inputs;    // graph inputs in declared order (initializers excluded)
  std::vector<ValueId> outputs;   // graph outputs in declared order
  std::vector<std::string> outer_inputs;  // names read from enclosing graphs (subgraphs only)
  std::vector<ValueId> outer_values;      // the local placeholder value for each outer input
  std::map<std::string, int> opsets;       // domain -> imported version

  const Value& value(ValueId id) const { return values[id.index()]; }
  Value& value(ValueId id) { return values[id.index()]; }
  const Node& node(NodeId id) const { return nodes[id.index()]; }
  Node& node(NodeId id) { return nodes[id.index()]; }

  std::optional<ValueId> find_value(const std::string& name) const;
  ValueId add_value(Value v);
  // Appends a node and wires producer/consumer links.
  NodeId add_node(Node n);

  // Recomputes producer/consumer links from nodes (after passes edit them).
  void rebuild_links();
  // Drops removed nodes and unreferenced values; keeps ids dense.
  void compact();
  // Sorts nodes topologically (stable w.r.t. the current order); error on a cycle.
  Status topological_sort();

 private:
  std::unordered_map<std::string, ValueId> by_name_;
};

}  // namespace parallax
