// Small queries and edits shared by the graph passes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/fused_ops.h"
#include "graph/graph.h"

namespace parallax::passes {

// The only live node reading `v`, if exactly one reads it and `v` is not a graph output.
std::optional<NodeId> sole_consumer(const Graph& g, ValueId v);
// Live readers of `v`; a graph output counts as one reader nobody can remove.
size_t live_readers(const Graph& g, ValueId v);
// The live node producing `v`, or null (a graph input, an initializer).
const Node* live_producer(const Graph& g, ValueId v);
// Sets `n`'s px_activation (the oneDNN post-op its kernel applies) to `name`;
// `n` becomes its op's fused form (graph/fused_ops.h), as in the two below.
void set_activation(Node& n, const std::string& name);
// Removes the nodes `replaced` and adds `fused` in their place (the graph's
// links are rebuilt; callers sort the graph afterwards).
void replace_nodes(Graph& g, const std::vector<NodeId>& replaced, Node fused);
// The QuantizeLinear that alone reads `v`, directly or through a Relu that
// alone reads `v` (the Relu, if any, in `relu`).
std::optional<NodeId> quantize_after(const Graph& g, ValueId v, std::optional<NodeId>& relu);
// Constant data of `v`, or null.
const Tensor* constant_of(const Graph& g, ValueId v);
// A live node of the default (ONNX) domain of type `op`.
bool is_op(const Node& n, const char* op);
// The value of `v` if it is a one-element float32 constant.
std::optional<float> scalar_constant(const Graph& g, ValueId v);
// For a two-input node reading `v`, the other input.
std::optional<ValueId> other_input(const Node& n, ValueId v);
// Makes every reader of `from` read `to` instead. Refuses (returns false) when
// a reader gets `from` as an outer-scope value (its subgraph names it) or
// `from` is a graph output.
bool replace_uses(Graph& g, ValueId from, ValueId to);
// An elementwise activation a Conv, Gemm or MatMul can apply as a oneDNN
// post-op (kernels/cpu/dnnl_util.h): its px_activation name and parameters.
struct FusableActivation {
  std::string name;
  std::vector<float> params;
};
// What `act` is as such an activation, if it is one.
std::optional<FusableActivation> fusable_activation(const Graph& g, const Node& act);
// Marks `op` to apply `act` and take over `act_node`'s output; removes `act_node`.
void absorb_activation(Graph& g, Node& op, Node& act_node, const FusableActivation& act);
// Gives `op` the binary `consumer`'s other operand as input `slot` (flagged
// by the int attribute `flag` = 1), and `consumer`'s output; removes `consumer`.
void absorb_operand(Graph& g, Node& op, Node& consumer, ValueId operand, size_t slot, const char* flag);
// For a com.parallax.QuantizeDequantize with constant per-tensor scale and
// zero point: [scale, lowest - zero point, max - zero point], what the fused
// kernels that take a round trip need (kernels/cpu/quant_util.h round_trip).
std::optional<std::vector<float>> round_trip_params(const Graph& g, const Node& n);
// The constant per-tensor scale and 8-bit zero point of a QuantizeLinear or
// DequantizeLinear that names all three inputs, as values.
struct QuantParams {
  float scale;
  DataType type;
  int32_t zero_point;
  bool operator==(const QuantParams&) const = default;
};
std::optional<QuantParams> per_tensor_quantization(const Graph& g, const Node& n);
// Adds an initializer value named after `base` (made unique).
ValueId add_constant(Graph& g, const std::string& base, Tensor t);

// Each pass: returns how many rewrites it made.
// float16/bfloat16 computed in float32 (see widen_half_floats.cc); not an
// optimisation: prepare_graph() always runs it.
size_t widen_half_floats(Graph& g);
size_t remove_identities(Graph& g);
// Cast pairs that keep every value read their source directly (fold_cast_pairs.cc).
size_t fold_cast_pairs(Graph& g);
size_t remove_dead_nodes(Graph& g);
size_t fold_batch_norm_into_conv(Graph& g);
// Pad (zeros, spatial) -> AveragePool -> AveragePool with pads, count_include_pad = 1.
size_t fold_pad_into_average_pool(Graph& g);
size_t fuse_conv_activation(Graph& g);
// Spelled-out erf GELU -> com.parallax.Gelu.
size_t fuse_gelu(Graph& g);
// MatMul -> Add(bias) -> activation, Gemm -> activation: one node.
size_t fuse_matmul_epilogue(Graph& g);
size_t fuse_layer_norm(Graph& g);
// MatMul -> [scale] -> Softmax -> MatMul -> com.parallax.SoftmaxAttention.
size_t fuse_attention(Graph& g);
// DequantizeLinear -> SiLU -> QuantizeLinear -> com.parallax.QLinearSwish.
size_t fuse_qdq_swish(Graph& g);
// quantize_dynamic's DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul (-> Add)
// -> one int8 GEMM node (DynamicQuantizeMatMul or MatMulIntegerToFloat).
// exact_int8 (all three, and to_channels_last's QLinearConv): weights that
// could saturate this CPU's int8 products stay unfused (core/int8_dot.h).
size_t fuse_dynamic_quant_matmul(Graph& g, bool exact_int8 = false);
// quantize_static's DequantizeLinear -> Conv [-> Relu] -> QuantizeLinear -> QLinearConv.
size_t fuse_qdq_conv(Graph& g, bool exact_int8 = false);
// DequantizeLinear x2 (x3 with a Gemm's bias) -> MatMul / Gemm [-> Relu]
// [-> QuantizeLinear] -> QLinearMatMul (com.parallax's with a bias or Relu),
// or MatMulIntegerToFloat where the result stays float.
size_t fuse_qdq_matmul(Graph& g, bool exact_int8 = false);
// DequantizeLinear x2 -> Add [-> Relu] -> QuantizeLinear -> com.parallax.QLinearAdd.
size_t fuse_qdq_add(Graph& g);
// DequantizeLinear -> MaxPool -> QuantizeLinear with the same per-tensor
// parameters -> MaxPool on the bytes (fuse_qdq_max_pool.cc).
size_t fuse_qdq_max_pool(Graph& g);
// QuantizeLinear -> DequantizeLinear (same per-tensor parameters, nothing
// else reading the bytes) -> com.parallax.QuantizeDequantize.
size_t fuse_quantize_round_trip(Graph& g);
size_t fold_conv_affine(Graph& g);
size_t fuse_hard_swish(Graph& g);
size_t fuse_gated_activation(Graph& g);
// Runs `nhwc_ops` (Conv, pooling) on NHWC data and keeps activations NHWC
// between them; see channels_last.cc.
size_t to_channels_last(Graph& g, const std::vector<std::string>& nhwc_ops, bool exact_int8 = false);
// After to_channels_last: NhwcConv -> Add(residual) becomes one NhwcConv.
size_t fuse_conv_residual(Graph& g);

}  // namespace parallax::passes
