// x * Clip(x + 3, 0, 6) / 6, as Paddle and older torch exports spell
// HardSwish, becomes one HardSwish node (which the Conv fusion can then
// absorb as a oneDNN post-op): four elementwise passes become none.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

size_t fuse_hard_swish(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& add = g.nodes[i];
    if (!is_op(add, "Add") || add.num_explicit_inputs != 2) continue;
    // a = x + 3
    ValueId x;
    if (scalar_constant(g, add.inputs[1]) == 3.0f)
      x = add.inputs[0];
    else if (scalar_constant(g, add.inputs[0]) == 3.0f)
      x = add.inputs[1];
    else
      continue;
    auto clip_id = sole_consumer(g, add.outputs[0]);
    if (!clip_id || !is_op(g.node(*clip_id), "Clip")) continue;
    const Node& clip = g.node(*clip_id);
    if (clip.opset < 11 || clip.num_explicit_inputs != 3 || scalar_constant(g, clip.inputs[1]) != 0.0f ||
        scalar_constant(g, clip.inputs[2]) != 6.0f)
      continue;
    auto mul_id = sole_consumer(g, clip.outputs[0]);
    if (!mul_id || !is_op(g.node(*mul_id), "Mul")) continue;
    const Node& mul = g.node(*mul_id);
    if (!((mul.inputs[0] == x && mul.inputs[1] == clip.outputs[0]) ||
          (mul.inputs[1] == x && mul.inputs[0] == clip.outputs[0])))
      continue;
    auto div_id = sole_consumer(g, mul.outputs[0]);
    if (!div_id || !is_op(g.node(*div_id), "Div") || g.node(*div_id).inputs[0] != mul.outputs[0] ||
        scalar_constant(g, g.node(*div_id).inputs[1]) != 6.0f)
      continue;
    // x must be float: it is the Add's input, which read a float constant.
    Node hs;
    hs.name = g.node(*div_id).name + "/hard_swish";
    hs.op_type = "HardSwish";
    hs.opset = 14;  // HardSwish exists from opset 14
    hs.inputs = {x};
    hs.num_explicit_inputs = 1;
    hs.outputs = {g.node(*div_id).outputs[0]};
    for (NodeId dead : {NodeId(i), *clip_id, *mul_id, *div_id}) g.node(dead).removed = true;
    g.nodes.push_back(std::move(hs));
    g.rebuild_links();
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
