// The exact GELU that exporters before ONNX opset 20 spell out,
//   y = x * (Erf(x / sqrt(2)) + 1) * 0.5       (torch)
//   y = (x * 0.5) * (Erf(x / sqrt(2)) + 1)     (written as x * 0.5 * (1 + erf(...)))
// with x / sqrt(2) also written x * (1 / sqrt(2)), becomes one
// com.parallax.Gelu (kernels/cpu/gelu.cc): one pass over the tensor instead
// of five, and a node a MatMul can take as its post-op (fuse_matmul_epilogue).
#include <cmath>

#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// Within float16's rounding (2^-11 relative): a float16 model's sqrt(2) is
// 1.4140625 once widened, and its GELU is still the exact GELU to the
// precision the model was written in (swin_v2_t in float16 kept 12 GELUs
// spelled out: 9 % slower than its float32 original).
bool near(std::optional<float> v, double want) {
  return v && std::fabs(*v - want) <= 6e-4 * std::fabs(want);
}

// The x of `scale` = x / sqrt(2) or x * (1 / sqrt(2)).
std::optional<ValueId> scaled_input(const Graph& g, const Node& scale) {
  if (is_op(scale, "Div") && scale.num_explicit_inputs == 2 && near(scalar_constant(g, scale.inputs[1]), M_SQRT2))
    return scale.inputs[0];
  if (is_op(scale, "Mul") && scale.num_explicit_inputs == 2) {
    if (near(scalar_constant(g, scale.inputs[1]), M_SQRT1_2)) return scale.inputs[0];
    if (near(scalar_constant(g, scale.inputs[0]), M_SQRT1_2)) return scale.inputs[1];
  }
  return std::nullopt;
}

}  // namespace

size_t fuse_gelu(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& erf = g.nodes[i];
    if (!is_op(erf, "Erf") || erf.num_explicit_inputs != 1 || !erf.inputs[0].valid()) continue;
    const Value& scaled = g.value(erf.inputs[0]);
    if (!scaled.producer.valid() || scaled.is_graph_output || scaled.consumers.size() != 1) continue;
    const NodeId scale_id = scaled.producer;
    auto x = scaled_input(g, g.node(scale_id));
    if (!x) continue;
    auto plus_one_id = sole_consumer(g, erf.outputs[0]);
    if (!plus_one_id || !is_op(g.node(*plus_one_id), "Add")) continue;
    auto one = other_input(g.node(*plus_one_id), erf.outputs[0]);
    if (!one || scalar_constant(g, *one) != 1.0f) continue;
    const ValueId e1 = g.node(*plus_one_id).outputs[0];
    auto mul_id = sole_consumer(g, e1);
    if (!mul_id || !is_op(g.node(*mul_id), "Mul")) continue;
    auto partner = other_input(g.node(*mul_id), e1);
    if (!partner) continue;

    std::vector<NodeId> dead = {scale_id, NodeId(i), *plus_one_id, *mul_id};
    ValueId y;
    if (*partner == *x) {
      // torch: (x * e1) * 0.5
      auto half_id = sole_consumer(g, g.node(*mul_id).outputs[0]);
      if (!half_id || !is_op(g.node(*half_id), "Mul")) continue;
      auto half = other_input(g.node(*half_id), g.node(*mul_id).outputs[0]);
      if (!half || scalar_constant(g, *half) != 0.5f) continue;
      dead.push_back(*half_id);
      y = g.node(*half_id).outputs[0];
    } else {
      // (x * 0.5) * e1
      const Value& halved = g.value(*partner);
      if (!halved.producer.valid() || halved.is_graph_output || halved.consumers.size() != 1) continue;
      const Node& half_node = g.node(halved.producer);
      if (!is_op(half_node, "Mul")) continue;
      auto half = other_input(half_node, *x);
      if (!half || scalar_constant(g, *half) != 0.5f) continue;
      dead.push_back(halved.producer);
      y = g.node(*mul_id).outputs[0];
    }

    Node gelu;
    gelu.name = g.node(*mul_id).name + "/gelu";
    gelu.op_type = "Gelu";
    gelu.domain = "com.parallax";
    gelu.opset = 1;
    gelu.inputs = {*x};
    gelu.num_explicit_inputs = 1;
    gelu.outputs = {y};
    for (NodeId d : dead) g.node(d).removed = true;
    g.nodes.push_back(std::move(gelu));
    g.rebuild_links();
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
