// quantize_dynamic's int8 MatMul,
//
//   x -> DynamicQuantizeLinear -> (x_q, x_scale, x_zp)
//   MatMulInteger(x_q, W_q, x_zp, w_zp) -> Cast(float) -> Mul(., Mul(x_scale, w_scale)) [-> Add(bias)]
//
// becomes one node running an int8 GEMM that writes float directly
// (kernels/cpu/dynamic_quantize_mat_mul.cc, mat_mul_integer_to_float.cc),
// instead of an int32 tensor, a float copy of it and two passes to scale it:
//   - com.parallax.DynamicQuantizeMatMul(x, W_q, w_scale, w_zp, bias) when
//     the DynamicQuantizeLinear feeds this MatMul alone (it quantizes x itself);
//   - com.parallax.MatMulIntegerToFloat(x_q, W_q, x_scale, w_scale, x_zp,
//     w_zp, bias) when it feeds several (Q, K and V read one x): x is
//     quantized once, by the DynamicQuantizeLinear left in place.
// W_q must be a constant int8 [K, N] and w_scale a constant of 1 or N floats.
#include "core/int8_dot.h"
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// The constant float scale of a weight with n columns: one value or n.
bool is_weight_scale(const Graph& g, ValueId v, int64_t n) {
  const Tensor* t = constant_of(g, v);
  return t && t->dtype() == DataType::kFloat32 && (t->numel() == 1 || (t->rank() == 1 && t->numel() == n));
}

}  // namespace

size_t fuse_dynamic_quant_matmul(Graph& g, bool exact_int8) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& mm = g.nodes[i];
    if (!is_op(mm, "MatMulInteger") || mm.num_explicit_inputs < 3 || mm.outputs.size() != 1) continue;
    const Node* dql = live_producer(g, mm.inputs[0]);
    if (!dql || !is_op(*dql, "DynamicQuantizeLinear") || dql->outputs.size() != 3 || mm.inputs[2] != dql->outputs[2])
      continue;
    const Tensor* w = constant_of(g, mm.inputs[1]);
    if (!w || w->dtype() != DataType::kInt8 || w->rank() != 2) continue;
    if (exact_int8 && int8_weights_may_saturate(*w)) continue;  // the plain graph is exact
    const int64_t n = w->dim(1);
    const ValueId w_zp = mm.num_explicit_inputs > 3 ? mm.inputs[3] : ValueId();
    if (w_zp.valid() && !constant_of(g, w_zp)) continue;

    auto cast_id = sole_consumer(g, mm.outputs[0]);
    if (!cast_id || !is_op(g.node(*cast_id), "Cast")) continue;
    auto to = g.node(*cast_id).attrs.get_int("to", 0);
    if (!to.is_ok() || *to != 1) continue;  // float32
    const ValueId cast_out = g.node(*cast_id).outputs[0];
    auto mul_id = sole_consumer(g, cast_out);
    if (!mul_id || !is_op(g.node(*mul_id), "Mul")) continue;
    auto scale = other_input(g.node(*mul_id), cast_out);
    const Node* scales_mul = scale ? live_producer(g, *scale) : nullptr;
    if (!scales_mul || !is_op(*scales_mul, "Mul") || scales_mul->num_explicit_inputs != 2) continue;
    auto w_scale = other_input(*scales_mul, dql->outputs[1]);
    if (!w_scale || !is_weight_scale(g, *w_scale, n)) continue;
    const NodeId scales_mul_id = g.value(*scale).producer;
    const NodeId dql_id = g.value(mm.inputs[0]).producer;

    // A bias Add over the columns joins too.
    ValueId y = g.node(*mul_id).outputs[0], bias;
    std::optional<NodeId> add_id = sole_consumer(g, y);
    if (add_id && is_op(g.node(*add_id), "Add")) {
      auto b = other_input(g.node(*add_id), y);
      const Tensor* bt = b ? constant_of(g, *b) : nullptr;
      if (bt && bt->dtype() == DataType::kFloat32 && bt->rank() >= 1 && bt->numel() == n && bt->shape().back() == n) {
        bias = *b;
        y = g.node(*add_id).outputs[0];
      } else {
        add_id.reset();
      }
    } else {
      add_id.reset();
    }

    // The DynamicQuantizeLinear goes too when this pattern is its only reader.
    const bool sole = live_readers(g, dql->outputs[0]) == 1 && live_readers(g, dql->outputs[2]) == 1 &&
                      live_readers(g, dql->outputs[1]) == 1 && live_readers(g, *scale) == 1;
    Node f;
    f.name = mm.name + "/int8";
    f.domain = "com.parallax";
    f.opset = 1;
    if (sole) {
      f.op_type = "DynamicQuantizeMatMul";
      f.inputs = {dql->inputs[0], mm.inputs[1], *w_scale, w_zp, bias};
    } else {
      f.op_type = "MatMulIntegerToFloat";
      f.inputs = {mm.inputs[0], mm.inputs[1], dql->outputs[1], *w_scale, mm.inputs[2], w_zp, bias};
    }
    f.num_explicit_inputs = f.inputs.size();
    f.outputs = {y};
    std::vector<NodeId> dead = {NodeId(i), *cast_id, *mul_id};
    if (add_id) dead.push_back(*add_id);
    if (live_readers(g, *scale) == 1) dead.push_back(scales_mul_id);
    if (sole) dead.push_back(dql_id);
    replace_nodes(g, dead, std::move(f));
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
