#include "backends/backend_capability.h"

namespace parallax {

namespace {

// The creation context of a node as Program::compile would see it, minus
// subgraph compilation: supports() decides from op, attributes, dtypes and
// constants, and building bodies would cost a whole program per query.
class QueryContext final : public KernelCreateContext {
 public:
  QueryContext(const Graph& graph, const Node& node) : KernelCreateContext(&node), graph_(graph) {}

  DataType input_dtype(size_t i) const override {
    return has_input(i) ? graph_.value(node_->inputs[i]).dtype : DataType::kUndefined;
  }
  const Tensor* constant_input(size_t i) const override {
    if (!has_input(i)) return nullptr;
    const auto& init = graph_.value(node_->inputs[i]).initializer;
    return init ? &*init : nullptr;
  }
  Result<std::unique_ptr<Subgraph>> compile_subgraph(const std::string& name) const override {
    return error(StatusCode::kUnsupported, node_->describe(), ": subgraph '", name,
                 "' is not compiled for a capability query");
  }

 private:
  const Graph& graph_;
};

}  // namespace

Capability backend_capability(const Graph& graph, const Backend& backend, const std::set<std::string>& ops) {
  return [&graph, &backend, ops](const Node& node) {
    if (!ops.empty() && ops.count(node.op_type) == 0) return false;
    return backend.supports(QueryContext(graph, node));
  };
}

}  // namespace parallax
