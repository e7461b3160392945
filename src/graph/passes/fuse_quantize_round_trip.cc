// QuantizeLinear -> DequantizeLinear, the DequantizeLinear alone reading the
// QuantizeLinear's output with the same per-tensor constant scale and zero
// point, becomes com.parallax.QuantizeDequantize
// (kernels/cpu/quantize_dequantize.cc): one float-to-float pass instead of
// two and a byte tensor. Runs after the QDQ fusions, so only the pairs
// those left (around ops that stay float) are merged.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

size_t fuse_quantize_round_trip(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& q = g.nodes[i];
    if (!is_op(q, "QuantizeLinear") || q.outputs.size() != 1) continue;
    const auto next = sole_consumer(g, q.outputs[0]);
    if (!next) continue;
    const Node& dq = g.node(*next);
    if (!is_op(dq, "DequantizeLinear") || dq.inputs[0] != q.outputs[0] || dq.outputs.size() != 1) continue;
    const auto qp = per_tensor_quantization(g, q), dp = per_tensor_quantization(g, dq);
    if (!qp || !dp || *qp != *dp) continue;
    Node f;
    f.name = q.name + "/round_trip";
    f.op_type = "QuantizeDequantize";
    f.domain = "com.parallax";
    f.opset = 1;
    f.inputs = {q.inputs[0], q.inputs[1], q.inputs[2]};
    f.num_explicit_inputs = f.inputs.size();
    f.outputs = {dq.outputs[0]};
    replace_nodes(g, {NodeId(i), *next}, std::move(f));
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
