// quantize_static's QDQ Add,
//
//   DequantizeLinear(a_q) + DequantizeLinear(b_q) [-> Relu] -> QuantizeLinear -> c_q
//
// becomes com.parallax.QLinearAdd (kernels/cpu/q_linear_add.cc): one pass
// over bytes instead of two float copies, a float sum, a float Relu and a
// quantization; the kernel does the same float arithmetic, so the result is
// the same. Scales and zero points must be constant and per tensor. Runs
// after the channels-last pass, which moves these nodes to NHWC unchanged.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// The DequantizeLinear producing `v`, per tensor with constant scale and zero point.
const Node* per_tensor_dq(const Graph& g, ValueId v) {
  if (!v.valid() || !g.value(v).producer.valid()) return nullptr;
  const Node& n = g.node(g.value(v).producer);
  if (!is_op(n, "DequantizeLinear") || n.num_explicit_inputs != 3 || !n.inputs[2].valid()) return nullptr;
  const Tensor* s = constant_of(g, n.inputs[1]);
  const Tensor* z = constant_of(g, n.inputs[2]);
  if (!s || !z || s->numel() != 1 || z->numel() != 1 || s->dtype() != DataType::kFloat32) return nullptr;
  return &n;
}

}  // namespace

size_t fuse_qdq_add(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& add = g.nodes[i];
    if (!is_op(add, "Add") || add.num_explicit_inputs != 2 || add.outputs.size() != 1) continue;
    const Node* da = per_tensor_dq(g, add.inputs[0]);
    const Node* db = per_tensor_dq(g, add.inputs[1]);
    if (!da || !db || constant_of(g, da->inputs[0]) || constant_of(g, db->inputs[0])) continue;
    if (constant_of(g, da->inputs[2])->dtype() != constant_of(g, db->inputs[2])->dtype()) continue;
    std::optional<NodeId> relu;
    const auto next = quantize_after(g, add.outputs[0], relu);
    if (!next) continue;
    const Node& q = g.node(*next);
    if (q.num_explicit_inputs != 3 || !q.inputs[2].valid()) continue;
    const Tensor* qs = constant_of(g, q.inputs[1]);
    const Tensor* qz = constant_of(g, q.inputs[2]);
    if (!qs || !qz || qs->numel() != 1 || qz->numel() != 1 || qz->dtype() != constant_of(g, da->inputs[2])->dtype())
      continue;

    Node f;
    f.name = add.name + "/int8";
    f.op_type = "QLinearAdd";
    f.domain = "com.parallax";
    f.opset = 1;
    f.inputs = {da->inputs[0], da->inputs[1], da->inputs[2], db->inputs[0],
                db->inputs[1], db->inputs[2], q.inputs[1],   q.inputs[2]};
    f.num_explicit_inputs = f.inputs.size();
    f.outputs = {q.outputs[0]};
    if (relu) set_activation(f, "Relu");
    std::vector<NodeId> dead = {NodeId(i), *next};
    if (relu) dead.push_back(*relu);
    if (live_readers(g, add.inputs[0]) == 1) dead.push_back(g.value(add.inputs[0]).producer);
    if (add.inputs[1] != add.inputs[0] && live_readers(g, add.inputs[1]) == 1)
      dead.push_back(g.value(add.inputs[1]).producer);
    replace_nodes(g, dead, std::move(f));
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
