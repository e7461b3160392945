// A MatMul by a constant 2-D weight followed by the Add of a constant bias
// over its last axis (how exporters write nn.Linear on 3-D inputs), and then
// by an activation (Relu, Gelu, ...), becomes one MatMul that adds the bias
// and applies the activation inside oneDNN's GEMM: the output is written
// once instead of three times. Gemm, which has its bias already, takes the
// activation alone, and so do the int8 GEMMs (com.parallax
// DynamicQuantizeMatMul / MatMulIntegerToFloat). The fused node carries px_bias (input 2 is the bias) and
// px_activation (kernels/cpu/dnnl_util.h).
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// The bias of an Add reading `product` (of N columns): a constant float32
// [N], or [1, ..., 1, N].
std::optional<ValueId> bias_of(const Graph& g, const Node& add, ValueId product, int64_t n) {
  if (add.removed || !add.domain.empty() || add.op_type != "Add" || add.num_explicit_inputs != 2 ||
      add.outputs.size() != 1 || !add.outputs[0].valid())
    return std::nullopt;
  const ValueId other = add.inputs[0] == product ? add.inputs[1] : add.inputs[0];
  if (other == product) return std::nullopt;
  const Tensor* t = constant_of(g, other);
  if (!t || t->dtype() != DataType::kFloat32 || t->rank() < 1 || t->numel() != n || t->shape().back() != n)
    return std::nullopt;
  return other;
}

std::optional<FusableActivation> epilogue_activation(const Graph& g, const Node& act) {
  if (!act.removed && act.domain == "com.parallax" && act.op_type == "Gelu" && act.outputs.size() == 1)
    return FusableActivation{"Gelu", {}};
  if (act.removed) return std::nullopt;
  return fusable_activation(g, act);
}

}  // namespace

size_t fuse_matmul_epilogue(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& mm = g.nodes[i];
    // The int8 GEMMs of fuse_dynamic_quant_matmul have their bias already: they take the activation.
    const bool int8 = !mm.removed && mm.domain == "com.parallax" &&
                      (mm.op_type == "DynamicQuantizeMatMul" || mm.op_type == "MatMulIntegerToFloat");
    if (!int8 && (mm.removed || !mm.domain.empty() || (mm.op_type != "MatMul" && mm.op_type != "Gemm"))) continue;
    if (mm.attrs.has("px_activation") || mm.attrs.has("px_residual") || mm.attrs.has("px_bias")) continue;
    if (mm.outputs.size() != 1 || !mm.outputs[0].valid()) continue;
    if (!int8) {
      // Float weights only: other element types take the kernels' portable loops.
      const Tensor* w = mm.num_explicit_inputs >= 2 ? constant_of(g, mm.inputs[1]) : nullptr;
      if (!w || w->dtype() != DataType::kFloat32 || w->rank() != 2) continue;
      if (mm.op_type == "MatMul" && mm.num_explicit_inputs == 2) {
        if (auto add_id = sole_consumer(g, mm.outputs[0])) {
          Node& add = g.node(*add_id);
          if (auto bias = bias_of(g, add, mm.outputs[0], w->dim(1))) {
            absorb_operand(g, mm, add, *bias, 2, "px_bias");
            ++fused;
          }
        }
      }
    }
    auto act_id = sole_consumer(g, mm.outputs[0]);
    if (!act_id) continue;
    Node& act_node = g.node(*act_id);
    if (auto act = epilogue_activation(g, act_node)) {
      absorb_activation(g, mm, act_node, *act);
      ++fused;
    }
  }
  return fused;
}

}  // namespace parallax::passes
