// quantize_static's QDQ MaxPool,
//
//   DequantizeLinear(x_q) -> MaxPool -> QuantizeLinear -> y_q
//
// with the same constant per-tensor scale and zero point on both sides,
// becomes MaxPool on x_q: the bytes pooled directly, as ONNX Runtime's
// QDQ transformer does. Exact: dequantization is increasing (scale > 0), so
// the maximum of dequantized values is the dequantized maximum, and
// quantizing (k * s) / s rounds back to k for every 8-bit k. Runs after the
// channels-last pass, so the MaxPool may be com.parallax.NhwcMaxPool.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

bool is_max_pool(const Node& n) {
  if (is_op(n, "MaxPool")) return n.outputs.size() == 1 || !n.outputs[1].valid();
  return !n.removed && n.domain == "com.parallax" && n.op_type == "NhwcMaxPool";
}

}  // namespace

size_t fuse_qdq_max_pool(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& pool = g.nodes[i];
    if (!is_max_pool(pool) || pool.inputs.empty()) continue;
    const Node* dq = live_producer(g, pool.inputs[0]);
    if (!dq || !is_op(*dq, "DequantizeLinear") || constant_of(g, dq->inputs[0])) continue;
    const auto next = sole_consumer(g, pool.outputs[0]);
    if (!next || !is_op(g.node(*next), "QuantizeLinear")) continue;
    const Node& q = g.node(*next);
    const auto dp = per_tensor_quantization(g, *dq), qp = per_tensor_quantization(g, q);
    if (!dp || !qp || *dp != *qp || !(dp->scale > 0.0f)) continue;

    Node f = pool;
    f.name = pool.name + "/int8";
    f.inputs[0] = dq->inputs[0];
    f.outputs = {q.outputs[0]};
    std::vector<NodeId> dead = {NodeId(i), *next};
    if (live_readers(g, pool.inputs[0]) == 1) dead.push_back(g.value(pool.inputs[0]).producer);
    replace_nodes(g, dead, std::move(f));
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
