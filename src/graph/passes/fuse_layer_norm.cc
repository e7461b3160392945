// The LayerNorm that exporters spell out op by op (torch at opset < 17):
//   m = ReduceMean(x, axes=[-1]); d = x - m; v = ReduceMean(d ^ 2, axes=[-1])
//   y = d / Sqrt(v + eps) * gamma + beta
// becomes one LayerNormalization (axis -1): one pass over the row instead of
// nine ops with eight intermediate tensors.
#include <cmath>

#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// A ReduceMean over the last axis that keeps dims.
bool is_last_axis_mean(const Node& n) {
  if (!is_op(n, "ReduceMean") || n.num_explicit_inputs != 1) return false;
  auto axes = n.attrs.get_ints("axes", std::vector<int64_t>{});
  auto keep = n.attrs.get_int("keepdims", 1);
  return axes.is_ok() && keep.is_ok() && *axes == std::vector<int64_t>{-1} && *keep == 1;
}

}  // namespace

size_t fuse_layer_norm(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!is_last_axis_mean(g.nodes[i])) continue;
    const ValueId x = g.nodes[i].inputs[0];
    auto sub_id = sole_consumer(g, g.nodes[i].outputs[0]);
    if (!sub_id) continue;
    const Node& sub = g.node(*sub_id);
    if (!is_op(sub, "Sub") || sub.inputs[0] != x || sub.inputs[1] != g.nodes[i].outputs[0]) continue;
    // d feeds exactly Pow and Div.
    const ValueId d = sub.outputs[0];
    if (g.value(d).is_graph_output || g.value(d).consumers.size() != 2) continue;
    NodeId pow_id, div_id;
    for (NodeId c : g.value(d).consumers) {
      if (is_op(g.node(c), "Pow")) pow_id = c;
      if (is_op(g.node(c), "Div")) div_id = c;
    }
    if (!pow_id.valid() || !div_id.valid()) continue;
    const Node& pow = g.node(pow_id);
    if (pow.inputs[0] != d || scalar_constant(g, pow.inputs[1]) != 2.0f) continue;
    auto var_id = sole_consumer(g, pow.outputs[0]);
    if (!var_id || !is_last_axis_mean(g.node(*var_id))) continue;
    auto add_eps_id = sole_consumer(g, g.node(*var_id).outputs[0]);
    if (!add_eps_id || !is_op(g.node(*add_eps_id), "Add")) continue;
    auto eps_value = other_input(g.node(*add_eps_id), g.node(*var_id).outputs[0]);
    if (!eps_value) continue;
    auto eps = scalar_constant(g, *eps_value);
    if (!eps || !(*eps > 0.0f)) continue;
    auto sqrt_id = sole_consumer(g, g.node(*add_eps_id).outputs[0]);
    if (!sqrt_id || !is_op(g.node(*sqrt_id), "Sqrt")) continue;
    const Node& div = g.node(div_id);
    if (div.inputs[0] != d || div.inputs[1] != g.node(*sqrt_id).outputs[0]) continue;
    if (sole_consumer(g, g.node(*sqrt_id).outputs[0]) != div_id) continue;
    auto mul_id = sole_consumer(g, div.outputs[0]);
    if (!mul_id || !is_op(g.node(*mul_id), "Mul")) continue;
    auto gamma = other_input(g.node(*mul_id), div.outputs[0]);
    auto add_id = sole_consumer(g, g.node(*mul_id).outputs[0]);
    if (!gamma || !add_id || !is_op(g.node(*add_id), "Add")) continue;
    auto beta = other_input(g.node(*add_id), g.node(*mul_id).outputs[0]);
    if (!beta) continue;
    const Tensor* gt = constant_of(g, *gamma);
    const Tensor* bt = constant_of(g, *beta);
    if (!gt || !bt || gt->rank() != 1 || bt->shape() != gt->shape() || gt->dtype() != DataType::kFloat32 ||
        bt->dtype() != DataType::kFloat32)
      continue;

    Node ln;
    ln.name = g.node(*add_id).name + "/layer_norm";
    ln.op_type = "LayerNormalization";
    ln.opset = 17;  // the op exists from opset 17; the fused node is ours
    ln.inputs = {x, *gamma, *beta};
    ln.num_explicit_inputs = 3;
    ln.outputs = {g.node(*add_id).outputs[0]};
    ln.attrs.set_int("axis", -1);
    ln.attrs.set_float("epsilon", *eps);
    for (NodeId dead : {NodeId(i), *sub_id, pow_id, *var_id, *add_eps_id, *sqrt_id, div_id, *mul_id, *add_id})
      g.node(dead).removed = true;
    g.nodes.push_back(std::move(ln));
    g.rebuild_links();
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
