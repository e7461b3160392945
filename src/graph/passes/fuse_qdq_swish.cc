// SiLU between two quantized tensors, as quantize_static leaves it around
// ops that stay float,
//
//   x = DequantizeLinear(X) -> Sigmoid [-> round trip] -> Mul(x, .) -> QuantizeLinear
//   x = DequantizeLinear(X) -> com.parallax.Swish -> QuantizeLinear
//
// or ending in a round trip (com.parallax.QuantizeDequantize) before a float
// op, which gives the fused node a float output (y_dequantized = 1),
// (the round trip: com.parallax.QuantizeDequantize, fuse_quantize_round_trip),
// per-tensor constant parameters, becomes one com.parallax.QLinearSwish
// (kernels/cpu/q_linear_swish.cc), a 256-entry table made from the same
// arithmetic. Runs after fuse_quantize_round_trip.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

bool per_tensor_constants(const Graph& g, const Node& n) {
  if (n.num_explicit_inputs < 2) return false;
  const Tensor* s = constant_of(g, n.inputs[1]);
  if (!s || s->numel() != 1 || s->dtype() != DataType::kFloat32) return false;
  if (n.num_explicit_inputs < 3 || !n.inputs[2].valid()) return true;
  const Tensor* z = constant_of(g, n.inputs[2]);
  return z && z->numel() == 1 && (z->dtype() == DataType::kUInt8 || z->dtype() == DataType::kInt8);
}

bool is_parallax(const Node& n, const char* op) {
  return !n.removed && n.domain == "com.parallax" && n.op_type == op;
}

// The Mul(x, Sigmoid(x) [round trip]) reading x, with the round trip's
// parameters, and the nodes it replaces.
std::optional<NodeId> swish_of(const Graph& g, ValueId x, std::vector<NodeId>& dead,
                               std::optional<std::vector<float>>& rt) {
  if (g.value(x).is_graph_output) return std::nullopt;
  const auto& readers = g.value(x).consumers;
  if (auto s = sole_consumer(g, x)) {
    if (!is_parallax(g.node(*s), "Swish")) return std::nullopt;
    dead.push_back(*s);
    return s;
  }
  if (live_readers(g, x) != 2) return std::nullopt;
  std::optional<NodeId> sig, mul;
  for (NodeId c : readers) {
    if (g.node(c).removed) continue;
    if (is_op(g.node(c), "Sigmoid")) sig = c;
    if (is_op(g.node(c), "Mul")) mul = c;
  }
  if (!sig || !mul) return std::nullopt;
  ValueId s = g.node(*sig).outputs[0];
  dead.push_back(*sig);
  auto next = sole_consumer(g, s);
  if (next && *next != *mul) {
    rt = round_trip_params(g, g.node(*next));
    if (!rt || g.node(*next).inputs[0] != s) return std::nullopt;
    dead.push_back(*next);
    s = g.node(*next).outputs[0];
    next = sole_consumer(g, s);
  }
  if (!next || *next != *mul || other_input(g.node(*mul), x) != s) return std::nullopt;
  dead.push_back(*mul);
  return mul;
}

}  // namespace

size_t fuse_qdq_swish(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& dq = g.nodes[i];
    // X's zero point must be there: QLinearSwish takes X's type from it (a
    // DequantizeLinear without one may read int8 or uint8).
    if (!is_op(dq, "DequantizeLinear") || !per_tensor_constants(g, dq) || dq.num_explicit_inputs < 3 ||
        !dq.inputs[2].valid() || dq.outputs.size() != 1)
      continue;
    std::vector<NodeId> dead = {NodeId(i)};
    std::optional<std::vector<float>> rt;
    auto act = swish_of(g, dq.outputs[0], dead, rt);
    if (!act) continue;
    auto q_id = sole_consumer(g, g.node(*act).outputs[0]);
    if (!q_id) continue;
    const Node& q = g.node(*q_id);
    const bool ends_float = round_trip_params(g, q).has_value();
    if ((!is_op(q, "QuantizeLinear") && !ends_float) || !per_tensor_constants(g, q) ||
        q.inputs[0] != g.node(*act).outputs[0] || q.outputs.size() != 1)
      continue;

    Node f;
    f.name = q.name + "/swish";
    f.op_type = "QLinearSwish";
    f.domain = "com.parallax";
    f.opset = 1;
    const ValueId none;
    f.inputs = {dq.inputs[0], dq.inputs[1], dq.num_explicit_inputs > 2 ? dq.inputs[2] : none, q.inputs[1],
                q.num_explicit_inputs > 2 ? q.inputs[2] : none};
    f.num_explicit_inputs = f.inputs.size();
    f.outputs = {q.outputs[0]};
    if (ends_float) f.attrs.set_int("y_dequantized", 1);
    if (rt) f.attrs.set_floats("sigmoid_qdq", *rt);
    // In the QuantizeLinear's place, so the sort keeps the order.
    for (NodeId d : dead) g.node(d).removed = true;
    g.node(*q_id) = std::move(f);
    g.rebuild_links();
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
