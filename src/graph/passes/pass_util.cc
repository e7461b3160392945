#include "graph/passes/pass_util.h"

#include <limits>

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

size_t live_readers(const Graph& g, ValueId v) {
  if (!v.valid()) return 0;
  size_t k = g.value(v).is_graph_output ? 1 : 0;
  for (NodeId c : g.value(v).consumers)
    if (!g.node(c).removed) ++k;
  return k;
}

const Node* live_producer(const Graph& g, ValueId v) {
  if (!v.valid() || !g.value(v).producer.valid()) return nullptr;
  const Node& n = g.node(g.value(v).producer);
  return n.removed ? nullptr : &n;
}

void set_activation(Node& n, const std::string& name) {
  n.attrs.set_string("px_activation", name);
  make_fused(n);
}

void replace_nodes(Graph& g, const std::vector<NodeId>& replaced, Node fused) {
  for (NodeId d : replaced) g.node(d).removed = true;
  g.nodes.push_back(std::move(fused));
  g.rebuild_links();
}

std::optional<NodeId> quantize_after(const Graph& g, ValueId v, std::optional<NodeId>& relu) {
  relu.reset();
  auto next = sole_consumer(g, v);
  if (next && is_op(g.node(*next), "Relu")) {
    relu = next;
    next = sole_consumer(g, g.node(*next).outputs[0]);
  }
  if (!next || !is_op(g.node(*next), "QuantizeLinear")) return std::nullopt;
  return next;
}

std::optional<QuantParams> per_tensor_quantization(const Graph& g, const Node& n) {
  if (n.num_explicit_inputs != 3 || !n.inputs[2].valid()) return std::nullopt;
  const Tensor* s = constant_of(g, n.inputs[1]);
  const Tensor* z = constant_of(g, n.inputs[2]);
  if (!s || !z || s->numel() != 1 || z->numel() != 1 || s->dtype() != DataType::kFloat32) return std::nullopt;
  if (z->dtype() == DataType::kUInt8) return QuantParams{s->data<float>()[0], z->dtype(), z->data<uint8_t>()[0]};
  if (z->dtype() == DataType::kInt8) return QuantParams{s->data<float>()[0], z->dtype(), z->data<int8_t>()[0]};
  return std::nullopt;
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

std::optional<FusableActivation> fusable_activation(const Graph& g, const Node& act) {
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

void absorb_activation(Graph& g, Node& op, Node& act_node, const FusableActivation& act) {
  op.attrs.set_string("px_activation", act.name);
  if (!act.params.empty()) op.attrs.set_floats("px_activation_params", act.params);
  make_fused(op);
  op.outputs[0] = act_node.outputs[0];
  act_node.removed = true;
  g.rebuild_links();
}

void absorb_operand(Graph& g, Node& op, Node& consumer, ValueId operand, size_t slot, const char* flag) {
  op.inputs.resize(slot + 1);
  op.inputs[slot] = operand;
  op.num_explicit_inputs = slot + 1;
  op.attrs.set_int(flag, 1);
  make_fused(op);
  op.outputs[0] = consumer.outputs[0];
  consumer.removed = true;
  g.rebuild_links();
}

bool is_op(const Node& n, const char* op) { return !n.removed && n.domain.empty() && n.op_type == op; }

std::optional<float> scalar_constant(const Graph& g, ValueId v) {
  const Tensor* t = constant_of(g, v);
  if (!t || t->numel() != 1 || t->dtype() != DataType::kFloat32) return std::nullopt;
  return *t->data<float>();
}

std::optional<ValueId> other_input(const Node& n, ValueId v) {
  if (n.num_explicit_inputs != 2) return std::nullopt;
  if (n.inputs[0] == v) return n.inputs[1];
  if (n.inputs[1] == v) return n.inputs[0];
  return std::nullopt;
}

std::optional<std::vector<float>> round_trip_params(const Graph& g, const Node& n) {
  if (n.removed || n.domain != "com.parallax" || n.op_type != "QuantizeDequantize" || n.num_explicit_inputs < 2)
    return std::nullopt;
  const Tensor* s = constant_of(g, n.inputs[1]);
  if (!s || s->dtype() != DataType::kFloat32 || s->numel() != 1) return std::nullopt;
  const bool has_zp = n.num_explicit_inputs > 2 && n.inputs[2].valid();
  const Tensor* z = has_zp ? constant_of(g, n.inputs[2]) : nullptr;
  if (has_zp && (!z || z->numel() != 1)) return std::nullopt;
  float lo = 0.0f, hi = 255.0f;  // no zero point: uint8, 0
  if (z && z->dtype() == DataType::kUInt8) {
    lo = -static_cast<float>(z->data<uint8_t>()[0]);
    hi = 255.0f + lo;
  } else if (z && z->dtype() == DataType::kInt8) {
    lo = -128.0f - static_cast<float>(z->data<int8_t>()[0]);
    hi = 127.0f - static_cast<float>(z->data<int8_t>()[0]);
  } else if (z) {
    return std::nullopt;
  }
  return std::vector<float>{s->data<float>()[0], lo, hi};
}

}  // namespace parallax::passes
